"""The running app in a real browser (Debian chromium + Playwright): log-in, every page per role, no leaks."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hr_core.access import ROLES
from pages._menu import PAGES, list_pages_for, may_open
from tests.support.app_server import AppServer, browser_fixtures, start_app_server

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    app = start_app_server(tmp_path_factory.mktemp("e2e"), linked_recruiting=True)
    yield app
    app.stop()


# One Chromium for the module; each test gets a fresh context (its screenshot kept in test-artifacts/ if it fails).
browser, page = browser_fixtures(width=1400, height=1000)


# Still working: a script run ('running' widget), elements of the previous run, or a page that has not
# rendered yet (the skeleton shown while loading, or nothing in the main block: every page shows something).
BUSY = '[data-testid="stStatusWidget"], [data-stale="true"], [data-testid="stAppSkeleton"]'
RENDERED = '[data-testid="stMain"] [data-testid="stElementContainer"]'


def wait_idle(page: object, settle: float = 0.6, timeout: float = 90) -> None:
    """Wait until the script run finished: something rendered, no 'running' status and no stale elements for a moment."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        busy = page.locator(BUSY).count() or not page.locator(RENDERED).count()  # type: ignore[attr-defined]
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= settle:
            return
        time.sleep(0.1)
    raise AssertionError("the app kept running for too long")


def assert_no_exception(page: object, where: str) -> None:
    shown = page.locator('[data-testid="stException"]')  # type: ignore[attr-defined]
    assert shown.count() == 0, f"{where}: {shown.first.inner_text()[:500]}"
    assert "Traceback (most recent call last)" not in page.content()  # type: ignore[attr-defined]


def log_in(page: object, server: AppServer, role: str, password: str | None = None) -> None:
    page.goto(server.url)  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_label("User name").fill(f"e2e-{role}")  # type: ignore[attr-defined]
    page.get_by_label("Password", exact=True).fill(password or server.passwords[role])  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]
    if password is None:
        page.wait_for_selector('[data-testid="stSidebarNav"]')  # type: ignore[attr-defined]
    wait_idle(page)


def nav_links(page: object) -> dict[str, str]:
    links = page.locator('[data-testid="stSidebarNav"] a')  # type: ignore[attr-defined]
    pairs = links.evaluate_all(
        "els => els.map(e => [e.innerText.split('\\n').pop().trim(), e.getAttribute('href')])"
    )
    return dict(pairs)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_every_page_it_sees(page: object, server: AppServer, role: str) -> None:
    log_size = server.log.stat().st_size
    log_in(page, server, role)
    links = nav_links(page)
    assert list(links) == [p.title for p in list_pages_for(role)]  # type: ignore[arg-type]
    assert_no_exception(page, "home")
    for title, href in links.items():
        page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').click()  # type: ignore[attr-defined]
        page.wait_for_url(href)  # type: ignore[attr-defined]
        wait_idle(page)
        assert_no_exception(page, title)
    with server.log.open("rb") as log:
        log.seek(log_size)
        assert b"Traceback" not in log.read(), "the server logged a traceback; see streamlit.log"


@pytest.mark.parametrize("role", ["analyst", "recruiter"])
def test_pages_of_other_roles_are_not_reachable(page: object, server: AppServer, role: str) -> None:
    log_in(page, server, role)
    forbidden = [p for p in PAGES if not may_open(role, p.path)]  # type: ignore[arg-type]
    assert forbidden
    for spec in forbidden:
        slug = Path(spec.path).stem
        page.goto(f"{server.url}/{slug}")  # type: ignore[attr-defined]
        wait_idle(page)
        assert_no_exception(page, slug)
        assert page.get_by_role("heading", name=spec.title, exact=True).count() == 0  # type: ignore[attr-defined]
        assert spec.title not in nav_links(page)


def test_wrong_password_reload_and_log_out(page: object, server: AppServer) -> None:
    log_in(page, server, "recruiter", password="Wrong-Password-123")
    page.get_by_text("wrong user name or password").wait_for()  # type: ignore[attr-defined]
    log_in(page, server, "recruiter")
    # The page itself sets the signed session cookie (no component, no extra run): strict, for a day.
    page.wait_for_function("() => document.cookie.includes('talentlens_session=')")  # type: ignore[attr-defined]
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "talentlens_session"]  # type: ignore[attr-defined]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert 0 < cookie["expires"] - time.time() <= 86400 + 60
    page.reload()  # type: ignore[attr-defined]
    page.wait_for_selector('[data-testid="stSidebarNav"]')  # type: ignore[attr-defined]
    wait_idle(page)
    assert "e2e-recruiter" in page.locator('[data-testid="stSidebar"]').inner_text()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log out").click()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").wait_for()  # type: ignore[attr-defined]
    page.wait_for_function("() => !document.cookie.includes('talentlens_session=')")  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").wait_for()  # type: ignore[attr-defined]
    wait_idle(page)
    assert page.get_by_role("button", name="Log in").count() == 1  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # type: ignore[attr-defined]
    events = server.hr("users", "list")
    assert isinstance(events, list)


def test_injected_user_text_does_not_run(page: object, server: AppServer) -> None:
    """A log-in attempt with script in the user name reaches the audit log as inert text."""
    payload = '<img src=x onerror="window.__xss=1">'
    page.goto(server.url)  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_label("User name").fill(payload)  # type: ignore[attr-defined]
    page.get_by_label("Password", exact=True).fill("Whatever-Password-1")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]
    page.get_by_text("wrong user name or password").wait_for()  # type: ignore[attr-defined]
    log_in(page, server, "admin")
    open_page(page, "audit_log")
    choose(page, "User", "<img src=x")
    assert page.locator('[data-testid="stDataFrame"]').count() == 1  # type: ignore[attr-defined]
    assert page.evaluate("window.__xss") is None  # type: ignore[attr-defined]
    assert page.locator('img[src="x"]').count() == 0  # type: ignore[attr-defined]


# --- one real task per role (kept last: they change the shared server's data) ------------------


def open_page(page: object, slug: str) -> None:
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]')  # type: ignore[attr-defined]
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(href)  # type: ignore[attr-defined]
    wait_idle(page)
    assert_no_exception(page, slug)


def choose(page: object, label: str, option: str | re.Pattern[str], attempts: int = 4) -> None:
    """Pick an option of the Streamlit selectbox labelled label.

    A rerun that lands while the list is open re-renders the selectbox and closes the list (seen on a
    loaded CI machine), so the list is opened again until the option shows; if it never does, the
    error names the options that were there.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    seen: list[str] = []
    for _attempt in range(attempts):
        wait_idle(page)
        page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()  # type: ignore[attr-defined]
        wanted = page.get_by_role("option").filter(has_text=option).first  # type: ignore[attr-defined]
        try:
            wanted.click(timeout=15_000)
        except PlaywrightTimeout:
            seen = [t.strip() for t in page.get_by_role("option").all_inner_texts()]  # type: ignore[attr-defined]
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            continue
        wait_idle(page)
        return
    raise AssertionError(f"selectbox {label!r}: no option matching {option!r}; the list showed {seen}")


def first_metric(page: object) -> tuple[str, str]:
    metric = page.locator('[data-testid="stMetric"]').first  # type: ignore[attr-defined]
    return (
        metric.locator('[data-testid="stMetricLabel"]').inner_text().strip(),
        metric.locator('[data-testid="stMetricValue"]').inner_text().strip(),
    )


def monthly_chart(page: object) -> bytes:
    """Open the Monthly trend tab and return a picture of its Plotly chart."""
    page.get_by_role("tab", name="Monthly trend").click()  # type: ignore[attr-defined]
    wait_idle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first  # type: ignore[attr-defined]
    chart.wait_for()
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    return bytes(chart.screenshot())


def test_analyst_uploads_a_csv_and_the_chart_changes(page: object, server: AppServer, tmp_path: Path) -> None:
    log_in(page, server, "analyst")
    open_page(page, "hiring_analytics")
    label, before = first_metric(page)
    year = int(label.split()[-1])  # "Hires in 2021"
    chart_before = monthly_chart(page)
    rows = [f"{990_000 + i},E2E Person {i},{year}-03-15T10:00:00Z,1,1" for i in range(12)]
    csv = tmp_path / "hired_employees.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    open_page(page, "upload")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(csv))  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_role("button", name=re.compile(r"^Load 12 rows into Hired employees")).click()  # type: ignore[attr-defined]
    wait_idle(page)
    assert_no_exception(page, "upload")
    open_page(page, "hiring_analytics")
    label_after, after = first_metric(page)
    assert label_after == label
    assert int(after.replace(",", "")) == int(before.replace(",", "")) + 12
    assert monthly_chart(page) != chart_before


def test_analyst_downloads_the_excel_file_built_on_click(
    page: object, server: AppServer, tmp_path: Path
) -> None:
    """The Excel download is built only when clicked (a deferred download): the browser still gets the workbook."""
    import pandas as pd

    log_in(page, server, "analyst")
    open_page(page, "hiring_analytics")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download Excel").first.click()  # type: ignore[attr-defined]
    saved = tmp_path / "download.xlsx"
    info.value.save_as(saved)
    assert info.value.suggested_filename.endswith(".xlsx")
    frame = pd.read_excel(saved)
    assert len(frame) > 0 and len(frame.columns) > 1


def test_recruiter_scores_a_pair_and_sees_recommendations(page: object, server: AppServer) -> None:
    server.hr("train-match")
    server.hr("build-index")
    log_in(page, server, "recruiter")
    open_page(page, "match_scoring")
    page.get_by_text(re.compile(r"Probability \d\.\d{4} · candidate")).first.wait_for()  # type: ignore[attr-defined]
    assert page.get_by_text("No match model is trained yet").count() == 0  # type: ignore[attr-defined]
    open_page(page, "recommendations")
    assert page.get_by_text("not built yet").count() == 0  # type: ignore[attr-defined]
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()  # type: ignore[attr-defined]
    # the results table renders after the chart: wait for it rather than count at once
    page.locator('[data-testid="stDataFrame"]').first.wait_for()  # type: ignore[attr-defined]
    assert page.get_by_text("not built yet").count() == 0  # type: ignore[attr-defined]


def _pick_opening_and_skill(
    server: AppServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str, list[str], list[str]]:
    """An opening of the server's data whose best candidate lacks a skill that others of its ten best have,
    and stays among the ten once the skill is required: (opening code, the skill's label, the ten best codes
    before and with the skill required). The requirement is tried here and taken back."""
    from hr_core.access import CLI_ACTOR
    from hr_core.db import make_engine
    from hr_core.ml import data
    from hr_core.ml.match import load_match_model
    from hr_core.ml.recommend import recommend
    from hr_core.ml.requirements import list_opening_skills, save_opening_skills
    from hr_core.settings import reset_settings

    monkeypatch.setenv("HR_DATABASE_URL", server.env["HR_DATABASE_URL"])
    monkeypatch.setenv("HR_MODELS_DIR", server.env["HR_MODELS_DIR"])
    reset_settings()
    engine = make_engine(server.env["HR_DATABASE_URL"])
    try:
        model = load_match_model()

        def ten_best(code: str) -> list[Any]:
            return list(
                recommend(engine=engine, actor=CLI_ACTOR, vaga=code, k=10, get_model=lambda: model).items
            )

        for code in data.load_vagas(engine)["codigo"]:
            items = ten_best(code)
            skills = list_opening_skills(engine=engine, actor=CLI_ACTOR, vaga=code, vocabulary=model.skills)
            terms = {s.label: s.term for s in skills}
            for skill in items[0].missing_skills if items else ():
                alone = not any(skill != other and skill in other for other in terms)  # "sap" and "sap fi"
                plain = re.fullmatch(r"[a-z0-9 ]+", skill) is not None  # a label found by its exact words
                if not (alone and plain and skill in terms) or not any(
                    skill in i.matched_skills for i in items[1:]
                ):
                    continue

                def tune(level: str, code: str = code, term: str = terms[skill]) -> None:
                    save_opening_skills(
                        engine=engine,
                        actor=CLI_ACTOR,
                        vaga=code,
                        levels={term: level},
                        vocabulary=model.skills,
                    )

                tune("required")
                after = [i.code for i in ten_best(code)]
                tune("preferred")
                if items[0].code in after:
                    return str(code), skill, [i.code for i in items], after
    finally:
        engine.dispose()
        monkeypatch.undo()
        reset_settings()
    raise AssertionError("no opening whose best candidate lacks a skill other good candidates have")


def suggested_order(page: object, attempts: int = 4) -> list[str]:
    """Candidate codes of the opening's Suggested candidate list, best first (the list is opened again if a
    rerun closed it, as in choose)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(attempts):
        wait_idle(page)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Suggested candidate").first.click()  # type: ignore[attr-defined]
        try:
            page.get_by_role("option").first.wait_for(timeout=15_000)  # type: ignore[attr-defined]
        except PlaywrightTimeout:
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            continue
        texts = page.get_by_role("option").all_inner_texts()  # type: ignore[attr-defined]
        page.keyboard.press("Escape")  # type: ignore[attr-defined]
        wait_idle(page)
        return [t.strip().split(" · ")[-1] for t in texts]
    raise AssertionError("the Suggested candidate list never opened")


def set_skill_level(page: object, skill: str, level: str, attempts: int = 4) -> None:
    """Pick a level in the selectbox whose label is exactly the skill (opened again if a rerun closed it)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text(skill, exact=True)  # type: ignore[attr-defined]
    for _attempt in range(attempts):
        wait_idle(page)
        page.locator('[data-testid="stSelectbox"]').filter(has=label).first.click()  # type: ignore[attr-defined]
        try:
            page.get_by_role("option", name=level, exact=True).click(timeout=15_000)  # type: ignore[attr-defined]
        except PlaywrightTimeout:
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            continue
        wait_idle(page)
        return
    raise AssertionError(f"the level selectbox of {skill!r} never offered {level!r}")


def test_recruiter_marks_a_skill_required_and_the_ranking_changes(
    page: object, server: AppServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hr_core.ml.match import CARD_FILE

    if not (Path(server.env["HR_MODELS_DIR"]) / CARD_FILE).exists():
        server.hr("train-match")
    server.hr("build-index")
    code, skill, before, expected = _pick_opening_and_skill(server, monkeypatch)
    log_in(page, server, "recruiter")
    open_page(page, "job_openings")
    search = page.get_by_label("Search title, client or code")  # type: ignore[attr-defined]
    search.fill(code)
    search.press("Enter")
    wait_idle(page)
    choose(page, "Open an opening", re.compile(rf"^{re.escape(code)} · "))
    page.get_by_role("tab", name="Skills", exact=True).click()  # type: ignore[attr-defined]
    wait_idle(page)
    assert_no_exception(page, "opening skills")
    assert suggested_order(page) == before

    set_skill_level(page, skill, "Required")
    page.get_by_role("button", name="Save skill levels").click()  # type: ignore[attr-defined]
    page.get_by_text("Skill levels saved: 1 required, 0 ignored.").wait_for()  # type: ignore[attr-defined]
    assert_no_exception(page, "opening skills saved")
    after = suggested_order(page)
    # the best candidate lacked the skill: it now follows everyone who has it, and the page says why
    assert after == expected and after != before and after.index(before[0]) > 0
    choose(page, "Suggested candidate", re.compile(rf" · {re.escape(before[0])}$"))
    page.get_by_text(re.compile(rf"lacks the required skills: {re.escape(skill)}$")).wait_for()  # type: ignore[attr-defined]

    page.get_by_role("button", name="Wrong match").click()  # type: ignore[attr-defined]
    page.get_by_text("Saved: Wrong match.").wait_for()  # type: ignore[attr-defined]
    assert_no_exception(page, "opening feedback")
    given = server.hr("feedback", "list", "--vaga", code, "--candidate", before[0])
    assert isinstance(given, dict)
    assert [(f["verdict"], f["source"], f["username"]) for f in given["feedback"]] == [
        ("wrong", "job_openings", "e2e-recruiter")
    ]


@pytest.mark.timeout(1200)  # two trainings (the first by the command line when this test runs alone)
def test_admin_retrains_compares_and_promotes_a_model_version(page: object, server: AppServer) -> None:
    listed = server.hr("model-versions", "list")
    assert isinstance(listed, dict)
    if listed["promoted"] is None:  # run alone (in a full run the recruiter's task trained the first version)
        server.hr("train-match")
    log_in(page, server, "admin")
    open_page(page, "model_monitoring")
    in_service = page.get_by_text(re.compile(r"^In service: version \S+,"))  # type: ignore[attr-defined]
    in_service.wait_for()
    before = in_service.inner_text().split("version ", 1)[1].split(",", 1)[0]
    page.get_by_role("button", name="Retrain the model").click()  # type: ignore[attr-defined]
    # Training runs as a job in the app's process; the page follows it and then shows the comparison.
    page.get_by_text("A new version was trained").wait_for(timeout=900_000)  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_text("A new version is waiting: compare it with the one in service").wait_for()  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # type: ignore[attr-defined]
    page.get_by_role("button", name="Promote the new version").click()  # type: ignore[attr-defined]
    promoted = page.get_by_text(re.compile(r"^Version \S+ is now in service\.$"))  # type: ignore[attr-defined]
    promoted.wait_for()
    candidate = promoted.inner_text().split()[1]
    wait_idle(page)
    assert_no_exception(page, "model_monitoring")
    assert candidate != before
    assert page.get_by_role("button", name=f"Restore the previous version ({before})").count() == 1  # type: ignore[attr-defined]
    assert page.get_by_role("button", name="Promote the new version").count() == 0  # type: ignore[attr-defined]
    after = server.hr("model-versions", "list")
    assert isinstance(after, dict)
    assert (after["promoted"], after["previous"], after["candidate"]) == (candidate, before, None)


def test_admin_backs_up_and_restores_a_table(page: object, server: AppServer) -> None:
    from sqlalchemy import func, select, text

    from hr_core.db import make_engine
    from hr_core.models import HiredEmployee

    engine = make_engine(server.env["HR_DATABASE_URL"])
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(HiredEmployee)).scalar_one()
    log_in(page, server, "admin")
    open_page(page, "backups")
    choose(page, "Table", re.compile(r"^hired_employees$"))
    page.get_by_role("button", name="Back up").click()  # type: ignore[attr-defined]
    page.get_by_text(f"Backed up hired_employees ({count:,} rows)").wait_for()  # type: ignore[attr-defined]
    with engine.begin() as conn:  # the data changes after the backup
        conn.execute(text("DELETE FROM hired_employees WHERE id = (SELECT MIN(id) FROM hired_employees)"))
    open_page(page, "audit_log")
    open_page(page, "backups")
    choose(page, "Backup", re.compile(rf"^hired_employees · .* · {count:,} rows"))
    page.get_by_role("button", name="Preview restore (dry run)").click()  # type: ignore[attr-defined]
    wait_idle(page)
    added = page.locator('[data-testid="stMetric"]').filter(has_text="Rows added back")  # type: ignore[attr-defined]
    assert added.locator('[data-testid="stMetricValue"]').inner_text().strip() == "1"
    confirm = page.get_by_label(re.compile("to confirm the restore"))  # type: ignore[attr-defined]
    confirm.fill("hired_employees")
    confirm.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Restore", exact=True).click()  # type: ignore[attr-defined]
    page.get_by_text(f"Restored {count:,} rows into hired_employees").wait_for()  # type: ignore[attr-defined]
    assert_no_exception(page, "backups")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(HiredEmployee)).scalar_one() == count
    engine.dispose()
