"""The weekly digest snapshot: what a compiled digest contains, and how it is checked.

A digest is an immutable snapshot of one ISO week, taken when it was compiled. The snapshot
is a plain JSON-serialisable dict (stored as JSON on the Digest row) holding DATA, not text:
codes, counts, dates, and the few words that come from people (titles, summaries,
organisation labels). Every heading and label is added when the snapshot is rendered, in
the reader's language (see render/). Names of reference data (markets, topics,
themes) and organisation labels are stored in every working language, so a snapshot
renders the same in a year's time even if reference data changes.

Confidentiality is decided when the snapshot is compiled, never when it is rendered:

- an anonymised report's `organisation` is already the anonymous label ("a small
  enterprise in Kenya, agri-food sector"), never the organisation's name;
- officials-only items are only ever put into editions of kind "officials" or "personal"
  (personalised editions belong to verified officials);
- a personalised edition holds only the reports of its `markets` and `topics`.

Each of the week's new reports is stored once, in `reports`; the groups by market and by
topic name their reports by reference. A report with three topics would otherwise be written
four times, and a busy week's snapshot (and the memory to save and load it) would be mostly
copies.

Shape (schema version 2)::

    {
      "schema_version": 1,
      "week": "2026-W48",
      "week_start": "2026-11-23",            # Monday
      "week_end": "2026-11-29",              # Sunday (inclusive)
      "edition": {"kind": "public", "markets": [], "topics": []},
      "compiled_at": "2026-11-30T05:00:02+00:00",
      "figures": [{"key": "new_reports", "value": 7, "previous": 4}, ...],
      "reports": [ReportItem, ...],           # the week's new reports, each once, oldest first
      "reports_by_market": [{"code": "KE", "name": {...}, "references": ["TB-2026-00042"]}],
      "reports_by_topic": [{"code": "ECOM-10", "name": {...}, "references": [...]}],
      "most_cosigned": [ReportItem, ...],
      "status_changes": [StatusChangeItem, ...],
      "active_threads": [ThreadItem, ...],
      "official_responses": [OfficialResponseItem, ...],
      "trend": [{"week": "2026-W37", "count": 3}, ... 12 points, oldest first],
      "by_topic": [{"code": "ECOM-10", "name": {...}, "count": 3}, ...],
      "by_market": [{"code": "KE", "name": {...}, "count": 2}, ...],
    }

`validate_snapshot(snapshot)` checks a dict against the TypedDicts below (types, required
keys, no unknown keys) and the rules they cannot express (week bounds, 12 trend points,
non-negative counts, groups naming only reports the snapshot holds), raising `SnapshotError`
with the path of the first problem. `grouped_reports(snapshot, section)` gives a group
section's groups with their report items.
"""

import datetime as dt
import functools
import types
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from dialogues.digests.weeks import TREND_WEEKS, InvalidWeek, iso_week_bounds, iso_weeks_ending

SCHEMA_VERSION = 2

# Markers for strings that must parse as an ISO date / timezone-aware ISO datetime, and for
# dicts of names by language code that must hold at least the English name.
DATE = "iso-date"
DATETIME = "iso-datetime"
LOCALISED = "localised"

IsoDate = Annotated[str, DATE]
IsoDateTime = Annotated[str, DATETIME]
# {"en": "Kenya", "fr": "Kenya", "es": "Kenia"}: "en" always present, others optional.
Localised = Annotated[dict[str, str], LOCALISED]

EditionKind = Literal["public", "officials", "personal"]
Visibility = Literal["public", "anonymised", "officials_only"]
FigureKey = Literal[
    "new_reports",
    "cosignatures",
    "status_changes",
    "resolved_reports",
    "new_threads",
    "posts",
    "official_responses",
]
FIGURE_KEYS: tuple[str, ...] = get_args(FigureKey)
RESOLVED_STATUSES = ("resolved_in_part", "resolved_in_full")


class NamedCode(TypedDict):
    code: str
    name: Localised


class Edition(TypedDict):
    """Who the edition is for. "personal" editions are an official's subscription: only the
    listed markets and topics (an empty list means every market / every topic)."""

    kind: EditionKind
    markets: list[NamedCode]
    topics: list[NamedCode]


class Figure(TypedDict):
    """One headline number for the week and the same number for the week before."""

    key: FigureKey
    value: int
    previous: int


class ReportItem(TypedDict):
    reference: str
    title: str
    summary: str
    market: NamedCode | None
    topics: list[NamedCode]
    # The reporting organisation as readers of this edition may see it: the name for public
    # reports, the anonymous description for anonymised ones.
    organisation: Localised
    visibility: Visibility
    status: str
    published_at: IsoDateTime
    url: str  # path without language prefix, e.g. "/reports/TB-2026-00042/"
    cosignatures: int
    language: NotRequired[str]  # the language the report is written in ("es")


class ReportGroup(TypedDict):
    code: str
    name: Localised
    references: list[str]  # of reports in the snapshot's `reports`, in the group's order


class StatusChangeItem(TypedDict):
    reference: str
    title: str
    market: NamedCode | None
    visibility: Visibility
    from_status: str
    to_status: str
    changed_at: IsoDateTime
    url: str


class ThreadItem(TypedDict):
    id: int
    title: str
    theme: NamedCode | None
    visibility: Literal["public", "officials_only"]
    posts: int  # posts published during the week
    participants: int  # distinct authors during the week
    last_post_at: IsoDateTime
    url: str


class OfficialResponseItem(TypedDict):
    """A post by a verified official during the week, in a thread or on a report."""

    title: str  # the thread's or report's title
    author: str
    organisation: Localised
    excerpt: str  # plain text, already shortened
    posted_at: IsoDateTime
    url: str
    visibility: Literal["public", "officials_only"]
    report_reference: NotRequired[str]


class TrendPoint(TypedDict):
    week: str  # "2026-W37"
    count: int


class CountItem(TypedDict):
    code: str
    name: Localised
    count: int


class DigestSnapshot(TypedDict):
    schema_version: int
    week: str
    week_start: IsoDate
    week_end: IsoDate
    edition: Edition
    compiled_at: IsoDateTime
    figures: list[Figure]
    reports: list[ReportItem]
    reports_by_market: list[ReportGroup]
    reports_by_topic: list[ReportGroup]
    most_cosigned: list[ReportItem]
    status_changes: list[StatusChangeItem]
    active_threads: list[ThreadItem]
    official_responses: list[OfficialResponseItem]
    trend: list[TrendPoint]
    by_topic: list[CountItem]
    by_market: list[CountItem]


# --- Validation ----------------------------------------------------------------------------


class SnapshotError(ValueError):
    """A snapshot that does not follow the schema; the message names the offending path."""


def validate_snapshot(snapshot: Any) -> DigestSnapshot:
    """Check `snapshot` against the schema and return it unchanged, or raise SnapshotError."""
    _check(snapshot, DigestSnapshot, "snapshot", set())
    if snapshot["schema_version"] != SCHEMA_VERSION:
        raise SnapshotError(
            f"snapshot.schema_version: {snapshot['schema_version']} is not {SCHEMA_VERSION}."
        )
    try:
        start, end = iso_week_bounds(snapshot["week"])
    except InvalidWeek as error:
        raise SnapshotError(f"snapshot.week: {error}") from None
    if snapshot["week_start"] != start.date().isoformat():
        raise SnapshotError(f"snapshot.week_start: {snapshot['week']} starts on {start.date()}.")
    last_day = (end - dt.timedelta(days=1)).date()
    if snapshot["week_end"] != last_day.isoformat():
        raise SnapshotError(f"snapshot.week_end: {snapshot['week']} ends on {last_day}.")
    edition = snapshot["edition"]
    if edition["kind"] != "personal" and (edition["markets"] or edition["topics"]):
        raise SnapshotError("snapshot.edition: only personal editions filter markets or topics.")
    _check_references(snapshot)
    if edition["kind"] == "public":
        _check_public(snapshot)
    trend = snapshot["trend"]
    if [point["week"] for point in trend] != iso_weeks_ending(snapshot["week"]):
        raise SnapshotError(
            f"snapshot.trend: needs the {TREND_WEEKS} weeks ending {snapshot['week']}, "
            "oldest first."
        )
    keys = [figure["key"] for figure in snapshot["figures"]]
    if len(set(keys)) != len(keys):
        raise SnapshotError("snapshot.figures: each figure key appears once.")
    _check_counts(snapshot, "snapshot")
    # _check lets JSON types only through (no floats, so no NaN): serialising a week's
    # snapshot again here only to prove it would cost its size in memory once more.
    return snapshot


GroupSection = Literal["reports_by_market", "reports_by_topic"]
GROUP_SECTIONS: tuple[GroupSection, ...] = get_args(GroupSection)


def _check_references(snapshot: Any) -> None:
    """Each report is listed once, and groups name only reports the snapshot holds."""
    known: set[str] = set()
    for index, item in enumerate(snapshot["reports"]):
        if item["reference"] in known:
            raise SnapshotError(
                f"snapshot.reports[{index}]: {item['reference']} is listed more than once."
            )
        known.add(item["reference"])
    for section in GROUP_SECTIONS:
        for group_index, group in enumerate(snapshot[section]):
            for index, reference in enumerate(group["references"]):
                if reference not in known:
                    raise SnapshotError(
                        f"snapshot.{section}[{group_index}].references[{index}]: "
                        f"{reference} is not in snapshot.reports."
                    )


def _check_public(snapshot: Any) -> None:
    """A public edition must not carry anything meant for officials only."""
    for section in (
        "reports",
        "most_cosigned",
        "status_changes",
        "active_threads",
        "official_responses",
    ):
        for index, item in enumerate(snapshot[section]):
            if item["visibility"] == "officials_only":
                raise SnapshotError(
                    f"snapshot.{section}[{index}]: officials-only item in a public edition."
                )


def grouped_reports(
    snapshot: DigestSnapshot, section: GroupSection
) -> list[tuple[ReportGroup, list[ReportItem]]]:
    """A validated snapshot's groups of `section`, each with its report items in order."""
    by_reference = {item["reference"]: item for item in snapshot["reports"]}
    return [
        (group, [by_reference[reference] for reference in group["references"]])
        for group in snapshot[section]
    ]


_COUNT_FIELDS = {"value", "previous", "count", "cosignatures", "posts", "participants"}


def _check_counts(value: Any, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _COUNT_FIELDS and isinstance(item, int) and item < 0:
                raise SnapshotError(f"{path}.{key}: a count cannot be negative ({item}).")
            _check_counts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_counts(item, f"{path}[{index}]")


@functools.cache
def _fields(typed_dict: Any) -> dict[str, Any]:
    """A TypedDict's field types (NotRequired unwrapped), worked out once: a week's snapshot
    checks thousands of items of the same few types."""
    fields = {}
    for key, hint in get_type_hints(typed_dict, include_extras=True).items():
        fields[key] = get_args(hint)[0] if get_origin(hint) is NotRequired else hint
    return fields


@functools.cache
def _shape(expected: Any) -> tuple[Any, tuple[Any, ...], bool]:
    """`expected`'s origin, arguments and whether it is a TypedDict, worked out once."""
    return get_origin(expected), get_args(expected), is_typeddict(expected)


def _check(value: Any, expected: Any, path: str, seen: set[tuple[int, int]] | None = None) -> None:
    """Structural check of `value` against a type from this module. `seen` remembers the
    objects that passed a check against a type: the same report item sits in several groups,
    and the same market's names in many items."""
    if seen is None:
        seen = set()
    if not isinstance(value, dict | list):
        _check_value(value, expected, path, seen)
        return
    key = (id(value), id(expected))
    if key not in seen:
        _check_value(value, expected, path, seen)
        seen.add(key)


def _check_value(value: Any, expected: Any, path: str, seen: set[tuple[int, int]]) -> None:
    origin, arguments, typed_dict = _shape(expected)
    if origin is Annotated:
        base, *markers = arguments
        _check(value, base, path, seen)
        _check_marker(value, markers, path)
        return
    if typed_dict:
        if not isinstance(value, dict):
            raise SnapshotError(f"{path}: expected an object, got {type(value).__name__}.")
        fields = _fields(expected)
        missing = sorted(expected.__required_keys__ - value.keys())
        if missing:
            raise SnapshotError(f"{path}: missing {', '.join(missing)}.")
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise SnapshotError(f"{path}: unknown key(s) {', '.join(map(str, unknown))}.")
        for key, item in value.items():
            _check(item, fields[key], f"{path}.{key}", seen)
        return
    if origin in (Union, types.UnionType):
        errors = []
        for option in arguments:
            try:
                _check(value, option, path, seen)
            except SnapshotError as error:
                errors.append(str(error))
            else:
                return
        raise SnapshotError(" or ".join(errors))
    if origin is Literal:
        if value not in arguments:
            allowed = ", ".join(repr(option) for option in arguments)
            raise SnapshotError(f"{path}: {value!r} is not one of {allowed}.")
        return
    if origin is list:
        if not isinstance(value, list):
            raise SnapshotError(f"{path}: expected a list, got {type(value).__name__}.")
        (item_type,) = arguments
        for index, item in enumerate(value):
            _check(item, item_type, f"{path}[{index}]", seen)
        return
    if origin is dict:
        if not isinstance(value, dict):
            raise SnapshotError(f"{path}: expected an object, got {type(value).__name__}.")
        key_type, item_type = arguments
        for key, item in value.items():
            _check(key, key_type, f"{path} key", seen)
            _check(item, item_type, f"{path}.{key}", seen)
        return
    if expected is type(None):
        if value is not None:
            raise SnapshotError(f"{path}: expected null.")
        return
    if expected is int:
        # bool is an int subclass in Python, but not a count.
        if not isinstance(value, int) or isinstance(value, bool):
            raise SnapshotError(f"{path}: expected an integer, got {type(value).__name__}.")
        return
    if expected in (str, bool):
        if not isinstance(value, expected):
            raise SnapshotError(
                f"{path}: expected {expected.__name__}, got {type(value).__name__}."
            )
        return
    raise TypeError(f"validate_snapshot does not know the type {expected!r}")  # pragma: no cover


def _check_marker(value: Any, markers: list[Any], path: str) -> None:
    if DATE in markers:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise SnapshotError(f"{path}: {value!r} is not an ISO date (YYYY-MM-DD).") from None
    if DATETIME in markers:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise SnapshotError(f"{path}: {value!r} is not an ISO date and time.") from None
        if parsed.tzinfo is None:
            raise SnapshotError(f"{path}: {value!r} needs a time zone (e.g. +00:00).")
    if LOCALISED in markers and not value.get("en"):
        raise SnapshotError(f"{path}: the English name ('en') is required.")
