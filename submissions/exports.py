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
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, F, Lookup, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.urls import reverse
from django.utils import timezone, translation

from submissions.models import BarrierReport, OfficialResponse
from submissions.permissions import organisation_is_named
from submissions.selectors import (
    apply_report_filters,
    organisation_description,
    report_export_queryset,
)

SCHEMA_VERSION = "1.0"
# Reports read per query (with one query each for their topics, HS chapters and responses).
BATCH_SIZE = 2_000
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


# What a record reads of a report and its market and organisation: plain values, one row per
# report. Building model instances, their related objects and a URL reversal per row made the
# bulk build take an hour at half a million reports.
_REPORT_VALUES = (
    "id",
    "reference",
    "title",
    "summary",
    "description",
    "language",
    "status",
    "visibility",
    "market_id",
    "market__name_en",
    "trade_direction",
    "delivery_mode",
    "ntm_chapter_id",
    "sector",
    "first_encountered",
    "still_active",
    "cost_band",
    "cosignature_count",
    "published_at",
    "status_changed_at",
    "organisation__name",
    "organisation__sector",
    "organisation__country_id",
    "organisation__country__name_en",
    "organisation__org_type__size_class",
    "organisation__org_type__category",
)


class _AnyOf(Lookup):
    """`column IN (ids)`, sent to PostgreSQL as one array (`column = ANY(%s)`): the thousands
    of placeholders of an IN list cost more to prepare than the query takes to run."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, self.rhs)


class _RecordBuilder:
    """Open-data records of batches of report rows (`_REPORT_VALUES`) as a visitor sees them:
    one query each per batch for topics, HS chapters and official responses, whatever the
    batch's size."""

    def __init__(self) -> None:
        # Imported here: submissions.urls imports the views, which import this module.
        from django.contrib.auth.models import AnonymousUser

        from submissions.urls import ReferenceConverter

        visitor = AnonymousUser()
        # A visitor belongs to no organisation, so whether a report names its organisation to
        # them depends on the report's visibility only: asked once per visibility.
        self.named_to_visitor = {
            visibility: organisation_is_named(visitor, BarrierReport(visibility=visibility))
            for visibility in BarrierReport.Visibility.values
        }
        # Anonymised organisations' descriptions, worked out once per kind, country and sector.
        self.descriptions: dict[tuple[str, str, str, str], str] = {}
        # Every report's URL but for its reference; reversed once, not once per report.
        self.reference = re.compile(ReferenceConverter.regex)
        marker = "TB-0000-00000"
        self.url_prefix, self.url_suffix = (
            settings.SITE_URL + reverse("submissions:detail", kwargs={"reference": marker})
        ).split(marker)

    def records(self, rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        # The ids themselves, not the batch's query as a subquery: PostgreSQL then reads the
        # through tables by their report index rather than scanning them whole every batch.
        ids = [row["id"] for row in rows]
        topics = self._codes(
            BarrierReport.topics.through.objects.filter(_AnyOf(F("barrierreport_id"), ids))
            .order_by("topic__position", "topic_id")
            .values_list("barrierreport_id", "topic_id")
        )
        hs_chapters = self._codes(
            BarrierReport.hs_chapters.through.objects.filter(_AnyOf(F("barrierreport_id"), ids))
            .order_by("hschapter_id")
            .values_list("barrierreport_id", "hschapter_id")
        )
        responses = dict(
            OfficialResponse.objects.filter(_AnyOf(F("report_id"), ids))
            .order_by()
            .values("report_id")
            .annotate(total=Count("id"))
            .values_list("report_id", "total")
        )
        for row in rows:
            yield self.record(
                row,
                topics=topics.get(row["id"], []),
                hs_chapters=hs_chapters.get(row["id"], []),
                official_responses=responses.get(row["id"], 0),
            )

    @staticmethod
    def _codes(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
        codes: dict[int, list[str]] = {}
        for report_id, code in pairs:
            codes.setdefault(report_id, []).append(code)
        return codes

    def record(
        self,
        row: dict[str, Any],
        *,
        topics: list[str],
        hs_chapters: list[str],
        official_responses: int,
    ) -> dict[str, Any]:
        """One report as an open-data record (JSON types; CSV flattens lists with ';')."""
        first_encountered = row["first_encountered"]
        return {
            "reference": row["reference"],
            "url": self._url(row["reference"]),
            "title": row["title"],
            "summary": row["summary"],
            "description": row["description"],
            "language": row["language"],
            "status": row["status"],
            "market": row["market_id"],
            "market_name": row["market__name_en"],
            "trade_direction": row["trade_direction"] or None,
            "delivery_mode": row["delivery_mode"] or None,
            "topics": topics,
            "ntm_chapter": row["ntm_chapter_id"],
            "hs_chapters": hs_chapters,
            "sector": row["sector"] or None,
            "first_encountered": first_encountered.strftime("%Y-%m") if first_encountered else None,
            "still_active": row["still_active"],
            "cost_band": row["cost_band"] or None,
            "organisation": self._organisation(row),
            "organisation_named": row["visibility"] == BarrierReport.Visibility.PUBLIC,
            "organisation_country": row["organisation__country_id"],
            "organisation_size": row["organisation__org_type__size_class"] or None,
            "cosignatures": row["cosignature_count"],
            "official_responses": official_responses,
            "published_at": _iso(row["published_at"]),
            "status_changed_at": _iso(row["status_changed_at"]),
        }

    def _url(self, reference: str) -> str:
        if self.reference.fullmatch(reference):
            return f"{self.url_prefix}{reference}{self.url_suffix}"
        # Not a reference the URL accepts: reverse() says so as it always did.
        return settings.SITE_URL + reverse("submissions:detail", kwargs={"reference": reference})

    def _organisation(self, row: dict[str, Any]) -> str:
        if self.named_to_visitor[row["visibility"]]:
            return row["organisation__name"]
        key = (
            row["organisation__org_type__size_class"],
            row["organisation__org_type__category"],
            row["organisation__country__name_en"],
            row["sector"] or row["organisation__sector"],
        )
        description = self.descriptions.get(key)
        if description is None:
            size_class, category, country_name, sector = key
            description = self.descriptions[key] = organisation_description(
                size_class=size_class, category=category, country_name=country_name, sector=sector
            )
        return description


def _every_report_in_batches() -> Iterator[list[dict[str, Any]]]:
    """Every report a visitor may read as rows, oldest first, BATCH_SIZE at a time: each batch
    starts after the last one's (published_at, id), so each is one short range of an index and
    neither the database nor this process holds more than a batch."""
    reports = report_export_queryset().values(*_REPORT_VALUES)
    dated = reports.filter(published_at__isnull=False)
    yield from _keyset_batches(
        dated,
        lambda last: dated.filter(
            TupleGreaterThan(Tuple(F("published_at"), F("id")), (last["published_at"], last["id"]))
        ),
    )
    # PostgreSQL sorts reports without a publication date last (none should exist).
    undated = reports.filter(published_at__isnull=True)
    yield from _keyset_batches(undated, lambda last: undated.filter(id__gt=last["id"]))


def _keyset_batches(
    rows: QuerySet, after: Callable[[dict[str, Any]], QuerySet]
) -> Iterator[list[dict[str, Any]]]:
    """`rows` BATCH_SIZE at a time, each batch read from `after(the previous batch's last row)`."""
    batch = list(rows[:BATCH_SIZE])
    while batch:
        yield batch
        if len(batch) < BATCH_SIZE:
            break
        batch = list(after(batch[-1])[:BATCH_SIZE])


def _batches_of(reports: QuerySet[BarrierReport]) -> Iterator[list[dict[str, Any]]]:
    """The rows of `reports` (filtered, ordered, maybe sliced), BATCH_SIZE at a time."""
    rows = reports.values(*_REPORT_VALUES).iterator(chunk_size=BATCH_SIZE)
    for batch in itertools.batched(rows, BATCH_SIZE):
        yield list(batch)


def records(reports: QuerySet[BarrierReport] | None = None) -> Iterator[dict[str, Any]]:
    """Open-data records of `reports` (default: every report a visitor may read, oldest
    first), streamed from the database in batches."""
    batches = _every_report_in_batches() if reports is None else _batches_of(reports)
    # English: organisation descriptions and URLs without a language prefix.
    with translation.override("en"):
        builder = _RecordBuilder()
        for batch in batches:
            yield from builder.records(batch)


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
    if type(value) is str:  # most cells, so checked first: the bulk CSV has millions
        return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
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
