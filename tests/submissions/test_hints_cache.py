"""A draft's duplicate hints are kept as the member's own copy (portal.pagecache): a second
look costs no query, and a change to the draft or to the published reports shows at once."""

import pytest
from django.urls import reverse

from submissions import services
from submissions.models import BarrierReport
from tests.submissions.factories import BarrierReportFactory
from tests.submissions.test_filing import start, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("needs_redis", "page_cache")]


@pytest.fixture
def coffee(world):
    return BarrierReportFactory(
        title="Coffee parcels to the United States need a formal customs entry",
        summary="Small coffee parcels need a broker.",
    )


@pytest.fixture
def draft(client, world, coffee):
    client.force_login(world.member)
    report, _response = start(client, title="Formal customs entry for small coffee parcels")
    return report


def hints(client, draft: BarrierReport):
    return client.get(reverse("submissions:draft_similar", kwargs={"draft": draft.public_id}))


def test_a_second_look_at_the_hints_costs_no_query(
    client, draft, coffee, django_assert_num_queries
):
    first = hints(client, draft).content.decode()
    assert coffee.title in first
    with django_assert_num_queries(0):
        again = hints(client, draft).content.decode()
    assert (
        again.split('name="csrfmiddlewaretoken"')[0] == first.split('name="csrfmiddlewaretoken"')[0]
    )
    assert again.count(coffee.title) == first.count(coffee.title)


def test_words_changed_in_the_draft_change_the_hints_at_once(client, world, draft, coffee):
    alpaca = BarrierReportFactory(title="Alpaca wool shipments held for a sanitary certificate")
    assert alpaca.title not in hints(client, draft).content.decode()
    response = client.post(
        step_url(draft, "about"),
        {"title": "Alpaca wool held for a sanitary certificate", "summary": "Held at the border."},
    )
    assert response.status_code == 302
    html = hints(client, draft).content.decode()
    assert alpaca.title in html
    assert coffee.title not in html


def test_a_report_published_meanwhile_joins_the_hints(
    client, world, draft, coffee, django_capture_on_commit_callbacks
):
    hints(client, draft)
    waiting = BarrierReportFactory(
        title="Formal customs entry demanded for coffee samples",
        status=BarrierReport.Status.SUBMITTED,
        published_at=None,
    )
    assert waiting.title not in hints(client, draft).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the commit retires the copy
        services.report_transition(actor=world.moderator, report=waiting, to_status="published")
    assert waiting.title in hints(client, draft).content.decode()


def test_a_discarded_draft_has_no_hints_left(client, world, draft, coffee):
    hints(client, draft)
    services.report_draft_delete(actor=world.member, report=draft)
    assert hints(client, draft).status_code == 404
