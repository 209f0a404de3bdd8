"""The hostile upload set: files built the way attackers (and careless tools) build them.

Genuine images come from Pillow and genuine spreadsheets from openpyxl; the hostile parts are
added the way Office adds them (a VBA project, a macro-enabled content type, ActiveX
controls), and oversized images carry a real header declaring billions of pixels with
nothing behind it, since nothing should ever decode them.
"""

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook
from PIL import Image

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image_bytes(image_format: str, width: int = 4, height: int = 3) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


def _png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares width x height; a few bytes of pixel data follow."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int, *, metadata_bytes: int = 0) -> bytes:
    """A real JPEG whose start-of-frame segment is patched to declare width x height, after
    an optional large metadata (APP1) segment, as cameras write them."""
    jpeg = bytearray(image_bytes("JPEG"))
    frame = jpeg.index(b"\xff\xc0")
    jpeg[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    if metadata_bytes:
        segment = b"\xff\xe1" + struct.pack(">H", metadata_bytes + 2) + b"E" * metadata_bytes
        jpeg[2:2] = segment
    return bytes(jpeg)


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["market", "fee"])
    sheet.append(["US", 35])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# The start of an OLE compound file, as in every vbaProject.bin.
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def office_with(
    document: bytes, *, add: dict[str, bytes], content_types: tuple[str, str] | None = None
) -> bytes:
    """`document` with parts added and, optionally, one content type replaced by another."""
    source = zipfile.ZipFile(io.BytesIO(document))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "[Content_Types].xml" and content_types is not None:
                data = data.replace(content_types[0].encode(), content_types[1].encode())
                assert content_types[1].encode() in data
            archive.writestr(entry, data)
        for name, data in add.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def xlsx_with_vba_project() -> bytes:
    """What Excel writes as .xlsm, renamed .xlsx: a VBA project and the macro content type."""
    return office_with(
        xlsx_bytes(),
        add={"xl/vbaProject.bin": OLE_HEADER},
        content_types=(XLSX_MAIN, XLSM_MAIN),
    )


# Each file that must be refused: (name, content, what the refusal says).
REFUSED = {
    "text named .pdf": (
        "prices.pdf",
        b"market,fee\nUS,35\n",
        "its name ends in .pdf but it is not a PDF file: its content is CSV",
    ),
    "PNG named .pdf": (
        "letter.pdf",
        image_bytes("PNG"),
        "its name ends in .pdf but it is not a PDF file: its content is PNG",
    ),
    "xlsx with a VBA project": (
        "budget.xlsx",
        xlsx_with_vba_project(),
        "it contains macros or ActiveX controls",
    ),
    "vbaProject.bin alone, content types untouched": (
        "budget.xlsx",
        office_with(xlsx_bytes(), add={"xl/vbaProject.bin": OLE_HEADER}),
        "it contains macros or ActiveX controls",
    ),
    "macro-enabled content type alone": (
        "budget.xlsx",
        office_with(xlsx_bytes(), add={}, content_types=(XLSX_MAIN, XLSM_MAIN)),
        "it contains macros or ActiveX controls",
    ),
    "docm renamed .docx": (
        "letter.docx",
        office_with(docx_bytes(), add={"word/vbaProject.bin": OLE_HEADER}),
        "it contains macros or ActiveX controls",
    ),
    "ActiveX control in a spreadsheet": (
        "form.xlsx",
        office_with(xlsx_bytes(), add={"xl/activeX/activeX1.xml": b"<ax:ocx/>"}),
        "it contains macros or ActiveX controls",
    ),
    "Excel 4 macro sheet": (
        "old.xlsx",
        office_with(xlsx_bytes(), add={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
        "it contains macros or ActiveX controls",
    ),
    "PNG declaring ten billion pixels": (
        "screenshot.png",
        png_declaring(100_000, 100_000),
        "the image is 100,000 by 100,000 pixels, more than the 80 million pixels we accept",
    ),
    "JPEG declaring four billion pixels behind its metadata": (
        "photo.jpg",
        jpeg_declaring(65_535, 65_535, metadata_bytes=60_000),
        "the image is 65,535 by 65,535 pixels",
    ),
    "PNG with its size chunk missing": (
        "broken.png",
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IEND", b""),
        "we could not read the size of the image",
    ),
    "double extension ending in .html": (
        "x.png.html",
        image_bytes("PNG"),
        "files ending in .html are not accepted",
    ),
    "page named .png": (
        "x.html.png",
        b"<html><script>alert(1)</script></html>",
        "we accept PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) and CSV files only",
    ),
    "executable named .pdf.exe": (
        "invoice.pdf.exe",
        PDF_BYTES,
        "files ending in .exe are not accepted",
    ),
    "right-to-left override hiding .exe": (
        "invoice\u202egpj.exe",
        image_bytes("JPEG"),
        "invoicegpj.exe was not attached: files ending in .exe are not accepted",
    ),
    "extension hidden by a trailing dot": (
        "x.html.",
        b"name,value\n",
        "files ending in .html are not accepted",
    ),
}
