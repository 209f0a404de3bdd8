"""Open data: every published report a visitor may read, as streamed CSV and JSON.

The schema is documented in README.md (Open data) and versioned: add columns at the end and bump
SCHEMA_VERSION; never rename or reorder. Organisations of anonymised reports are described,
never named; officials-only reports are never exported. Values are codes, not translated
labels, and the organisation description is written in English, so the files are the same
whatever the reader's language.
"""

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from submissions.models import BarrierReport
from submissions.selectors import report_display_organisation, report_export_queryset

SCHEMA_VERSION = "1.0"
CHUNK_SIZE = 500
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


def report_record(report: BarrierReport, viewer: Any) -> dict[str, Any]:
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


def _records() -> Iterator[dict[str, Any]]:
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    # English: organisation descriptions and URLs without a language prefix.
    with translation.override("en"):
        for report in report_export_queryset().iterator(chunk_size=CHUNK_SIZE):
            yield report_record(report, visitor)


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


def csv_rows() -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # BOM: spreadsheets then read UTF-8 correctly
    for record in _records():
        yield writer.writerow([_csv_cell(record[column]) for column in COLUMNS])


def json_chunks() -> Iterator[str]:
    header = {
        "schema": "barrier-reports",
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(timezone.now()),
    }
    opening = json.dumps(header, ensure_ascii=False)[:-1]
    yield opening + ', "reports": ['
    first = True
    for record in _records():
        yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]}\n"
