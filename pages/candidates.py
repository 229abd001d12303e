"""Candidates: search and filter, click a row for the profile (summary, CV, applications with moves,
notes and history, best openings, editing in place), a create/edit form, import and export."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from hr_core.access import ADMIN_ROLE, Action, Actor, may
from hr_core.errors import HRCoreError
from hr_core.i18n import format_date, format_number, format_percent, label, show_value
from hr_core.ml import match, recommend
from hr_core.recruiting import queries
from hr_core.recruiting.anonymise import anonymise_candidate
from hr_core.recruiting.editing import (
    CandidateForm,
    save_candidate,
    validate_candidate_form,
)
from hr_core.recruiting.exporter import FEEDBACK_FILE, REQUIREMENTS_FILE, export_recruiting
from hr_core.recruiting.importer import import_recruiting
from hr_core.recruiting.stats import count_recruiting_rows
from hr_core.recruiting.workflow import add_prospect
from hr_core.settings import get_settings
from hr_core.storage import validate_key
from hr_core.vocabulary import LANGUAGE_LEVELS, PCD_VALUES
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
    get_storage,
    page_setup,
    plain_columns,
    progress_bar,
    safe_code,
    safe_text,
    show_error,
)

actor = page_setup("pages/candidates.py")

FILTERS = ("local", "nivel_profissional", "nivel_ingles", "nivel_espanhol", "pcd", "area_atuacao")
SORTS = (
    "nome",
    "codigo",
    "titulo_profissional",
    "local",
    "nivel_profissional",
    "nivel_ingles",
    "data_atualizacao",
)
FORM_FIELDS = (
    "nome",
    "email",
    "telefone",
    "local",
    "titulo_profissional",
    "area_atuacao",
    "nivel_profissional",
    "nivel_academico",
    "certificacoes",
    "outro_idioma",
    "sexo",
    "estado_civil",
)
SUMMARY_FIELDS = (
    "titulo_profissional",
    "area_atuacao",
    "local",
    "nivel_profissional",
    "nivel_academico",
    "nivel_ingles",
    "nivel_espanhol",
    "outro_idioma",
    "certificacoes",
    "email",
    "data_criacao",
    "data_atualizacao",
)
APPLICATION_COLUMNS = [
    "vaga_codigo",
    "titulo",
    "stage",
    "situacao",
    "data_candidatura",
    "ultima_atualizacao",
    "recrutador",
    "comentario",
]
OPEN_KEY = "cand_detail"
BEST_OPENINGS = 5


# Cached per database URL; clear_data_caches() drops them after imports and edits.
@st.cache_data(show_spinner=False, max_entries=4)
def _totals(db_url: str) -> dict[str, int]:
    return count_recruiting_rows(engine=get_engine())


@st.cache_data(show_spinner=False, max_entries=64)
def _options(db_url: str, who: Actor) -> dict[str, list[str]]:
    return queries.list_candidate_filter_options(engine=get_engine(), actor=who)


@st.cache_data(show_spinner=False, max_entries=256)
def _search(
    db_url: str,
    who: Actor,
    text: str,
    filters: tuple[tuple[str, str], ...],
    sort: str,
    desc: bool,
    page: int,
    size: int,
) -> queries.PageOfRows:
    return queries.search_candidates(
        engine=get_engine(),
        actor=who,
        text=text,
        filters=dict(filters),
        sort=sort,
        descending=desc,
        page=page,
        page_size=size,
    )


# Not cached: every opening of a full profile is audited (who saw whose personal data).
def _detail(db_url: str, who: Actor, codigo: str) -> tuple[queries.CandidateDetail, pd.DataFrame]:
    engine = get_engine()
    cand = queries.get_candidate(engine=engine, actor=who, codigo=codigo)
    return cand, queries.list_candidate_prospects(engine=engine, actor=who, codigo=codigo)


def _render_profile(codigo: str, db_url: str) -> None:
    """The candidate's profile: summary, CV, applications (move, notes, history) and editing in place."""
    try:
        cand, prospects = _detail(db_url, actor, codigo)
    except HRCoreError as e:
        show_error(e)
        return
    locale = current_locale()
    st.subheader(f"{safe_text(cand['nome'] or _('(no name)'))} · {safe_text(codigo)}")
    st.caption(
        safe_text(
            " · ".join(
                v for v in (cand["titulo_profissional"], cand["local"], cand["nivel_profissional"]) if v
            )
        )
        or _("No title, city or level on file.")
    )
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("English"), show_value(cand["nivel_ingles"]), border=True)
    c2.metric(_("Spanish"), show_value(cand["nivel_espanhol"]), border=True)
    c3.metric(_("Applications"), format_number(len(prospects), locale), border=True)
    c4.metric(_("Last update"), format_date(cand["data_atualizacao"], locale), border=True)
    show_notice()
    recommends = may(actor.role, Action.MATCH_RECOMMEND)
    names = [_("Summary"), _("CV"), _("Applications ({count})").format(count=len(prospects))]
    names += [_("Best openings")] if recommends else []
    summary, cv, applications, *best, edit = st.tabs([*names, _("Edit")])
    with summary:
        show_fields(cand, SUMMARY_FIELDS)
        st.markdown(f"**{_('Technical skills')}**")
        st.text(cand["conhecimentos_tecnicos"] or "—")
    with cv:
        language = st.radio(
            _("Language of the CV"),
            ["cv_pt", "cv_en"],
            format_func=lambda c: label(c, _),
            horizontal=True,
            key="cand_cv_language",
        )
        st.text((cand["cv_en"] if language == "cv_en" else cand["cv_pt"]) or _("(empty)"))
    with applications:
        _render_applications(codigo, prospects)
    if best:
        with best[0]:
            _render_best_openings(codigo, set(prospects["vaga_codigo"]) if len(prospects) else set())
    with edit:
        if st.session_state.get("cand_p_form_for") != codigo:
            _load_into_form("cand_p", codigo)
            st.session_state["cand_p_form_for"] = codigo
        _render_form("cand_p", fixed_code=codigo)
    if may(actor.role, Action.CANDIDATE_ANONYMISE):
        _render_anonymise(codigo)


def _render_best_openings(codigo: str, applied: set[str]) -> None:
    """The openings whose texts come closest to this candidate's, with the match probability beside the
    base rate, the skills matched and missing, and a button that adds the candidate as a prospect."""
    engine = get_engine()
    try:
        status = built_index_status(engine)
        if status is None:
            return
        indexes = get_indexes(status.built_at)
        if codigo not in indexes["candidates"].positions:
            st.info(
                _(
                    "This candidate is not in the recommendation indexes yet: rebuild them on the Recommendations page."
                )
            )
            return
        card = match.read_model_card()
        result = recommend.recommend(
            engine=engine,
            actor=actor,
            candidate=codigo,
            k=BEST_OPENINGS,
            indexes=indexes,
            get_model=lambda: get_match_model(card.sha256 if card is not None else ""),
            _=_,
        )
    except HRCoreError as e:
        show_error(e)
        return
    locale = current_locale()
    if result.note:
        st.caption(result.note)
    if not result.items:
        st.info(_("No opening to recommend yet."))
    for item in result.items:
        with st.container(border=True, key=f"cand_best_{item.code}"):
            st.markdown(f"**{safe_text(item.title or _('(no title)'))}** · {safe_code(item.code)}")
            if item.probability is not None and result.base_rate is not None:
                st.caption(
                    _("Match probability {probability} (base rate {rate})").format(
                        probability=format_percent(item.probability, locale),
                        rate=format_percent(result.base_rate, locale),
                    )
                )
            st.caption(
                _("Similarity of meaning {score}").format(
                    score=format_number(item.semantic_similarity, locale)
                )
            )
            matched = ", ".join(safe_code(s) for s in item.matched_skills) or "—"
            missing = ", ".join(safe_code(s) for s in item.missing_skills) or "—"
            st.markdown(_("Matched skills: {skills}").format(skills=matched))
            st.markdown(_("Missing skills: {skills}").format(skills=missing))
            if item.reasons:
                st.caption(safe_text("; ".join(item.reasons)))
            if item.code in applied:
                st.caption(_("Already in this opening's pipeline."))
            elif st.button(_("Add to this opening"), key=f"cand_best_add_{item.code}", icon=":material/add:"):
                try:
                    add_prospect(
                        engine=engine, actor=actor, vaga=item.code, candidate=codigo, recruiter=actor.username
                    )
                except HRCoreError as e:
                    show_error(e)
                else:
                    clear_data_caches()
                    st.session_state["recruiting_notice"] = _("Added to opening {code}.").format(
                        code=item.code
                    )
                    st.rerun()


def _render_anonymise(codigo: str) -> None:
    """Admins erase a candidate's personal data on request (LGPD); outcomes stay for statistics."""
    with st.expander(_("Anonymise this candidate (data protection request)"), icon=":material/person_off:"):
        st.caption(
            _(
                "Erases name, CPF, e-mails, phones, address, CV texts, sex, marital status, PcD and birth "
                "date. City, professional profile and application outcomes stay. This cannot be undone."
            )
        )
        typed = st.text_input(_("Type the candidate's code to confirm"), key="cand_anon_confirm")
        if st.button(_("Anonymise"), key="cand_anon_go", type="primary", disabled=typed.strip() != codigo):
            try:
                result = anonymise_candidate(engine=get_engine(), actor=actor, codigo=codigo)
            except HRCoreError as e:
                show_error(e)
                return
            clear_data_caches()
            st.success(_("Candidate anonymised: {count} fields erased.").format(count=result.fields_erased))


def _render_applications(codigo: str, prospects: pd.DataFrame) -> None:
    if prospects.empty:
        st.info(_("This candidate is in no opening's pipeline yet."))
    else:
        st.dataframe(
            readable_prospects(prospects, APPLICATION_COLUMNS),
            hide_index=True,
            width="stretch",
            key="cand_prospects_table",
        )
        titles = dict(zip(prospects["vaga_codigo"], prospects["titulo"], strict=True))
        stages = dict(zip(prospects["vaga_codigo"], prospects["stage"], strict=True))
        vaga = st.selectbox(
            _("Application"),
            list(titles),
            format_func=lambda v: f"{v} · {titles[v] or '—'} · {stage_label(stages[v])}",
            key="cand_application",
        )
        if vaga:
            prospect_panel(actor, vaga=vaga, candidate=codigo, current_stage=stages[vaga], key="cand_pp")
    with st.expander(_("Add to an opening"), icon=":material/add:"):
        code = st.text_input(_("Opening code"), key="cand_add_vaga")
        if st.button(_("Add to the opening"), key="cand_add_vaga_go", disabled=not code.strip()):
            try:
                add_prospect(
                    engine=get_engine(), actor=actor, vaga=code, candidate=codigo, recruiter=actor.username
                )
            except HRCoreError as e:
                show_error(e)
            else:
                clear_data_caches()
                st.session_state["recruiting_notice"] = _("Added to opening {code}.").format(
                    code=code.strip()
                )
                st.rerun()


def _open_selected_row() -> None:
    """Open the profile of the row clicked in the results table."""
    selection = st.session_state.get("cand_table")
    rows = selection.selection.rows if selection is not None else []
    codes = st.session_state.get("cand_codes", [])
    if rows and rows[0] < len(codes):
        st.session_state[OPEN_KEY] = codes[rows[0]]


def _render_search(db_url: str) -> None:
    options = _options(db_url, actor)
    text = st.text_input(
        _("Search name, skills, title or CV text"),
        key="cand_search",
        placeholder=_("e.g. SAP, Python, analista"),
    )
    cols = st.columns(len(FILTERS))
    filters: dict[str, str] = {}
    for col, name in zip(cols, FILTERS, strict=True):
        choice = col.selectbox(
            label(name, _),
            [None, *options.get(name, [])],
            format_func=lambda v: _("(any)") if v is None else v,
            key=f"cand_filter_{name}",
        )
        if choice is not None:
            filters[name] = choice
    s1, s2, s3, s4 = st.columns([2, 1, 1, 1])
    sort = s1.selectbox(_("Sort by"), SORTS, format_func=lambda c: label(c, _), key="cand_sort")
    desc = s2.toggle(_("Descending"), key="cand_desc")
    size = s3.selectbox(_("Rows per page"), [25, 50, 100], key="cand_page_size")
    page_no = s4.number_input(_("Page"), min_value=1, value=1, step=1, key="cand_page")
    result = _search(db_url, actor, text, tuple(sorted(filters.items())), sort, desc, int(page_no), size)
    if result.total == 0:
        st.info(_("No candidate matches. Loosen the search or import recruiting data below."))
        return
    locale = current_locale()
    st.caption(
        _("{total} candidates match · page {page} of {pages} · click a row to open the profile").format(
            total=format_number(result.total, locale), page=result.page, pages=result.pages
        )
    )
    rows = result.rows
    st.session_state["cand_codes"] = list(rows["codigo"])
    shown = rows.assign(data_atualizacao=rows["data_atualizacao"].map(lambda d: format_date(d, locale)))
    chosen = pick_from_table(
        rows,
        shown.fillna("—"),
        label_column="nome",
        prefix="cand",
        download_name="candidates",
        open_key=OPEN_KEY,
        prompt=_("Open a candidate"),
        on_select=_open_selected_row,
    )
    if chosen:
        st.divider()
        _render_profile(chosen, db_url)


def _load_into_form(prefix: str = "cand", codigo: str | None = None) -> None:
    """Fill the form's widgets from a candidate (the code typed, or the profile's), or clear them."""
    codigo = (codigo if codigo is not None else st.session_state.get(f"{prefix}_edit_code", "")).strip()
    values: dict[str, str] = {}
    if codigo:
        try:
            cand = queries.get_candidate(engine=get_engine(), actor=actor, codigo=codigo)
            values = {k: str(cand.get(k) or "") for k in CandidateForm.__dataclass_fields__}
            values["telefone"] = str(cand["infos_basicas"].get("telefone", ""))
            st.session_state[f"{prefix}_form_loaded"] = _("Editing candidate {code}.").format(code=codigo)
        except HRCoreError:
            st.session_state[f"{prefix}_form_loaded"] = _("No candidate {code}: the form creates it.").format(
                code=codigo
            )
    values["codigo"] = codigo
    for name in CandidateForm.__dataclass_fields__:
        st.session_state[f"{prefix}_f_{name}"] = values.get(name, "")


def _render_form(prefix: str = "cand", *, fixed_code: str | None = None) -> None:
    """The candidate form: on the profile it edits that candidate; in its own tab it creates or edits by code."""
    if fixed_code is None:
        st.text_input(
            _("Code of a candidate to edit (empty or new code to create one)"),
            key=f"{prefix}_edit_code",
            on_change=_load_into_form,
            args=(prefix,),
        )
        if st.session_state.get(f"{prefix}_form_loaded"):
            st.caption(st.session_state[f"{prefix}_form_loaded"])
    for name in CandidateForm.__dataclass_fields__:
        st.session_state.setdefault(f"{prefix}_f_{name}", "")
    for name, allowed in (
        ("nivel_ingles", ("", *LANGUAGE_LEVELS)),
        ("nivel_espanhol", ("", *LANGUAGE_LEVELS)),
        ("pcd", ("", *PCD_VALUES)),
    ):
        if st.session_state[f"{prefix}_f_{name}"] not in allowed:
            st.session_state[f"{prefix}_f_{name}"] = ""
    with st.form(f"{prefix}_form", enter_to_submit=False):
        cols = st.columns(2)
        if fixed_code is None:
            cols[0].text_input(_("Code") + " *", key=f"{prefix}_f_codigo")
        for i, name in enumerate(FORM_FIELDS, start=1 if fixed_code is None else 0):
            cols[i % 2].text_input(
                label(name, _) + (" *" if name == "nome" else ""), key=f"{prefix}_f_{name}"
            )
        l1, l2, l3 = st.columns(3)
        l1.selectbox(_("English"), ("", *LANGUAGE_LEVELS), key=f"{prefix}_f_nivel_ingles")
        l2.selectbox(_("Spanish"), ("", *LANGUAGE_LEVELS), key=f"{prefix}_f_nivel_espanhol")
        l3.selectbox(_("Person with disability"), ("", *PCD_VALUES), key=f"{prefix}_f_pcd")
        st.text_area(_("Technical skills (comma separated)"), key=f"{prefix}_f_conhecimentos_tecnicos")
        st.text_area(_("CV (Portuguese)"), key=f"{prefix}_f_cv_pt", height=160)
        st.text_area(_("CV (English)"), key=f"{prefix}_f_cv_en", height=120)
        submitted = st.form_submit_button(_("Save candidate"), type="primary", key=f"{prefix}_form_save")
    if not submitted:
        return
    values = {n: st.session_state[f"{prefix}_f_{n}"] or "" for n in CandidateForm.__dataclass_fields__}
    if fixed_code is not None:
        values["codigo"] = fixed_code
    form = CandidateForm(**values)
    messages = validate_candidate_form(form)
    if messages:
        for message in messages:
            st.error(message, icon=":material/error:")
        return
    try:
        saved = save_candidate(engine=get_engine(), actor=actor, form=form)
    except HRCoreError as e:
        show_error(e)
        return
    clear_data_caches()
    done = _("Candidate {code} created.") if saved.created else _("Candidate {code} updated.")
    st.success(done.format(code=saved.codigo), icon=":material/check:")


def _render_import_export() -> None:
    st.markdown(_("Upload any of the Decision files; records are upserted by code and bad ones reported."))
    c1, c2, c3 = st.columns(3)
    uploads = {
        "applicants": c1.file_uploader("applicants.json", type=["json"], key="rec_up_applicants"),
        "vagas": c2.file_uploader("vagas.json", type=["json"], key="rec_up_vagas"),
        "prospects": c3.file_uploader("prospects.json", type=["json"], key="rec_up_prospects"),
    }
    c4, c5 = st.columns(2)
    csv_uploads = {  # an export's skill levels and feedback (a bad row imports nothing)
        "requirements": c4.file_uploader(REQUIREMENTS_FILE, type=["csv"], key="rec_up_requirements"),
        "feedback": c5.file_uploader(FEEDBACK_FILE, type=["csv"], key="rec_up_feedback"),
    }
    uploads.update(csv_uploads)
    file_names = {"requirements": REQUIREMENTS_FILE, "feedback": FEEDBACK_FILE}
    if st.button(_("Import"), type="primary", key="rec_import", disabled=not any(uploads.values())):
        update = progress_bar(_("Starting import"))
        with tempfile.TemporaryDirectory(prefix="hr-upload-") as tmp:
            paths: dict[str, Path] = {}
            for name, upload in uploads.items():
                if upload is not None:
                    paths[name] = Path(tmp) / file_names.get(name, f"{name}.json")
                    paths[name].write_bytes(upload.getvalue())
            try:
                result = import_recruiting(
                    engine=get_engine(),
                    actor=actor,
                    storage=get_storage(),
                    progress=update,
                    **paths,
                )
            except HRCoreError as e:
                show_error(e)
                return
        clear_data_caches()
        summary = result.as_dict()
        rows = [{"table": k, **v} for k, v in summary.items() if isinstance(v, dict)]
        st.success(_("Import finished."), icon=":material/check:")
        st.dataframe(plain_columns(pd.DataFrame(rows)), hide_index=True, key="rec_import_result")
        if result.rejects:
            st.warning(
                _("{count} records were rejected; see them below.").format(count=len(result.reject_rows))
            )
            st.dataframe(plain_columns(pd.DataFrame(result.reject_rows)), hide_index=True, key="rec_rejects")
            if actor.role == ADMIN_ROLE:
                st.caption(_("Report saved in storage as {key}.").format(key=result.rejects))
    st.divider()
    prefix = st.text_input(_("Export to storage folder"), value="exports/recruiting", key="rec_export_prefix")
    if st.button(_("Export JSON files"), key="rec_export"):
        try:
            folder = validate_key(prefix.strip("/"))
            out = export_recruiting(engine=get_engine(), actor=actor, out=f"{get_storage().url}/{folder}")
        except HRCoreError as e:
            show_error(e)
            return
        st.success(
            _("Wrote {files} to the folder {folder}.").format(files=", ".join(out["files"]), folder=folder),
            icon=":material/check:",
        )


st.title(_("Candidates"))
db_url = get_settings().database_url
try:
    totals = _totals(db_url)
except HRCoreError as e:
    show_error(e)
    st.stop()
k1, k2, k3 = st.columns(3)
locale = current_locale()
k1.metric(_("Candidates"), format_number(totals["candidates"], locale), border=True)
k2.metric(_("Applications"), format_number(totals["prospects"], locale), border=True)
k3.metric(
    _("Applications whose candidate has no full record"),
    format_number(totals["prospects_without_candidate"], locale),
    border=True,
)
search_tab, form_tab, io_tab = st.tabs([_("Search"), _("Create / edit"), _("Import / export")])
with search_tab:
    try:
        _render_search(db_url)
    except HRCoreError as e:
        show_error(e)
with form_tab:
    _render_form()
with io_tab:
    _render_import_export()
