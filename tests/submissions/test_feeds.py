"""Atom feeds of report searches and of an organisation's reports: public reports only, with
links on the portal's own address."""

import re

import pytest
from django.core.management import call_command

from portal.models import Country
from submissions.models import BarrierReport
from tests.factories import MemberFactory
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

Visibility = BarrierReport.Visibility
HOST = "portal.trade.go.ke"


@pytest.fixture(autouse=True)
def deployed_at_its_public_address(settings) -> None:
    settings.SITE_URL = f"https://{HOST}"
    settings.ALLOWED_HOSTS = [HOST]
    call_command("migrate", verbosity=0, interactive=False)  # as every deployment does


def get_feed(client, path: str) -> str:
    response = client.get(path, secure=True, HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content.decode()


def test_a_search_feed_lists_matching_public_reports_with_absolute_links(client):
    kenya = Country.objects.get(code="KE")
    public = BarrierReportFactory(market=kenya, title="Mobile money refused")
    anonymised = BarrierReportFactory(
        market=kenya, title="Courier delays", visibility=Visibility.ANONYMISED
    )
    BarrierReportFactory(market=kenya, title="Secret", visibility=Visibility.OFFICIALS_ONLY)
    BarrierReportFactory(title="Elsewhere")
    BarrierReportFactory(market=kenya, title="Draft", status="draft")

    feed = get_feed(client, "/reports/feed/?market=KE")

    titles = re.findall(r"<title>([^<]+)</title>", feed)
    assert f"{public.reference}: Mobile money refused" in titles
    assert f"{anonymised.reference}: Courier delays" in titles
    assert not [title for title in titles if "Secret" in title or "Elsewhere" in title]
    assert "Draft" not in feed
    assert f'<link href="https://{HOST}/reports/{public.reference}/"' in feed
    assert f'<link href="https://{HOST}/reports/?market=KE"' in feed
    assert "example.com" not in feed
    assert anonymised.organisation.name not in feed, "an anonymised reporter is not named"


def test_an_organisations_feed_lists_only_the_reports_it_is_named_on(client):
    reporter = MemberFactory()
    public = BarrierReportFactory(reporter=reporter, title="Named report")
    BarrierReportFactory(reporter=reporter, title="Hidden name", visibility=Visibility.ANONYMISED)
    BarrierReportFactory(
        reporter=reporter, title="For officials", visibility=Visibility.OFFICIALS_ONLY
    )
    slug = reporter.organisation.slug

    feed = get_feed(client, f"/organisations/{slug}/feed/")

    assert f"{public.reference}: Named report" in feed
    assert "Hidden name" not in feed
    assert "For officials" not in feed
    assert f'<link href="https://{HOST}/organisations/{slug}/"' in feed


def test_the_list_page_and_the_organisation_page_link_to_their_feeds(client):
    reporter = MemberFactory()
    html = client.get("/reports/?market=KE", secure=True, HTTP_HOST=HOST).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New reports matching this '
        'search (Atom feed)" href="/reports/feed/?market=KE">'
    ) in html
    assert '<a href="/reports/feed/?market=KE">Atom feed of this search</a>' in html

    slug = reporter.organisation.slug
    profile = client.get(f"/organisations/{slug}/", secure=True, HTTP_HOST=HOST)
    assert 'type="application/atom+xml"' in profile.content.decode()
    assert f'href="/organisations/{slug}/feed/"' in profile.content.decode()


def test_a_feed_reads_the_same_number_of_queries_for_many_reports(
    client, django_assert_max_num_queries
):
    for _ in range(3):
        BarrierReportFactory()
    with django_assert_max_num_queries(6):
        get_feed(client, "/reports/feed/")
    for _ in range(20):
        BarrierReportFactory()
    with django_assert_max_num_queries(6):
        get_feed(client, "/reports/feed/")
