"""CV files to text: plain text in two encodings, PDF, DOCX, and every way a file can be refused."""

from __future__ import annotations

import io

import pytest

from hr_core.errors import InvalidInputError
from hr_core.recruiting.cv_text import MAX_CV_BYTES, FreeProfile, extract_cv_text


def make_pdf(*lines: str) -> bytes:
    """A one-page PDF whose text layer holds lines (Helvetica, WinAnsi), with a correct xref table."""

    def escape(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        ops.append(f"({escape(line)}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_plain_text_in_utf8_and_windows_1252_is_tidied() -> None:
    text = "Analista   SAP FI\r\n\r\n\r\n\r\nExperiência com  S/4HANA\x00"
    assert extract_cv_text(text.encode("utf-8"), "cv.txt") == "Analista SAP FI\n\nExperiência com S/4HANA"
    assert extract_cv_text(text.encode("cp1252"), "CV.TXT") == "Analista SAP FI\n\nExperiência com S/4HANA"


def test_pdf_text_layer_is_read_with_accents() -> None:
    data = make_pdf("Desenvolvedor Android", "Kotlin, Java, MVVM - São Paulo")
    text = extract_cv_text(data, "curriculo.pdf")
    assert "Desenvolvedor Android" in text
    assert "Kotlin, Java, MVVM - São Paulo" in text


def test_docx_paragraphs_and_tables_are_read() -> None:
    data = make_docx(
        "Analista de Infraestrutura", "Redes, Windows Server, AWS", table=[["Inglês", "Avançado"]]
    )
    text = extract_cv_text(data, "cv.docx")
    assert text.splitlines()[:2] == ["Analista de Infraestrutura", "Redes, Windows Server, AWS"]
    assert "Inglês | Avançado" in text


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"x", "cv.doc", "cv.doc: a CV must be a .txt, .pdf, .docx file (got .doc)"),
        (b"x", "cv", "got no extension"),
        (b"%PDF-1.4 garbage", "broken.pdf", "broken.pdf could not be read as a PDF"),
        (b"PK\x03\x04 not a zip", "broken.docx", "broken.docx could not be read as a Word document"),
        (b" \n\t \n", "empty.txt", "empty.txt holds no text; paste"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(data: bytes, name: str, message: str) -> None:
    with pytest.raises(
        InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    ):
        extract_cv_text(data, name)


def test_a_pdf_without_a_text_layer_says_it_may_be_scanned() -> None:
    with pytest.raises(
        InvalidInputError, match=r"scan\.pdf holds no text \(a scanned image has no text layer\)"
    ):
        extract_cv_text(make_pdf(), "scan.pdf")


def test_oversized_files_and_texts_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="at most 10 MB"):
        extract_cv_text(b"a" * (MAX_CV_BYTES + 1), "big.txt")
    with pytest.raises(InvalidInputError, match="a CV may hold at most 100,000"):
        extract_cv_text(b"word " * 30_000, "long.txt")


def test_free_profile_payload_uses_the_predict_fields_and_drops_empty_ones() -> None:
    profile = FreeProfile(
        cv_text=" Kotlin ", titulo_profissional="Dev Android", nivel_ingles="Avançado", cidade=""
    )
    assert profile.as_payload() == {
        "cv_candidato": "Kotlin",
        "titulo_profissional": "Dev Android",
        "ingles": "Avançado",
    }
    assert FreeProfile(cidade="  ").is_empty()
    assert not profile.is_empty()
