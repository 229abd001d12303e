"""The text of a CV a recruiter pastes or uploads (plain text, PDF or DOCX), and the free profile built
around it, so openings can be recommended for a person who is not in the database.

PDF pages are read with pypdf and Word documents with python-docx (both maintained, pure Python); a
scanned PDF has no text layer, and says so instead of yielding an empty profile. Nothing here stores
anything: a recruiter saves the profile as a candidate explicitly (hr_core.recruiting.editing).
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import Any

from hr_core.errors import InvalidInputError
from hr_core.recruiting.editing import MAX_TEXT

CV_SUFFIXES: tuple[str, ...] = (".txt", ".pdf", ".docx")
MAX_CV_BYTES = 10 * 1024 * 1024
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """One space between words, at most one blank line between paragraphs, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _read_txt(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte is a character in Latin-1: never fails


def _read_pdf(data: bytes, where: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InvalidInputError(
                f"{where} is password-protected; save it without a password or paste its text"
            )
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except InvalidInputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise InvalidInputError(f"{where} could not be read as a PDF ({e}); paste its text instead") from e


def _read_docx(data: bytes, where: str) -> str:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InvalidInputError(
            f"{where} could not be read as a Word document (.docx) ({e}); paste its text instead"
        ) from e
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def extract_cv_text(data: bytes, filename: str) -> str:
    """The tidied text of a CV file (.txt, .pdf or .docx); InvalidInputError naming the file otherwise."""
    where = PurePath(filename).name or "the file"
    suffix = PurePath(filename).suffix.lower()
    if suffix not in CV_SUFFIXES:
        raise InvalidInputError(
            f"{where}: a CV must be a {', '.join(CV_SUFFIXES)} file (got {suffix or 'no extension'})"
        )
    if len(data) > MAX_CV_BYTES:
        raise InvalidInputError(
            f"{where} is {len(data) / 1_048_576:,.1f} MB; a CV file may be at most {MAX_CV_BYTES // 1_048_576} MB"
        )
    if suffix == ".pdf":
        raw = _read_pdf(data, where)
    elif suffix == ".docx":
        raw = _read_docx(data, where)
    else:
        raw = _read_txt(data)
    text = _tidy(raw)
    if not text:
        hint = " (a scanned image has no text layer)" if suffix == ".pdf" else ""
        raise InvalidInputError(f"{where} holds no text{hint}; paste the CV's text instead")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(
            f"{where}: {len(text):,} characters of text; a CV may hold at most {MAX_TEXT:,}"
        )
    return text


@dataclass(frozen=True)
class FreeProfile:
    """A candidate typed into a form or read from a CV, with the fields of the replaced service's predict
    payload. Protected attributes are deliberately absent: recommendations never use them."""

    cv_text: str = ""
    titulo_profissional: str = ""
    area_atuacao: str = ""
    conhecimentos_tecnicos: str = ""
    certificacoes: str = ""
    nivel_profissional: str = ""
    nivel_academico: str = ""
    nivel_ingles: str = ""
    nivel_espanhol: str = ""
    outros_idiomas: str = ""
    cidade: str = ""

    def is_empty(self) -> bool:
        return not any(value.strip() for value in asdict(self).values())

    def as_payload(self) -> dict[str, Any]:
        """The profile as the predict payload's fields (what hr_core.ml.profiles reads); empty ones left out."""
        fields = asdict(self)
        payload = {
            "cv_candidato": fields.pop("cv_text"),
            "ingles": fields.pop("nivel_ingles"),
            "espanhol": fields.pop("nivel_espanhol"),
            **fields,
        }
        return {name: value.strip() for name, value in payload.items() if value.strip()}
