"""Signed-in people's copies of the dashboard and the report list (portal.pagecache): served
without loading the person or touching the database, and never once anything the copy was
checked against has changed: the person's row, groups and two-factor set-up, their
organisation, their unread notices, their session's sign-in."""

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.notices import notices_create
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("needs_redis", "page_cache")]
DASHBOARD = "/dashboard/"
REPORTS = "/reports/"
NOTIFICATIONS = reverse("portal:notifications")


@pytest.fixture
def member():
    return MemberFactory(full_name="Amina Okafor")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def page(client, path: str = DASHBOARD) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("path", [DASHBOARD, REPORTS])
def test_a_second_visit_is_answered_from_the_persons_copy_without_a_query(
    signed_in, path, django_assert_num_queries
):
    first = page(signed_in, path)
    with django_assert_num_queries(0):
        again = page(signed_in, path)
    assert "Amina Okafor" in again or "Log out" in again
    assert again.count("report-card__title") == first.count("report-card__title")


def test_a_page_the_view_does_not_mark_is_never_answered_from_a_copy(signed_in):
    page(signed_in, NOTIFICATIONS)
    with CaptureQueriesContext(connection) as rendered:
        page(signed_in, NOTIFICATIONS)
    assert rendered.captured_queries


def test_a_password_changed_elsewhere_signs_the_other_browser_out(member):
    laptop, phone = Client(), Client()
    laptop.force_login(member)
    phone.force_login(member)
    page(phone)  # the phone's copy is stored
    member.set_password("a-new-long-password-2026")
    member.save()
    laptop.force_login(member)  # signed in again with the new password, as the change does
    page(laptop)  # a copy stored for the new sign-in
    response = phone.get(DASHBOARD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_deactivated_account_is_not_answered_from_its_copy(signed_in, member):
    page(signed_in)
    member.is_active = False
    member.save()
    response = signed_in.get(DASHBOARD)
    assert response.status_code == 302


def test_a_profile_saved_elsewhere_shows_at_once(signed_in, member):
    assert 'value="Amina Okafor"' in page(signed_in)
    member.full_name = "Amina O. Okafor"
    member.save()
    assert 'value="Amina O. Okafor"' in page(signed_in)


def test_a_message_after_saving_is_shown_once(signed_in):
    page(signed_in)
    response = signed_in.post(
        DASHBOARD, {"full_name": "Amina", "job_title": "", "language": "en"}, follow=True
    )
    assert "Your profile has been saved." in response.content.decode()
    assert "Your profile has been saved." not in page(signed_in)


def test_joining_the_moderators_shows_the_way_to_moderation(signed_in, member):
    assert "/moderation/" not in page(signed_in, REPORTS)
    Group.objects.get_or_create(name=settings.MODERATORS_GROUP)[0].user_set.add(member)
    assert "/moderation/" in page(signed_in, REPORTS)
    member.groups.clear()
    assert "/moderation/" not in page(signed_in, REPORTS)


def test_setting_up_two_factor_authentication_retires_the_copy(signed_in, member):
    page(signed_in)
    Authenticator.objects.create(user=member, type=Authenticator.Type.RECOVERY_CODES, data={})
    with CaptureQueriesContext(connection) as rendered:
        page(signed_in)
    assert rendered.captured_queries, "rendered anew, not answered from the copy"


def test_the_organisation_renamed_shows_at_once(signed_in, member):
    assert member.organisation.name in page(signed_in)
    member.organisation.name = "Renamed Weavers Ltd"
    member.organisation.save()
    assert "Renamed Weavers Ltd" in page(signed_in)


def test_a_new_notice_shows_in_the_header_at_once(signed_in, member):
    assert "unread" not in page(signed_in)
    notices_create(
        recipient_ids=[member.pk], kind="test", key="k1", title="A reply", path="/dialogues/"
    )
    assert "1 unread" in page(signed_in)


def test_one_persons_copy_never_reaches_another(client, member):
    client.force_login(member)
    page(client)
    other = MemberFactory(full_name="Bruno Lima")
    client.force_login(other)
    html = page(client)
    assert "Bruno Lima" in html
    assert "Amina Okafor" not in html


def test_each_browser_gets_its_own_working_form_token(member):
    laptop, phone = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    laptop.force_login(member)
    phone.force_login(member)
    page(laptop)  # fills the cache
    html = page(phone)
    assert "\x00" not in html
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = phone.post(
        DASHBOARD,
        {"csrfmiddlewaretoken": token, "full_name": "Amina", "job_title": "", "language": "en"},
    )
    assert response.status_code == 302


def test_another_language_is_its_own_copy(signed_in):
    assert 'lang="en"' in page(signed_in)
    assert '<html lang="fr"' in page(signed_in, "/fr" + DASHBOARD)
