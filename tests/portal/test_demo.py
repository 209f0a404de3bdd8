"""The demo's calendar (StoryClock) and the seed_demo command's "today"."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from portal.demo import StoryClock, story_today

TODAY = dt.date(2026, 3, 1)
MIDNIGHT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _moments(clock: StoryClock) -> list[dt.datetime]:
    return [clock.day(days) for days in (30, 20, 10, 1)]


def test_one_date_and_name_give_the_same_moments_every_time():
    assert _moments(StoryClock(TODAY, "reports")) == _moments(StoryClock(TODAY, "reports"))
    assert _moments(StoryClock(TODAY, "reports")) != _moments(StoryClock(TODAY, "threads"))


def test_a_moment_falls_on_its_day_during_working_hours():
    clock = StoryClock(TODAY, "reports")
    for days in range(1, 200, 7):
        moment = clock.day(days)
        assert moment.date() == TODAY - dt.timedelta(days=days)
        assert 6 <= moment.hour < 20
        assert moment.tzinfo == dt.UTC


def test_the_story_ends_before_today_begins():
    clock = StoryClock(TODAY, "reports")
    assert clock.end == MIDNIGHT
    with pytest.raises(ValueError, match="ends before today"):
        clock.day(0)
    late = MIDNIGHT - dt.timedelta(minutes=5)
    with pytest.raises(ValueError, match="not before today"):
        clock.day(1, after=late)
    assert clock.minutes_after(late, 60, 120) < MIDNIGHT


def test_an_event_placed_after_another_comes_after_it_the_same_day():
    clock = StoryClock(TODAY, "reports")
    for _ in range(50):
        first = clock.day(3)
        second = clock.day(3, after=first)
        assert first < second
        assert second.date() == first.date()


def test_seed_demo_refuses_a_today_in_the_future_or_not_a_date():
    tomorrow = (story_today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="cannot end in the future"):
        call_command("seed_demo", today=tomorrow, stdout=io.StringIO())
    with pytest.raises(CommandError, match="write the date as YYYY-MM-DD"):
        call_command("seed_demo", today="1 March", stdout=io.StringIO())
