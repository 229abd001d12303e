"""Candidates: search and filter, a detail view with prospects, a create/edit form, import and export."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from hr_core.errors import HRCoreError
from hr_core.recruiting import queries
from hr_core.recruiting.editing import (
    CandidateForm,
    save_candidate,
    validate_candidate_form,
)
from hr_core.recruiting.exporter import export_recruiting
from hr_core.recruiting.importer import import_recruiting
from hr_core.recruiting.stats import count_recruiting_rows
from hr_core.settings import get_settings
from hr_core.storage import validate_key
from hr_core.vocabulary import LANGUAGE_LEVELS, PCD_VALUES
from pages._shared import clear_data_caches, download_buttons, get_engine, get_storage, page_setup, show_error

actor = page_setup("pages/candidates.py")

ANY = "(any)"
FILTER_LABELS = {
    "local": "City",
    "nivel_profissional": "Professional level",
    "nivel_ingles": "English",
    "nivel_espanhol": "Spanish",
    "pcd": "PCD",
    "area_atuacao": "Area",
}
SORT_LABELS = {
    "nome": "Name",
    "codigo": "Code",
    "titulo_profissional": "Title",
    "local": "City",
    "nivel_profissional": "Level",
    "nivel_ingles": "English",
    "data_atualizacao": "Last update",
}
FORM_FIELDS: list[tuple[str, str]] = [
    ("codigo", "Code (codigo_profissional) *"),
    ("nome", "Name *"),
    ("email", "E-mail"),
    ("telefone", "Phone"),
    ("local", "City, State"),
    ("titulo_profissional", "Professional title"),
    ("area_atuacao", "Area"),
    ("nivel_profissional", "Professional level"),
    ("nivel_academico", "Academic level"),
    ("certificacoes", "Certifications"),
    ("outro_idioma", "Other language"),
    ("sexo", "Sex"),
    ("estado_civil", "Marital status"),
]


# Cached per database URL; clear_data_caches() drops them after imports and edits.
@st.cache_data(show_spinner=False)
def _totals(db_url: str) -> dict[str, int]:
    return count_recruiting_rows(engine=get_engine())


@st.cache_data(show_spinner=False)
def _options(db_url: str) -> dict[str, list[str]]:
    return queries.list_candidate_filter_options(engine=get_engine())


@st.cache_data(show_spinner=False)
def _search(
    db_url: str, text: str, filters: tuple[tuple[str, str], ...], sort: str, desc: bool, page: int, size: int
) -> queries.PageOfRows:
    return queries.search_candidates(
        engine=get_engine(),
        text=text,
        filters=dict(filters),
        sort=sort,
        descending=desc,
        page=page,
        page_size=size,
    )


@st.cache_data(show_spinner=False)
def _detail(db_url: str, codigo: str) -> tuple[dict[str, Any], pd.DataFrame]:
    engine = get_engine()
    return queries.get_candidate(engine=engine, codigo=codigo), queries.list_candidate_prospects(
        engine=engine, codigo=codigo
    )


def _render_detail(codigo: str, db_url: str) -> None:
    try:
        cand, prospects = _detail(db_url, codigo)
    except HRCoreError as e:
        show_error(e)
        return
    st.subheader(f"{cand['nome'] or '(no name)'} · {codigo}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Title", cand["titulo_profissional"] or "—", border=True)
    c2.metric("Level", cand["nivel_profissional"] or "—", border=True)
    c3.metric("English", cand["nivel_ingles"] or "—", border=True)
    c4.metric("Prospects", len(prospects), border=True)
    st.markdown(f"**Skills:** {cand['conhecimentos_tecnicos'] or '—'}")
    st.markdown("**Prospects**")
    if prospects.empty:
        st.info("This candidate is in no opening's pipeline yet.")
    else:
        shown = prospects.assign(
            opening=prospects["vaga_in_database"].map({True: "in database", False: "not in database"})
        ).drop(columns=["vaga_in_database", "stage"])
        st.dataframe(shown, hide_index=True, width="stretch", key="cand_prospects_table")
    cv_pt, cv_en, sections = st.tabs(["CV (PT)", "CV (EN)", "All sections"])
    cv_pt.text(cand["cv_pt"] or "(empty)")
    cv_en.text(cand["cv_en"] or "(empty)")
    with sections:
        for name, value in cand["record"].items():
            if isinstance(value, dict):
                with st.expander(name, expanded=name == "infos_basicas"):
                    st.json(value)


def _render_search(db_url: str) -> None:
    options = _options(db_url)
    text = st.text_input(
        "Search name, skills, title or CV text", key="cand_search", placeholder="e.g. SAP, Python, analista"
    )
    cols = st.columns(len(FILTER_LABELS))
    filters: dict[str, str] = {}
    for col, (name, label) in zip(cols, FILTER_LABELS.items(), strict=True):
        choice = col.selectbox(label, [ANY, *options.get(name, [])], key=f"cand_filter_{name}")
        if choice != ANY:
            filters[name] = choice
    s1, s2, s3, s4 = st.columns([2, 1, 1, 1])
    sort = s1.selectbox("Sort by", list(SORT_LABELS), format_func=SORT_LABELS.__getitem__, key="cand_sort")
    desc = s2.toggle("Descending", key="cand_desc")
    size = s3.selectbox("Rows per page", [25, 50, 100], key="cand_page_size")
    page_no = s4.number_input("Page", min_value=1, value=1, step=1, key="cand_page")
    result = _search(db_url, text, tuple(sorted(filters.items())), sort, desc, int(page_no), size)
    if result.total == 0:
        st.info("No candidate matches. Loosen the search or import recruiting data below.")
        return
    st.caption(f"{result.total:,} candidates match · page {result.page} of {result.pages}")
    st.dataframe(result.rows, hide_index=True, width="stretch", key="cand_table")
    download_buttons(result.rows, "candidates", key="cand_dl")
    codes = list(result.rows["codigo"])
    names = dict(zip(result.rows["codigo"], result.rows["nome"], strict=True))
    chosen = st.selectbox(
        "Open a candidate",
        [None, *codes],
        format_func=lambda c: "—" if c is None else f"{c} · {names.get(c, '')}",
        key="cand_detail",
    )
    if chosen:
        _render_detail(chosen, db_url)


def _load_into_form() -> None:
    """Fill the form's widgets from the candidate whose code was typed (or clear them for a new one)."""
    codigo = st.session_state.get("cand_edit_code", "").strip()
    values: dict[str, str] = {}
    if codigo:
        try:
            cand = queries.get_candidate(engine=get_engine(), codigo=codigo)
            values = {k: str(cand.get(k) or "") for k in CandidateForm.__dataclass_fields__}
            values["telefone"] = str(cand["infos_basicas"].get("telefone", ""))
            st.session_state["cand_form_loaded"] = f"Editing candidate {codigo}."
        except HRCoreError:
            st.session_state["cand_form_loaded"] = f"No candidate {codigo}: the form creates it."
    values["codigo"] = codigo
    for name in CandidateForm.__dataclass_fields__:
        st.session_state[f"cand_f_{name}"] = values.get(name, "")


def _render_form() -> None:
    st.text_input(
        "Code of a candidate to edit (empty or new code to create one)",
        key="cand_edit_code",
        on_change=_load_into_form,
    )
    if st.session_state.get("cand_form_loaded"):
        st.caption(st.session_state["cand_form_loaded"])
    for name in CandidateForm.__dataclass_fields__:
        st.session_state.setdefault(f"cand_f_{name}", "")
    for name, allowed in (
        ("nivel_ingles", ("", *LANGUAGE_LEVELS)),
        ("nivel_espanhol", ("", *LANGUAGE_LEVELS)),
        ("pcd", ("", *PCD_VALUES)),
    ):
        if st.session_state[f"cand_f_{name}"] not in allowed:
            st.session_state[f"cand_f_{name}"] = ""
    with st.form("cand_form", enter_to_submit=False):
        cols = st.columns(2)
        for i, (name, label) in enumerate(FORM_FIELDS):
            cols[i % 2].text_input(label, key=f"cand_f_{name}")
        l1, l2, l3 = st.columns(3)
        l1.selectbox("English", ("", *LANGUAGE_LEVELS), key="cand_f_nivel_ingles")
        l2.selectbox("Spanish", ("", *LANGUAGE_LEVELS), key="cand_f_nivel_espanhol")
        l3.selectbox("PCD", ("", *PCD_VALUES), key="cand_f_pcd")
        st.text_area("Technical skills (comma separated)", key="cand_f_conhecimentos_tecnicos")
        st.text_area("CV (Portuguese)", key="cand_f_cv_pt", height=160)
        st.text_area("CV (English)", key="cand_f_cv_en", height=120)
        submitted = st.form_submit_button("Save candidate", type="primary", key="cand_form_save")
    if not submitted:
        return
    form = CandidateForm(
        **{n: st.session_state[f"cand_f_{n}"] or "" for n in CandidateForm.__dataclass_fields__}
    )
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
    st.success(
        f"Candidate {saved.codigo} {'created' if saved.created else 'updated'}.", icon=":material/check:"
    )


def _render_import_export() -> None:
    st.markdown("Upload any of the Decision files; records are upserted by code and bad ones reported.")
    c1, c2, c3 = st.columns(3)
    uploads = {
        "applicants": c1.file_uploader("applicants.json", type=["json"], key="rec_up_applicants"),
        "vagas": c2.file_uploader("vagas.json", type=["json"], key="rec_up_vagas"),
        "prospects": c3.file_uploader("prospects.json", type=["json"], key="rec_up_prospects"),
    }
    if st.button("Import", type="primary", key="rec_import", disabled=not any(uploads.values())):
        bar = st.progress(0.0, text="Starting import")
        with tempfile.TemporaryDirectory(prefix="hr-upload-") as tmp:
            paths: dict[str, Path] = {}
            for name, upload in uploads.items():
                if upload is not None:
                    paths[name] = Path(tmp) / f"{name}.json"
                    paths[name].write_bytes(upload.getvalue())
            try:
                result = import_recruiting(
                    engine=get_engine(),
                    actor=actor,
                    storage=get_storage(),
                    progress=lambda f, m: bar.progress(min(1.0, f), text=m),
                    **paths,  # type: ignore[arg-type]
                )
            except HRCoreError as e:
                show_error(e)
                return
        clear_data_caches()
        summary = result.as_dict()
        rows = [{"table": k, **v} for k, v in summary.items() if isinstance(v, dict)]
        st.success("Import finished.", icon=":material/check:")
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="rec_import_result")
        if result.rejects:
            st.warning(f"{len(result.reject_rows)} records were rejected; report saved as {result.rejects}.")
            st.dataframe(pd.DataFrame(result.reject_rows), hide_index=True, key="rec_rejects")
    st.divider()
    prefix = st.text_input("Export to storage folder", value="exports/recruiting", key="rec_export_prefix")
    if st.button("Export JSON files", key="rec_export"):
        try:
            folder = validate_key(prefix.strip("/"))
            out = export_recruiting(engine=get_engine(), actor=actor, out=f"{get_storage().url}/{folder}")
        except HRCoreError as e:
            show_error(e)
            return
        st.success(f"Wrote {', '.join(out['files'])} to {out['out']}.", icon=":material/check:")


st.title("Candidates")
db_url = get_settings().database_url
try:
    totals = _totals(db_url)
except HRCoreError as e:
    show_error(e)
    st.stop()
k1, k2, k3 = st.columns(3)
k1.metric("Candidates", f"{totals['candidates']:,}", border=True)
k2.metric("Prospects", f"{totals['prospects']:,}", border=True)
k3.metric(
    "Prospects whose candidate is not in the database",
    f"{totals['prospects_without_candidate']:,}",
    border=True,
)
search_tab, form_tab, io_tab = st.tabs(["Search", "Create / edit", "Import / export"])
with search_tab:
    try:
        _render_search(db_url)
    except HRCoreError as e:
        show_error(e)
with form_tab:
    _render_form()
with io_tab:
    _render_import_export()
