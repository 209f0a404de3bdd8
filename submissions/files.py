"""Evidence files: which types we accept, recognised by their content, and safe names.

The browser's declared type is never trusted: the first bytes decide (PDF, PNG, JPEG), ZIP
containers must hold a Word or Excel document without macros, images must declare a
reasonable size in their header, and text must be UTF-8 without NUL bytes to count as CSV.
The name's extension must then agree with what the content is, so nobody receives a CSV
called `.pdf` or a page called `.png.html`. Files are stored under random names
(models.attachment_upload_to) and served only as downloads with `nosniff`
(views.attachment_download). `check_upload` is the one entry point; services call it.
"""

import os
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_REPORT = 5
# A DOCX/XLSX that unpacks to more than this is refused (a "zip bomb" protects nobody).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
# Width x height declared in an image's header. Above every common phone camera (64 MP) and
# below the size at which image libraries start to refuse ("decompression bombs"): an image
# declaring billions of pixels takes gigabytes of memory to open, whatever its file size.
MAX_IMAGE_PIXELS = 80_000_000
# How far into a JPEG we look for its size (metadata segments come first).
MAX_JPEG_SEGMENTS = 200
MAX_NAME_LENGTH = 150


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str
    other_extensions: tuple[str, ...] = ()

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.other_extensions)


PDF = FileKind("application/pdf", "pdf", "PDF")
PNG = FileKind("image/png", "png", "PNG")
JPEG = FileKind("image/jpeg", "jpg", "JPEG", ("jpeg",))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX"
)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX")
CSV = FileKind("text/csv", "csv", "CSV")
ACCEPTED = (PDF, PNG, JPEG, DOCX, XLSX, CSV)
ACCEPTED_EXTENSIONS = frozenset(extension for kind in ACCEPTED for extension in kind.extensions)
ACCEPT_ATTRIBUTE = ",".join(
    [".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".csv", *(k.content_type for k in ACCEPTED)]
)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that may be stored: what it is, and the name to show and download it by."""

    kind: FileKind
    name: str


def _refuse(name: str, reason: Any) -> ValidationError:
    return ValidationError(
        _("%(name)s was not attached: %(reason)s"),
        code="refused_file",
        params={"name": name, "reason": reason},
    )


# --- Office documents -------------------------------------------------------------------------

# Parts that carry code: VBA projects (and their signatures), Excel 4 macro sheets, ActiveX
# controls. Part names in an Office file are case-insensitive.
_MACRO_PART_NAMES = frozenset(
    {
        "vbaproject.bin",
        "vbaprojectsignature.bin",
        "vbaprojectsignatureagile.bin",
        "vbaprojectsignaturev3.bin",
        "vbadata.xml",
    }
)
_MACRO_FOLDERS = frozenset({"activex", "macrosheets"})
# Content types a macro-enabled document declares (docm, xlsm, dotm, xltm, xlam...).
_MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "activex", "macrosheet")
MAX_CONTENT_TYPES_BYTES = 1024 * 1024


def _carries_macros(archive: zipfile.ZipFile, names: list[str]) -> bool:
    for name in names:
        parts = name.lower().split("/")
        if parts[-1] in _MACRO_PART_NAMES or _MACRO_FOLDERS.intersection(parts[:-1]):
            return True
    declared = next((n for n in names if n.lower() == "[content_types].xml"), None)
    if declared is None:
        return False
    entry = archive.getinfo(declared)
    if entry.file_size > MAX_CONTENT_TYPES_BYTES:
        return True  # no genuine document declares a megabyte of types
    content_types = archive.read(entry).decode("utf-8", errors="replace").lower()
    return any(marker in content_types for marker in _MACRO_CONTENT_TYPES)


def _zip_kind(handle: IO[bytes], name: str) -> FileKind:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or (
                sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES
            ):
                raise _refuse(name, _("the document is too large once unpacked."))
            names = [entry.filename for entry in entries]
            macros = _carries_macros(archive, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise _refuse(name, _("the file is damaged.")) from error
    if macros:
        raise _refuse(
            name,
            _(
                "it contains macros or ActiveX controls, which can run programs on the reader's "
                "computer. Save it without macros (as .docx or .xlsx) or as a PDF, and try again."
            ),
        )
    lowered = [entry.lower() for entry in names]
    if "[content_types].xml" in lowered:
        if any(entry.startswith("word/") for entry in lowered):
            return DOCX
        if any(entry.startswith("xl/") for entry in lowered):
            return XLSX
    raise _refuse(name, _("it is a ZIP archive, not a Word (DOCX) or Excel (XLSX) document."))


# --- Images -------------------------------------------------------------------------------------

# JPEG "start of frame" markers, which carry the image size (not DHT C4, JPG C8, DAC CC).
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM, restart markers, start and end of image.
_JPEG_BARE_MARKERS = frozenset({0x01, *range(0xD0, 0xDA)})
_JPEG_START_OF_SCAN = 0xDA


def _png_size(handle: IO[bytes]) -> tuple[int, int] | None:
    """Width and height from the IHDR chunk, which must come first (PNG specification 5.6)."""
    handle.seek(8)
    header = handle.read(16)
    if len(header) < 16:
        return None
    length, chunk_type, width, height = struct.unpack(">I4sII", header)
    if length != 13 or chunk_type != b"IHDR":
        return None
    return width, height


def _jpeg_size(handle: IO[bytes]) -> tuple[int, int] | None:
    """Width and height from the first start-of-frame segment, skipping metadata segments
    by their length: nothing is decoded."""
    handle.seek(2)
    for _segment in range(MAX_JPEG_SEGMENTS):
        byte = handle.read(1)
        if byte != b"\xff":
            return None
        marker = handle.read(1)
        while marker == b"\xff":  # fill bytes
            marker = handle.read(1)
        if not marker:
            return None
        code = marker[0]
        if code in _JPEG_BARE_MARKERS:
            continue
        if code == _JPEG_START_OF_SCAN:
            return None  # image data before any size: not a JPEG we can read
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            return None
        if code in _JPEG_FRAME_MARKERS:
            frame = handle.read(5)
            if len(frame) < 5:
                return None
            _precision, height, width = struct.unpack(">BHH", frame)
            return width, height
        handle.seek(length - 2, os.SEEK_CUR)
    return None


def _check_image_size(handle: IO[bytes], kind: FileKind, name: str) -> None:
    size = _png_size(handle) if kind is PNG else _jpeg_size(handle)
    if size is None or 0 in size:
        raise _refuse(name, _("we could not read the size of the image: the file is damaged."))
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise _refuse(
            name,
            _(
                "the image is %(width)s by %(height)s pixels, more than the %(limit)s million "
                "pixels we accept. Send a smaller image, for example a screenshot."
            )
            % {
                "width": number_format(width, force_grouping=True),
                "height": number_format(height, force_grouping=True),
                "limit": MAX_IMAGE_PIXELS // 1_000_000,
            },
        )


# --- Text ----------------------------------------------------------------------------------------


def _is_csv_text(handle: IO[bytes]) -> bool:
    handle.seek(0)
    data = handle.read()
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    # Markup is not a spreadsheet, whatever its name says.
    return not text.lstrip().startswith("<")


def detect_kind(handle: IO[bytes], *, name: str, size: int) -> FileKind:
    """The accepted type of an uploaded file, from its content; ValidationError otherwise."""
    if size == 0:
        raise _refuse(name, _("the file is empty."))
    if size > MAX_ATTACHMENT_BYTES:
        raise _refuse(name, _("it is larger than 10 MB. Send a smaller file or a PDF extract."))
    handle.seek(0)
    head = handle.read(8)
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(handle, name)
    elif _is_csv_text(handle):
        kind = CSV
    else:
        raise _refuse(
            name,
            _("we accept PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) and CSV files only."),
        )
    if kind in (PNG, JPEG):
        _check_image_size(handle, kind, name)
    handle.seek(0)
    return kind


# --- Names ---------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)
# A dot that starts a word of letters, as in "x.png" or "invoice.pdf (1)": inside a name it
# reads as an extension, so it becomes "_" ("x_png"). Dots in "v1.2" or "Dr. Smith" stay.
_INNER_EXTENSION = re.compile(r"\.(?=[^\W\d_]\w{0,7}(?!\w))", re.UNICODE)
# What counts as an extension: word characters with at least one letter ("pdf", "mp4").
_EXTENSION = re.compile(r"\w*[^\W\d_]\w*", re.UNICODE)


def has_control_characters(name: str) -> bool:
    """Invisible characters (control, format such as right-to-left overrides, unassigned)."""
    return any(unicodedata.category(char)[0] == "C" for char in unicodedata.normalize("NFKC", name))


def _plain_name(name: str) -> str:
    """No folders, no control characters, no surrounding spaces."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()


def readable_name(name: str) -> str:
    """The uploaded name as the person knows it, for messages: no folders, no control
    characters, at most 150 characters. Not for storage or downloads (safe_original_name)."""
    name = _plain_name(name)
    if len(name) > MAX_NAME_LENGTH:
        name = name[: MAX_NAME_LENGTH - 1] + "…"
    return name or "evidence"


def _split_extension(name: str) -> tuple[str, str]:
    """(stem, extension) as a person or an operating system reads the name: the last
    extension, after trailing dots and spaces (which Windows drops) are removed."""
    name = _plain_name(name).rstrip(". ")
    stem, extension = os.path.splitext(name)
    if _EXTENSION.fullmatch(extension[1:]):
        return stem, extension[1:]
    return name, ""


def name_extension(name: str) -> str:
    """The extension the name ends in, lower case; "" without one."""
    return _split_extension(name)[1].lower()


def safe_original_name(name: str, kind: FileKind) -> str:
    """The uploaded name made safe to show and to offer as a download name: no folders, no
    control or shell characters, no inner extension that could pass for the file's type,
    at most 150 characters, ending in the detected type's extension."""
    stem, extension = _split_extension(name)
    if extension.lower() not in kind.extensions:
        stem, extension = _plain_name(name).rstrip(". "), kind.extension
    stem = _INNER_EXTENSION.sub("_", stem)
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "evidence"
    return f"{stem[: MAX_NAME_LENGTH - 10]}.{extension}"


def check_upload(handle: IO[bytes], *, name: str, size: int) -> CheckedUpload:
    """Whether an upload may be stored, and under which name; ValidationError saying why not.

    The content decides the type; the name's extension must agree with it (a file without
    an extension gets the type's)."""
    shown = readable_name(name)
    kind = detect_kind(handle, name=shown, size=size)
    extension = name_extension(name)
    if extension and extension not in ACCEPTED_EXTENSIONS:
        raise _refuse(
            shown,
            _(
                "files ending in .%(extension)s are not accepted. We accept PDF, PNG, JPEG, "
                "Word (DOCX), Excel (XLSX) and CSV files."
            )
            % {"extension": extension},
        )
    if extension and extension not in kind.extensions:
        raise _refuse(
            shown,
            _(
                "its name ends in .%(extension)s but it is not a %(expected)s file: its content "
                "is %(label)s. Check that you chose the right file, or save it again in the "
                "format its name says."
            )
            % {
                "extension": extension,
                "expected": next(k.label for k in ACCEPTED if extension in k.extensions),
                "label": kind.label,
            },
        )
    return CheckedUpload(kind=kind, name=safe_original_name(name, kind))


def name_notes(original: str, stored: str) -> list[str]:
    """What to tell the uploader about the name we stored their file under; `original` is
    the name as their browser sent it (portal.uploads.name_as_sent)."""
    notes = []
    if has_control_characters(original):
        notes.append(
            str(
                _(
                    "We removed invisible characters (control or formatting characters) from "
                    "the name of %(name)s."
                )
                % {"name": stored}
            )
        )
    shown = readable_name(original)
    if shown != stored:
        notes.append(
            str(_("“%(original)s” was saved as “%(name)s”.") % {"original": shown, "name": stored})
        )
    return notes
