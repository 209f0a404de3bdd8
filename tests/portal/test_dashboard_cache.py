"""The dashboard's pieces are rendered once for what they show (keys built from the person's
own values, loaded on every request), and the CSRF token between them stays each browser's."""

import re

import pytest
from django.test import Client

from portal.models import User
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("needs_redis", "page_cache")]
DASHBOARD = "/dashboard/"


def dashboard(client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def test_a_profile_saved_shows_at_once(client):
    member = MemberFactory(full_name="Amina Okafor", job_title="Founder")
    client.force_login(member)
    assert 'value="Amina Okafor"' in dashboard(client)
    client.post(DASHBOARD, {"full_name": "Amina O. Okafor", "job_title": "CEO", "language": "en"})
    html = dashboard(client)
    assert 'value="Amina O. Okafor"' in html
    assert 'value="CEO"' in html
    assert "Amina Okafor" not in html


def test_a_form_with_errors_keeps_what_was_typed(client):
    client.force_login(MemberFactory(full_name="Amina Okafor"))
    dashboard(client)
    response = client.post(DASHBOARD, {"full_name": "Typed but wrong", "language": "xx"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Typed but wrong"' in html
    assert 'aria-invalid="true"' in html


def test_changes_to_the_organisation_and_roles_show_at_once(client):
    member = MemberFactory()
    client.force_login(member)
    assert "verified as an official account" not in dashboard(client)
    # Saved as the services save them (update_fields), which retires the person's copy.
    organisation = member.organisation
    organisation.name = "Renamed Weavers Ltd"
    organisation.save(update_fields=["name"])
    assert "Renamed Weavers Ltd" in dashboard(client)
    member.official_status = User.OfficialStatus.VERIFIED
    member.save(update_fields=["official_status"])
    assert "verified as an official account" in dashboard(client)
    member.is_organisation_admin = True
    member.save(update_fields=["is_organisation_admin"])
    html = dashboard(client)
    assert "You approve requests to join." in html


def test_one_person_never_sees_anothers_dashboard(client):
    first = MemberFactory(full_name="Amina Okafor")
    second = MemberFactory(full_name="Bruno Lima")
    client.force_login(first)
    dashboard(client)
    client.force_login(second)
    html = dashboard(client)
    assert "Bruno Lima" in html
    assert "Amina Okafor" not in html
    assert first.organisation.name not in html


def test_each_browser_gets_a_csrf_token_that_works_for_it():
    member = MemberFactory(full_name="Amina Okafor")
    laptop, phone = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    laptop.force_login(member)
    phone.force_login(member)
    dashboard(laptop)  # fills the cache
    html = dashboard(phone)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = phone.post(
        DASHBOARD,
        {"csrfmiddlewaretoken": token, "full_name": "Amina", "job_title": "", "language": "en"},
    )
    assert response.status_code == 302
