"""One date style in each language, from portal.dates and its template filters."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from portal import dates

SEPTEMBER_12 = dt.date(2026, 9, 12)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "12 September 2026"),
        ("fr", "12 septembre 2026"),
        ("es", "12 de septiembre de 2026"),
    ],
)
def test_a_date_reads_the_same_way_in_each_language(language, expected):
    assert dates.long_date(SEPTEMBER_12, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1 October 2026"), ("fr", "1er octobre 2026"), ("es", "1 de octubre de 2026")],
)
def test_the_first_of_the_month_is_written_as_each_language_writes_it(language, expected):
    assert dates.long_date(dt.date(2026, 10, 1), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "12 September 2026, 14:30"),
        ("fr", "12 septembre 2026 à 14:30"),
        ("es", "12 de septiembre de 2026, 14:30"),
    ],
)
def test_a_moment_adds_the_24_hour_time(language, expected):
    moment = dt.datetime(2026, 9, 12, 14, 30, tzinfo=dt.UTC)
    assert dates.long_datetime(moment, language) == expected


def test_a_datetime_shows_the_day_in_the_sites_time_zone():
    late_evening = dt.datetime(2026, 9, 12, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert dates.long_date(late_evening, "en") == "13 September 2026"  # 04:30 UTC


@pytest.mark.parametrize(
    ("start", "end", "language", "expected"),
    [
        ("2026-11-23", "2026-11-29", "en", "23–29 November 2026"),
        ("2026-11-23", "2026-11-29", "fr", "23–29 novembre 2026"),
        ("2026-11-23", "2026-11-29", "es", "23–29 de noviembre de 2026"),
        ("2026-11-30", "2026-12-06", "en", "30 November – 6 December 2026"),
        ("2026-11-30", "2026-12-06", "es", "30 de noviembre – 6 de diciembre de 2026"),
        ("2026-12-28", "2027-01-03", "fr", "28 décembre 2026 – 3 janvier 2027"),
        ("2026-09-01", "2026-09-07", "fr", "1er–7 septembre 2026"),
    ],
)
def test_a_week_is_named_by_its_dates(start, end, language, expected):
    assert dates.date_range(start, end, language) == expected


def test_without_a_language_the_active_one_is_used():
    with translation.override("es"):
        assert dates.long_date("2026-09-12") == "12 de septiembre de 2026"


def test_django_date_format_gives_the_same_text_as_the_helper():
    template = Template('{{ day|date:"DATE_FORMAT" }}')
    for language, expected in [
        ("en", "12 September 2026"),
        ("fr", "12 septembre 2026"),
        ("es", "12 de septiembre de 2026"),
    ]:
        with translation.override(language):
            assert template.render(Context({"day": SEPTEMBER_12})) == expected


def test_template_filters_write_dates_in_the_active_language():
    template = Template(
        "{% load portal_dates %}{{ day|long_date }} | {{ moment|long_datetime }} | "
        "{% date_range start end %}"
    )
    context = Context(
        {
            "day": SEPTEMBER_12,
            "moment": dt.datetime(2026, 9, 12, 8, 5, tzinfo=dt.UTC),
            "start": dt.date(2026, 11, 23),
            "end": dt.date(2026, 11, 29),
        }
    )
    with translation.override("fr"):
        assert template.render(context) == (
            "12 septembre 2026 | 12 septembre 2026 à 08:05 | 23–29 novembre 2026"
        )
