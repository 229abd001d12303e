"""Benchmarks run by `make bench`; each bench_*.py module exposes run(ctx) -> list of figures."""
