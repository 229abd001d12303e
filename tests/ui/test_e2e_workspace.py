"""The recruiter's and analyst's workspace in a real browser (Debian chromium + Playwright): the main
charts against approved screenshots, analytics filters moving every figure, the opening board (move a
candidate, leave a note, read the history), the candidate profile, and the forbidden-page message in
each language, and the upload preview in each language. One server for the module; the tests that change
data run last."""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.app_server import ARTIFACTS, AppServer, browser_fixtures, start_app_server
from tests.ui.test_e2e_browser import assert_no_exception, choose, log_in, open_page, wait_idle

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
BASELINES = Path(__file__).resolve().parent / "baselines"
SCREENSHOTS = REPO / "docs" / "screenshots"
# Mean absolute pixel difference (0-1) a chart may drift from its approved picture (fonts, antialiasing).
TOLERANCE = 0.02
LANGUAGES = {"en": "English", "pt_BR": "Português (Brasil)", "es": "Español"}
REFUSALS = {
    "en": "You do not have access to Backups; ask an administrator.",
    "pt_BR": "Você não tem acesso a Backups; peça a um administrador.",
    "es": "No tiene acceso a Copias de seguridad; consulte a un administrador.",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    app = start_app_server(tmp_path_factory.mktemp("e2e-ws"), linked_recruiting=True)
    yield app
    app.stop()


# One Chromium for the module; each test gets a fresh context (its screenshot kept in test-artifacts/ if it fails).
browser, page = browser_fixtures(width=1440, height=900)


def set_language(page: object, locale: str) -> None:
    """Choose the interface language in the sidebar (remembered for the account), whatever it is now."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first  # type: ignore[attr-defined]
    if box.inner_text().strip().endswith(LANGUAGES[locale]):
        return  # already chosen (picking the chosen option again reruns nothing)
    box.click()
    page.get_by_role("option", name=LANGUAGES[locale], exact=True).click()  # type: ignore[attr-defined]
    wait_idle(page)


def open_tab(page: object, name: str) -> None:
    page.get_by_role("tab", name=name).click()  # type: ignore[attr-defined]
    wait_idle(page)


def chart_png(page: object, index: int = 0) -> bytes:
    chart = page.locator('[data-testid="stPlotlyChart"]:visible').nth(index)  # type: ignore[attr-defined]
    chart.wait_for()
    page.wait_for_timeout(800)  # type: ignore[attr-defined]
    return bytes(chart.screenshot(animations="disabled"))


def mean_difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two pictures, 0 (same) to 1; pictures of other sizes count as 1."""
    from PIL import Image, ImageChops, ImageStat

    first = Image.open(io.BytesIO(a)).convert("RGB")
    second = Image.open(io.BytesIO(b)).convert("RGB")
    if first.size != second.size:
        return 1.0
    stat = ImageStat.Stat(ImageChops.difference(first, second))
    return sum(stat.mean) / (3 * 255)


def check_baseline(name: str, png: bytes) -> None:
    """Compare a chart with its approved picture; a missing one (or HR_UPDATE_BASELINES=1) is written."""
    path = BASELINES / f"{name}.png"
    if not path.exists() or os.environ.get("HR_UPDATE_BASELINES") == "1":
        BASELINES.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return
    diff = mean_difference(path.read_bytes(), png)
    if diff >= TOLERANCE:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{name}.actual.png").write_bytes(png)
    assert diff < TOLERANCE, f"{name}: {diff:.2%} of the picture differs from {path} (see test-artifacts/)"


def save_screenshot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)  # type: ignore[attr-defined]


def add_to_multiselect(page: object, label: str, option: str, attempts: int = 4) -> None:
    """Add option to the Streamlit multiselect labelled label, and see it chosen.

    A rerun that lands while the list is open (the tab just opened, on a loaded machine) re-renders the
    widget and drops the click, so the choice is made again until the widget shows it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first  # type: ignore[attr-defined]
    for _attempt in range(attempts):
        wait_idle(page)
        if option in box.inner_text():
            return
        box.click()
        with contextlib.suppress(PlaywrightTimeout):
            page.get_by_role("option", name=option, exact=True).click(timeout=15_000)  # type: ignore[attr-defined]
        page.keyboard.press("Escape")  # type: ignore[attr-defined]
        wait_idle(page)
        if option in box.inner_text():
            return
        print(f"multiselect {label!r}: try {_attempt + 1} left {box.inner_text()!r}")
    raise AssertionError(f"multiselect {label!r}: {option!r} was not chosen after {attempts} tries")


def metric_value(page: object, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first  # type: ignore[attr-defined]
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_analytics_charts_match_their_pictures_and_filters_move_every_figure(
    page: object, server: AppServer
) -> None:
    log_in(page, server, "analyst")
    open_page(page, "hiring_analytics")
    choose(page, "Year", re.compile(r"^2021$"))
    open_tab(page, "Quarter charts")
    check_baseline("hires_per_quarter_stacked", chart_png(page, 1))
    open_tab(page, "Monthly trend")
    chart_before = chart_png(page)
    check_baseline("hires_per_month", chart_before)
    hires_before = metric_value(page, "Hires in 2021")
    departments_before = metric_value(page, "Departments hiring")
    add_to_multiselect(page, "Departments", "Sales")
    assert_no_exception(page, "hiring_analytics")
    assert metric_value(page, "Departments hiring") == "1" != departments_before
    assert int(metric_value(page, "Hires in 2021").replace(",", "")) < int(hires_before.replace(",", ""))
    assert page.get_by_text("Filtered: every figure counts only").count() == 1  # type: ignore[attr-defined]
    assert chart_png(page) != chart_before
    save_screenshot(page, "analytics_filtered")


# Year selector, the two KPI labels, the departments filter and the filter notice in each language.
ANALYTICS_WORDS = {
    "pt_BR": (
        "Ano",
        "Contratações em 2021",
        "Departamentos que contrataram",
        "Departamentos",
        "Filtrado:",
        "Tendência mensal",
    ),
    "es": (
        "Año",
        "Contrataciones en 2021",
        "Departamentos que contrataron",
        "Departamentos",
        "Filtrado:",
        "Tendencia mensual",
    ),
}


def _count(text: str) -> int:
    return int(re.sub(r"\D", "", text))  # 1.234 (pt_BR), 1 234 / 1.234 (es), 1,234 (en)


@pytest.mark.parametrize("locale", list(ANALYTICS_WORDS))
def test_analytics_filters_move_every_figure_in_portuguese_and_spanish(
    page: object, server: AppServer, locale: str
) -> None:
    year, hires, hiring, departments, notice, monthly = ANALYTICS_WORDS[locale]
    log_in(page, server, "analyst")
    set_language(page, locale)
    try:
        open_page(page, "hiring_analytics")
        choose(page, year, re.compile(r"^2021$"))
        open_tab(page, monthly)
        hires_before, chart_before = _count(metric_value(page, hires)), chart_png(page)
        add_to_multiselect(page, departments, "Sales")
        assert_no_exception(page, "hiring_analytics")
        assert metric_value(page, hiring) == "1"
        assert _count(metric_value(page, hires)) < hires_before
        assert page.get_by_text(notice).count() == 1  # type: ignore[attr-defined]
        assert chart_png(page) != chart_before
    finally:
        set_language(page, "en")


@pytest.mark.parametrize("role", ["analyst", "recruiter"])
def test_forbidden_page_says_who_to_ask_in_each_language(page: object, server: AppServer, role: str) -> None:
    log_in(page, server, role)
    for locale in LANGUAGES:
        set_language(page, locale)
        page.goto(f"{server.url}/backups")  # type: ignore[attr-defined]
        wait_idle(page)
        assert_no_exception(page, "backups")
        page.get_by_text(REFUSALS[locale]).wait_for()  # type: ignore[attr-defined]
        assert page.get_by_text("Page not found").count() == 0  # type: ignore[attr-defined]
        links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()  # type: ignore[attr-defined]
        assert not any("Backup" in text or "Copias" in text for text in links)
        if locale == "pt_BR" and role == "analyst":
            save_screenshot(page, "forbidden_page_pt_BR")
    set_language(page, "en")


def test_pipeline_numbers_tab_shows_its_figures(page: object, server: AppServer) -> None:
    log_in(page, server, "recruiter")
    open_page(page, "pipeline")
    open_tab(page, "Pipeline numbers")
    assert_no_exception(page, "pipeline numbers")
    assert metric_value(page, "Median days to decision") != "—"
    assert metric_value(page, "Conversion from application to hired").endswith("%")
    charts = page.locator('[data-testid="stPlotlyChart"]:visible')  # type: ignore[attr-defined]
    charts.nth(2).wait_for()
    assert charts.count() == 3  # time to each stage, conversion funnel, by month of application
    page.get_by_text("Open openings by time without movement").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    page.get_by_text("Median days to decision").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    save_screenshot(page, "pipeline_numbers")


# The opening board's words in each language: Move, "Moved to", Save note, the history's title, the page.
BOARD_WORDS = {
    "en": ("Move", "Moved to", "Save note", "Stage history", "Job openings"),
    "pt_BR": ("Mover", "Movido para", "Salvar anotação", "Histórico de etapas", "Vagas"),
    "es": ("Mover", "Movido a", "Guardar nota", "Historial de etapas", "Vacantes"),
}


def test_pipeline_over_time_matches_its_picture(page: object, server: AppServer) -> None:
    log_in(page, server, "recruiter")
    open_page(page, "pipeline")
    open_tab(page, "Over time")
    check_baseline("pipeline_over_time", chart_png(page, 0))  # runs before the board tests move stages


@pytest.mark.parametrize("locale", list(BOARD_WORDS))
def test_opening_board_moves_a_prospect_and_keeps_a_note_in_each_language(
    page: object, server: AppServer, locale: str
) -> None:
    move, moved, save_note, history, title = BOARD_WORDS[locale]
    log_in(page, server, "recruiter")
    set_language(page, locale)
    try:
        open_page(page, "job_openings")
        assert page.get_by_role("heading", name=title).count() == 1  # type: ignore[attr-defined]
        # click the first row of the results (the selection column at the left of the grid)
        grid = page.locator('[data-testid="stDataFrame"]').first  # type: ignore[attr-defined]
        grid.wait_for()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # type: ignore[attr-defined]
        wait_idle(page)
        page.locator('[data-testid="stTabs"]').last.wait_for()  # type: ignore[attr-defined]
        assert_no_exception(page, "job_openings")
        page.get_by_role("button", name=move, exact=True).click()  # type: ignore[attr-defined]
        wait_idle(page)
        page.get_by_text(re.compile(moved)).first.wait_for()  # type: ignore[attr-defined]
        note = f"E2E note {locale}"
        # the board's note: the opening's Edit tab has text areas too, hidden behind its tab
        page.locator("textarea:visible").last.fill(note)  # type: ignore[attr-defined]
        page.get_by_role("button", name=save_note).click()  # type: ignore[attr-defined]
        wait_idle(page)
        page.get_by_text(note).wait_for()  # type: ignore[attr-defined]
        page.get_by_text(history).first.wait_for()  # type: ignore[attr-defined]
        assert_no_exception(page, "job_openings board")
        if locale == "pt_BR":
            page.get_by_text(history).first.scroll_into_view_if_needed()  # type: ignore[attr-defined]
            save_screenshot(page, "opening_board_pt_BR")
    finally:
        set_language(page, "en")


# The upload preview's words: the three counts, the warning about changed rows, the load button, the result.
UPLOAD_WORDS = {
    "en": (
        "Would add",
        "Would change",
        "Already the same",
        "existing rows would change",
        "Load 2 rows into Jobs",
        "Updated",
    ),
    "pt_BR": (
        "Seriam incluídas",
        "Seriam alteradas",
        "Já iguais",
        "linhas existentes seriam alteradas",
        "Carregar 2 linhas em Cargos",
        "Atualizadas",
    ),
    "es": (
        "Se añadirían",
        "Cambiarían",
        "Ya iguales",
        "filas existentes cambiarían",
        "Cargar 2 filas en Puestos",
        "Actualizadas",
    ),
}


@pytest.mark.parametrize("locale", list(UPLOAD_WORDS))
def test_upload_preview_says_what_will_change_in_each_language(
    page: object, server: AppServer, locale: str, tmp_path: Path
) -> None:
    add, change, same, warning, load, updated = UPLOAD_WORDS[locale]
    offset = list(UPLOAD_WORDS).index(locale)
    jobs = tmp_path / "jobs.csv"  # job 1 renamed, one new job
    jobs.write_text(f"1,E2E renamed job {locale}\n{9_100 + offset},E2E new job {locale}\n", encoding="utf-8")
    log_in(page, server, "analyst")
    set_language(page, locale)
    try:
        open_page(page, "upload")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(jobs))  # type: ignore[attr-defined]
        wait_idle(page)
        assert_no_exception(page, "upload preview")
        assert (metric_value(page, add), metric_value(page, change), metric_value(page, same)) == (
            "1",
            "1",
            "0",
        )
        page.get_by_text(re.compile(warning)).first.wait_for()  # type: ignore[attr-defined]
        page.get_by_role("button", name=re.compile(f"^{load}")).click()  # type: ignore[attr-defined]
        wait_idle(page)
        assert_no_exception(page, "upload")
        assert metric_value(page, updated) == "1"
    finally:
        set_language(page, "en")


# The profile's tabs in each language: applications (with their count), summary, CV, edit.
PROFILE_TABS = {
    "en": ("Applications", "Summary", "CV", "Edit"),
    "pt_BR": ("Candidaturas", "Resumo", "Currículo", "Editar"),
    "es": ("Postulaciones", "Resumen", "CV", "Editar"),
}


@pytest.mark.parametrize("locale", list(PROFILE_TABS))
def test_candidate_profile_opens_from_a_row_click_in_each_language(
    page: object, server: AppServer, locale: str
) -> None:
    applications, *tabs = PROFILE_TABS[locale]
    log_in(page, server, "recruiter")
    set_language(page, locale)
    try:
        open_page(page, "candidates")
        grid = page.locator('[data-testid="stDataFrame"]').first  # type: ignore[attr-defined]
        grid.wait_for()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # type: ignore[attr-defined]
        wait_idle(page)
        page.get_by_role("tab", name=re.compile(rf"^{applications} \(\d+\)$")).wait_for()  # type: ignore[attr-defined]
        assert_no_exception(page, "candidates")
        for tab in tabs:
            assert page.get_by_role("tab", name=tab, exact=True).count() == 1  # type: ignore[attr-defined]
        content = page.locator('[data-testid="stMain"]').inner_text()  # type: ignore[attr-defined]
        for raw in ("None", "titulo_profissional", "informacoes_basicas", "infos_basicas"):
            assert raw not in content, f"the profile shows {raw!r}"
        if locale == "en":
            page.get_by_role("tab", name=tabs[0], exact=True).scroll_into_view_if_needed()  # type: ignore[attr-defined]
            save_screenshot(page, "candidate_profile")
    finally:
        set_language(page, "en")


def _stored_levels(server: AppServer, vaga: str) -> list[tuple[str, str]]:
    from hr_core.access import Actor
    from hr_core.db import make_engine
    from hr_core.ml.requirements import list_skill_requirements

    engine = make_engine(server.env["HR_DATABASE_URL"])
    try:
        rows = list_skill_requirements(engine=engine, actor=Actor("e2e-recruiter", "recruiter"))
        return [(r["term"], r["level"]) for r in rows if r["vaga"] == vaga]
    finally:
        engine.dispose()


def test_recruiter_imports_skill_levels_and_a_bad_row_imports_nothing(
    page: object, server: AppServer, tmp_path: Path
) -> None:
    """The Candidates page's import takes an export's opening_skill_requirements.csv: a file with one bad
    row is refused whole (the message names the line, field and value), a good one is stored."""
    header = "vaga,term,label,level,username,updated_at\n"
    good = "E2E-CSV,sql,SQL,required,e2e-recruiter,2026-11-30T09:00:00+00:00\n"
    bad = tmp_path / "bad" / "opening_skill_requirements.csv"
    bad.parent.mkdir()
    bad.write_text(header + "E2E-CSV,python,Python,must,e2e-recruiter,2026-11-30T09:00:00+00:00\n" + good)
    fine = tmp_path / "opening_skill_requirements.csv"
    fine.write_text(header + good)
    log_in(page, server, "recruiter")
    open_page(page, "candidates")
    open_tab(page, "Import / export")
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(3)  # type: ignore[attr-defined]
    uploader.set_input_files(str(bad))
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_text(re.compile(r"line 2: field level, value 'must'")).first.wait_for()  # type: ignore[attr-defined]
    assert _stored_levels(server, "E2E-CSV") == []  # the valid line 3 was not written either
    uploader.set_input_files(str(fine))
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_text("Import finished.").wait_for()  # type: ignore[attr-defined]
    assert_no_exception(page, "candidates import")
    assert _stored_levels(server, "E2E-CSV") == [("sql", "required")]
