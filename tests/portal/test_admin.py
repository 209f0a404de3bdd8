"""The Django admin: every model registered, every list usable, the audit trail read-only."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from portal import outbox, services
from portal.models import AuditEvent, Notice, Organisation, User
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory, UserFactory

OUR_APPS = ("portal", "submissions", "dialogues")


def _models(*labels: str):
    return [model for label in labels for model in apps.get_app_config(label).get_models()]


def test_every_model_of_ours_is_in_the_admin():
    models = _models(*OUR_APPS)
    assert len(models) >= 9, "the portal's own models are found"
    missing = [model._meta.label for model in models if not admin.site.is_registered(model)]
    assert missing == []


@pytest.fixture
def superuser_client(client, db):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(superuser, generate_totp_secret())
    client.force_login(superuser)
    return client


@pytest.fixture
def some_rows(db):
    member = MemberFactory()
    official = OfficialFactory()
    services.verified_domain_add(
        actor=ModeratorFactory(), domain="trade.go.ke", organisation_name="MITI"
    )
    services.audit_record(actor=member, action="test.event", target=member.organisation)
    outbox.email_queue(to=member.email, subject="Welcome to the portal", body_text="Hello.")
    Notice.objects.create(
        recipient=member, kind=Notice.Kind.POST, key="test", title="A thread", path="/"
    )
    return {"member": member, "official": official}


@pytest.mark.parametrize("model", _models("portal"), ids=lambda model: model._meta.label)
def test_admin_list_of_each_model_loads_and_searches(superuser_client, some_rows, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.get(url, {"q": "example"}).status_code == 200


@pytest.mark.parametrize("model", _models("portal"), ids=lambda model: model._meta.label)
def test_admin_change_page_of_each_model_loads(superuser_client, some_rows, model):
    instance = model._default_manager.first()
    assert instance is not None, f"add a {model._meta.label} row to some_rows"
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[instance.pk]
    )
    assert superuser_client.get(url).status_code == 200


def test_admin_shows_the_moderation_related_users_filters(superuser_client, some_rows):
    url = reverse("admin:portal_user_changelist")
    response = superuser_client.get(url, {"official_status": "verified"})
    html = response.content.decode()
    assert response.status_code == 200
    # The filter keeps the verified official and drops the member.
    assert some_rows["official"].email in html
    assert some_rows["member"].email not in html


def test_audit_events_are_read_only_in_the_admin(superuser_client, some_rows):
    event = AuditEvent.objects.get(action="test.event")
    change_url = reverse("admin:portal_auditevent_change", args=[event.pk])

    page = superuser_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()

    superuser_client.post(change_url, {"action": "rewritten", "reason": "rewritten"})
    event.refresh_from_db()
    assert event.action == "test.event"

    assert superuser_client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    delete_url = reverse("admin:portal_auditevent_delete", args=[event.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_login_goes_through_the_rate_limited_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_two_factor_authentication_cannot_use_the_admin(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/portal/user/", follow=True)
    visited = [url.split("?")[0] for url, _status in response.redirect_chain]
    assert reverse("mfa_activate_totp") in visited
    assert response.request["PATH_INFO"] != "/admin/portal/user/"


def test_superuser_adds_a_person_through_the_admin(superuser_client):
    add_url = reverse("admin:portal_user_add")
    assert superuser_client.get(add_url).status_code == 200

    response = superuser_client.post(
        add_url,
        {
            "email": "New.Person@Example.org",
            "full_name": "New Person",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    person = User.objects.get(full_name="New Person")
    assert person.check_password("a-long-enough-password")


def test_superuser_edits_an_organisation_in_the_admin(superuser_client, some_rows):
    organisation = Organisation.objects.first()
    url = reverse("admin:portal_organisation_change", args=[organisation.pk])
    response = superuser_client.post(
        url,
        {
            "name": "Renamed Trading",
            "slug": organisation.slug,
            "org_type": organisation.org_type_id,
            "country": organisation.country_id,
            "sector": organisation.sector,
            "website": "",
            "created_at_0": "2026-01-05",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    organisation.refresh_from_db()
    assert organisation.name == "Renamed Trading"
