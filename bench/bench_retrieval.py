"""Retrieval quality: hit@10 and MRR of MiniLM alone, BM25 alone, the hybrid (score fusion) and the
hybrid re-ranked by the match model, beside plain word TF-IDF (raw and log counts: the baselines), on
three labelled sets (hr_core.ml.retrieval_eval's docstring gives the protocol):

- the 42 hand-checked real pairs of tests/data/retrieval_pairs.json (300 real openings);
- real Decision candidates and the openings prospects.json says they were put forward for, among 350
  openings (target: one of them in the top 10 for at least 45 % of candidates), in all and in the two
  halves the weights were tuned on ("tune") and checked on ("check");
- planted matches in generated Decision data (approved prospects of a known fit rule).

The match model that re-ranks is trained the normal way (import, train-match) on generated data of
another seed: the real slices link no candidate to a described opening with an outcome. The real
openings of prospects.json are known by their title only, which makes that set harder than the full data
the issue's target was set on (there plain TF-IDF reached about 27 %; here 10 % with raw counts, 28 %
with log counts).

hit@10 / MRR, `python -m bench bench_retrieval` (58 real candidates: one hit = 0.017; a half: 0.034):

| set                  | TF-IDF log    | BM25 alone    | hybrid (default) | hybrid + re-rank |
|----------------------|---------------|---------------|------------------|------------------|
| hand-checked (42)    | 0.833 / 0.617 | 0.952 / 0.823 | 0.976 / 0.854    | 0.857 / 0.638    |
| real prospects (58)  | 0.276 / 0.155 | 0.397 / 0.175 | 0.466 / 0.188    | 0.224 / 0.114    |
| tune half (29)       | 0.276 / 0.192 | 0.448 / 0.219 | 0.483 / 0.240    | 0.241 / 0.112    |
| check half (29)      | 0.207 / 0.086 | 0.345 / 0.132 | 0.448 / 0.136    | 0.207 / 0.116    |
| planted (172)        | 0.343 / 0.137 | 0.384 / 0.150 | 0.401 / 0.153    | 0.395 / 0.184    |

The hybrid counts, for openings known by their title alone, the candidate's likeness to the CVs the title
finds (hr_core.ml.lexical.get_peer_matrix): without it the real prospects were 0.397 / 0.176 (tune 0.448 /
0.225, check 0.345 / 0.128). The 45 % target on the real prospects is met, by one hit (27 of 58 found).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.common import BenchContext, Figure, make_recruiting_db

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "decision"
REAL_TARGET = 0.45  # hit@10 on the real prospect links (issue 12)


def _train_model(workdir: Path) -> object:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.match import load_match_model, train_match_model

    engine = make_recruiting_db(
        workdir / "train_data", workdir / "retrieval.db", seed=5, applicants=1500, vagas=300
    )
    train_match_model(engine=engine, actor=CLI_ACTOR)
    engine.dispose()
    return load_match_model()


def run(ctx: BenchContext) -> list[Figure]:
    os.environ["HR_MODELS_DIR"] = str(ctx.workdir / "models_retrieval")
    from hr_core.ml.embeddings import load_encoder
    from hr_core.ml.recommend import DEFAULT_METHOD
    from hr_core.ml.retrieval_eval import (
        METHOD_LABELS,
        METHODS,
        evaluate_retrieval,
        load_prospect_links,
        load_retrieval_pairs,
        make_planted_set,
        split_halves,
    )
    from hr_core.settings import reset_settings

    reset_settings()
    encoder = load_encoder()
    model = _train_model(ctx.workdir)
    real = load_prospect_links(
        applicants=SAMPLES / "applicants.json",
        prospects=[SAMPLES / "prospects.json", SAMPLES / "prospects_larger.json"],
        openings=350,
    )
    tune, check = split_halves(real, seed=0)
    sets = {
        "hand-checked": load_retrieval_pairs(
            REPO / "tests" / "data" / "retrieval_pairs.json",
            applicants=SAMPLES / "applicants.json",
            vagas=SAMPLES / "vagas.json",
        ),
        "real prospects": real,
        "real prospects (tune half)": tune,
        "real prospects (check half)": check,
        "planted": make_planted_set(ctx.workdir / "planted", seed=11),
    }
    figures: list[Figure] = []
    for short, labelled in sets.items():
        report = evaluate_retrieval(labelled, encoder=encoder, model=model, k=10)  # type: ignore[arg-type]
        print(report.table(), file=sys.stderr, flush=True)
        base = report.best_baseline()  # the stronger of the two TF-IDF baselines
        for method in METHODS:
            s = report.score(method)
            figures.append(
                Figure(
                    f"retrieval {short}: hit@10, {METHOD_LABELS[method]} vs {METHOD_LABELS[base.method]}",
                    s.hit_at_k,
                    "",
                    base.hit_at_k,
                    extra={
                        "mrr": s.mrr,
                        "tfidf_mrr": base.mrr,
                        "queries": s.queries,
                        "openings": report.openings,
                    },
                )
            )
            figures.append(Figure(f"retrieval {short}: MRR, {METHOD_LABELS[method]}", s.mrr, "", base.mrr))
        best, default = report.best(), report.score(DEFAULT_METHOD)
        figures.append(
            Figure(
                f"retrieval {short}: hit@10 the best ({best.method}) adds to the default ({DEFAULT_METHOD})",
                best.hit_at_k - default.hit_at_k,
                "",
                None,
                None,
            )
        )
        if short.startswith("real prospects"):
            verdict = "holds" if default.hit_at_k >= REAL_TARGET else "is not met"
            print(
                f"  target: hit@10 of the default ({DEFAULT_METHOD}) >= {REAL_TARGET:.2f}: {verdict} "
                f"({default.hit_at_k:.3f})",
                file=sys.stderr,
                flush=True,
            )
        if short == "real prospects":
            figures.append(
                Figure(
                    "retrieval real prospects: 1 - hit@10 of the default (target <= 0.55)",
                    1 - default.hit_at_k,
                    "",
                    None,
                    1 - REAL_TARGET,
                )
            )
    return figures
