"""The report list's results are rendered once and kept in the cache per reader class
(submissions.selectors.reading_key), language, query and generation of public pages:
a list cached for one reader never reaches a reader who may not see it, and a change to a
report shows at once."""

from itertools import combinations

import pytest

from submissions import services
from submissions.models import BarrierReport, CoSignature
from submissions.selectors import (
    reading_key,
    report_display_organisation,
    report_list_for,
)
from tests.factories import OfficialFactory
from tests.submissions.conftest import log_in
from tests.submissions.factories import BarrierReportFactory
from tests.submissions.test_visibility import ROLES, expected_named, expected_visible

pytestmark = pytest.mark.django_db

Visibility = BarrierReport.Visibility
Status = BarrierReport.Status
REPORTER_NAME = "Unmistakable Roasters Ltd"
TITLES = {
    Visibility.PUBLIC: "Quetzal invoices refused by the gateway",
    Visibility.ANONYMISED: "Xylophone parts held for a licence",
    Visibility.OFFICIALS_ONLY: "Wombat-grade data localisation demanded",
}
LIST = "/reports/"


@pytest.fixture
def reports(world):
    organisation = world.reporter.organisation
    organisation.name = REPORTER_NAME
    organisation.save()
    return {
        visibility: BarrierReportFactory(
            reporter=world.reporter, title=title, visibility=visibility, sector="agri_food"
        )
        for visibility, title in TITLES.items()
    }


def list_as(client, world, role: str, path: str = LIST) -> str:
    client.logout()
    client.cookies.clear()
    log_in(client, world.role(role))
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, title: str) -> str:
    """The card of the report with this title."""
    return next(card for card in html.split('<li class="report-card">') if title in card)


def test_readers_of_one_class_read_the_same_reports_with_the_same_names(world, reports):
    """What the cache key holds is everything the rule depends on: any two readers the key
    cannot tell apart see the same reports, with the same organisations named."""
    read = {}
    for role in ROLES:
        viewer = world.role(role)
        visible = list(report_list_for(viewer=viewer))
        names = {report.pk: report_display_organisation(report, viewer) for report in visible}
        read[role] = (reading_key(viewer), [report.pk for report in visible], names)
    shared = 0
    for first, second in combinations(ROLES, 2):
        if read[first][0] == read[second][0]:
            shared += 1
            assert read[first][1:] == read[second][1:], (first, second)
    assert shared, "some roles share a class (visitors and people without an organisation)"
    assert read["official"][0] != read["member"][0]
    assert read["colleague"][0] != read["member"][0]


@pytest.mark.usefixtures("needs_redis", "page_cache")
@pytest.mark.parametrize("first", [role for role in ROLES if role != "visitor"])
def test_a_list_cached_for_one_reader_never_reaches_a_reader_who_may_not_see_it(
    client, world, reports, first
):
    """Whoever fills the cache first (an official, a moderator, the reporter's colleague),
    every other reader gets exactly what the visibility rule allows them."""
    list_as(client, world, first)
    for role in [first, *ROLES]:
        html = list_as(client, world, role)
        for visibility, title in TITLES.items():
            shown = title in html
            assert shown is expected_visible(role, visibility), (role, visibility)
        named = REPORTER_NAME in card(html, TITLES[Visibility.ANONYMISED])
        assert named is expected_named(role, Visibility.ANONYMISED), role


@pytest.mark.usefixtures("needs_redis", "page_cache")
def test_a_search_and_another_language_are_cached_apart(client, world, reports):
    assert TITLES[Visibility.PUBLIC] in list_as(client, world, "member")
    searched = list_as(client, world, "member", LIST + "?q=xylophone")
    assert TITLES[Visibility.ANONYMISED] in searched
    assert TITLES[Visibility.PUBLIC] not in searched
    french = list_as(client, world, "member", "/fr" + LIST)
    assert "Marché" in french or "Publié" in french, "the cards are in French"


@pytest.mark.usefixtures("needs_redis", "page_cache")
def test_a_report_published_shows_at_once_on_a_signed_in_list(client, world, reports, commits):
    submitted = BarrierReportFactory(
        reporter=world.reporter,
        title="Yak wool labelled wrongly",
        status=Status.SUBMITTED,
        published_at=None,
    )
    assert "Yak wool" not in list_as(client, world, "member")
    with commits():
        services.report_transition(actor=world.moderator, report=submitted, to_status="published")
    assert "Yak wool" in list_as(client, world, "member")


@pytest.mark.usefixtures("needs_redis", "page_cache")
def test_an_officials_only_report_changed_shows_at_once_to_officials(
    client, world, reports, commits
):
    report = reports[Visibility.OFFICIALS_ONLY]
    title = TITLES[Visibility.OFFICIALS_ONLY]
    assert "badge--status-archived" not in card(list_as(client, world, "official"), title)
    with commits():
        services.report_transition(actor=world.moderator, report=report, to_status="archived")
    assert "badge--status-archived" in card(list_as(client, world, "official"), title)


@pytest.mark.usefixtures("needs_redis", "page_cache")
def test_a_co_signature_shows_at_once_on_a_signed_in_list(client, world, reports, commits):
    title = TITLES[Visibility.OFFICIALS_ONLY]
    assert "<dd>0 organisations</dd>" in card(list_as(client, world, "official"), title)
    cosigner = OfficialFactory()  # who may read (and so co-sign) an officials-only report
    with commits():
        services.report_cosign(
            actor=cosigner,
            report=reports[Visibility.OFFICIALS_ONLY],
            impact=CoSignature.Impact.choices[0][0],
        )
    assert "<dd>1 organisation</dd>" in card(list_as(client, world, "official"), title)


@pytest.mark.usefixtures("needs_redis", "page_cache")
@pytest.mark.parametrize("role", ["member", "official"])
def test_the_signed_in_list_costs_no_query_once_it_is_cached(
    client, world, reports, role, django_assert_num_queries
):
    html = list_as(client, world, role)
    with django_assert_num_queries(0):  # the person's copy of the page (portal.pagecache)
        again = client.get(LIST)
    assert again.content.decode().count("report-card__title") == html.count("report-card__title")
    for number in range(20):
        BarrierReportFactory(reporter=world.reporter, title=f"Another barrier {number}")
    with django_assert_num_queries(0):
        client.get(LIST)
