"""ISO weeks, the unit of a digest: parse, format, bounds in UTC, shift, count back.

A week is written "2026-W48" everywhere (URLs, file names, snapshots); its bounds are the
half-open interval [Monday 00:00 UTC, next Monday 00:00 UTC).
"""

import datetime as dt
import re

TREND_WEEKS = 12

_WEEK = re.compile(r"(?P<year>\d{4})-W(?P<week>\d{2})")


class InvalidWeek(ValueError):
    """A week that is not written as YYYY-Www or does not exist."""


def parse_iso_week(value: str) -> tuple[int, int]:
    """("2026-W48") -> (2026, 48). Raises InvalidWeek with a message a person can act on."""
    if not isinstance(value, str):
        raise InvalidWeek(f"An ISO week must be text like 2026-W48, not {type(value).__name__}.")
    match = _WEEK.fullmatch(value.strip())
    if match is None:
        raise InvalidWeek(
            f"{value!r} is not an ISO week: write the year, '-W' and two digits, e.g. 2026-W48."
        )
    year, week = int(match["year"]), int(match["week"])
    if year < 1:
        raise InvalidWeek(f"{value!r}: the year must be 0001 or later.")
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        last = weeks_in_iso_year(year)
        raise InvalidWeek(f"{value!r}: ISO year {year} has weeks 01 to {last}.") from None
    return year, week


def weeks_in_iso_year(year: int) -> int:
    """52 or 53: 28 December is always in the last ISO week of its year."""
    return dt.date(year, 12, 28).isocalendar().week


def format_iso_week(year: int, week: int) -> str:
    return f"{year:04d}-W{week:02d}"


def iso_week_of(moment: dt.date | dt.datetime) -> str:
    """The ISO week a date (or a datetime, taken in UTC) belongs to."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            raise ValueError("iso_week_of needs a timezone-aware datetime.")
        moment = moment.astimezone(dt.UTC).date()
    year, week, _weekday = moment.isocalendar()
    return format_iso_week(year, week)


def iso_week_monday(value: str) -> dt.date:
    year, week = parse_iso_week(value)
    return dt.date.fromisocalendar(year, week, 1)


def iso_week_bounds(value: str) -> tuple[dt.datetime, dt.datetime]:
    """("2026-W48") -> (Monday 00:00 UTC, next Monday 00:00 UTC): a half-open interval, so
    `start <= moment < end` holds for every moment of the week and of no other week."""
    start = dt.datetime.combine(iso_week_monday(value), dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=7)


def shift_iso_week(value: str, weeks: int) -> str:
    """The week `weeks` after (or before, if negative) the given week."""
    return iso_week_of(iso_week_monday(value) + dt.timedelta(weeks=weeks))


def iso_weeks_ending(value: str, count: int = TREND_WEEKS) -> list[str]:
    """`count` consecutive weeks, oldest first, the last one being `value`."""
    return [shift_iso_week(value, offset) for offset in range(1 - count, 1)]


def last_complete_iso_week(now: dt.datetime) -> str:
    """The most recent week that has fully ended at `now` (on Monday: the week before)."""
    return shift_iso_week(iso_week_of(now), -1)
