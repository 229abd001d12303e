"""Pipeline numbers at the Decision data's size (14,000 openings, 53,000 prospects, 20,000 recorded moves):
the whole report per grouping, beside the existing stage counts (SQL GROUP BY) in the same run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert

from bench.common import BenchContext, Figure, timed
from hr_core.access import CLI_ACTOR
from hr_core.db import init_db, make_engine
from hr_core.models.recruiting import PipelineOpening, Prospect, ProspectStageChange, Vaga
from hr_core.pipeline_stages import ALL_STATUSES, stage_of
from hr_core.recruiting.pipeline_metrics import build_pipeline_report
from hr_core.recruiting.stats import get_pipeline_overview

VAGAS = 13_000
PIPELINE_ONLY = 1_000
PROSPECTS = 53_000
MOVES = 20_000
START = dt.date(2021, 1, 1)


def _rows() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """Deterministic rows: statuses, dates, clients and recruiters spread by multiplicative hashes."""
    vagas = [
        {
            "codigo": str(i),
            "titulo": f"Opening {i}",
            "cliente": f"Client {i * 7 % 300}",
            "analista_responsavel": f"Analyst {i % 40}",
            "data_requisicao": START + dt.timedelta(days=i * 13 % 1200),
        }
        for i in range(VAGAS)
    ]
    openings = [{"vaga_codigo": str(i), "titulo": f"Opening {i}"} for i in range(VAGAS + PIPELINE_ONLY)]
    prospects = []
    for i in range(PROSPECTS):
        status = ALL_STATUSES[i * 31 % len(ALL_STATUSES)]
        applied = START + dt.timedelta(days=i * 17 % 1300)
        prospects.append(
            {
                "vaga_codigo": str(i * 7919 % (VAGAS + PIPELINE_ONLY)),
                "candidate_codigo": str(i),
                "situacao": status,
                "stage": stage_of(status),
                "data_candidatura": applied if i % 50 else None,
                "ultima_atualizacao": applied + dt.timedelta(days=i * 11 % 90),
                "recrutador": f"Recruiter {i * 3 % 60}",
            }
        )
    moves = []
    for i in range(MOVES):
        p = prospects[i * 2]
        moves.append(
            {
                "vaga_codigo": p["vaga_codigo"],
                "candidate_codigo": p["candidate_codigo"],
                "from_status": "Inscrito",
                "to_status": "Em avaliação pelo RH",
                "from_stage": "applied",
                "to_stage": "in_process",
                "changed_by": "bench",
                "changed_at": dt.datetime.combine(
                    p["ultima_atualizacao"] or START, dt.time(12), tzinfo=dt.UTC
                ),
            }
        )
    return vagas, openings, prospects, moves


def _fill(engine: Engine, rows: tuple[list[dict], list[dict], list[dict], list[dict]]) -> None:
    vagas, openings, prospects, moves = rows
    with engine.begin() as conn:
        conn.execute(insert(Vaga), vagas)
        conn.execute(insert(PipelineOpening), openings)
        conn.execute(insert(Prospect), prospects)
        conn.execute(insert(ProspectStageChange), moves)


def run(ctx: BenchContext) -> list[Figure]:
    rows = _rows()
    figures: list[Figure] = []
    for name, url in (("pg", ctx.pg_url), ("sqlite", f"sqlite:///{ctx.workdir / 'pipeline.db'}")):
        engine = make_engine(url)
        init_db(engine)
        _fill(engine, rows)
        counts_s, _ = timed(lambda e=engine: get_pipeline_overview(engine=e), repeat=3)
        for group_by in ("overall", "opening"):
            seconds, report = timed(
                lambda e=engine, g=group_by: build_pipeline_report(engine=e, actor=CLI_ACTOR, group_by=g),
                repeat=3,
            )
            extra = {
                "prospects": report.prospects,
                "ageing_openings": len(report.ageing),
                "time_rows": len(report.time_to_stage),
            }
            figures.append(
                Figure(
                    f"pipeline numbers 53k {name} {group_by} vs stage counts",
                    seconds,
                    "s",
                    counts_s,
                    None,
                    extra,
                )
            )
            figures.append(
                Figure(f"pipeline numbers 53k {name} {group_by} (target 2 s)", seconds, "s", None, 2.0)
            )
        engine.dispose()
    return figures
