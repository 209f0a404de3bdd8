"""The demo's reports tell a believable story, dated relative to the day the demo is loaded:
every status and visibility, three languages, events in order, none today or later."""

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from portal import demo as portal_demo
from portal.models import Country, Organisation, User
from portal.reference import load_reference_data
from submissions import demo
from submissions.models import (
    BarrierReport,
    CoSignature,
    OfficialResponse,
    StatusChange,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 18)  # a Wednesday
STORY_END = dt.datetime(2026, 11, 18, tzinfo=dt.UTC)  # the story ends as "today" begins


@pytest.fixture(scope="module")
def messages(django_db_setup, django_db_blocker) -> Iterator[list[str]]:
    """The portal and report demos, seeded once for this module's tests (they only read)
    and rolled back after them; what the seeders said."""
    said: list[str] = []
    with django_db_blocker.unblock(), transaction.atomic():
        if not Country.objects.exists():  # a transactional test before may have flushed it
            load_reference_data(apps)
        Group.objects.get_or_create(name=settings.MODERATORS_GROUP)
        portal_demo.seed(said.append, today=TODAY)
        demo.seed(said.append, today=TODAY)
        yield said
        transaction.set_rollback(True)


def _days_before_today(moment: dt.datetime) -> int:
    return (TODAY - moment.date()).days


def test_demo_reports_cover_every_status_visibility_and_language(messages):
    reports = BarrierReport.objects.all()
    assert reports.count() == 37
    assert set(reports.values_list("status", flat=True)) == set(BarrierReport.Status.values)
    assert set(reports.values_list("visibility", flat=True)) == set(BarrierReport.Visibility.values)
    assert set(reports.values_list("language", flat=True)) == {"en", "fr", "es"}
    assert len(set(reports.values_list("organisation", flat=True))) == 5
    assert len(set(reports.values_list("market", flat=True))) >= 15
    assert CoSignature.objects.count() >= 20
    assert OfficialResponse.objects.filter(author__official_status="verified").count() >= 12
    assert "37 reports in 9 statuses" in messages
    published = reports.filter(status="published")
    assert all(report.published_at and report.reference for report in published)
    assert reports.filter(status="submitted").count() == 4, "recent reports wait for triage"
    demo.seed(messages.append, today=TODAY)
    assert messages[-1] == "barrier reports already present; nothing to do"
    assert BarrierReport.objects.count() == 37, "seeding twice adds nothing"


def test_every_step_of_a_report_comes_after_the_one_before(messages):
    for report in BarrierReport.objects.exclude(status="draft"):
        changes = list(report.status_changes.order_by("id"))
        moments = [change.created_at for change in changes]
        assert report.created_at < report.submitted_at == moments[0], report.title
        assert moments == sorted(moments), f"{report.title}: decisions out of order"
        assert len(set(moments)) == len(moments), report.title
        assert report.status_changed_at == moments[-1]
        if report.published_at is not None:
            first = next(change for change in changes if change.to_status == "published")
            assert report.published_at == first.created_at
            assert report.submitted_at < report.published_at


def _status_at(report: BarrierReport, moment: dt.datetime) -> str:
    return report.status_changes.filter(created_at__lt=moment).latest("created_at").to_status


def test_firms_cosign_and_officials_answer_reports_that_are_open_to_it(messages):
    for cosignature in CoSignature.objects.select_related("report"):
        assert cosignature.created_at > cosignature.report.published_at
        status = _status_at(cosignature.report, cosignature.created_at)
        assert status in {"published", "resolved_in_part"}, cosignature.report.title
    for response in OfficialResponse.objects.select_related("report"):
        assert response.created_at > response.report.published_at
        status = _status_at(response.report, response.created_at)
        assert status in {"published", "resolved_in_part", "resolved_in_full"}


def test_nothing_is_dated_today_or_later_and_people_come_before_their_reports(messages):
    moments = [
        *BarrierReport.objects.values_list("created_at", flat=True),
        *BarrierReport.objects.values_list("updated_at", flat=True),
        *BarrierReport.objects.exclude(published_at=None).values_list("published_at", flat=True),
        *StatusChange.objects.values_list("created_at", flat=True),
        *CoSignature.objects.values_list("created_at", flat=True),
        *OfficialResponse.objects.values_list("created_at", flat=True),
        *Organisation.objects.values_list("created_at", flat=True),
        *User.objects.values_list("date_joined", flat=True),
        *User.objects.exclude(official_verified_at=None).values_list(
            "official_verified_at", flat=True
        ),
    ]
    assert max(moments) < STORY_END
    assert max(moments) > STORY_END - dt.timedelta(days=2), "the story reaches yesterday"
    for report in BarrierReport.objects.select_related("organisation", "reporter"):
        assert report.organisation.created_at < report.reporter.date_joined < report.created_at
    for official in User.objects.filter(official_status="verified"):
        assert official.official_verified_at > official.date_joined


def test_each_event_is_dated_its_number_of_days_before_today(messages):
    reports = {item.key: demo.demo_report(item.key) for item in demo.REPORTS}
    for item in demo.REPORTS:
        report = reports[item.key]
        assert _days_before_today(report.created_at) == item.filed, item.key
        if item.submitted is not None:
            assert _days_before_today(report.submitted_at) == item.submitted, item.key
        changes = list(report.status_changes.exclude(to_status="submitted").order_by("id"))
        assert [(c.to_status, _days_before_today(c.created_at)) for c in changes] == [
            (decision.status, decision.days_ago) for decision in item.decisions
        ], item.key
    for key, email, _impact, _comment, days_ago in demo.COSIGNATURES:
        cosignature = CoSignature.objects.get(report=reports[key], signed_by__email=email)
        assert _days_before_today(cosignature.created_at) == days_ago
    for key, email, _body, days_ago in demo.RESPONSES:
        assert any(
            _days_before_today(response.created_at) == days_ago
            for response in OfficialResponse.objects.filter(
                report=reports[key], author__email=email
            )
        ), key


def _largest_gap(days: list[int]) -> int:
    return max(later - earlier for earlier, later in itertools.pairwise(sorted(days)))


def test_no_week_of_the_last_twelve_goes_without_a_new_report_or_a_decision(messages):
    """Seven days in a row always hold a whole ISO week's worth of weekdays: with no gap of
    more than seven days, each of the twelve weeks before this one gets one, whatever the
    weekday of "today" (12 weeks end 1 to 7 days ago and start 84 to 90 days ago)."""
    public = BarrierReport.objects.exclude(visibility="officials_only")
    published = [
        _days_before_today(report.published_at) for report in public.exclude(published_at=None)
    ]
    recent = [day for day in published if day <= 90]
    assert min(recent) <= 7
    assert max(recent) >= 84
    assert _largest_gap(recent) <= 7
    later_decisions = StatusChange.objects.filter(report__in=public).exclude(
        from_status="submitted"
    )
    decided = [_days_before_today(change.created_at) for change in later_decisions]
    assert min(decided) <= 7
    assert max(day for day in decided if day <= 90) >= 77
    assert _largest_gap([day for day in decided if day <= 90]) <= 7
    waiting = BarrierReport.objects.filter(status="submitted")
    assert all(_days_before_today(report.submitted_at) <= 4 for report in waiting)


def test_one_date_always_tells_the_same_story(messages):
    """Times of day come from a generator seeded by the date: pinned here."""
    report = BarrierReport.objects.get(reference="TB-2026-00007")
    assert report.title.startswith("Small coffee parcels to the United States")
    assert report.published_at == dt.datetime(2026, 8, 22, 11, 6, tzinfo=dt.UTC)
    first = BarrierReport.objects.order_by("submitted_at").exclude(submitted_at=None).first()
    assert first.reference == "TB-2026-00001"
