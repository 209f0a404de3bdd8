"""Render a weekly digest snapshot as HTML, PDF, CSV and XLSX.

Every format is produced from the same validated snapshot (digest_snapshot.py) and in the
reader's language (`translation.override`): headings and labels are translated here, names
are picked from the snapshot's per-language names. The web page and the PDF share one
template, templates/dialogues/digests/digest_body.html; the PDF adds page numbers and a table
of contents with page references through static/css/digest-print.css, which only WeasyPrint
reads (the web page keeps to the site's CSP: no inline styles, no scripts).

CSV and XLSX share one description of the tables (`SECTIONS`): the CSV is one file with a
`section` column and stable, machine-friendly column names; the workbook has one sheet per
section with translated headers, a frozen header row and typed cells.

Files are written atomically (`atomic_write`): to a temporary file in the target directory,
then moved into place with os.replace, so a reader never sees a half-written digest.
"""

import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dialogues import digest_charts
from dialogues.digest_snapshot import (
    RESOLVED_STATUSES,
    DigestSnapshot,
    ReportItem,
    iso_week_bounds,
    parse_iso_week,
    validate_snapshot,
)

# The snapshot's sections that list reports by group, and those that count reports.
_GroupSection = Literal["reports_by_market", "reports_by_topic"]
_CountSection = Literal["by_topic", "by_market"]

# --- Labels ------------------------------------------------------------------------------

STATUS_LABELS: dict[str, Promise] = {
    "draft": gettext_lazy("Draft"),
    "submitted": gettext_lazy("Submitted"),
    "changes_requested": gettext_lazy("Changes requested"),
    "published": gettext_lazy("Published"),
    "rejected": gettext_lazy("Rejected"),
    "duplicate": gettext_lazy("Duplicate"),
    "resolved_in_part": gettext_lazy("Resolved in part"),
    "resolved_in_full": gettext_lazy("Resolved in full"),
    "archived": gettext_lazy("Archived"),
}
VISIBILITY_LABELS: dict[str, Promise] = {
    "public": gettext_lazy("Public"),
    "anonymised": gettext_lazy("Anonymised"),
    "officials_only": gettext_lazy("Officials only"),
}
FIGURE_LABELS: dict[str, Promise] = {
    "new_reports": gettext_lazy("New reports published"),
    "cosignatures": gettext_lazy("Co-signatures"),
    "status_changes": gettext_lazy("Status changes"),
    "resolved_reports": gettext_lazy("Barriers resolved"),
    "new_threads": gettext_lazy("New dialogue threads"),
    "posts": gettext_lazy("Posts in dialogues"),
    "official_responses": gettext_lazy("Official responses"),
}
EDITION_LABELS: dict[str, Promise] = {
    "public": gettext_lazy("Public edition"),
    "officials": gettext_lazy("Edition for officials"),
    "personal": gettext_lazy("Your personalised edition"),
}
SECTION_TITLES: dict[str, Promise] = {
    "figures": gettext_lazy("The week in figures"),
    "charts": gettext_lazy("Charts"),
    "reports_by_market": gettext_lazy("New reports by market"),
    "reports_by_topic": gettext_lazy("New reports by topic"),
    "most_cosigned": gettext_lazy("Most co-signed reports"),
    "status_changes": gettext_lazy("Status changes"),
    "active_threads": gettext_lazy("Most active threads"),
    "official_responses": gettext_lazy("Official responses"),
    "trend": gettext_lazy("Trend over 12 weeks"),
    "by_topic": gettext_lazy("Reports by topic"),
    "by_market": gettext_lazy("Reports by market"),
}


def label(labels: dict[str, Promise], code: str) -> str:
    return str(labels[code]) if code in labels else code


def localise(names: dict[str, str] | str | None, language: str | None = None) -> str:
    """The name in `language` (default: the active one), else English, else any name."""
    if names is None:
        return ""
    if isinstance(names, str):
        return names
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def localised_path(path: str, language: str) -> str:
    """A site path in `language`: English has no prefix, French and Spanish do."""
    if not path.startswith("/") or language[:2] == settings.LANGUAGE_CODE:
        return path
    return f"/{language[:2]}{path}"


def absolute_url(path: str, language: str) -> str:
    if not path.startswith("/"):
        return path
    return settings.SITE_URL + localised_path(path, language)


def _datetime(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _date(value: str) -> dt.date:
    """An ISO date, or the UTC date of an ISO datetime."""
    if "T" in value:
        return _datetime(value).astimezone(dt.UTC).date()
    return dt.date.fromisoformat(value)


def change_text(value: int, previous: int) -> str:
    change = value - previous
    if change == 0:
        return _("no change")
    # U+2212 MINUS SIGN reads better than a hyphen in figures.
    return f"+{change}" if change > 0 else f"\u2212{-change}"


# --- File names and content types ----------------------------------------------------------


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


# --- The view model shared by the web page and the PDF ----------------------------------


def _report(item: ReportItem, link: Callable[[str], str], language: str) -> dict[str, Any]:
    market = item["market"]
    return {
        "reference": item["reference"],
        "title": item["title"],
        "summary": item["summary"],
        "market": localise(market["name"], language) if market else "",
        "market_code": market["code"] if market else "",
        "topics": [localise(topic["name"], language) for topic in item["topics"]],
        "topic_codes": [topic["code"] for topic in item["topics"]],
        "organisation": localise(item["organisation"], language),
        "visibility": item["visibility"],
        "status": label(STATUS_LABELS, item["status"]),
        "published_at": _datetime(item["published_at"]),
        "url": link(item["url"]),
        "cosignatures": item["cosignatures"],
        # Marked up with lang="..." where it differs from the page, for screen readers.
        "language": item.get("language", "") if item.get("language", "") != language else "",
    }


def digest_context(
    snapshot: DigestSnapshot, *, language: str, absolute_links: bool = False
) -> dict[str, Any]:
    """Everything digest_body.html needs, with names and labels in `language`.

    Call inside `translation.override(language)`; render_html and render_pdf do.
    """
    validate_snapshot(snapshot)

    def link(path: str) -> str:
        return absolute_url(path, language) if absolute_links else localised_path(path, language)

    year, week_number = parse_iso_week(snapshot["week"])
    edition = snapshot["edition"]

    def groups(section: _GroupSection) -> list[dict[str, Any]]:
        return [
            {
                "code": group["code"],
                "name": localise(group["name"], language),
                "reports": [_report(item, link, language) for item in group["reports"]],
            }
            for group in snapshot[section]
        ]

    status_changes = [
        {
            "reference": item["reference"],
            "title": item["title"],
            "market": localise(item["market"]["name"], language) if item["market"] else "",
            "visibility": item["visibility"],
            "from_status": label(STATUS_LABELS, item["from_status"]),
            "to_status": label(STATUS_LABELS, item["to_status"]),
            "resolved": item["to_status"] in RESOLVED_STATUSES,
            "changed_at": _datetime(item["changed_at"]),
            "url": link(item["url"]),
        }
        for item in snapshot["status_changes"]
    ]
    charts = [
        digest_charts.topic_chart(
            [(localise(row["name"], language), row["count"]) for row in snapshot["by_topic"]]
        ),
        digest_charts.market_chart(
            [(localise(row["name"], language), row["count"]) for row in snapshot["by_market"]]
        ),
        digest_charts.trend_chart([(point["week"], point["count"]) for point in snapshot["trend"]]),
    ]
    chart_headers = [_("Topic"), _("Market"), _("Week")]
    context = {
        "language": language,
        "site_name": settings.SITE_NAME,
        "digest": {
            "week": snapshot["week"],
            "year": year,
            "week_number": week_number,
            "start": _date(snapshot["week_start"]),
            "end": _date(snapshot["week_end"]),
            "compiled_at": _datetime(snapshot["compiled_at"]),
            "edition_kind": edition["kind"],
            "edition_label": label(EDITION_LABELS, edition["kind"]),
            "edition_markets": [localise(item["name"], language) for item in edition["markets"]],
            "edition_topics": [localise(item["name"], language) for item in edition["topics"]],
            "includes_officials_only": edition["kind"] != "public",
        },
        "figures": [
            {
                "key": figure["key"],
                "label": label(FIGURE_LABELS, figure["key"]),
                "value": figure["value"],
                "previous": figure["previous"],
                "change": change_text(figure["value"], figure["previous"]),
            }
            for figure in snapshot["figures"]
        ],
        "charts": [
            {
                "id": chart.html_id,
                "title": chart.title,
                "description": chart.description,
                # Safe: digest_charts escapes every piece of text it puts in the markup.
                "svg": mark_safe(chart.svg),  # noqa: S308
                "rows": chart.rows,
                "label_header": header,
            }
            for chart, header in zip(charts, chart_headers, strict=True)
        ],
        "reports_by_market": groups("reports_by_market"),
        "reports_by_topic": groups("reports_by_topic"),
        "most_cosigned": [_report(item, link, language) for item in snapshot["most_cosigned"]],
        "resolved": [item for item in status_changes if item["resolved"]],
        "other_status_changes": [item for item in status_changes if not item["resolved"]],
        "active_threads": [
            {
                "title": item["title"],
                "theme": localise(item["theme"]["name"], language) if item["theme"] else "",
                "visibility": item["visibility"],
                "posts": item["posts"],
                "participants": item["participants"],
                "last_post_at": _datetime(item["last_post_at"]),
                "url": link(item["url"]),
            }
            for item in snapshot["active_threads"]
        ],
        "official_responses": [
            {
                "title": item["title"],
                "author": item["author"],
                "organisation": localise(item["organisation"], language),
                "excerpt": item["excerpt"],
                "posted_at": _datetime(item["posted_at"]),
                "visibility": item["visibility"],
                "report_reference": item.get("report_reference", ""),
                "url": link(item["url"]),
            }
            for item in snapshot["official_responses"]
        ],
    }
    context["contents"] = [
        (f"digest-{key}", label(SECTION_TITLES, key))
        for key in (
            "figures",
            "charts",
            "reports_by_market",
            "reports_by_topic",
            "most_cosigned",
            "status_changes",
            "active_threads",
            "official_responses",
        )
    ]
    return context


def render_html(
    snapshot: DigestSnapshot,
    *,
    language: str,
    downloads: Iterable[dict[str, str]] = (),
    absolute_links: bool = False,
) -> str:
    """The digest's HTML fragment (digest_body.html), as the web page includes it."""
    with translation.override(language):
        context = digest_context(snapshot, language=language, absolute_links=absolute_links)
        context["downloads"] = list(downloads)
        return render_to_string("dialogues/digests/digest_body.html", context)


# --- PDF -------------------------------------------------------------------------------------


def _static_text(relative_path: str) -> str:
    found = finders.find(relative_path)
    path = Path(found) if found else Path(settings.BASE_DIR) / "static" / relative_path
    return path.read_text(encoding="utf-8")


def render_pdf(snapshot: DigestSnapshot, target: IO[bytes], *, language: str) -> None:
    """Write the digest as an A4 PDF (page numbers, table of contents) to `target`."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    with translation.override(language):
        context = digest_context(snapshot, language=language, absolute_links=True)
        context["for_pdf"] = True
        html = render_to_string("dialogues/digests/digest_pdf.html", context)
    # Nothing in a digest needs fetching: charts are inline SVG, CSS is read from disk. Refusing
    # every other scheme keeps WeasyPrint from ever reaching the network or the file system.
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheets = [CSS(string=_static_text("css/digest-print.css"), url_fetcher=fetcher)]
    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=fetcher)
    document.write_pdf(target, stylesheets=stylesheets)


# --- Tables: CSV and XLSX -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the CSV column name: stable, never translated
    header: Promise  # the spreadsheet header, translated
    kind: str = "text"  # text | int | date
    width: int = 18


@dataclass(frozen=True)
class Section:
    key: str
    columns: tuple[Column, ...]
    rows: Callable[[DigestSnapshot, str], Iterator[dict[str, Any]]]

    @property
    def title(self) -> str:
        return label(SECTION_TITLES, self.key)


def _report_row(item: ReportItem, language: str) -> dict[str, Any]:
    market = item["market"]
    return {
        "reference": item["reference"],
        "title": item["title"],
        "summary": item["summary"],
        "market_code": market["code"] if market else "",
        "market": localise(market["name"], language) if market else "",
        "topic_codes": "; ".join(topic["code"] for topic in item["topics"]),
        "topics": "; ".join(localise(topic["name"], language) for topic in item["topics"]),
        "organisation": localise(item["organisation"], language),
        "visibility": label(VISIBILITY_LABELS, item["visibility"]),
        "status": label(STATUS_LABELS, item["status"]),
        "date": _date(item["published_at"]),
        "cosignatures": item["cosignatures"],
        "url": absolute_url(item["url"], language),
    }


def _figure_rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
    for figure in snapshot["figures"]:
        yield {
            "code": figure["key"],
            "name": label(FIGURE_LABELS, figure["key"]),
            "count": figure["value"],
            "previous_count": figure["previous"],
            "change": figure["value"] - figure["previous"],
        }


def _grouped_rows(
    section: _GroupSection,
) -> Callable[[DigestSnapshot, str], Iterator[dict[str, Any]]]:
    def rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
        for group in snapshot[section]:
            for item in group["reports"]:
                yield {
                    "code": group["code"],
                    "name": localise(group["name"], language),
                    **_report_row(item, language),
                }

    return rows


def _most_cosigned_rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
    for rank, item in enumerate(snapshot["most_cosigned"], start=1):
        yield {"rank": rank, **_report_row(item, language)}


def _status_change_rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
    for item in snapshot["status_changes"]:
        market = item["market"]
        yield {
            "reference": item["reference"],
            "title": item["title"],
            "market_code": market["code"] if market else "",
            "market": localise(market["name"], language) if market else "",
            "visibility": label(VISIBILITY_LABELS, item["visibility"]),
            "from_status": label(STATUS_LABELS, item["from_status"]),
            "to_status": label(STATUS_LABELS, item["to_status"]),
            "date": _date(item["changed_at"]),
            "url": absolute_url(item["url"], language),
        }


def _thread_rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
    for rank, item in enumerate(snapshot["active_threads"], start=1):
        theme = item["theme"]
        yield {
            "rank": rank,
            "title": item["title"],
            "code": theme["code"] if theme else "",
            "name": localise(theme["name"], language) if theme else "",
            "visibility": label(VISIBILITY_LABELS, item["visibility"]),
            "count": item["posts"],
            "participants": item["participants"],
            "date": _date(item["last_post_at"]),
            "url": absolute_url(item["url"], language),
        }


def _response_rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
    for item in snapshot["official_responses"]:
        yield {
            "title": item["title"],
            "reference": item.get("report_reference", ""),
            "author": item["author"],
            "organisation": localise(item["organisation"], language),
            "visibility": label(VISIBILITY_LABELS, item["visibility"]),
            "date": _date(item["posted_at"]),
            "excerpt": item["excerpt"],
            "url": absolute_url(item["url"], language),
        }


def _trend_rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
    for point in snapshot["trend"]:
        yield {
            "code": point["week"],
            "date": iso_week_bounds(point["week"])[0].date(),
            "count": point["count"],
        }


def _count_rows(
    section: _CountSection,
) -> Callable[[DigestSnapshot, str], Iterator[dict[str, Any]]]:
    def rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
        for item in snapshot[section]:
            yield {
                "code": item["code"],
                "name": localise(item["name"], language),
                "count": item["count"],
            }

    return rows


def _report_columns(*, date_header: Promise) -> tuple[Column, ...]:
    return (
        Column("reference", gettext_lazy("Reference"), width=16),
        Column("title", gettext_lazy("Title"), width=48),
        Column("summary", gettext_lazy("Summary"), width=60),
        Column("market_code", gettext_lazy("Market code"), width=8),
        Column("market", gettext_lazy("Market"), width=24),
        Column("topic_codes", gettext_lazy("Topic codes"), width=16),
        Column("topics", gettext_lazy("Topics"), width=40),
        Column("organisation", gettext_lazy("Reported by"), width=36),
        Column("visibility", gettext_lazy("Visibility"), width=16),
        Column("status", gettext_lazy("Status"), width=16),
        Column("date", date_header, kind="date", width=12),
        Column("cosignatures", gettext_lazy("Co-signatures"), kind="int", width=10),
        Column("url", gettext_lazy("Link"), width=48),
    )


_PUBLISHED = gettext_lazy("Published on")
SECTIONS: tuple[Section, ...] = (
    Section(
        "figures",
        (
            Column("code", gettext_lazy("Figure code"), width=20),
            Column("name", gettext_lazy("Figure"), width=32),
            Column("count", gettext_lazy("This week"), kind="int", width=12),
            Column("previous_count", gettext_lazy("Previous week"), kind="int", width=14),
            Column(
                "change", pgettext_lazy("week-over-week difference", "Change"), kind="int", width=10
            ),
        ),
        _figure_rows,
    ),
    Section(
        "reports_by_market",
        (
            Column("code", gettext_lazy("Market code"), width=8),
            Column("name", gettext_lazy("Market"), width=24),
            *(
                column
                for column in _report_columns(date_header=_PUBLISHED)
                if column.key not in {"market_code", "market"}
            ),
        ),
        _grouped_rows("reports_by_market"),
    ),
    Section(
        "reports_by_topic",
        (
            Column("code", gettext_lazy("Topic code"), width=10),
            Column("name", gettext_lazy("Topic"), width=36),
            *(
                column
                for column in _report_columns(date_header=_PUBLISHED)
                if column.key not in {"topic_codes", "topics"}
            ),
        ),
        _grouped_rows("reports_by_topic"),
    ),
    Section(
        "most_cosigned",
        (
            Column("rank", gettext_lazy("Rank"), kind="int", width=6),
            *_report_columns(date_header=_PUBLISHED),
        ),
        _most_cosigned_rows,
    ),
    Section(
        "status_changes",
        (
            Column("reference", gettext_lazy("Reference"), width=16),
            Column("title", gettext_lazy("Title"), width=48),
            Column("market_code", gettext_lazy("Market code"), width=8),
            Column("market", gettext_lazy("Market"), width=24),
            Column("visibility", gettext_lazy("Visibility"), width=16),
            Column("from_status", gettext_lazy("From"), width=18),
            Column("to_status", gettext_lazy("To"), width=18),
            Column("date", gettext_lazy("Changed on"), kind="date", width=12),
            Column("url", gettext_lazy("Link"), width=48),
        ),
        _status_change_rows,
    ),
    Section(
        "active_threads",
        (
            Column("rank", gettext_lazy("Rank"), kind="int", width=6),
            Column("title", gettext_lazy("Thread"), width=48),
            Column("code", gettext_lazy("Theme code"), width=10),
            Column("name", gettext_lazy("Theme"), width=32),
            Column("visibility", gettext_lazy("Visibility"), width=16),
            Column("count", gettext_lazy("Posts this week"), kind="int", width=12),
            Column("participants", gettext_lazy("Participants"), kind="int", width=12),
            Column("date", gettext_lazy("Last post on"), kind="date", width=12),
            Column("url", gettext_lazy("Link"), width=48),
        ),
        _thread_rows,
    ),
    Section(
        "official_responses",
        (
            Column("title", gettext_lazy("On"), width=48),
            Column("reference", gettext_lazy("Report reference"), width=16),
            Column("author", gettext_lazy("Official"), width=28),
            Column("organisation", gettext_lazy("Organisation"), width=36),
            Column("visibility", gettext_lazy("Visibility"), width=16),
            Column("date", gettext_lazy("Posted on"), kind="date", width=12),
            Column("excerpt", gettext_lazy("Excerpt"), width=80),
            Column("url", gettext_lazy("Link"), width=48),
        ),
        _response_rows,
    ),
    Section(
        "trend",
        (
            Column("code", gettext_lazy("Week"), width=10),
            Column("date", gettext_lazy("Week starting"), kind="date", width=12),
            Column("count", gettext_lazy("Reports published"), kind="int", width=12),
        ),
        _trend_rows,
    ),
    Section(
        "by_topic",
        (
            Column("code", gettext_lazy("Topic code"), width=10),
            Column("name", gettext_lazy("Topic"), width=48),
            Column("count", gettext_lazy("New reports"), kind="int", width=12),
        ),
        _count_rows("by_topic"),
    ),
    Section(
        "by_market",
        (
            Column("code", gettext_lazy("Market code"), width=8),
            Column("name", gettext_lazy("Market"), width=32),
            Column("count", gettext_lazy("New reports"), kind="int", width=12),
        ),
        _count_rows("by_market"),
    ),
)

# The CSV's columns: `section`, then every column key in first-seen order. Stable across
# weeks and languages, so scripts can rely on them.
CSV_COLUMNS: tuple[str, ...] = (
    "section",
    *dict.fromkeys(column.key for section in SECTIONS for column in section.columns),
)

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection, OWASP)."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise_formula(str(value))


def csv_rows(snapshot: DigestSnapshot, *, language: str) -> Iterator[list[str]]:
    """The CSV's rows, header first, one at a time. Call inside translation.override."""
    validate_snapshot(snapshot)
    yield list(CSV_COLUMNS)
    for section in SECTIONS:
        for row in section.rows(snapshot, language):
            yield [section.key, *(_csv_value(row.get(key)) for key in CSV_COLUMNS[1:])]


def render_csv(snapshot: DigestSnapshot, target: IO[str], *, language: str) -> None:
    """Write the CSV to a text file opened with newline=""."""
    with translation.override(language):
        writer = csv.writer(target)
        for row in csv_rows(snapshot, language=language):
            writer.writerow(row)


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate.lower())
    return candidate


def render_xlsx(snapshot: DigestSnapshot, target: IO[bytes], *, language: str) -> None:
    """Write the workbook: one sheet per section, bold frozen header row, typed cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    validate_snapshot(snapshot)
    workbook = Workbook(write_only=True)  # streams rows to disk instead of holding them
    bold = Font(bold=True)
    used_titles: set[str] = set()

    def text_cell(sheet: Any, value: str, *, header: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        # A text starting with "=" would otherwise be stored as a formula.
        cell.data_type = "s"
        if header:
            cell.font = bold
        return cell

    with translation.override(language):
        for section in SECTIONS:
            sheet = workbook.create_sheet(title=_sheet_title(section.title, used_titles))
            sheet.freeze_panes = "A2"
            for index, column in enumerate(section.columns, start=1):
                sheet.column_dimensions[get_column_letter(index)].width = column.width
            sheet.append(
                [text_cell(sheet, str(column.header), header=True) for column in section.columns]
            )
            for row in section.rows(snapshot, language):
                cells: list[Any] = []
                for column in section.columns:
                    value = row.get(column.key)
                    if value is None or column.kind in {"int", "date"}:
                        cells.append(value)
                    else:
                        cells.append(text_cell(sheet, str(value)))
                sheet.append(cells)
    workbook.save(target)


# --- Atomic files ----------------------------------------------------------------------------


@contextmanager
def atomic_write(
    path: str | os.PathLike[str], *, mode: str = "wb", encoding: str | None = None
) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on success move it to `path`, else delete it.

    The temporary file is in the same directory so os.replace is an atomic rename on the
    same file system: readers see either the old complete file or the new complete file.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=final.parent, prefix=f".{final.name}.", suffix=".part"
    )
    try:
        newline = "" if "b" not in mode else None
        with os.fdopen(descriptor, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, final)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_digest_file(
    snapshot: DigestSnapshot, path: str | os.PathLike[str], *, fmt: str, language: str
) -> Path:
    """Render `fmt` ("pdf", "csv" or "xlsx") to `path` atomically; returns the path."""
    validate_snapshot(snapshot)
    if fmt == "csv":
        # The byte-order mark lets Excel read names such as "Perú" as UTF-8.
        with atomic_write(path, mode="w", encoding="utf-8-sig") as handle:
            render_csv(snapshot, handle, language=language)
    elif fmt == "pdf":
        with atomic_write(path) as handle:
            render_pdf(snapshot, handle, language=language)
    elif fmt == "xlsx":
        with atomic_write(path) as handle:
            render_xlsx(snapshot, handle, language=language)
    else:
        raise ValueError(f"Unknown digest format {fmt!r}; expected one of {', '.join(FORMATS)}.")
    return Path(path)
