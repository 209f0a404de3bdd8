"""Evidence files are recognised by their content, never by their name or declared type."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from submissions import files
from tests.submissions.conftest import PDF_BYTES, PNG_BYTES


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def detect(content: bytes, name: str = "upload.bin") -> files.FileKind:
    return files.detect_kind(io.BytesIO(content), name=name, size=len(content))


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF_BYTES, files.PDF),
        (PNG_BYTES, files.PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, files.JPEG),
        (zipped("[Content_Types].xml", "word/document.xml"), files.DOCX),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), files.XLSX),
        ("market,fee\nUS,35\nEU,12 €\n".encode(), files.CSV),
        ("\ufeffcolonne;frais\n".encode(), files.CSV),
    ],
)
def test_accepted_types_are_recognised_by_content(content, kind):
    assert detect(content, name="whatever.exe") is kind


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "we accept PDF"),
        (zipped("[Content_Types].xml", "ppt/slide1.xml"), "not a Word"),
        (zipped("evil.sh"), "not a Word"),
        (b"PK\x03\x04 broken", "damaged"),
        (b"name\x00,value\n", "we accept PDF"),
        ("caf\xe9".encode("latin-1"), "we accept PDF"),
        (b"<html><script>alert(1)</script></html>", "we accept PDF"),
        (b"", "empty"),
    ],
)
def test_other_content_is_refused_with_a_reason(content, reason):
    with pytest.raises(ValidationError) as error:
        detect(content, name="report.pdf")
    message = error.value.messages[0]
    assert message.startswith("report.pdf was not attached:")
    assert reason in message


def test_files_over_ten_megabytes_are_refused_before_reading():
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        files.detect_kind(io.BytesIO(PDF_BYTES), name="big.pdf", size=10 * 1024 * 1024 + 1)


def test_zip_bombs_are_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_UNCOMPRESSED_BYTES", 10)
    with pytest.raises(ValidationError, match="too large once unpacked"):
        detect(zipped("[Content_Types].xml", "word/document.xml"))


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("../../etc/passwd", files.CSV, "passwd.csv"),
        ("C:\\Users\\me\\Letter from customs.PDF", files.PDF, "Letter from customs.pdf"),
        ("photo.jpeg", files.JPEG, "photo.jpeg"),
        ("invoice.pdf.exe", files.PDF, "invoice.pdf.pdf"),
        ("<script>alert(1)</script>.png", files.PNG, "script.png"),
        ("<b onload=x>.png", files.PNG, "b onload_x.png"),
        ("fa\u0000ct\u202eure.pdf", files.PDF, "facture.pdf"),
        ("", files.PDF, "evidence.pdf"),
        ("x" * 400 + ".csv", files.CSV, "x" * 140 + ".csv"),
    ],
)
def test_original_names_are_made_safe(name, kind, expected):
    assert files.safe_original_name(name, kind) == expected
