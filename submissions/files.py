"""Evidence files: which types we accept, recognised by their content, and safe names.

The browser's file name and declared type are never trusted: the first bytes decide (PDF,
PNG, JPEG), ZIP containers must hold a Word or Excel document, and text must be UTF-8 without
NUL bytes to count as CSV. Files are stored under random names (models.attachment_upload_to)
and served only as downloads with `nosniff` (views.attachment_download).
"""

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_REPORT = 5
# A DOCX/XLSX that unpacks to more than this is refused (a "zip bomb" protects nobody).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str


PDF = FileKind("application/pdf", "pdf", "PDF")
PNG = FileKind("image/png", "png", "PNG")
JPEG = FileKind("image/jpeg", "jpg", "JPEG")
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX"
)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX")
CSV = FileKind("text/csv", "csv", "CSV")
ACCEPTED = (PDF, PNG, JPEG, DOCX, XLSX, CSV)
ACCEPT_ATTRIBUTE = ",".join(
    [".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".csv", *(k.content_type for k in ACCEPTED)]
)


def _refuse(name: str, reason: Any) -> ValidationError:
    return ValidationError(
        _("%(name)s was not attached: %(reason)s"),
        code="refused_file",
        params={"name": name, "reason": reason},
    )


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
    except zipfile.BadZipFile as error:
        raise _refuse(name, _("the file is damaged.")) from error
    if "[Content_Types].xml" in names:
        if any(entry.startswith("word/") for entry in names):
            return DOCX
        if any(entry.startswith("xl/") for entry in names):
            return XLSX
    raise _refuse(name, _("it is a ZIP archive, not a Word (DOCX) or Excel (XLSX) document."))


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
    handle.seek(0)
    return kind


_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def safe_original_name(name: str, kind: FileKind | None = None) -> str:
    """The uploaded name made safe to show and to offer as a download name: no path, no
    control or shell characters, at most 150 characters, ending in the detected extension
    (when `kind` is given)."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    stem, extension = os.path.splitext(name)
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "evidence"
    stem = stem[:140]
    letters = re.sub(r"[^a-z0-9]", "", extension.lower())[:5]
    extension = f".{letters}" if letters else ""
    if kind is not None:
        allowed = {kind.extension, "jpeg"} if kind is JPEG else {kind.extension}
        if extension.lstrip(".") not in allowed:
            extension = f".{kind.extension}"
    return f"{stem}{extension}"
