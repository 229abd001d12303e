"""Job openings: search and filters; click a row for the opening page — its candidates as a board by
stage (move, notes, history, add a candidate), the description in plain words, its skills (required /
preferred / ignored, with the candidates they rank first), its funnel, and editing in place; a form
creates a new opening."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from hr_core.access import Action, Actor, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_date, format_number, format_percent, label
from hr_core.ml import match, recommend
from hr_core.ml.requirements import (
    OpeningSkill,
    get_skill_vocabulary,
    list_opening_skills,
    save_opening_skills,
)
from hr_core.ml.skills import SkillVocabulary
from hr_core.pipeline_stages import STAGE_ORDER
from hr_core.recruiting import queries
from hr_core.recruiting.editing import OpeningForm, save_opening, validate_opening_form
from hr_core.recruiting.stats import build_funnel
from hr_core.recruiting.workflow import add_prospect
from hr_core.settings import get_settings
from hr_core.vocabulary import (
    ACADEMIC_LEVELS,
    LANGUAGE_LEVELS,
    PCD_VALUES,
    PROFESSIONAL_LEVELS,
    SKILL_LEVELS,
)
from pages._charts import zero_based
from pages._feedback import feedback_buttons
from pages._recruiting import (
    built_index_status,
    pick_from_table,
    prospect_panel,
    readable_prospects,
    show_fields,
    show_notice,
    stage_label,
)
from pages._shared import (
    _,
    clear_data_caches,
    current_locale,
    get_engine,
    get_indexes,
    get_match_model,
    page_setup,
    render_funnel,
    safe_text,
    show_error,
    warn_missing_required,
)

actor = page_setup("pages/job_openings.py")

FILTERS = ("cliente", "cidade", "nivel_profissional")
SORTS = ("codigo", "titulo", "cliente", "cidade", "prospects")
DESCRIPTION_FIELDS = (
    "cliente",
    "tipo_contratacao",
    "analista_responsavel",
    "data_requisicao",
    "cidade",
    "estado",
    "pais",
    "nivel_profissional",
    "nivel_academico",
    "nivel_ingles",
    "nivel_espanhol",
    "outro_idioma",
    "areas_atuacao",
)
PROSPECT_COLUMNS = ["candidate_codigo", "nome", "stage", "situacao", "data_candidatura", "ultima_atualizacao"]
PROSPECT_COLUMNS += ["recrutador", "comentario"]
CARDS_PER_STAGE = 25
OPEN_KEY = "open_detail"
TABS_KEY = "open_tabs"
SUGGESTIONS = 10  # candidates ranked for the opening on its Skills tab
SKILL_COLUMNS = 4
FORM_TEXTS = (
    "cliente",
    "tipo_contratacao",
    "analista_responsavel",
    "cidade",
    "estado",
    "pais",
    "outro_idioma",
    "areas_atuacao",
)
# Form field -> the values offered (the vocabulary; an imported opening's own value is offered too).
FORM_CHOICES: dict[str, tuple[str, ...]] = {
    "nivel_profissional": PROFESSIONAL_LEVELS,
    "nivel_academico": ACADEMIC_LEVELS,
    "nivel_ingles": LANGUAGE_LEVELS,
    "nivel_espanhol": LANGUAGE_LEVELS,
    "pcd": PCD_VALUES,
}


@st.cache_data(show_spinner=False, max_entries=64)
def _options(db_url: str, who: Actor) -> dict[str, list[str]]:
    return queries.list_opening_filter_options(engine=get_engine(), actor=who)


@st.cache_data(show_spinner=False, max_entries=256)
def _search(
    db_url: str,
    who: Actor,
    text: str,
    filters: tuple[tuple[str, str], ...],
    stage: str | None,
    sort: str,
    desc: bool,
    page: int,
    size: int,
) -> queries.PageOfRows:
    return queries.search_openings(
        engine=get_engine(),
        actor=who,
        text=text,
        filters=dict(filters),
        stage=stage,
        sort=sort,
        descending=desc,
        page=page,
        page_size=size,
    )


@st.cache_data(show_spinner=False, max_entries=128)
def _detail(db_url: str, who: Actor, codigo: str) -> tuple[queries.OpeningDetail, pd.DataFrame]:
    engine = get_engine()
    opening = queries.get_opening(engine=engine, actor=who, codigo=codigo)
    return opening, queries.list_opening_prospects(engine=engine, actor=who, codigo=codigo)


@st.cache_data(show_spinner=False, max_entries=64)
def _suggestions(
    db_url: str,
    who: Actor,
    codigo: str,
    built_at: str,
    sha256: str,
    levels: tuple[tuple[str, str], ...],
    locale: str,
    _indexes: dict[recommend.Kind, recommend.VectorIndex],
) -> recommend.Recommendations:
    """The opening's best candidates; keyed by the saved skill levels, so a change shows at once."""
    return recommend.recommend(
        engine=get_engine(),
        actor=who,
        vaga=codigo,
        k=SUGGESTIONS,
        indexes=_indexes,
        get_model=lambda: get_match_model(sha256),
        _=_,
    )


def _skill_levels_form(codigo: str, skills: list[OpeningSkill]) -> None:
    """One selector per extracted skill (required / preferred / ignored) and the button that saves them."""
    names = {"required": _("Required"), "preferred": _("Preferred"), "ignored": _("Ignored")}
    editable = may(actor.role, Action.OPENING_SKILLS_EDIT)
    columns = st.columns(SKILL_COLUMNS)
    keys = {}
    for i, skill in enumerate(skills):
        keys[skill.term] = f"open_skill_{codigo}_{skill.term}"
        columns[i % SKILL_COLUMNS].selectbox(
            skill.label,
            SKILL_LEVELS,
            index=SKILL_LEVELS.index(skill.level),
            format_func=names.__getitem__,
            key=keys[skill.term],
            disabled=not editable,
        )
    if not editable or not st.button(
        _("Save skill levels"), key="open_skills_save", type="primary", icon=":material/save:"
    ):
        return
    levels = {term: str(st.session_state[key]) for term, key in keys.items()}
    try:
        saved = save_opening_skills(
            engine=get_engine(), actor=actor, vaga=codigo, levels=levels, vocabulary=_vocabulary()
        )
    except HRCoreError as e:
        show_error(e)
        return
    clear_data_caches()
    st.session_state["open_skills_notice"] = _(
        "Skill levels saved: {required} required, {ignored} ignored. The ranking below uses them."
    ).format(required=len(saved.required), ignored=len(saved.ignored))
    st.rerun()


def _vocabulary() -> SkillVocabulary:
    """The skill terms of the trained match model (the fixed list before one is trained)."""
    card = match.read_model_card()
    return get_skill_vocabulary(get_match_model(card.sha256) if card is not None else None)


def _render_skills(codigo: str, db_url: str) -> None:
    """The opening's skills with their levels, and its best candidates ranked by them (feedback on each)."""
    engine = get_engine()
    st.caption(
        _(
            "Skills read from the opening's activities and competences. A candidate who lacks a required "
            "skill is ranked below every candidate who has them all; an ignored skill no longer counts in the "
            "match score or in the skill lists."
        )
    )
    try:
        skills = list_opening_skills(engine=engine, actor=actor, vaga=codigo, vocabulary=_vocabulary())
    except HRCoreError as e:
        show_error(e)
        return
    if notice := st.session_state.pop("open_skills_notice", None):
        st.success(notice, icon=":material/check:")
    if skills:
        _skill_levels_form(codigo, skills)
    else:
        st.info(_("No known skill was found in this opening's texts."))
    st.markdown(_("**Best candidates for this opening**"))
    try:
        status = built_index_status(engine)
        if status is None:
            return
        card = match.read_model_card()
        result = _suggestions(
            db_url,
            actor,
            codigo,
            str(status.built_at),
            card.sha256 if card is not None else "",
            tuple(sorted((s.term, s.level) for s in skills)),
            current_locale(),
            get_indexes(status.built_at),
        )
    except HRCoreError as e:
        show_error(e)
        return
    _show_suggestions(codigo, result, any(s.level == "required" for s in skills))


def _show_suggestions(codigo: str, result: recommend.Recommendations, requires: bool) -> None:
    locale = current_locale()
    if not result.items:
        st.info(_("No candidate to suggest yet."))
        return
    if requires:
        st.caption(_("Candidates who lack a required skill come after all who have every required skill."))
    if result.note:
        st.caption(result.note)

    def lacking(item: recommend.Recommendation) -> str:
        if item.missing_required:
            return _("Lacks: {skills}").format(skills=", ".join(item.missing_required))
        return _("Has every required skill") if requires else "—"

    rows = pd.DataFrame(
        [
            {
                "rank": place,
                "candidate": item.code,
                "name": item.name,
                "probability": item.probability,
                "required": lacking(item),
                "matched_skills": ", ".join(item.matched_skills),
                "missing_skills": ", ".join(item.missing_skills),
            }
            for place, item in enumerate(result.items, start=1)
        ]
    )
    st.dataframe(
        rows,
        hide_index=True,
        key="open_suggestions",
        column_config={
            "rank": _("Rank"),
            "candidate": _("Candidate code"),
            "name": _("Name"),
            "probability": st.column_config.NumberColumn(_("Match probability"), format="percent"),
            "required": _("Required skills"),
            "matched_skills": _("Matched skills"),
            "missing_skills": _("Missing skills"),
        },
    )
    if result.base_rate is not None:
        st.caption(
            _("Base rate {rate} (share of past decided applications that were approved).").format(
                rate=format_percent(result.base_rate, locale)
            )
        )
    items = {item.code: item for item in result.items}
    chosen = st.selectbox(
        _("Suggested candidate"),
        list(items),
        format_func=lambda c: f"{list(items).index(c) + 1} · {items[c].name or '—'} · {c}",
        key="open_suggestion",
    )
    if chosen:
        item = items[chosen]
        warn_missing_required(item.name or chosen, item.missing_required)
        feedback_buttons(actor, candidate=chosen, vaga=codigo, source="job_openings", key="open_sk_feedback")


def _render_board(codigo: str, prospects: pd.DataFrame) -> None:
    """The opening's candidates in one column per stage; pick one to move it, note it, read its history."""
    locale = current_locale()
    stages = [s for s in STAGE_ORDER if s != "unknown"]
    columns = st.columns(len(stages))
    for column, stage in zip(columns, stages, strict=True):
        at_stage = prospects[prospects["stage"] == stage]
        with column:
            st.markdown(f"**{stage_label(stage)}** · {len(at_stage)}")
            for row in at_stage.head(CARDS_PER_STAGE).itertuples():
                with st.container(border=True):
                    st.markdown(f"{safe_text(row.nome or '—')}  \n:gray[{safe_text(row.candidate_codigo)}]")
                    st.caption(format_date(row.ultima_atualizacao or row.data_candidatura, locale))
            if len(at_stage) > CARDS_PER_STAGE:
                st.caption(_("and {count} more").format(count=len(at_stage) - CARDS_PER_STAGE))
    if prospects.empty:
        st.info(_("No candidates in this opening's pipeline yet."))
    else:
        names = dict(zip(prospects["candidate_codigo"], prospects["nome"], strict=True))
        stage_of = dict(zip(prospects["candidate_codigo"], prospects["stage"], strict=True))
        chosen = st.selectbox(
            _("Candidate"),
            list(names),
            format_func=lambda c: f"{names[c] or '—'} · {c} · {stage_label(stage_of[c])}",
            key="open_board_candidate",
        )
        if chosen:
            prospect_panel(
                actor, vaga=codigo, candidate=chosen, current_stage=stage_of[chosen], key="open_pp"
            )
    with st.expander(_("Add a candidate to this opening"), icon=":material/person_add:"):
        code = st.text_input(_("Candidate code"), key="open_add_candidate")
        if st.button(_("Add to the opening"), key="open_add_candidate_go", disabled=not code.strip()):
            try:
                add_prospect(
                    engine=get_engine(), actor=actor, vaga=codigo, candidate=code, recruiter=actor.username
                )
            except HRCoreError as e:
                show_error(e)
            else:
                clear_data_caches()
                st.session_state["recruiting_notice"] = _("Candidate {code} added.").format(code=code.strip())
                st.rerun()


def _load_into_form(prefix: str, vaga: queries.VagaRow | None) -> None:
    """Fill the form's widgets from the opening on file, or clear them for a new one."""
    for name in OpeningForm.__dataclass_fields__:
        st.session_state[f"{prefix}_f_{name}"] = str(vaga.get(name) or "") if vaga else ""


def _render_form(prefix: str, *, fixed_code: str | None = None) -> None:
    """The opening form: on the opening page it edits that opening; on its own it creates one."""
    if st.session_state.pop(f"{prefix}_clear", False):
        _load_into_form(prefix, None)  # before the widgets exist: a saved new opening empties the form
    for name in OpeningForm.__dataclass_fields__:
        st.session_state.setdefault(f"{prefix}_f_{name}", "")
    with st.form(f"{prefix}_form", enter_to_submit=False):
        cols = st.columns(2)
        if fixed_code is None:
            cols[0].text_input(_("Code") + " *", key=f"{prefix}_f_codigo")
        cols[1 if fixed_code is None else 0].text_input(label("titulo", _) + " *", key=f"{prefix}_f_titulo")
        for i, name in enumerate(FORM_TEXTS, start=0 if fixed_code is None else 1):
            cols[i % 2].text_input(label(name, _), key=f"{prefix}_f_{name}")
        choices = st.columns(len(FORM_CHOICES))
        for column, (name, allowed) in zip(choices, FORM_CHOICES.items(), strict=True):
            current = st.session_state[f"{prefix}_f_{name}"]
            column.selectbox(
                _("Reserved for people with disabilities (PcD)") if name == "pcd" else label(name, _),
                ("", *allowed, *((current,) if current and current not in allowed else ())),
                key=f"{prefix}_f_{name}",
            )
        st.text_area(label("principais_atividades", _), key=f"{prefix}_f_principais_atividades")
        st.text_area(label("competencias", _), key=f"{prefix}_f_competencias")
        submitted = st.form_submit_button(_("Save opening"), type="primary", key=f"{prefix}_form_save")
    if not submitted:
        return
    values = {n: st.session_state[f"{prefix}_f_{n}"] or "" for n in OpeningForm.__dataclass_fields__}
    if fixed_code is not None:
        values["codigo"] = fixed_code
    form = OpeningForm(**values)
    messages = validate_opening_form(form, None) if fixed_code is None else []
    if messages:
        for message in messages:
            st.error(message, icon=":material/error:")
        return
    try:
        saved = save_opening(engine=get_engine(), actor=actor, form=form, new_only=fixed_code is None)
    except HRCoreError as e:
        show_error(e)
        return
    clear_data_caches()
    done = _("Opening {code} created.") if saved.created else _("Opening {code} updated.")
    st.session_state["recruiting_notice"] = done.format(code=saved.codigo)
    if fixed_code is None:
        st.session_state[f"{prefix}_clear"] = True
        st.session_state[OPEN_KEY] = saved.codigo
    st.rerun()


def _render_opening(codigo: str, db_url: str) -> None:
    try:
        opening, prospects = _detail(db_url, actor, codigo)
    except HRCoreError as e:
        show_error(e)
        return
    vaga = opening["vaga"]
    locale = current_locale()
    st.subheader(f"{safe_text(opening['titulo'] or _('(no title)'))} · {safe_text(codigo)}")
    if vaga is None:
        st.warning(_("Only the pipeline names this opening; its full description is not on file."))
    else:
        st.caption(" · ".join(v for v in (vaga["cliente"], vaga["cidade"], vaga["nivel_profissional"]) if v))
    days = prospects["days_to_last_update"].dropna()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Client"), (vaga["cliente"] if vaga else "") or "—", border=True)
    c2.metric(_("Prospects"), format_number(len(prospects), locale), border=True)
    c3.metric(
        _("Approved / hired"),
        format_number(int((prospects["stage"] == "approved").sum()), locale),
        border=True,
    )
    c4.metric(
        _("Median days from application to last update"),
        format_number(days.median(), locale) if len(days) else "—",
        border=True,
    )
    show_notice()
    editable = may(actor.role, Action.RECRUITING_EDIT)
    names = [_("Board"), _("Description"), _("Skills"), _("Funnel"), _("Table")]
    names += [_("Edit")] if editable else []
    # on_change="rerun": the Skills tab knows when it is open and ranks candidates only then.
    board, description, skills, funnel, table, *edit = st.tabs(names, key=TABS_KEY, on_change="rerun")
    with board:
        _render_board(codigo, prospects)
    with description:
        if vaga is None:
            st.info(_("No description on file."))
        else:
            show_fields(vaga, DESCRIPTION_FIELDS, columns=3)
            for name in ("principais_atividades", "competencias"):
                st.markdown(f"**{label(name, _)}**")
                st.text(vaga[name] or "—")
    with skills:
        if vaga is None:
            st.info(_("No description on file."))
        elif skills.open:
            _render_skills(codigo, db_url)
    with funnel:
        if prospects.empty:
            st.info(_("No prospects for this opening yet."))
        else:
            render_funnel(
                build_funnel(prospects["stage"].value_counts().to_dict()),
                title=_("Candidates who reached each stage"),
                key="open_funnel",
            )
            if len(days) > 1:
                fig = px.histogram(days, nbins=20, title=_("Days from application to last update"))
                fig.update_layout(showlegend=False, xaxis_title=_("days"), yaxis_title=_("candidates"))
                zero_based(fig)
                st.plotly_chart(fig, key="open_days_hist")
    with table:
        st.dataframe(
            readable_prospects(prospects, PROSPECT_COLUMNS),
            hide_index=True,
            width="stretch",
            key="open_prospects",
        )
    if edit:
        with edit[0]:
            if st.session_state.get("open_e_form_for") != codigo:
                _load_into_form("open_e", vaga)
                st.session_state["open_e_form_for"] = codigo
            if vaga is None:
                st.caption(_("Saving adds this opening's description to the database."))
            _render_form("open_e", fixed_code=codigo)


def _open_selected_row() -> None:
    """Open the opening whose row was clicked."""
    selection = st.session_state.get("open_table")
    rows = selection.selection.rows if selection is not None else []
    codes = st.session_state.get("open_codes", [])
    if rows and rows[0] < len(codes):
        st.session_state[OPEN_KEY] = codes[rows[0]]


st.title(_("Job openings"))
db_url = get_settings().database_url
if may(actor.role, Action.RECRUITING_EDIT):
    with st.expander(_("New opening"), icon=":material/add:"):
        _render_form("open_new")
try:
    options = _options(db_url, actor)
    text = st.text_input(
        _("Search title, client or code"), key="open_search", placeholder=_("e.g. SAP, Java")
    )
    cols = st.columns(len(FILTERS) + 1)
    filters: dict[str, str] = {}
    for col, name in zip(cols, FILTERS, strict=False):
        choice = col.selectbox(
            label(name, _),
            [None, *options.get(name, [])],
            format_func=lambda v: _("(any)") if v is None else v,
            key=f"open_filter_{name}",
        )
        if choice is not None:
            filters[name] = choice
    stage = cols[-1].selectbox(
        _("Has candidates at stage"),
        [None, *STAGE_ORDER],
        format_func=lambda s: _("(any)") if s is None else stage_label(s),
        key="open_filter_stage",
    )
    s1, s2, s3, s4 = st.columns([2, 1, 1, 1])
    sort = s1.selectbox(_("Sort by"), SORTS, format_func=lambda c: label(c, _), key="open_sort")
    desc = s2.toggle(_("Descending"), key="open_desc")
    size = s3.selectbox(_("Rows per page"), [25, 50, 100], key="open_page_size")
    page_no = s4.number_input(_("Page"), min_value=1, value=1, step=1, key="open_page")
    result = _search(
        db_url, actor, text, tuple(sorted(filters.items())), stage, sort, desc, int(page_no), size
    )
    if result.total == 0:
        st.info(_("No opening matches. Loosen the filters or import openings on the Candidates page."))
    else:
        locale = current_locale()
        st.caption(
            _("{total} openings match · page {page} of {pages} · click a row to open it").format(
                total=format_number(result.total, locale), page=result.page, pages=result.pages
            )
        )
        rows = result.rows.assign(
            in_database=result.rows["in_database"].map({True: _("yes"), False: _("pipeline only")}),
            data_requisicao=result.rows["data_requisicao"].map(lambda d: format_date(d, locale)),
        )
        st.session_state["open_codes"] = list(rows["codigo"])
        chosen = pick_from_table(
            rows,
            rows,
            label_column="titulo",
            prefix="open",
            download_name="job_openings",
            open_key=OPEN_KEY,
            prompt=_("Open an opening"),
            on_select=_open_selected_row,
        )
        if chosen:
            st.divider()
            _render_opening(chosen, db_url)
except HRCoreError as e:
    show_error(e)
