"""Dates as the portal writes them, in the reader's language.

    long_date(date(2026, 9, 12), "en")   -> "12 September 2026"
    long_date(date(2026, 9, 12), "fr")   -> "12 septembre 2026"
    long_date(date(2026, 9, 12), "es")   -> "12 de septiembre de 2026"
    month_year(date(2026, 9, 12), "es")  -> "septiembre de 2026"
    date_range(date(2026, 11, 23), date(2026, 11, 29), "fr") -> "23–29 novembre 2026"

The formats themselves live in `portal/formats/<language>/formats.py`; these functions only
pick one and handle what a format string cannot (the French "1er", ranges). Emails, pages,
PDFs and spreadsheets call these (or the `portal_dates` template filters) so a date reads the
same everywhere. Without `language` they use the active one. Datetimes are shown in the
site's time zone (UTC).
"""

import datetime as dt
from contextlib import AbstractContextManager, nullcontext

from django.utils import formats, timezone, translation

DateLike = dt.date | dt.datetime | str

# A range's two ends: "23–29 November 2026" (one month), "30 November – 6 December 2026".
_SHORT_DASH = "\N{EN DASH}"
_SPACED_DASH = " \N{EN DASH} "


def _in(language: str | None) -> AbstractContextManager[None]:
    return translation.override(language) if language else nullcontext()


def _as_date(value: DateLike) -> dt.date:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _as_datetime(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _day(day: dt.date) -> str:
    """The day of the month; French writes the first as "1er"."""
    if day.day == 1 and (translation.get_language() or "")[:2] == "fr":
        return "1er"
    return str(day.day)


def _with_day(value: dt.date, format_name: str) -> str:
    """`value` in the named format; every format here starts with the day."""
    text = formats.date_format(value, format_name)
    if value.day == 1:
        text = _day(value) + text.removeprefix("1")
    return text


def long_date(value: DateLike, language: str | None = None) -> str:
    """ "12 September 2026" / "12 septembre 2026" / "12 de septiembre de 2026"."""
    with _in(language):
        return _with_day(_as_date(value), "DATE_FORMAT")


def month_year(value: DateLike, language: str | None = None) -> str:
    """ "September 2026" / "septembre 2026" / "septiembre de 2026"."""
    with _in(language):
        return formats.date_format(_as_date(value), "YEAR_MONTH_FORMAT")


def long_datetime(value: dt.datetime | str, language: str | None = None) -> str:
    """ "12 September 2026, 14:30" / "12 septembre 2026 à 14:30" /
    "12 de septiembre de 2026, 14:30" (site time, UTC; say so next to it)."""
    with _in(language):
        return _with_day(_as_datetime(value), "DATETIME_FORMAT")


def date_range(start: DateLike, end: DateLike, language: str | None = None) -> str:
    """Two dates as one span, the shared month and year written once:
    "23–29 November 2026", "30 November – 6 December 2026",
    "28 December 2026 – 3 January 2027"."""
    first, last = _as_date(start), _as_date(end)
    with _in(language):
        if first == last:
            return long_date(first)
        if (first.year, first.month) == (last.year, last.month):
            return _day(first) + _SHORT_DASH + long_date(last)
        if first.year == last.year:
            return _with_day(first, "MONTH_DAY_FORMAT") + _SPACED_DASH + long_date(last)
        return long_date(first) + _SPACED_DASH + long_date(last)
