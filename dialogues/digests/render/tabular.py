"""The digest as tables: one CSV and one XLSX workbook, from one description (`SECTIONS`).

The CSV is one file with a `section` column, stable, machine-friendly column names and ISO
dates; the workbook opens on a "Notes" sheet (week, edition, source, method, licence, what
each column means), then has one sheet per section with translated headers, a frozen header
row, an autofilter, typed cells (real dates, numbers) and links to each report's page. Cells
that a spreadsheet would run as formulas are neutralised (OWASP CSV injection).
"""

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dialogues.digests.render.labels import (
    FIGURE_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    _date,
    absolute_url,
    label,
    localise,
)
from dialogues.digests.render.publication import publication
from dialogues.digests.schema import (
    DigestSnapshot,
    GroupSection,
    ReportItem,
    grouped_reports,
    validate_snapshot,
)
from dialogues.digests.weeks import iso_week_bounds

# The snapshot's sections that count reports.
_CountSection = Literal["by_topic", "by_market"]


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
        """The sheet's name: short (Excel allows 31 characters) and unlike any other's."""
        return label(SHEET_TITLES, self.key)


# Sheet names that cannot be confused: a list of reports is a "list", a table of counts is
# "counts" (not "New reports by topic" beside "Reports by topic").
SHEET_TITLES: dict[str, Promise] = {
    "notes": gettext_lazy("Notes"),
    "figures": gettext_lazy("Figures"),
    "reports_by_market": gettext_lazy("Report list by market"),
    "reports_by_topic": gettext_lazy("Report list by topic"),
    "most_cosigned": gettext_lazy("Most co-signed"),
    "status_changes": gettext_lazy("Status changes"),
    "active_threads": gettext_lazy("Active threads"),
    "official_responses": gettext_lazy("Official responses"),
    "trend": gettext_lazy("Trend, 12 weeks"),
    "by_topic": gettext_lazy("Counts by topic"),
    "by_market": gettext_lazy("Counts by market"),
}

# What each column holds, for the workbook's "Notes" sheet (by column key).
COLUMN_NOTES: dict[str, Promise] = {
    "reference": gettext_lazy("The report's reference; links to its page on the portal."),
    "title": gettext_lazy("The report's or thread's title, in the language it was written in."),
    "summary": gettext_lazy("The report's short summary, as the firm wrote it."),
    "market_code": gettext_lazy("The affected market's code (ISO 3166-1 alpha-2)."),
    "market": gettext_lazy("The affected market: where the firm met the barrier."),
    "topic_codes": gettext_lazy("The codes of the report's topics, separated by semicolons."),
    "topics": gettext_lazy("The report's e-commerce topics, separated by semicolons."),
    "organisation": gettext_lazy(
        "Who filed the report: the organisation's name, or a description without the name "
        "for anonymised reports."
    ),
    "visibility": gettext_lazy(
        "Who may read it: Public, Anonymised (the firm is not named) or Officials only."
    ),
    "status": gettext_lazy("The report's status when the digest was compiled."),
    "date": gettext_lazy("The date (UTC) named in the column's header."),
    "cosignatures": gettext_lazy("How many organisations have co-signed the report in all."),
    "url": gettext_lazy("The page on the portal."),
    "code": gettext_lazy(
        "The code of what the row counts or groups by: a figure, market, topic, theme or week."
    ),
    "name": gettext_lazy("The name of that figure, market, topic or theme."),
    "count": gettext_lazy(
        "The number for this week: reports (each counted once), or posts for threads."
    ),
    "previous_count": gettext_lazy("The same figure for the week before."),
    "change": gettext_lazy("This week's figure minus the previous week's."),
    "rank": gettext_lazy("Position in the ranking, 1 first."),
    "from_status": gettext_lazy("The report's status before the change."),
    "to_status": gettext_lazy("The report's status after the change."),
    "participants": gettext_lazy("How many people posted in the thread during the week."),
    "author": gettext_lazy("The official who responded."),
    "excerpt": gettext_lazy("The beginning of the response."),
}


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
    section: GroupSection,
) -> Callable[[DigestSnapshot, str], Iterator[dict[str, Any]]]:
    def rows(snapshot: DigestSnapshot, language: str) -> Iterator[dict[str, Any]]:
        for group, items in grouped_reports(snapshot, section):
            for item in items:
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
    """Write the workbook: a "Notes" sheet, then one sheet per section with a bold frozen
    header row, an autofilter, typed cells and links; title, author, subject and language
    in the document's properties."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    validate_snapshot(snapshot)
    workbook = Workbook(write_only=True)  # streams rows to disk instead of holding them
    bold = Font(bold=True)
    link_font = Font(color="0B4F8A", underline="single")
    wrapped = Alignment(wrap_text=True, vertical="top")
    used_titles: set[str] = set()

    def text_cell(sheet: Any, value: str, *, header: bool = False, link: str = "") -> Any:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        # A text starting with "=" would otherwise be stored as a formula.
        cell.data_type = "s"
        if header:
            cell.font = bold
        if link:
            cell.hyperlink = link
            cell.font = link_font
        return cell

    def finish(sheet: Any, columns: int, rows: int) -> None:
        """Autofilter over the header and every row (a header-only table too)."""
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"

    with translation.override(language):
        about = publication(snapshot, language=language)
        workbook.properties.title = about.running_header
        workbook.properties.creator = settings.SITE_NAME
        workbook.properties.subject = str(_("Weekly digest of e-commerce barrier reports"))
        workbook.properties.description = about.citation
        workbook.properties.keywords = about.identifier
        workbook.properties.language = language
        workbook.properties.identifier = about.identifier

        notes = workbook.create_sheet(title=_sheet_title(label(SHEET_TITLES, "notes"), used_titles))
        notes.column_dimensions["A"].width = 28
        notes.column_dimensions["B"].width = 36
        notes.column_dimensions["C"].width = 90
        facts = [
            (_("Title"), about.running_header),
            (_("Week"), f"{about.dates} ({snapshot['week']})"),
            (_("Edition"), about.edition_label),
            (_("Identifier"), about.identifier),
            (_("Compiled"), f"{about.compiled} UTC"),
            (_("Source"), about.source_all),
            *((_("Method"), paragraph) for paragraph in about.method),
            (_("Suggested citation"), about.citation),
            (_("Licence"), about.licence_text),
        ]
        for name, fact in facts:
            value_cell = text_cell(notes, fact)
            value_cell.alignment = wrapped
            notes.append([text_cell(notes, str(name), header=True), value_cell])
        if about.licence_url:
            notes.append(["", text_cell(notes, about.licence_url, link=about.licence_url)])
        notes.append([])
        first_row = len(facts) + (3 if about.licence_url else 2)
        notes.append(
            [
                text_cell(notes, str(header), header=True)
                for header in (_("Sheet"), _("Column"), _("What it holds"))
            ]
        )
        meanings = 0
        for section in SECTIONS:
            for column in section.columns:
                notes.append(
                    [
                        text_cell(notes, section.title),
                        text_cell(notes, str(column.header)),
                        text_cell(notes, str(COLUMN_NOTES.get(column.key, ""))),
                    ]
                )
                meanings += 1
        notes.auto_filter.ref = f"A{first_row}:C{first_row + meanings}"

        for section in SECTIONS:
            sheet = workbook.create_sheet(title=_sheet_title(section.title, used_titles))
            sheet.freeze_panes = "A2"
            for index, column in enumerate(section.columns, start=1):
                sheet.column_dimensions[get_column_letter(index)].width = column.width
            sheet.append(
                [text_cell(sheet, str(column.header), header=True) for column in section.columns]
            )
            count = 0
            for row in section.rows(snapshot, language):
                url = row.get("url") or ""
                cells: list[Any] = []
                for column in section.columns:
                    value = row.get(column.key)
                    if value is None or column.kind in {"int", "date"}:
                        cells.append(value)
                    elif column.key in {"reference", "url"} and url and value:
                        cells.append(text_cell(sheet, str(value), link=url))
                    else:
                        cells.append(text_cell(sheet, str(value)))
                sheet.append(cells)
                count += 1
            finish(sheet, len(section.columns), count)
    workbook.save(target)
