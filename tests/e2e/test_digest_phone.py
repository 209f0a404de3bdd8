"""A visitor reads the public weekly digest on a 320 px phone: the charts' text stays legible
and the charts fit the screen."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from dialogues.digests import services
from dialogues.digests.weeks import iso_week_bounds, last_complete_iso_week
from portal.models import Country
from tests.e2e.helpers import assert_accessible
from tests.submissions.factories import BarrierReportFactory


def test_digest_charts_are_legible_on_a_320_pixel_screen(page, live_server):
    week = last_complete_iso_week(timezone.now())
    published = iso_week_bounds(week)[0] + dt.timedelta(days=1, hours=10)
    for code, topics in (("KE", ["SME-01", "ECOM-10"]), ("PE", ["SME-01"]), ("VN", ["ECOM-10"])):
        BarrierReportFactory(
            market=Country.objects.get(code=code), topics=topics, published_at=published
        )
    services.digest_compile_week(week=week)

    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/digests/{week}/")
    page.get_by_role("heading", name="Figure 1. New reports by topic").wait_for()
    expect(page.locator("p.digest-chart__summary").first).to_contain_text(
        "3 new reports across 2 topics."
    )
    assert_accessible(page, context="public digest at 320 px")

    charts = page.locator("svg.digest-chart__svg")
    assert charts.count() == 2  # topics and the 12-week trend (markets are a ranked table)
    for index in range(charts.count()):
        chart = charts.nth(index)
        box = chart.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 320
        # The rendered height of each line of text: its font size as the reader sees it.
        heights = chart.locator("text").evaluate_all(
            "texts => texts.map(text => text.getBoundingClientRect().height)"
        )
        assert heights
        assert min(heights) >= 11, heights
