"""Match feedback on both databases: record, list, the latest verdict, refusals, audit, export, CLI, schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, insert, inspect, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, NotFoundError, PermissionDenied
from hr_core.migrations import downgrade_database, get_head_revision, upgrade_database
from hr_core.ml.feedback import (
    MAX_REASON,
    get_latest_verdict,
    get_latest_verdicts,
    list_feedback,
    record_feedback,
)
from hr_core.ml.match import (
    get_model_paths,
    load_match_model,
    read_model_card,
    score_pairs,
    train_match_model,
)
from hr_core.models import AuditEvent, MatchFeedback
from hr_core.pipeline_stages import match_label
from hr_core.recruiting.anonymise import anonymise_candidate
from hr_core.recruiting.exporter import export_recruiting
from tests.factories import insert_recruiting_rows, make_match_rows

RITA = Actor(username="rita", role="recruiter")
ANA = Actor(username="ana", role="analyst")
T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def small(engine: Engine) -> Engine:
    candidates, vagas, prospects = make_match_rows(seed=2, n_vagas=2, per_vaga=3)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    return engine


def _audit(engine: Engine) -> list[tuple[str, str, str, dict]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.outcome, AuditEvent.details)
            .where(AuditEvent.action == "ml.feedback")
            .order_by(AuditEvent.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_record_list_and_the_latest_verdict_per_pair(small: Engine) -> None:
    first = record_feedback(
        engine=small,
        actor=RITA,
        candidate="C000000",
        vaga="V0000",
        verdict="good",
        source="match_scoring",
        now=T0,
    )
    assert (first.verdict, first.reason, first.username, first.source) == (
        "good",
        "",
        "rita",
        "match_scoring",
    )
    # A later verdict on the same pair replaces it as the current one; the history keeps both.
    later = record_feedback(
        engine=small,
        actor=RITA,
        candidate=" C000000 ",
        vaga="V0000",
        verdict="wrong",
        reason="  knows Java, not Kotlin  ",
        source="recommendations",
        now=T0 + dt.timedelta(hours=1),
    )
    assert later.candidate == "C000000" and later.reason == "knows Java, not Kotlin"
    other = record_feedback(
        engine=small, actor=CLI_ACTOR, candidate="C000101", vaga="V0001", verdict="good", source="cli", now=T0
    )

    everything = list_feedback(engine=small, actor=RITA)
    assert [f.id for f in everything] == [later.id, other.id, first.id]  # newest first, then the higher id
    assert everything[0] == later and everything[0].created_at == T0 + dt.timedelta(hours=1)
    assert [f.id for f in list_feedback(engine=small, actor=RITA, candidate="C000000")] == [
        later.id,
        first.id,
    ]
    assert [f.id for f in list_feedback(engine=small, actor=RITA, verdict="good")] == [other.id, first.id]
    assert [f.id for f in list_feedback(engine=small, actor=RITA, vaga="V0001")] == [other.id]
    assert [f.id for f in list_feedback(engine=small, actor=RITA, latest_only=True)] == [later.id, other.id]
    assert [f.id for f in list_feedback(engine=small, actor=RITA, limit=1)] == [later.id]

    latest = get_latest_verdicts(engine=small, actor=RITA)
    assert {k: v.verdict for k, v in latest.items()} == {
        ("C000000", "V0000"): "wrong",
        ("C000101", "V0001"): "good",
    }
    only = get_latest_verdicts(engine=small, actor=RITA, pairs=[("C000101", "V0001"), ("C000001", "V0000")])
    assert list(only) == [("C000101", "V0001")]
    assert get_latest_verdict(engine=small, actor=RITA, candidate="C000000", vaga="V0000") == later
    assert get_latest_verdict(engine=small, actor=RITA, candidate="C000001", vaga="V0000") is None

    # Same instant: the later row (higher id) is the latest.
    tie = record_feedback(
        engine=small, actor=RITA, candidate="C000101", vaga="V0001", verdict="wrong", source="api", now=T0
    )
    assert get_latest_verdict(engine=small, actor=RITA, candidate="C000101", vaga="V0001") == tie

    audit = _audit(small)
    assert [(a, o) for a, _, o, _ in audit] == [("rita", "ok"), ("rita", "ok"), ("cli", "ok"), ("rita", "ok")]
    assert audit[1][3] == {
        "candidate": "C000000",
        "vaga": "V0000",
        "verdict": "wrong",
        "source": "recommendations",
        "id": later.id,
        "reason_chars": len("knows Java, not Kotlin"),
    }


def test_bad_input_is_refused_naming_the_field_and_value_and_nothing_is_stored(small: Engine) -> None:
    def give(**kw: str) -> None:
        args = {"candidate": "C000000", "vaga": "V0000", "verdict": "good", "source": "api", **kw}
        record_feedback(engine=small, actor=RITA, **args)

    with pytest.raises(InvalidInputError, match="verdict 'maybe' is not one of: good, wrong"):
        give(verdict="maybe")
    with pytest.raises(InvalidInputError, match="source 'email' is not one of"):
        give(source="email")
    with pytest.raises(InvalidInputError, match=f"reason has 1,001 characters; at most {MAX_REASON:,}"):
        give(reason="x" * (MAX_REASON + 1))
    with pytest.raises(NotFoundError, match="candidate 'nobody' does not exist"):
        give(candidate="nobody")
    with pytest.raises(NotFoundError, match=r"opening \(vaga\) 'V9999' does not exist"):
        give(vaga="V9999")
    with pytest.raises(InvalidInputError, match="must both be given"):
        give(candidate="  ")
    with pytest.raises(InvalidInputError, match="verdict 'fine'"):
        list_feedback(engine=small, actor=RITA, verdict="fine")
    with pytest.raises(InvalidInputError, match="limit 0"):
        list_feedback(engine=small, actor=RITA, limit=0)
    assert list_feedback(engine=small, actor=RITA) == []
    assert [o for _, _, o, _ in _audit(small)] == ["error"] * 6
    give(reason="y" * MAX_REASON)  # exactly the limit is fine
    assert len(list_feedback(engine=small, actor=RITA)[0].reason) == MAX_REASON


def test_analysts_may_neither_give_nor_read_feedback(small: Engine) -> None:
    with pytest.raises(
        PermissionDenied, match="may not give feedback on matches; it needs the recruiter or admin"
    ):
        record_feedback(
            engine=small, actor=ANA, candidate="C000000", vaga="V0000", verdict="good", source="api"
        )
    for read in (list_feedback, get_latest_verdicts):
        with pytest.raises(PermissionDenied, match="give feedback on matches"):
            read(engine=small, actor=ANA)
    assert [(a, o) for a, _, o, _ in _audit(small)] == [("ana", "error")]
    with small.connect() as conn:
        assert conn.execute(select(MatchFeedback.id)).all() == []


def test_feedback_is_exported_formula_safe_and_anonymising_erases_its_reasons(
    small: Engine, tmp_path: Path
) -> None:
    record_feedback(
        engine=small,
        actor=RITA,
        candidate="C000000",
        vaga="V0000",
        verdict="wrong",
        reason='=HYPERLINK("http://x","click"), said Pessoa C000000',
        source="match_scoring",
        now=T0,
    )
    record_feedback(
        engine=small, actor=RITA, candidate="C000101", vaga="V0001", verdict="good", source="api", now=T0
    )
    result = export_recruiting(engine=small, actor=RITA, out=str(tmp_path / "out"))
    assert result["files"][-1] == "match_feedback.csv" and result["counts"]["match_feedback.csv"] == 2
    lines = (tmp_path / "out" / "match_feedback.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,candidate,vaga,verdict,reason,source,username,created_at"
    assert lines[1].startswith("1,C000000,V0000,wrong,\"'=HYPERLINK(")  # oldest first, formula neutralised
    assert lines[2].startswith("2,C000101,V0001,good,,api,rita,2026-11-30T09:00:00")

    anonymise_candidate(engine=small, actor=CLI_ACTOR, codigo="C000000")
    kept = list_feedback(engine=small, actor=RITA, candidate="C000000")
    assert [(f.verdict, f.reason) for f in kept] == [("wrong", "")]
    export_recruiting(engine=small, actor=RITA, out=str(tmp_path / "again"))
    assert "Pessoa C000000" not in (tmp_path / "again" / "match_feedback.csv").read_text(encoding="utf-8")


def test_the_cli_adds_and_lists_feedback(small: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["feedback", "add", "C000000", "V0000", "good", "--reason", "strong SQL"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert (added["verdict"], added["reason"], added["source"], added["username"]) == (
        "good",
        "strong SQL",
        "cli",
        "cli",
    )
    assert cli_main(["feedback", "add", "C000000", "V0000", "wrong"]) == 0
    capsys.readouterr()
    assert cli_main(["feedback", "list", "--latest"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["count"] == 1 and listed["feedback"][0]["verdict"] == "wrong"
    assert cli_main(["feedback", "list", "--candidate", "C000000"]) == 0
    assert [f["verdict"] for f in json.loads(capsys.readouterr().out)["feedback"]] == ["wrong", "good"]
    assert cli_main(["feedback", "add", "C000000", "V0000", "meh"]) == 2
    assert "verdict 'meh' is not one of: good, wrong" in capsys.readouterr().err
    assert cli_main(["feedback", "add", "nobody", "V0000", "good"]) == 2


def test_the_revision_adds_and_removes_the_table(engine: Engine) -> None:
    assert "match_feedback" in inspect(engine).get_table_names()
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("match_feedback")}
    assert indexes["ix_match_feedback_pair"] == ["candidate_codigo", "vaga_codigo"]
    assert downgrade_database(engine, "0003") == "0003"
    assert "match_feedback" not in inspect(engine).get_table_names()
    assert upgrade_database(engine) == get_head_revision()
    assert "match_feedback" in inspect(engine).get_table_names()
    # The database refuses a verdict outside the vocabulary even if a caller skipped the check.
    row = {"candidate_codigo": "c", "vaga_codigo": "v", "verdict": "maybe", "reason": "", "source": "api"}
    with (
        pytest.raises(Exception, match="ck_match_feedback_verdict|CHECK constraint failed"),
        engine.begin() as conn,
    ):
        conn.execute(insert(MatchFeedback).values(**row, username="x", created_at=T0))


@pytest.mark.slow
def test_training_takes_feedback_as_labels_and_the_latest_feedback_wins(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    candidates, vagas, prospects = make_match_rows(seed=7, n_vagas=40, per_vaga=10, in_progress=0.1)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    decided = [(p["candidate_codigo"], p["vaga_codigo"], match_label(p["situacao"])) for p in prospects]
    labelled = [(c, v, label) for c, v, label in decided if label is not None]
    waiting = next((c, v) for c, v, label in decided if label is None)

    before = train_match_model(engine=engine, actor=CLI_ACTOR).card.as_dict()["data"]
    assert before["label_sources"] | {"rule": ""} == {
        "decided_prospects": len(labelled),
        "feedback": 0,
        "feedback_over_outcome": 0,
        "feedback_changed_label": 0,
        "rule": "",
    }
    assert "latest feedback wins" in before["label_sources"]["rule"]

    # Recruiters say the 60 rejected pairs the model likes least were good matches after all.
    rejected = [(c, v) for c, v, label in labelled if label == 0]
    scored = score_pairs(engine=engine, actor=CLI_ACTOR, model=load_match_model(), pairs=rejected)
    flipped = [tuple(p) for p in scored.nsmallest(60, "probability")[["candidate", "vaga"]].to_numpy()]
    p_before = scored.set_index(["candidate", "vaga"]).loc[flipped, "probability"]
    for i, (c, v) in enumerate(flipped):
        if i == 0:  # an earlier 'wrong' on the same pair is replaced by the later 'good'
            record_feedback(
                engine=engine, actor=RITA, candidate=c, vaga=v, verdict="wrong", source="api", now=T0
            )
        record_feedback(
            engine=engine, actor=RITA, candidate=c, vaga=v, verdict="good", source="match_scoring",
            now=T0 + dt.timedelta(hours=1),
        )  # fmt: skip
    # Feedback on a pair still in progress and on a pair nobody applied to adds labelled pairs.
    record_feedback(
        engine=engine, actor=RITA, candidate=waiting[0], vaga=waiting[1], verdict="good", source="api"
    )
    record_feedback(
        engine=engine, actor=RITA, candidate="C000000", vaga="V0001", verdict="wrong", source="api"
    )

    assert cli_main(["train-match", "--promote"]) == 0  # the command line says where the labels came from
    trained = json.loads(capsys.readouterr().out)
    assert (trained["labels_from_prospects"], trained["labels_from_feedback"]) == (len(labelled) - 60, 62)
    card = read_model_card()
    assert card is not None
    assert (card.data.from_prospects, card.data.from_feedback) == (len(labelled) - 60, 62)
    after = card.as_dict()["data"]
    assert after["label_sources"] | {"rule": ""} == {
        "decided_prospects": len(labelled) - 60,
        "feedback": 62,
        "feedback_over_outcome": 60,
        "feedback_changed_label": 60,
        "rule": "",
    }
    assert after["pairs"] == before["pairs"] + 2 == len(labelled) + 2
    assert after["label_counts"]["approved"] == before["label_counts"]["approved"] + 61
    reference = pd.read_parquet(get_model_paths()[2])
    assert (reference["label_source"] == "feedback").sum() == 62

    rescored = score_pairs(engine=engine, actor=CLI_ACTOR, model=load_match_model(), pairs=flipped)
    p_after = rescored.set_index(["candidate", "vaga"]).loc[flipped, "probability"]
    assert p_after.mean() > p_before.mean() + 0.2, (p_before.mean(), p_after.mean())
    assert (p_after > p_before).mean() > 0.9
