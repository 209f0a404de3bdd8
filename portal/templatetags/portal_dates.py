"""Dates in templates, written the portal's way in the active language (see portal.dates).

{% load portal_dates %}
{{ report.published_at|long_date }}          12 September 2026 / 12 septembre 2026
{{ suspension.ends|long_datetime }} UTC      12 September 2026, 14:30 UTC
{{ report.first_encountered|month_year }}    September 2026 / septembre 2026
{% date_range week_start week_end %}         23–29 November 2026
"""

import datetime as dt

from django import template

from portal import dates

register = template.Library()


@register.filter
def long_date(value: dates.DateLike | None) -> str:
    return dates.long_date(value) if value else ""


@register.filter
def month_year(value: dates.DateLike | None) -> str:
    return dates.month_year(value) if value else ""


@register.filter
def long_datetime(value: dt.datetime | str | None) -> str:
    return dates.long_datetime(value) if value else ""


@register.simple_tag
def date_range(start: dates.DateLike, end: dates.DateLike) -> str:
    return dates.date_range(start, end)
