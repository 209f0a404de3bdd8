"""Render a weekly digest snapshot as HTML (html.py), PDF (pdf.py), CSV and XLSX (tabular.py).

Every format is produced from the same validated snapshot (schema.py) and in the reader's
language (`translation.override`). `render_file` writes one downloadable format to an open
binary file; workers call it (tasks.digest_file_render) and store the result through Django's
storage API (storage.py), never in a web request.
"""

import io
from dataclasses import dataclass
from typing import IO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from dialogues.digests.schema import DigestSnapshot, validate_snapshot
from dialogues.digests.weeks import parse_iso_week


@dataclass(frozen=True)
class DigestFormat:
    extension: str
    content_type: str
    label: Promise


FORMATS: dict[str, DigestFormat] = {
    "pdf": DigestFormat("pdf", "application/pdf", gettext_lazy("PDF, for reading and printing")),
    "csv": DigestFormat("csv", "text/csv; charset=utf-8", gettext_lazy("CSV, one table")),
    "xlsx": DigestFormat(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        gettext_lazy("Excel workbook (XLSX), one sheet per section"),
    ),
}


def digest_filename(week: str, fmt: str, *, edition: str = "public", language: str = "en") -> str:
    """ "trade-digest-2026-W48-public-en.pdf": sorts by week, says what it holds."""
    parse_iso_week(week)
    return f"trade-digest-{week}-{edition}-{language[:2]}.{FORMATS[fmt].extension}"


def render_file(snapshot: DigestSnapshot, target: IO[bytes], *, fmt: str, language: str) -> None:
    """Write `fmt` ("pdf", "csv" or "xlsx") in `language` to the binary file `target`."""
    from dialogues.digests.render import pdf, tabular

    if fmt not in FORMATS:
        raise ValueError(f"Unknown digest format {fmt!r}; expected one of {', '.join(FORMATS)}.")
    validate_snapshot(snapshot)
    if fmt == "csv":
        # The byte-order mark lets Excel read names such as "Perú" as UTF-8.
        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
        try:
            tabular.render_csv(snapshot, text, language=language)
            text.flush()
        finally:
            text.detach()  # leave `target` open for the caller
    elif fmt == "pdf":
        pdf.render_pdf(snapshot, target, language=language)
    else:
        tabular.render_xlsx(snapshot, target, language=language)
