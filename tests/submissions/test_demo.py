"""The demo tells a believable story: every status and visibility, three languages."""

import pytest

from portal import demo as portal_demo
from submissions import demo
from submissions.models import BarrierReport, CoSignature, OfficialResponse

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_every_status_visibility_and_language(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    messages: list[str] = []
    portal_demo.seed(messages.append)
    demo.seed(messages.append)
    reports = BarrierReport.objects.all()
    assert reports.count() == 25
    assert set(reports.values_list("status", flat=True)) == set(BarrierReport.Status.values)
    assert set(reports.values_list("visibility", flat=True)) == set(BarrierReport.Visibility.values)
    assert set(reports.values_list("language", flat=True)) == {"en", "fr", "es"}
    assert len(set(reports.values_list("organisation", flat=True))) >= 5
    assert len(set(reports.values_list("market", flat=True))) >= 8
    assert CoSignature.objects.count() >= 8
    assert OfficialResponse.objects.filter(author__official_status="verified").count() >= 4
    assert any("25 reports" in message for message in messages)
    published = reports.filter(status="published")
    assert all(report.published_at and report.reference for report in published)
    demo.seed(messages.append)
    assert BarrierReport.objects.count() == 25, "seeding twice adds nothing"
