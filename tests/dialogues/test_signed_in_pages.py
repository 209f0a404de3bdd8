"""What every page costs a signed-in person: one query for who they are (organisation,
moderators' group and two-factor set-up included), whatever the page; the session comes from
the cache (portal/sessions.py)."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.dialogues.conftest import make_report
from tests.factories import MemberFactory, ModeratorFactory, make_moderator

pytestmark = pytest.mark.django_db


def test_the_dashboard_costs_a_member_one_query(client, django_assert_num_queries):
    member = MemberFactory()
    client.force_login(member)
    client.get(reverse("portal:home"))  # the header's unread count, cached per person
    with django_assert_num_queries(1) as captured:  # the person with all roles
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert member.organisation.name in html
    assert member.organisation.country.name in html
    assert "Moderation" not in html
    assert "auth_group" in captured.captured_queries[0]["sql"], "the role comes with the person"


def test_the_report_list_costs_a_member_the_same_queries_however_many_reports(
    client, django_assert_max_num_queries
):
    client.force_login(MemberFactory())
    client.get(reverse("portal:home"))  # the header's unread count, cached per person
    make_report(reference="TB-2026-00701")
    with django_assert_max_num_queries(8) as few:
        assert client.get("/reports/").status_code == 200
    for number in range(702, 730):
        make_report(reference=f"TB-2026-{number:05d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/reports/").status_code == 200


def test_roles_read_with_the_person_follow_changes_at_the_next_request(client):
    member = MemberFactory()
    client.force_login(member)
    assert "Moderation" not in client.get(reverse("portal:dashboard")).content.decode()

    make_moderator(member, with_mfa=False)
    page = client.get(reverse("dialogues:moderation_queue"))
    assert page.status_code == 302, "a moderator without two-factor is sent to set it up"
    assert "Moderation" in client.get(reverse("portal:dashboard")).content.decode()

    TOTP.activate(member, generate_totp_secret())
    assert client.get(reverse("dialogues:moderation_queue")).status_code == 200

    member.groups.remove(Group.objects.get(name="Moderators"))
    assert client.get(reverse("dialogues:moderation_queue")).status_code == 403


def test_a_moderator_acting_with_two_factor_costs_no_extra_query(client, django_assert_num_queries):
    client.force_login(ModeratorFactory())
    client.get(reverse("portal:home"))  # the header's unread count, cached per person
    with django_assert_num_queries(1):
        assert client.get(reverse("portal:dashboard")).status_code == 200


def filters(response) -> str:
    html = response.content.decode()
    start = html.index('<form method="get"')
    return html[start : html.index("</form>", start)]


@pytest.mark.usefixtures("needs_redis")
def test_the_report_filters_are_rendered_once_and_follow_a_renamed_topic(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from portal.models import Topic

    client.force_login(MemberFactory())
    first = client.get("/reports/", {"market": ""})
    with django_assert_max_num_queries(8) as captured:
        again = client.get("/reports/", {"market": ""})
    assert filters(again) == filters(first)
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert 'FROM "portal_country"' not in tables, "the market list comes from the cache"
    assert 'FROM "portal_ntmchapter"' not in tables

    topic = Topic.objects.filter(reportable=True).order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        topic.name_en = "Payments across borders"
        topic.save()
        from portal.pagecache import public_pages_changed

        public_pages_changed()  # as the admin does after saving
    assert "Payments across borders" in client.get("/reports/", {"market": ""}).content.decode()
