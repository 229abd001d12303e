"""Model versions over HTTP (admins only): list with metrics and fairness flags, promote, restore the
previous one, keep the current one; refusals and bad input are problems, and every step is audited."""

from __future__ import annotations

import pytest

from hr_core.access import CLI_ACTOR
from hr_core.ml.match import train_match_model
from tests.api.conftest import Api, assert_problem, audit_actions
from tests.factories import insert_recruiting_rows, make_match_rows

URL = "/api/v1/model/versions"
UNKNOWN = "20990101T000000-abcdef"


def test_before_any_training_the_list_is_empty_and_steps_are_refused(api: Api) -> None:
    listed = api.get(URL, "admin")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert (body["total"], body["versions"], body["promoted"], body["candidate"]) == (0, [], None, None)
    assert (body["offset"], body["limit"]) == (0, 20)
    for role in ("analyst", "recruiter"):
        refused = assert_problem(api.get(URL, role), 403)
        assert "promote model versions" in refused["detail"]
        assert_problem(api.post(f"{URL}/{UNKNOWN}/promote", role), 403)
        assert_problem(api.post(f"{URL}/{UNKNOWN}/keep-current", role), 403)
        assert_problem(api.post(f"{URL}/restore-previous", role), 403)
    assert audit_actions(api.engine, "recruiter")[-3:] == [("ml.promote", "error")] * 3
    missing = assert_problem(api.post(f"{URL}/{UNKNOWN}/promote", "admin"), 404)
    assert UNKNOWN in missing["detail"]
    assert_problem(api.post(f"{URL}/{UNKNOWN}/keep-current", "admin"), 404)
    nothing = assert_problem(api.post(f"{URL}/restore-previous", "admin"), 400)
    assert "no previous model version" in nothing["detail"]
    assert_problem(api.post(f"{URL}/not%20an%20id/promote", "admin"), 422)
    assert_problem(api.post(f"{URL}/..%2Fx/promote", "admin"), 404)  # a slash never reaches the route
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}):
        assert_problem(api.get(URL, "admin", params=params), 422)


@pytest.mark.slow
def test_an_admin_lists_promotes_restores_and_keeps_the_current_one(api: Api) -> None:
    candidates, vagas, prospects = make_match_rows(seed=7, n_vagas=16, per_vaga=8, in_progress=0.1)
    insert_recruiting_rows(api.engine, candidates=candidates, vagas=vagas, prospects=prospects)
    first = train_match_model(engine=api.engine, actor=CLI_ACTOR)
    second = train_match_model(engine=api.engine, actor=CLI_ACTOR, random_state=1)

    body = api.get(URL, "admin").json()
    assert (body["promoted"], body["previous"], body["candidate"]) == (first.version, None, second.version)
    assert body["total"] == 2 and body["served_here"] == first.version
    newest, oldest = body["versions"]
    assert (newest["version"], newest["state"], oldest["state"]) == (second.version, "candidate", "promoted")
    assert newest["metrics"]["roc_auc"] == pytest.approx(second.card.metrics.roc_auc)
    assert oldest["metrics"]["brier"] == pytest.approx(first.card.metrics.brier)
    assert set(newest["metrics"]) == {"roc_auc", "pr_auc", "brier", "ece", "log_loss"}
    assert newest["fairness"]["measured"] is True and newest["card_problem"] is None
    assert {f["name"] for f in newest["files"]} >= {"match_model.skops", "match_model.json"}
    page = api.get(URL, "admin", params={"offset": 1, "limit": 1}).json()
    assert (page["total"], [v["version"] for v in page["versions"]]) == (2, [first.version])

    assert_problem(api.post(f"{URL}/{second.version}/promote", "recruiter"), 403)
    promoted = api.post(f"{URL}/{second.version}/promote", "admin")
    assert promoted.status_code == 200, promoted.text
    assert (promoted.json()["version"], promoted.json()["previous"]) == (second.version, first.version)
    assert api.get("/api/v1/model", "recruiter").json()["card"]["sha256"] == second.card.sha256
    again = assert_problem(api.post(f"{URL}/{second.version}/promote", "admin"), 400)
    assert "already the promoted one" in again["detail"]

    restored = api.post(f"{URL}/restore-previous", "admin").json()
    assert (restored["version"], restored["previous"]) == (first.version, second.version)
    assert restored["history"] == [first.version, second.version, first.version][-len(restored["history"]) :]
    assert api.get("/api/v1/model", "recruiter").json()["card"]["sha256"] == first.card.sha256

    third = train_match_model(engine=api.engine, actor=CLI_ACTOR, random_state=2)
    assert api.get(URL, "admin").json()["candidate"] == third.version
    kept = api.post(f"{URL}/{third.version}/keep-current", "admin")
    assert kept.status_code == 200, kept.text
    assert (kept.json()["version"], kept.json()["state"]) == (third.version, "dismissed")
    after = api.get(URL, "admin").json()
    assert after["candidate"] is None and after["promoted"] == first.version
    assert [v["state"] for v in after["versions"]] == ["dismissed", "previous", "promoted"]
    assert_problem(api.post(f"{URL}/{first.version}/keep-current", "admin"), 400)  # the promoted one

    steps = audit_actions(api.engine, "admin")
    assert steps.count(("ml.promote", "ok")) == 3 and steps.count(("ml.promote", "error")) == 2
