"""Languages: every visible string has a translation in each catalog; labels, numbers and dates per locale."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from hr_core.i18n import (
    FIELD_LABELS,
    LOCALES,
    catalog_path,
    format_date,
    format_number,
    format_percent,
    gettext_for,
    label,
    normalise_locale,
    translator,
)

REPO = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LOCALES if code != "en"]
_PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _extracted_msgids() -> set[str]:
    """Every _("…") and N_("…") the interface shows, extracted by Babel with the project's babel.cfg."""
    with (REPO / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "N_": None}
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=keywords
        )
        if isinstance(message, str) and message
    }


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    ids = _extracted_msgids()
    assert len(ids) > 100, "the extraction found too few messages; is babel.cfg right?"
    return ids


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_visible_string_has_a_translation(locale: str, msgids: set[str]) -> None:
    with catalog_path(locale).open("rb") as f:
        catalog = read_po(f, locale=locale)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(msgids - set(translated))
    assert not missing, (
        f"{len(missing)} messages have no {locale} translation (run `make i18n`): {missing[:20]}"
    )
    for msgid in msgids:
        assert set(_PLACEHOLDER.findall(msgid)) == set(_PLACEHOLDER.findall(translated[msgid])), (
            f"{locale}: the translation of {msgid!r} must keep its placeholders"
        )


def test_the_catalogs_translate_in_memory_without_compiled_files() -> None:
    translator.cache_clear()
    assert gettext_for("pt_BR")("Candidates") == "Candidatos"
    assert gettext_for("es")("Job openings") == "Vacantes"
    assert gettext_for("en")("Candidates") == "Candidates"
    assert gettext_for("pt_BR")("A message nobody wrote") == "A message nobody wrote"


def test_vocabulary_turns_field_names_into_words() -> None:
    assert label("codigo") == "Code"
    assert label("titulo_profissional") == "Professional title"
    assert label("titulo_profissional", gettext_for("pt_BR")) == "Título profissional"
    assert label("something_new") == "Something new"
    assert all("_" not in text for text in FIELD_LABELS.values())


@pytest.mark.parametrize(
    ("raw", "code"), [("pt-BR", "pt_BR"), ("pt_br", "pt_BR"), ("es_AR", "es"), ("fr", "en"), (None, "en")]
)
def test_locale_names_are_normalised(raw: str | None, code: str) -> None:
    assert normalise_locale(raw) == code


def test_numbers_and_dates_follow_the_locale() -> None:
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(1234567, "pt_BR") == "1.234.567"
    assert format_number(1234.5, "es", digits=1) == "1.234,5"
    assert format_percent(0.123, "en") == "12.3%"
    assert format_percent(0.123, "pt_BR").replace("\xa0", " ") == "12,3%"
    assert format_number(None, "en") == "—"
    day = dt.date(2021, 3, 5)
    assert format_date(day, "en") == "Mar 5, 2021"
    assert format_date(day, "pt_BR") == "5 de mar. de 2021"
    assert format_date(None, "es") == "—"


def test_the_core_language_module_imports_no_ui() -> None:
    code = "import sys, hr_core.i18n; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
