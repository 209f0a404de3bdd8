"""Open data: published reports a visitor may read, as streamed CSV and JSON.

`/reports/export.csv` and `/reports/export.json` take the report list's filters and stop at
EXPORT_ROW_LIMIT reports, newest first, saying so in the file when they do: a web request
must end before the web server's timeout whatever the number of reports. The complete data,
every report, is in the bulk files that a worker builds every night (opendata.py) from the
same records (`records`).

The schema is documented in README.md (Open data) and versioned: add columns at the end and bump
SCHEMA_VERSION; never rename or reorder. Organisations of anonymised reports are described,
never named; officials-only reports are never exported. Values are codes, not translated
labels, and the organisation description is written in English, so the files are the same
whatever the reader's language.
"""

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from portal.types import Reader
from submissions.models import BarrierReport
from submissions.selectors import (
    apply_report_filters,
    report_display_organisation,
    report_export_queryset,
)

SCHEMA_VERSION = "1.0"
CHUNK_SIZE = 500
# Reports in one filtered export; the bulk files hold every report.
EXPORT_ROW_LIMIT = 10_000
COLUMNS = (
    "reference",
    "url",
    "title",
    "summary",
    "description",
    "language",
    "status",
    "market",
    "market_name",
    "trade_direction",
    "delivery_mode",
    "topics",
    "ntm_chapter",
    "hs_chapters",
    "sector",
    "first_encountered",
    "still_active",
    "cost_band",
    "organisation",
    "organisation_named",
    "organisation_country",
    "organisation_size",
    "cosignatures",
    "official_responses",
    "published_at",
    "status_changed_at",
)
# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def report_record(report: BarrierReport, viewer: Reader) -> dict[str, Any]:
    """One report as an open-data record (JSON types; CSV flattens lists with ';')."""
    from django.contrib.auth.models import AnonymousUser

    viewer = viewer or AnonymousUser()
    named = report.visibility == BarrierReport.Visibility.PUBLIC
    organisation = report.organisation
    return {
        "reference": report.reference,
        "url": f"{settings.SITE_URL}{report.get_absolute_url()}",
        "title": report.title,
        "summary": report.summary,
        "description": report.description,
        "language": report.language,
        "status": report.status,
        "market": report.market_id,
        "market_name": report.market.name_en if report.market else None,
        "trade_direction": report.trade_direction or None,
        "delivery_mode": report.delivery_mode or None,
        "topics": [topic.code for topic in report.topics.all()],
        "ntm_chapter": report.ntm_chapter_id,
        "hs_chapters": [chapter.code for chapter in report.hs_chapters.all()],
        "sector": report.sector or None,
        "first_encountered": report.first_encountered.strftime("%Y-%m")
        if report.first_encountered
        else None,
        "still_active": report.still_active,
        "cost_band": report.cost_band or None,
        "organisation": report_display_organisation(report, viewer),
        "organisation_named": named,
        "organisation_country": organisation.country_id,
        "organisation_size": organisation.org_type.size_class or None,
        "cosignatures": report.cosignature_count,
        "official_responses": getattr(report, "official_response_total", 0),
        "published_at": _iso(report.published_at),
        "status_changed_at": _iso(report.status_changed_at),
    }


def records(reports: QuerySet[BarrierReport] | None = None) -> Iterator[dict[str, Any]]:
    """Open-data records of `reports` (default: every report a visitor may read, oldest
    first), streamed from the database in chunks."""
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    reports = report_export_queryset() if reports is None else reports
    # English: organisation descriptions and URLs without a language prefix.
    with translation.override("en"):
        for report in reports.iterator(chunk_size=CHUNK_SIZE):
            yield report_record(report, visitor)


def filtered_reports(filters: Mapping[str, Any]) -> QuerySet[BarrierReport]:
    """The reports of a filtered export (the report list's filters), newest first."""
    reports = apply_report_filters(report_export_queryset(), filters)
    return reports.order_by("-published_at", "-id")


def complete_data_url() -> str:
    """Where the bulk files are listed, for a note in a file that stopped at the limit."""
    return settings.SITE_URL + reverse("submissions:open_data")


class _Limited:
    """At most `limit` records of `reports`; `truncated` says, once they are read, whether
    there were more."""

    def __init__(self, reports: QuerySet[BarrierReport], limit: int) -> None:
        self.reports, self.limit, self.truncated = reports, limit, False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for count, record in enumerate(records(self.reports[: self.limit + 1]), start=1):
            if count > self.limit:
                self.truncated = True
                return
            yield record


def neutralise_formula(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe."""
    if value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(value)
    return neutralise_formula(str(value))


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(records_: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # BOM: spreadsheets then read UTF-8 correctly
    for record in records_:
        yield writer.writerow([_csv_cell(record[column]) for column in COLUMNS])


def csv_rows() -> Iterator[str]:
    """Every report a visitor may read (the bulk CSV), header first."""
    yield from _csv_lines(records())


def csv_rows_limited(reports: QuerySet[BarrierReport], limit: int) -> Iterator[str]:
    """A filtered export: at most `limit` reports; if there were more, a last row says so
    and where the complete files are."""
    limited = _Limited(reports, limit)
    yield from _csv_lines(limited)
    if limited.truncated:
        writer = csv.writer(_Echo())
        yield writer.writerow(
            [
                f"# This file stops at {limit} reports, newest first. Every report is in the "
                f"complete open-data files: {complete_data_url()}"
            ]
        )


def json_chunks(
    reports: QuerySet[BarrierReport] | None = None, limit: int = EXPORT_ROW_LIMIT
) -> Iterator[str]:
    """A filtered export as one JSON object: at most `limit` reports, then `truncated`
    (and `complete_data`, where every report is, when it is true)."""
    limited = _Limited(filtered_reports({}) if reports is None else reports, limit)
    header = {
        "schema": "barrier-reports",
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(timezone.now()),
        "row_limit": limit,
    }
    opening = json.dumps(header, ensure_ascii=False)[:-1]
    yield opening + ', "reports": ['
    first = True
    for record in limited:
        yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False)
        first = False
    ending: dict[str, Any] = {"truncated": limited.truncated}
    if limited.truncated:
        ending["complete_data"] = complete_data_url()
    yield "\n], " + json.dumps(ending, ensure_ascii=False)[1:] + "\n"
