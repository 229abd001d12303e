"""Job openings page in AppTest: a recruiter creates an opening with the form and edits it in place on the
opening page (analysts cannot open the page; save_opening refuses them, tests/db/test_save_opening.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from hr_core.access import CLI_ACTOR, Actor
from hr_core.db import init_db, make_engine
from hr_core.recruiting.editing import OpeningForm, save_opening
from hr_core.recruiting.queries import get_opening
from hr_core.settings import get_settings

PAGE = str(Path(__file__).resolve().parents[2] / "pages/job_openings.py")


def _engine() -> Engine:
    engine = make_engine(get_settings().database_url)
    init_db(engine)
    return engine


def _app(role: str = "recruiter") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["actor"] = Actor(username=role, role=role)
    return at


def test_recruiter_creates_an_opening_then_edits_it_in_place() -> None:
    engine = _engine()
    save_opening(engine=engine, actor=CLI_ACTOR, form=OpeningForm(codigo="1", titulo="Analista SAP"))
    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    at.text_input(key="open_new_f_codigo").input("V-9")
    at.button(key="open_new_form_save").click().run()
    assert any("Title: required." in e.value for e in at.error)
    assert not at.exception, [e.value for e in at.exception]

    at.text_input(key="open_new_f_titulo").input("Dev Python")
    at.text_input(key="open_new_f_cidade").input("Recife")
    at.selectbox(key="open_new_f_nivel_ingles").select("Avançado")
    at.text_area(key="open_new_f_competencias").input("Python\nSQL")
    at.button(key="open_new_form_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Opening V-9 created." in s.value for s in at.success)
    assert any("V-9" in h.value for h in at.subheader)  # the new opening is open
    assert at.text_input(key="open_new_f_codigo").value == ""  # the new-opening form is empty again
    vaga = get_opening(engine=engine, actor=CLI_ACTOR, codigo="V-9")["vaga"]
    assert vaga is not None
    assert (vaga["titulo"], vaga["cidade"], vaga["nivel_ingles"], vaga["competencias"]) == (
        "Dev Python",
        "Recife",
        "Avançado",
        "Python\nSQL",
    )

    # Edit in place: the form holds the opening's values; a saved edit keeps the rest.
    assert at.text_input(key="open_e_f_cidade").value == "Recife"
    at.text_input(key="open_e_f_cidade").input("Curitiba")
    at.selectbox(key="open_e_f_pcd").select("Sim")
    at.button(key="open_e_form_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Opening V-9 updated." in s.value for s in at.success)
    vaga = get_opening(engine=engine, actor=CLI_ACTOR, codigo="V-9")["vaga"]
    assert vaga is not None
    assert (vaga["titulo"], vaga["cidade"], vaga["pcd"], vaga["nivel_ingles"]) == (
        "Dev Python",
        "Curitiba",
        "Sim",
        "Avançado",
    )

    # A new opening never overwrites one on file.
    at.text_input(key="open_new_f_codigo").input("1")
    at.text_input(key="open_new_f_titulo").input("Other")
    at.button(key="open_new_form_save").click().run()
    assert any("belongs to another opening" in e.value for e in at.error)
    assert get_opening(engine=engine, actor=CLI_ACTOR, codigo="1")["titulo"] == "Analista SAP"
    engine.dispose()
