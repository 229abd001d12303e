"""Pipeline numbers on SQLite and PostgreSQL over a hand-built pipeline whose medians, quartiles and
conversions are worked out by hand below (quartiles by linear interpolation between ranks)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert

from hr_core.access import Actor
from hr_core.errors import InvalidInputError, PermissionDenied
from hr_core.models.recruiting import PipelineOpening, Prospect, ProspectStageChange, Vaga
from hr_core.pipeline_stages import stage_of
from hr_core.recruiting import pipeline_metrics as pm

RECRUITER = Actor("rita", "recruiter")
ANALYST = Actor("ana", "analyst")
TODAY = dt.date(2024, 3, 31)
D = dt.date


def _prospect(
    vaga: str, cand: str, status: str, applied: dt.date | None, updated: dt.date | None, who: str
) -> dict:
    return {
        "vaga_codigo": vaga,
        "candidate_codigo": cand,
        "situacao": status,
        "stage": stage_of(status),
        "data_candidatura": applied,
        "ultima_atualizacao": updated,
        "recrutador": who,
    }


def _move(vaga: str, cand: str, from_stage: str, to_stage: str, day: dt.date) -> dict:
    return {
        "vaga_codigo": vaga,
        "candidate_codigo": cand,
        "from_status": from_stage,
        "to_status": to_stage,
        "from_stage": from_stage,
        "to_stage": to_stage,
        "changed_by": "rita",
        "changed_at": dt.datetime(day.year, day.month, day.day, 15, 30, tzinfo=dt.UTC),
    }


def insert_hand_built_pipeline(engine: Engine) -> Engine:
    """Openings V1 (ACME, someone hired), V2 (Beta, open), V3 (ACME, open, nobody applied yet) and P9 (only
    in prospects.json); nine prospects, three of them with a date problem."""
    vagas = [
        {
            "codigo": "V1",
            "titulo": "Dev Java",
            "cliente": "ACME",
            "analista_responsavel": "Lia",
            "data_requisicao": D(2024, 1, 1),
        },
        {
            "codigo": "V2",
            "titulo": "SAP FI",
            "cliente": "Beta",
            "analista_responsavel": "Lia",
            "data_requisicao": D(2024, 1, 10),
        },
        {
            "codigo": "V3",
            "titulo": "QA",
            "cliente": "ACME",
            "analista_responsavel": "Rui",
            "data_requisicao": D(2024, 2, 1),
        },
    ]
    prospects = [
        # c1: hired, no history: dated by its last update -> approved 20 days, decision 20
        _prospect("V1", "c1", "Contratado pela Decision", D(2024, 1, 5), D(2024, 1, 25), "Rita"),
        # c2: rejected 10 days after applying (decision 10)
        _prospect("V1", "c2", "Não Aprovado pelo RH", D(2024, 1, 6), D(2024, 1, 16), "Rita"),
        # c3: history: in process after 2 days, interview after 4
        _prospect("V1", "c3", "Entrevista Técnica", D(2024, 1, 10), D(2024, 1, 14), "Rita"),
        # c7: history: interview after 4 days, hired after 14 (decision 14)
        _prospect("V1", "c7", "Aprovado", D(2024, 2, 10), D(2024, 2, 24), "Rita"),
        # c4: in process after 4 days
        _prospect("V2", "c4", "Em avaliação pelo RH", D(2024, 2, 1), D(2024, 2, 5), "Bia"),
        # c5: applied only, nothing to time
        _prospect("V2", "c5", "Inscrito", D(2024, 2, 3), D(2024, 2, 3), "Bia"),
        # c6: no application date -> left out of every time, counted
        _prospect("V2", "c6", "Não Aprovado pelo Cliente", None, D(2024, 2, 20), "Bia"),
        # c9: withdrew with no date for it -> counted
        _prospect("V2", "c9", "Desistiu", D(2024, 2, 2), None, "Bia"),
        # c8: last update before the application -> left out, counted
        _prospect("P9", "c8", "Em avaliação pelo RH", D(2024, 1, 20), D(2024, 1, 15), ""),
    ]
    moves = [
        _move("V1", "c3", "applied", "in_process", D(2024, 1, 12)),
        _move("V1", "c3", "in_process", "interview", D(2024, 1, 14)),
        _move("V1", "c7", "applied", "interview", D(2024, 2, 14)),
        _move("V1", "c7", "interview", "approved", D(2024, 2, 24)),
    ]
    with engine.begin() as conn:
        conn.execute(insert(Vaga), vagas)
        conn.execute(
            insert(PipelineOpening),
            [
                {"vaga_codigo": v, "titulo": t}
                for v, t in (("V1", "Dev Java"), ("V2", "SAP FI"), ("P9", "Antiga"))
            ],
        )
        conn.execute(insert(Prospect), prospects)
        conn.execute(insert(ProspectStageChange), moves)
    return engine


@pytest.fixture
def pipeline(engine: Engine) -> Engine:
    return insert_hand_built_pipeline(engine)


def _durations(rows: list[pm.StageDuration]) -> dict[tuple[str, str], tuple[int, float, float, float]]:
    return {(r.group, r.stage): (r.prospects, r.median_days, r.p25_days, r.p75_days) for r in rows}


def _conversions(rows: list[pm.StageConversion]) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.group, r.from_stage): (r.reached_from, r.reached_to) for r in rows}


def test_overall_times_conversion_gaps_and_ageing(pipeline: Engine) -> None:
    report = pm.build_pipeline_report(engine=pipeline, actor=RECRUITER, today=TODAY)
    # in process: c3 2, c4 4 -> median 3, quartiles 2.5 / 3.5; interview: c3 4, c7 4;
    # approved: c7 14, c1 20 -> 17, 15.5, 18.5; rejected: c2 10; withdrew: none dated.
    assert _durations(report.time_to_stage) == {
        ("", "in_process"): (2, 3.0, 2.5, 3.5),
        ("", "interview"): (2, 4.0, 4.0, 4.0),
        ("", "approved"): (2, 17.0, 15.5, 18.5),
        ("", "rejected"): (1, 10.0, 10.0, 10.0),
    }
    assert [r.stage for r in report.time_to_stage] == ["in_process", "interview", "approved", "rejected"]
    # decision: c2 10, c7 14, c1 20 -> median 14, quartiles 12 / 17
    assert _durations(report.time_to_decision) == {("", "decision"): (3, 14.0, 12.0, 17.0)}
    # furthest progressive stage: c1 3, c7 3, c3 2, c4 1, c8 1, the rest 0 -> 9, 5, 3, 2 reached
    assert _conversions(report.conversion) == {
        ("", "applied"): (9, 5),
        ("", "in_process"): (5, 3),
        ("", "interview"): (3, 2),
    }
    assert [r.rate for r in report.conversion] == [5 / 9, 3 / 5, 2 / 3]
    assert report.prospects == 9 and report.hire_rate == 2 / 9
    assert report.date_gaps == pm.DateGaps(
        prospects=3, no_application_date=1, no_stage_date=1, before_application=1, openings_without_date=0
    )
    # V1 hired (closed); P9 last moved 20 Jan (71 days), V3 opened 1 Feb (59), V2's c6 updated 20 Feb (40)
    assert [(o.vaga_codigo, o.days_without_movement) for o in report.ageing] == [
        ("P9", 71),
        ("V3", 59),
        ("V2", 40),
    ]
    v2 = report.ageing[2]
    assert (v2.last_movement, v2.opened_on, v2.prospects, v2.cliente) == (
        D(2024, 2, 20),
        D(2024, 1, 10),
        4,
        "Beta",
    )
    assert {s: n for s, n in v2.by_stage.items() if n} == {
        "applied": 1,
        "in_process": 1,
        "rejected": 1,
        "withdrew": 1,
    }
    assert report.stale_openings == 3
    later = pm.build_pipeline_report(engine=pipeline, actor=RECRUITER, today=TODAY, stale_after_days=45)
    assert later.stale_openings == 2


def test_per_recruiter_client_and_opening(pipeline: Engine) -> None:
    by_recruiter = pm.build_pipeline_report(
        engine=pipeline, actor=RECRUITER, group_by="recruiter", today=TODAY
    )
    times = _durations(by_recruiter.time_to_stage)
    assert times[("Rita", "approved")] == (2, 17.0, 15.5, 18.5)
    assert times[("Bia", "in_process")] == (1, 4.0, 4.0, 4.0)
    assert ("", "in_process") not in times  # c8 (no recruiter) has no usable date
    assert _durations(by_recruiter.time_to_decision) == {("Rita", "decision"): (3, 14.0, 12.0, 17.0)}
    # Bia: c4 1, c5 0, c6 0, c9 0; Rita: c1 3, c2 0, c3 2, c7 3; (none): c8 1
    assert _conversions(by_recruiter.conversion) == {
        ("", "applied"): (1, 1),
        ("", "in_process"): (1, 0),
        ("", "interview"): (0, 0),
        ("Bia", "applied"): (4, 1),
        ("Bia", "in_process"): (1, 0),
        ("Bia", "interview"): (0, 0),
        ("Rita", "applied"): (4, 3),
        ("Rita", "in_process"): (3, 3),
        ("Rita", "interview"): (3, 2),
    }
    assert [c.rate for c in by_recruiter.conversion if c.group == ""] == [1.0, 0.0, None]
    by_opening = pm.get_time_to_decision(engine=pipeline, actor=RECRUITER, group_by="opening")
    assert [(r.group, r.label, r.prospects, r.median_days) for r in by_opening] == [
        ("V1", "Dev Java", 3, 14.0)
    ]
    by_client = pm.get_time_to_stage(engine=pipeline, actor=RECRUITER, group_by="client")
    assert {(r.group, r.stage) for r in by_client} == {
        ("ACME", "in_process"),
        ("ACME", "interview"),
        ("ACME", "approved"),
        ("ACME", "rejected"),
        ("Beta", "in_process"),
    }
    conversion = pm.get_stage_conversion(engine=pipeline, actor=RECRUITER, group_by="client")
    assert _conversions(conversion)[("ACME", "applied")] == (4, 3)


def test_per_month_of_application(pipeline: Engine) -> None:
    report = pm.build_pipeline_report(engine=pipeline, actor=RECRUITER, today=TODAY)
    monthly = _durations(report.monthly_time)
    # January: c1, c2, c3, c8 (c8 undated); February: c4, c5, c7, c9; c6 has no month
    assert monthly[("2024-01", "decision")] == (2, 15.0, 12.5, 17.5)  # c2 10, c1 20
    assert monthly[("2024-01", "in_process")] == (1, 2.0, 2.0, 2.0)
    assert monthly[("2024-02", "decision")] == (1, 14.0, 14.0, 14.0)
    assert monthly[("2024-02", "in_process")] == (1, 4.0, 4.0, 4.0)
    assert {g for g, _ in monthly} == {"2024-01", "2024-02"}
    assert _conversions(report.monthly_conversion) == {
        ("2024-01", "applied"): (4, 3),
        ("2024-01", "in_process"): (3, 2),
        ("2024-01", "interview"): (2, 1),
        ("2024-02", "applied"): (4, 2),
        ("2024-02", "in_process"): (2, 1),
        ("2024-02", "interview"): (1, 1),
    }


def test_tables_for_download(pipeline: Engine) -> None:
    report = pm.build_pipeline_report(engine=pipeline, actor=RECRUITER, today=TODAY)
    ageing = report.table("ageing")
    assert list(ageing["vaga_codigo"]) == ["P9", "V3", "V2"]
    assert list(ageing.columns[-7:]) == [
        "applied",
        "in_process",
        "interview",
        "approved",
        "rejected",
        "withdrew",
        "unknown",
    ]
    assert list(ageing["withdrew"]) == [0, 0, 1]
    assert list(report.table("time_to_decision")["median_days"]) == [14.0]
    assert len(report.table("monthly_conversion")) == 6
    with pytest.raises(InvalidInputError, match="not one of"):
        report.table("candidates")


def test_empty_database_gives_empty_figures(engine: Engine) -> None:
    report = pm.build_pipeline_report(engine=engine, actor=RECRUITER, group_by="opening", today=TODAY)
    assert (report.prospects, report.hire_rate, report.stale_openings) == (0, None, 0)
    assert report.time_to_stage == report.conversion == report.ageing == report.monthly_time == []
    assert list(report.table("time_to_stage").columns) == [
        "group",
        "label",
        "stage",
        "prospects",
        "median_days",
        "p25_days",
        "p75_days",
    ]


def test_roles_and_bad_parameters_are_refused(pipeline: Engine) -> None:
    for read in (
        lambda: pm.build_pipeline_report(engine=pipeline, actor=ANALYST),
        lambda: pm.get_time_to_stage(engine=pipeline, actor=ANALYST),
        lambda: pm.get_time_to_decision(engine=pipeline, actor=ANALYST),
        lambda: pm.get_stage_conversion(engine=pipeline, actor=ANALYST),
        lambda: pm.list_ageing_openings(engine=pipeline, actor=ANALYST),
    ):
        with pytest.raises(PermissionDenied, match="read recruiting data"):
            read()
    with pytest.raises(InvalidInputError, match="group_by 'candidate; DROP' is not one of"):
        pm.build_pipeline_report(engine=pipeline, actor=RECRUITER, group_by="candidate; DROP")
    with pytest.raises(InvalidInputError, match="0 or more"):
        pm.build_pipeline_report(engine=pipeline, actor=RECRUITER, stale_after_days=-1)
    admin = Actor("root", "admin")
    assert [o.vaga_codigo for o in pm.list_ageing_openings(engine=pipeline, actor=admin, today=TODAY)] == [
        "P9",
        "V3",
        "V2",
    ]
