"""Languages of the interface: gettext catalogs (managed with Babel), plain labels for field names,
and numbers and dates written the way each locale writes them.

The catalogs live in `locales/<locale>/LC_MESSAGES/messages.po` (`make i18n` extracts, updates and
compiles them). A missing or stale `.mo` is compiled from the `.po` in memory when first asked for, so a
fresh clone shows every language without a build step.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from hr_core.paths import find_data_dir

LocaleCode = Literal["en", "pt_BR", "es"]
LOCALES: tuple[LocaleCode, ...] = ("en", "pt_BR", "es")
DEFAULT_LOCALE: LocaleCode = "en"
# Each language is named in itself, so a reader finds their own whatever is shown now.
LOCALE_NAMES: dict[LocaleCode, str] = {"en": "English", "pt_BR": "Português (Brasil)", "es": "Español"}
LOCALES_DIR = find_data_dir("locales")
DOMAIN = "messages"
EMPTY = "—"

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (it is translated where it is shown)."""
    return message


def normalise_locale(value: str | None) -> LocaleCode:
    """One of LOCALES for a stored or requested value ('pt-BR', 'pt_br', 'es_AR'...); English otherwise."""
    text = (value or "").strip().replace("-", "_")
    for code in LOCALES:
        if text.lower() == code.lower():
            return code
    language = text.split("_")[0].lower()
    return next((c for c in LOCALES if c.split("_")[0] == language), DEFAULT_LOCALE)


def catalog_path(locale: str, suffix: str = ".po") -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@functools.cache
def translator(locale: str) -> gettext.NullTranslations:
    """The gettext translations for a locale (English, or a missing catalog: the messages as written)."""
    code = normalise_locale(locale)
    if code == DEFAULT_LOCALE:
        return gettext.NullTranslations()
    po, mo = catalog_path(code), catalog_path(code, ".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(locale: str) -> Gettext:
    """The `_` function of a locale."""
    return translator(locale).gettext


ROLE_LABELS: dict[str, str] = {"analyst": N_("analyst"), "recruiter": N_("recruiter"), "admin": N_("admin")}

TABLE_LABELS: dict[str, str] = {
    "departments": N_("Departments"),
    "jobs": N_("Jobs"),
    "hired_employees": N_("Hired employees"),
}

# --- the vocabulary: field names as people say them ------------------------------------------------
# Every table, column and chart shows these labels, never the database or JSON names.
FIELD_LABELS: dict[str, str] = {
    # candidates
    "codigo": N_("Code"),
    "nome": N_("Name"),
    "email": N_("E-mail"),
    "telefone": N_("Phone"),
    "local": N_("City"),
    "titulo_profissional": N_("Professional title"),
    "area_atuacao": N_("Area"),
    "conhecimentos_tecnicos": N_("Technical skills"),
    "certificacoes": N_("Certifications"),
    "nivel_profissional": N_("Professional level"),
    "nivel_academico": N_("Education"),
    "nivel_ingles": N_("English"),
    "nivel_espanhol": N_("Spanish"),
    "outro_idioma": N_("Other languages"),
    "sexo": N_("Sex"),
    "estado_civil": N_("Marital status"),
    "pcd": N_("Person with disability"),
    "data_nascimento": N_("Birth date"),
    "idade": N_("Age"),
    "foto": N_("Photo"),
    "endereco": N_("Address"),
    "cpf": N_("CPF"),
    "data_criacao": N_("Created"),
    "data_atualizacao": N_("Last update"),
    "cv_pt": N_("CV (Portuguese)"),
    "cv_en": N_("CV (English)"),
    "prospects": N_("Applications"),
    # openings
    "titulo": N_("Title"),
    "cliente": N_("Client"),
    "tipo_contratacao": N_("Contract type"),
    "analista_responsavel": N_("Responsible analyst"),
    "data_requisicao": N_("Requested on"),
    "pais": N_("Country"),
    "estado": N_("State"),
    "cidade": N_("City"),
    "areas_atuacao": N_("Areas"),
    "principais_atividades": N_("Main activities"),
    "competencias": N_("Required skills"),
    "modalidade": N_("Work mode"),
    "in_database": N_("Full record"),
    # prospects
    "vaga_codigo": N_("Opening code"),
    "candidate_codigo": N_("Candidate code"),
    "vaga_titulo": N_("Opening"),
    "situacao": N_("Status"),
    "stage": N_("Stage"),
    "data_candidatura": N_("Applied on"),
    "ultima_atualizacao": N_("Last update"),
    "comentario": N_("Comment"),
    "recrutador": N_("Recruiter"),
    "days_to_last_update": N_("Days to last update"),
    "vaga_in_database": N_("Opening on file"),
    "candidate_in_database": N_("Candidate on file"),
    "opening": N_("Opening on file"),
    "candidate": N_("Candidate on file"),
    # pipeline
    "label": N_("Stage"),
    "at_stage": N_("Now at stage"),
    "reached": N_("Reached"),
    "conversion": N_("Conversion"),
    "total": N_("Total"),
    "month": N_("Month"),
    "approved_rate": N_("Approved rate"),
    "exit_rate": N_("Exit rate"),
    # (a stage's own column, e.g. "approved", takes the stage's label: pipeline_stages.STAGE_LABELS)
    "median_days": N_("Median days"),
    "p25_days": N_("First quartile (days)"),
    "p75_days": N_("Third quartile (days)"),
    "reached_from": N_("Reached the first stage"),
    "reached_to": N_("Went on to the second or later"),
    "rate": N_("Conversion"),
    "opened_on": N_("Opened on"),
    "last_movement": N_("Last movement"),
    "days_without_movement": N_("Days without movement"),
    # hiring data
    "id": N_("ID"),
    "department": N_("Department"),
    "department_id": N_("Department ID"),
    "job": N_("Job"),
    "job_id": N_("Job ID"),
    "name": N_("Name"),
    "datetime": N_("Hired at"),
    "hired": N_("Hires"),
    "hires": N_("Hires"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
    # uploads and rejects
    "line": N_("Line"),
    "raw": N_("Row as read"),
    "reasons": N_("Reasons"),
    "reason": N_("Reason"),
    "rows": N_("Rows"),
    "table": N_("Table"),
    "inserted": N_("Inserted"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "rejected_rows": N_("Rejected"),
    "action": N_("Action"),
    "field": N_("Field"),
    "before": N_("Before"),
    "after": N_("After"),
    # notes and history
    "author": N_("By"),
    "created_at": N_("When"),
    "text": N_("Note"),
    "from_stage": N_("From"),
    "to_stage": N_("To"),
    "changed_at": N_("When"),
    "changed_by": N_("By"),
}


def humanise(name: str) -> str:
    """A readable fallback label for a field the vocabulary does not know ('data_inicio' → 'Data inicio')."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else text


def label(name: str, _: Gettext = str) -> str:
    """The plain label of a field, translated with _."""
    from hr_core.pipeline_stages import STAGE_LABELS  # here, not at the top: it imports N_ from this module

    known = FIELD_LABELS.get(str(name)) or STAGE_LABELS.get(str(name))
    return _(known) if known else humanise(str(name))


def relabel(columns: Iterable[str], _: Gettext = str) -> dict[str, str]:
    """Column name → plain translated label, for renaming a table before it is shown or exported."""
    return {c: label(c, _) for c in columns}


# --- numbers and dates, written per locale --------------------------------------------------------


def _babel_locale(locale: str) -> Locale:
    code = normalise_locale(locale)
    return Locale.parse("en_US" if code == "en" else code)


def format_number(value: float | int | None, locale: str, *, digits: int = 0) -> str:
    """1234567 → '1,234,567' (en), '1.234.567' (pt_BR, es); None or NaN → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_babel_locale(locale))


def format_percent(value: float | None, locale: str, *, digits: int = 1) -> str:
    """0.123 → '12.3%' (en), '12,3%' (pt_BR); None or NaN → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return babel_numbers.format_percent(value, format=pattern, locale=_babel_locale(locale))


def format_date(value: dt.date | dt.datetime | None, locale: str, *, with_time: bool = False) -> str:
    """A date (or date and time) in the locale's medium form; None → '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    try:
        import pandas as pd

        if value is pd.NaT or pd.isna(value):
            return EMPTY
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
    except (ImportError, TypeError, ValueError):
        pass
    where = _babel_locale(locale)
    if with_time and isinstance(value, dt.datetime):
        return babel_dates.format_datetime(value, format="medium", locale=where)
    day = value.date() if isinstance(value, dt.datetime) else value
    return babel_dates.format_date(day, format="medium", locale=where)


def format_month(value: dt.date | dt.datetime | str, locale: str) -> str:
    """'2021-03' or a date → 'Mar 2021' / 'mar. de 2021'."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:7] + "-01")
    day = value.date() if isinstance(value, dt.datetime) else value
    return babel_dates.format_date(day, format="MMM y", locale=_babel_locale(locale))


def month_names(locale: str, *, width: Literal["abbreviated", "wide"] = "abbreviated") -> dict[int, str]:
    """Month number → its name in the locale (1 → 'Jan' / 'jan.' / 'ene')."""
    names = babel_dates.get_month_names(width, context="stand-alone", locale=_babel_locale(locale))
    return {int(k): str(v) for k, v in names.items()}


def show_value(value: Any) -> str:
    """A cell as people read it: None, NaN and blank as '—', everything else as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    text = str(value).strip()
    return text or EMPTY


def translate_values(mapping: Mapping[str, str], _: Gettext) -> dict[str, str]:
    """A mapping whose (N_-marked) values are translated with _."""
    return {k: _(v) for k, v in mapping.items()}
