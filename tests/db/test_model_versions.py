"""Model versions on both storages (a folder and SeaweedFS S3) and both databases: a retrain makes a candidate,
an admin promotes it or keeps the current one, the previous one comes back in one step, and a second replica
(another HR_MODELS_DIR, the same storage) serves whatever is promoted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, ModelError, NotFoundError, PermissionDenied
from hr_core.ml import versions
from hr_core.ml.fairness import get_latest_fairness_report
from hr_core.ml.match import get_model_paths, load_match_model, read_model_card, train_match_model
from hr_core.models import AuditEvent
from hr_core.storage import Storage, hash_file
from tests.factories import insert_recruiting_rows, make_match_rows
from tests.support.replicas import use_cache

RECRUITER = Actor(username="rita", role="recruiter")


@pytest.mark.slow
def test_retrain_compare_promote_restore_across_replicas(
    engine: Engine,
    storage: Storage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    candidates, vagas, prospects = make_match_rows(seed=7, n_vagas=16, per_vaga=8, in_progress=0.1)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    use_cache(monkeypatch, primary, refresh_seconds=3600)

    # The first training is promoted at once: a fresh installation gets a working model.
    first = train_match_model(engine=engine, actor=CLI_ACTOR)
    assert first.promoted and versions.read_pointer(actor=CLI_ACTOR).version == first.version
    assert versions.get_served_version() == first.version
    model_path, card_path, _ = get_model_paths()
    assert model_path.parent == primary / "versions" / first.version
    assert read_model_card() == first.card and hash_file(model_path) == first.card.sha256
    manifest = json.loads(storage.get_bytes(f"models/versions/{first.version}/manifest.json"))
    hashes = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert hashes["match_model.skops"] == first.card.sha256
    assert set(hashes) == {
        "match_model.skops",
        "match_model.json",
        "match_reference.parquet",
        "fairness_report.json",
    }
    assert get_latest_fairness_report() is not None  # the served version's report

    # A retrain makes a candidate: it is published, but the promoted model stays in service.
    second = train_match_model(engine=engine, actor=CLI_ACTOR, random_state=1)
    assert not second.promoted and second.version > first.version
    assert read_model_card() == first.card and load_match_model().card == first.card
    candidate = versions.get_candidate(actor=CLI_ACTOR)
    assert candidate is not None and candidate.version == second.version
    assert versions.read_version_card(actor=CLI_ACTOR, version=second.version) == second.card
    states = {v.version: v.state for v in versions.list_versions(actor=CLI_ACTOR)}
    assert states == {first.version: "promoted", second.version: "candidate"}

    # Another replica (its own empty cache, the same storage) downloads and serves the promoted version.
    use_cache(monkeypatch, replica, refresh_seconds=3600)
    assert read_model_card() == first.card
    assert get_model_paths()[0].parent == replica / "versions" / first.version
    assert load_match_model().card == first.card  # the load path's own hash check passes on the copy

    # Promoting (here from the replica's command line) switches that process at once ...
    assert cli_main(["model-versions", "promote", second.version]) == 0
    promoted = json.loads(capsys.readouterr().out)
    assert (promoted["version"], promoted["previous"]) == (second.version, first.version)
    assert read_model_card() == second.card
    # ... and the primary once it reads the pointer again (at most every HR_MODEL_REFRESH_SECONDS).
    use_cache(monkeypatch, primary, refresh_seconds=3600)
    assert read_model_card() == first.card  # read the pointer less than an hour ago: still the old one
    use_cache(monkeypatch, primary, refresh_seconds=0)
    assert read_model_card() == second.card and load_match_model().card == second.card
    assert versions.get_served_version() == second.version

    # The previous version comes back in one step, and the one it replaced becomes the previous.
    pointer = versions.restore_previous(engine=engine, actor=CLI_ACTOR)
    assert (pointer.version, pointer.previous) == (first.version, second.version)
    assert read_model_card() == first.card
    assert cli_main(["model-versions", "restore-previous"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == second.version
    assert read_model_card() == second.card

    # Keeping the current model sets a candidate aside.
    third = train_match_model(engine=engine, actor=CLI_ACTOR, random_state=2)
    assert not third.promoted and versions.get_candidate(actor=CLI_ACTOR).version == third.version  # type: ignore[union-attr]
    assert cli_main(["model-versions", "keep-current", third.version]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "dismissed"
    assert versions.get_candidate(actor=CLI_ACTOR) is None and read_model_card() == second.card
    assert cli_main(["model-versions", "list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert (listed["promoted"], listed["previous"], listed["candidate"]) == (
        second.version,
        first.version,
        None,
    )
    assert [v["state"] for v in listed["versions"]] == ["dismissed", "promoted", "previous"]
    assert listed["served_here"] == second.version

    # Bad input is refused with exit 2 and changes nothing; only admins promote.
    assert cli_main(["model-versions", "promote", "20990101T000000-abcdef"]) == 2
    assert cli_main(["model-versions", "promote", second.version]) == 2  # already promoted
    assert cli_main(["model-versions", "promote", "../x"]) == 2
    with pytest.raises(PermissionDenied, match="promote model versions"):
        versions.promote_version(engine=engine, actor=RECRUITER, version=third.version)
    with pytest.raises(NotFoundError):
        versions.read_version_card(actor=CLI_ACTOR, version="20990101T000000-abcdef")
    assert versions.read_pointer(actor=CLI_ACTOR).version == second.version
    with engine.connect() as conn:
        events = conn.execute(
            select(AuditEvent.outcome, AuditEvent.details).where(AuditEvent.action == "ml.promote")
        ).all()
    steps = [(outcome, (details or {}).get("step")) for outcome, details in events]
    assert steps.count(("ok", "promote")) == 1 and steps.count(("ok", "restore_previous")) == 2
    assert ("ok", "keep_current") in steps and steps.count(("error", "promote")) == 4


@pytest.mark.slow
def test_a_version_changed_in_storage_is_refused_and_nothing_switches(
    engine: Engine, storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidates, vagas, prospects = make_match_rows(seed=7, n_vagas=16, per_vaga=8, in_progress=0.1)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    use_cache(monkeypatch, tmp_path / "primary", refresh_seconds=0)
    with pytest.raises(InvalidInputError, match="no previous model version"):
        versions.restore_previous(engine=engine, actor=CLI_ACTOR)
    first = train_match_model(engine=engine, actor=CLI_ACTOR)
    second = train_match_model(engine=engine, actor=CLI_ACTOR, random_state=1)
    key = f"models/versions/{second.version}/match_model.skops"
    storage.put_bytes(key, storage.get_bytes(key)[:-10] + b"0123456789")
    # A replica that has not cached the candidate downloads it and refuses it; the pointer is left alone.
    use_cache(monkeypatch, tmp_path / "replica", refresh_seconds=0)
    with pytest.raises(ModelError, match="integrity check"):
        versions.promote_version(engine=engine, actor=CLI_ACTOR, version=second.version)
    assert versions.read_pointer(actor=CLI_ACTOR).version == first.version
    assert read_model_card() == first.card
    assert not (tmp_path / "replica" / "versions" / second.version).exists()
