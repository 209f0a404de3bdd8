"""Evidence files are recognised by their content, never by their declared type; the name's
extension must agree with the content; macros, image bombs and disguised names are refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from submissions import files
from tests.submissions.conftest import PDF_BYTES, PNG_BYTES
from tests.submissions.upload_set import (
    REFUSED,
    docx_bytes,
    image_bytes,
    jpeg_declaring,
    png_declaring,
    xlsx_bytes,
)


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def detect(content: bytes, name: str = "upload.bin") -> files.FileKind:
    return files.detect_kind(io.BytesIO(content), name=name, size=len(content))


def check(content: bytes, name: str) -> files.CheckedUpload:
    return files.check_upload(io.BytesIO(content), name=name, size=len(content))


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF_BYTES, files.PDF),
        (PNG_BYTES, files.PNG),
        (image_bytes("JPEG"), files.JPEG),
        (zipped("[Content_Types].xml", "word/document.xml"), files.DOCX),
        (docx_bytes(), files.DOCX),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), files.XLSX),
        (xlsx_bytes(), files.XLSX),
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
        (b"\xff\xd8\xff\xda" + b"\x00" * 20, "could not read the size of the image"),
        (b"\xff\xd8\xff\xe0\x00", "could not read the size of the image"),
        (png_declaring(0, 10), "could not read the size of the image"),
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


@pytest.mark.parametrize(("case", "upload"), REFUSED.items(), ids=REFUSED.keys())
def test_every_file_of_the_hostile_upload_set_is_refused(case, upload):
    name, content, reason = upload
    with pytest.raises(ValidationError) as error:
        check(content, name)
    assert reason in error.value.messages[0]


@pytest.mark.parametrize("declaring", [png_declaring, jpeg_declaring])
@pytest.mark.parametrize(
    ("width", "height", "accepted"),
    [
        (8_000, 10_000, True),  # 80 million pixels exactly
        (8_000, 10_001, False),
        (9_248, 6_936, True),  # a 64-megapixel phone camera
        (65_535, 65_535, False),
        (1, 65_535, True),
    ],
)
def test_images_are_held_to_a_pixel_limit_read_from_their_header(
    declaring, width, height, accepted
):
    content = declaring(width, height)
    if accepted:
        assert detect(content).label in {"PNG", "JPEG"}
    else:
        with pytest.raises(ValidationError, match="million pixels we accept"):
            detect(content)


def test_the_pixel_limit_is_explained_in_the_readers_language():
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        detect(png_declaring(100_000, 100_000), name="capture.png")
    with translation.override("fr"):
        message = error.value.messages[0]
    assert message == (
        "capture.png n\u2019a pas été joint\xa0: l\u2019image mesure 100\xa0000 sur 100\xa0000 "
        "pixels, au-delà des 80 millions de pixels que nous acceptons. Envoyez une image plus "
        "petite, par exemple une capture d\u2019écran."
    )


@pytest.mark.parametrize(
    ("name", "content", "kind", "stored"),
    [
        ("Letter from customs.PDF", PDF_BYTES, files.PDF, "Letter from customs.PDF"),
        ("photo.jpeg", image_bytes("JPEG"), files.JPEG, "photo.jpeg"),
        ("photo.JPG", image_bytes("JPEG"), files.JPEG, "photo.JPG"),
        ("scan", PDF_BYTES, files.PDF, "scan.pdf"),
        ("report v1.2", PDF_BYTES, files.PDF, "report v1.2.pdf"),
        ("invoice.pdf.csv", b"total,12\n", files.CSV, "invoice_pdf.csv"),
        ("x.html.png", PNG_BYTES, files.PNG, "x_html.png"),
        ("x.pdf (1).csv", b"a,b\n", files.CSV, "x_pdf (1).csv"),
        ("fa\u0000ct\u202eure.pdf", PDF_BYTES, files.PDF, "facture.pdf"),
    ],
)
def test_accepted_names_end_in_their_type_and_hide_no_other(name, content, kind, stored):
    checked = check(content, name)
    assert checked.kind is kind
    assert checked.name == stored


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("../../etc/passwd", files.CSV, "passwd.csv"),
        ("C:\\Users\\me\\Letter from customs.pdf", files.PDF, "Letter from customs.pdf"),
        ("invoice.pdf.exe", files.PDF, "invoice_pdf_exe.pdf"),
        ("<script>alert(1)</script>.png", files.PNG, "script.png"),
        ("<b onload=x>.png", files.PNG, "b onload_x.png"),
        ("J.P. Morgan letter.pdf", files.PDF, "J_P. Morgan letter.pdf"),
        # A Cyrillic "er" passing for "p".
        ("x.\u0440df", files.PDF, "x_\u0440df.pdf"),
        ("", files.PDF, "evidence.pdf"),
        ("x" * 400 + ".csv", files.CSV, "x" * 140 + ".csv"),
    ],
)
def test_original_names_are_made_safe(name, kind, expected):
    assert files.safe_original_name(name, kind) == expected


def test_the_uploader_is_told_about_removed_control_characters_and_renaming():
    assert files.name_notes("letter.pdf", "letter.pdf") == []
    assert files.name_notes("fa\u0007cture.pdf", "facture.pdf") == [
        "We removed invisible characters (control or formatting characters) from the name of "
        "facture.pdf."
    ]
    assert files.name_notes("invoice.pdf.csv", "invoice_pdf.csv") == [
        "“invoice.pdf.csv” was saved as “invoice_pdf.csv”."
    ]
