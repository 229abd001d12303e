"""Model monitoring page and Home's drift warning, driven by AppTest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.ml.drift import get_latest_drift_summary
from hr_core.ml.match import train_match_model
from hr_core.settings import get_settings
from tests.factories import insert_recruiting_rows, make_match_rows
from tests.support.apptest_jobs import rerun_until

REPO = Path(__file__).resolve().parents[2]


def _app(page: str, role: str = "recruiter") -> AppTest:
    at = AppTest.from_file(str(REPO / page), default_timeout=180)
    at.session_state["actor"] = Actor(username="mon", role=role)  # type: ignore[arg-type]
    return at


def test_monitoring_runs_a_report_shows_drift_and_home_warns() -> None:
    at = _app("pages/model_monitoring.py")
    at.run()
    assert not at.exception
    assert any("No match model" in i.value for i in at.info)

    engine = make_engine(get_settings().database_url)
    init_db(engine)
    for kwargs in (
        {"seed": 3, "n_vagas": 20, "per_vaga": 10},
        {
            "seed": 4,
            "n_vagas": 20,
            "per_vaga": 10,
            "prefix": "S",
            "shift": True,
            "applied": dt.date(2027, 1, 1),
        },
    ):
        candidates, vagas, prospects = make_match_rows(**kwargs)  # type: ignore[arg-type]
        if kwargs["seed"] == 3:
            insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
            train_match_model(engine=engine, actor=CLI_ACTOR)
        else:
            insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    engine.dispose()

    home = _app("pages/home.py")
    home.run()
    assert not home.exception
    assert not any("Model drift" in w.value for w in home.warning)

    at = _app("pages/model_monitoring.py")
    at.run()
    assert any("No drift report yet" in i.value for i in at.info)
    # The model card: a summary in plain words for a recruiter, the details only for an admin.
    assert any("ranks a good match above a poor one" in m.value for m in at.markdown)
    assert any("A recruiter reviews each candidate and decides" in i.value for i in at.info)
    assert "Details for administrators" not in [h.value for h in at.subheader]
    assert not any("ROC AUC" in m.label for m in at.metric)
    admin = _app("pages/model_monitoring.py", role="admin")
    admin.run()
    assert not admin.exception, [e.value for e in admin.exception]
    assert "Details for administrators" in [h.value for h in admin.subheader]
    assert any("ROC AUC" in m.label for m in admin.metric)
    compared = next(d.value for d in admin.dataframe if "Kept" in d.value.columns)
    assert len(compared) == 2 and list(compared["Kept"]).count("✓") == 1  # logistic vs boosted, one kept
    assert not any("Kept" in d.value.columns for d in at.dataframe)  # not in the recruiter's summary
    portuguese = _app("pages/model_monitoring.py")
    portuguese.session_state["locale"] = "pt_BR"
    portuguese.run()
    assert not portuguese.exception, [e.value for e in portuguese.exception]
    assert portuguese.title[0].value == "Monitoramento do modelo"
    assert any(h.value == "Sobre o modelo de compatibilidade" for h in portuguese.subheader)
    assert any("automated decision" in i.value for i in at.info)
    assert not at.dataframe or "group" in at.dataframe[0].value.columns  # the fairness table comes first
    at.button(key="mm_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # The report runs as a job in the app's process; the page shows it once the job ends.
    rerun_until(at, lambda a: any("Drift detected" in e.value for e in a.error))
    table = next(d.value for d in at.dataframe if "drifted" in d.value.columns)
    assert table["drifted"].any() and "probability" in set(table["column"])
    dropped = [d["column"] for d in (get_latest_drift_summary() or {}).get("dropped", [])]
    assert dropped, "a constant feature of this data is left out of the comparison"
    assert any(
        "Left out of the comparison" in i.value and all(c in i.value for c in dropped) for i in at.info
    )
    # The full report (megabytes of HTML and scripts) is sent to the browser only when asked for, in a sandboxed
    # frame with no access to the app's origin.
    assert not at.get("iframe")
    at.toggle(key="mm_show_report").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    (frame,) = at.get("iframe")
    srcdoc = frame.proto.srcdoc
    assert '<iframe sandbox="allow-scripts" referrerpolicy="no-referrer"' in srcdoc
    # the report's own HTML is escaped into the inner frame's srcdoc
    assert srcdoc.count("<script") == 0 and "allow-same-origin" not in srcdoc
    at.toggle(key="mm_show_report").set_value(False).run()
    assert not at.get("iframe")

    home = _app("pages/home.py")
    home.run()
    assert not home.exception
    assert any("Model drift" in w.value for w in home.warning)
    analyst_home = _app("pages/home.py", role="analyst")
    analyst_home.run()
    assert not any("Model drift" in w.value for w in analyst_home.warning)


def test_home_warns_recruiters_when_the_latest_model_raises_a_fairness_flag() -> None:
    from hr_core.ml.fairness import compute_fairness, save_fairness_report
    from tests.unit.test_fairness import _decided

    engine = make_engine(get_settings().database_url)
    init_db(engine)
    decided, top10 = _decided(600, biased=True)
    save_fairness_report(compute_fairness(decided, threshold=0.5, top10=top10))
    home = _app("pages/home.py")
    home.run()
    assert not home.exception
    assert any("Fairness" in w.value and "four-fifths" in w.value for w in home.warning)
    analyst_home = _app("pages/home.py", role="analyst")
    analyst_home.run()
    assert not any("Fairness" in w.value for w in analyst_home.warning)


def test_admin_retrains_compares_promotes_and_restores_the_previous_version() -> None:
    from hr_core.ml import versions
    from hr_core.ml.match import read_model_card

    engine = make_engine(get_settings().database_url)
    init_db(engine)
    candidates, vagas, prospects = make_match_rows(seed=3, n_vagas=16, per_vaga=8)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    first = train_match_model(engine=engine, actor=CLI_ACTOR)
    engine.dispose()
    assert first.promoted

    recruiter = _app("pages/model_monitoring.py")
    recruiter.run()
    assert "Model versions" not in [h.value for h in recruiter.subheader]
    at = _app("pages/model_monitoring.py", role="admin")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Model versions" in [h.value for h in at.subheader]
    assert any(first.version in c.value for c in at.caption)  # "In service: version …"
    assert not [b for b in at.button if b.key in ("mm_promote", "mm_keep", "mm_restore")]

    # Retrain from the page: the new version waits beside the one in service.
    at.button(key="mm_retrain").click().run()
    rerun_until(at, lambda a: any("A new version was trained" in s.value for s in a.success))
    candidate = versions.get_candidate(actor=CLI_ACTOR)
    assert candidate is not None and versions.read_pointer(actor=CLI_ACTOR).version == first.version
    compared = next(d.value for d in at.dataframe if "Better" in d.value.columns)
    assert list(compared.columns) == [
        "Figure",
        f"In service ({first.version})",
        f"New ({candidate.version})",
        "Better",
    ]
    assert list(compared["Figure"]) == [
        "ROC AUC",
        "PR AUC",
        "Brier",
        "ECE",
        "Log-loss",
        "Fairness (four-fifths rule)",
    ]
    new_card = versions.read_version_card(actor=CLI_ACTOR, version=candidate.version)
    assert compared.iloc[0, 2] == f"{new_card.metrics.roc_auc:.3f}"
    assert compared.iloc[0, 1] == f"{first.card.metrics.roc_auc:.3f}"

    # Promote it: it serves now, and the page's card is the new one.
    at.button(key="mm_promote").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Version {candidate.version} is now in service" in s.value for s in at.success)
    assert versions.read_pointer(actor=CLI_ACTOR).version == candidate.version
    assert read_model_card() == new_card
    assert any(new_card.sha256 in c.value for c in at.code)
    assert not [b for b in at.button if b.key == "mm_promote"]

    # Restore the previous one in one step.
    restore = at.button(key="mm_restore")
    assert first.version in restore.label
    restore.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"previous version {first.version} is in service again" in s.value for s in at.success)
    assert read_model_card() == first.card and any(first.card.sha256 in c.value for c in at.code)
    assert candidate.version in at.button(key="mm_restore").label  # one step forward again is offered

    # Another retrain, and the admin keeps the model in service.
    at.button(key="mm_retrain").click().run()
    rerun_until(at, lambda a: any(b.key == "mm_keep" for b in a.button))
    at.button(key="mm_keep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("The current model stays in service" in s.value for s in at.success)
    assert versions.get_candidate(actor=CLI_ACTOR) is None and read_model_card() == first.card
    assert not [b for b in at.button if b.key == "mm_promote"]
