"""One-click unsubscribe (RFC 8058) on dialogue news and digest announcements: the headers,
and the signed link that a mail client POSTs to without a login or a CSRF token."""

import datetime as dt
import re

import pytest
from django.test import Client

from dialogues import services
from dialogues.digests import services as digest_services
from dialogues.digests.snapshot import EditionSpec
from dialogues.models import DigestSubscription, Follow, NotificationPreference
from portal.models import Country, OutboxEmail
from tests.dialogues.conftest import reply
from tests.factories import MemberFactory, OfficialFactory
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mail_client() -> Client:
    """What a mail provider's unsubscribe button is: no cookies, CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def one_click(client: Client, url: str, settings):
    return client.post(
        url.removeprefix(settings.SITE_URL),
        data=ONE_CLICK,
        content_type="application/x-www-form-urlencoded",
    )


def _unsubscribe_url(email: OutboxEmail) -> str:
    (url,) = re.fullmatch(r"<(https?://[^>]+)>", email.headers["List-Unsubscribe"]).groups()
    return url


@pytest.fixture
def news(no_premoderation, open_thread, member) -> OutboxEmail:
    """A Spanish follower's email about a new post in a thread they follow."""
    follower = MemberFactory(language="es")
    services.follow_set(user=follower, thread=open_thread, following=True)
    reply(member, open_thread, "Kahawa")
    services.notifications_send(recipient=follower)
    return OutboxEmail.objects.get(recipient=follower.email)


@pytest.fixture
def announcement(db) -> OutboxEmail:
    """A French official's email saying their weekly digest is ready."""
    official = OfficialFactory(language="fr")
    subscription = digest_services.digest_subscription_set(
        user=official, markets=[Country.objects.get(code="KE")], topics=[], email=True
    )
    BarrierReportFactory(
        market=Country.objects.get(code="KE"),
        published_at=dt.datetime(2025, 11, 26, 9, tzinfo=dt.UTC),
    )
    digest_services.digest_compile_edition(
        week="2025-W48", spec=EditionSpec.for_subscription(subscription)
    )
    return OutboxEmail.objects.get(recipient=official.email, template="digest_ready")


def test_dialogue_news_carries_one_click_unsubscribe_headers_in_the_readers_language(
    news, settings
):
    assert news.headers["List-Unsubscribe-Post"] == ONE_CLICK
    url = _unsubscribe_url(news)
    assert url.startswith(f"{settings.SITE_URL}/es/dialogues/unsubscribe/")
    assert url in news.body_text  # the same link, written in the email for people
    assert url in news.body_html


def test_the_headers_reach_the_delivered_message(news, mailoutbox):
    from portal.outbox import email_deliver

    email_deliver(email_id=news.pk)
    (message,) = mailoutbox
    assert message.extra_headers["List-Unsubscribe"] == news.headers["List-Unsubscribe"]
    sent = message.message()
    assert sent["List-Unsubscribe-Post"] == ONE_CLICK
    assert sent["List-Unsubscribe"] == f"<{_unsubscribe_url(news)}>"


def test_a_mail_clients_one_click_post_stops_dialogue_news_without_a_login(
    news, mail_client, settings
):
    follower = news.recipient

    response = one_click(mail_client, _unsubscribe_url(news), settings)

    assert response.status_code == 200
    assert "No recibirá más correos sobre los mensajes nuevos" in response.content.decode()
    preference = NotificationPreference.objects.get(user__email=follower)
    assert preference.frequency == NotificationPreference.Frequency.OFF


def test_opening_the_link_asks_first_and_changes_nothing(news, mail_client, settings):
    response = mail_client.get(_unsubscribe_url(news).removeprefix(settings.SITE_URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert '<form method="post">' in html
    assert not NotificationPreference.objects.filter(
        user__email=news.recipient, frequency=NotificationPreference.Frequency.OFF
    ).exists()
    assert Follow.objects.filter(user__email=news.recipient).exists()


def test_a_tampered_link_changes_nothing(news, mail_client, settings):
    url = _unsubscribe_url(news)
    response = one_click(mail_client, url[:-3] + "xx/", settings)
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(
        user__email=news.recipient, frequency=NotificationPreference.Frequency.OFF
    ).exists()


def test_the_digest_announcement_carries_one_click_unsubscribe_headers(announcement, settings):
    assert announcement.headers["List-Unsubscribe-Post"] == ONE_CLICK
    url = _unsubscribe_url(announcement)
    assert url.startswith(f"{settings.SITE_URL}/fr/dialogues/unsubscribe/")
    assert url in announcement.body_text


def test_one_click_stops_digest_emails_and_keeps_the_subscription(
    announcement, mail_client, settings
):
    response = one_click(mail_client, _unsubscribe_url(announcement), settings)

    assert response.status_code == 200
    assert "Vous ne recevrez plus de courriel quand votre synthèse" in response.content.decode()
    subscription = DigestSubscription.objects.get(user__email=announcement.recipient)
    assert subscription.email is False
    assert list(subscription.markets.values_list("code", flat=True)) == ["KE"]
    # A repeat (mail clients retry) is harmless.
    assert one_click(mail_client, _unsubscribe_url(announcement), settings).status_code == 200


def test_the_digest_link_asks_before_stopping(announcement, mail_client, settings):
    response = mail_client.get(_unsubscribe_url(announcement).removeprefix(settings.SITE_URL))
    assert "Ne plus recevoir le courriel qui annonce votre synthèse" in response.content.decode()
    assert DigestSubscription.objects.get(user__email=announcement.recipient).email is True


def test_mail_about_a_members_own_report_has_no_unsubscribe_header(world_report_email):
    assert "List-Unsubscribe" not in world_report_email.headers


@pytest.fixture
def world_report_email(db, moderator) -> OutboxEmail:
    from submissions import services as report_services

    report = BarrierReportFactory(status="submitted")
    report_services.report_transition(actor=moderator, report=report, to_status="published")
    return OutboxEmail.objects.get(template="report_status_changed")
