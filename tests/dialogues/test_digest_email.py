"""The email announcing an official's personalised digest: the week by its dates, what is new
in their edition, and what happens when nothing is."""

import datetime as dt

import pytest

from dialogues.digests import services as digest_services
from dialogues.digests.snapshot import EditionSpec
from dialogues.models import Digest
from portal.models import Country, OutboxEmail
from submissions.models import StatusChange
from tests.email_reading import html_reading
from tests.factories import OfficialFactory
from tests.submissions.factories import BarrierReportFactory, OfficialResponseFactory

pytestmark = pytest.mark.django_db

WEEK = "2025-W48"  # Monday 24 to Sunday 30 November 2025
IN_WEEK = dt.datetime(2025, 11, 26, 9, 0, tzinfo=dt.UTC)
BEFORE = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def subscribe(language: str = "en", markets: tuple[str, ...] = ("KE",)):
    official = OfficialFactory(language=language, full_name="Juma Otieno")
    return digest_services.digest_subscription_set(
        user=official,
        markets=list(Country.objects.filter(code__in=markets)),
        topics=[],
        email=True,
    )


def announce(subscription) -> Digest:
    spec = EditionSpec.for_subscription(subscription)
    return digest_services.digest_compile_edition(week=WEEK, spec=spec).digest


def busy_week_in_kenya() -> None:
    kenya, peru = Country.objects.get(code="KE"), Country.objects.get(code="PE")
    BarrierReportFactory(market=kenya, published_at=IN_WEEK, topics=["SME-01", "SME-04"])
    BarrierReportFactory(market=kenya, published_at=IN_WEEK + dt.timedelta(days=1))
    BarrierReportFactory(market=peru, published_at=IN_WEEK)  # not in this edition
    older = BarrierReportFactory(market=kenya, published_at=BEFORE)
    StatusChange.objects.create(
        report=older, from_status="published", to_status="resolved_in_part", created_at=IN_WEEK
    )
    OfficialResponseFactory(report=older, created_at=IN_WEEK)


def test_the_announcement_names_the_week_by_its_dates_and_says_what_is_new():
    busy_week_in_kenya()
    subscription = subscribe()

    announce(subscription)

    email = OutboxEmail.objects.get(recipient=subscription.user.email)
    assert email.subject == (
        "[Trade Dialogues Portal] Your weekly digest for 24–30 November 2025 is ready"
    )
    text = email.body_text
    assert "Your personalised digest for 24–30 November 2025 is ready." in text
    assert "- 2 new reports\n- 1 status change\n- 1 official answer\n" in text
    assert f"/digests/{WEEK}/?edition=personal" in text
    items = html_reading(email.body_html).text
    assert "2 new reports 1 status change 1 official answer" in items


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        (
            "fr",
            "[Portail des Dialogues commerciaux] Votre synthèse hebdomadaire est prête : "
            "24–30 novembre 2025",
            "- 2 nouveaux signalements\n- 1 changement de statut\n- 1 réponse officielle",
        ),
        (
            "es",
            "[Portal de Diálogos comerciales] Su resumen semanal está listo: "
            "24–30 de noviembre de 2025",
            "- 2 informes nuevos\n- 1 cambio de estado\n- 1 respuesta oficial",
        ),
    ],
)
def test_the_announcement_is_written_in_the_officials_language(language, subject, line):
    busy_week_in_kenya()
    subscription = subscribe(language)

    announce(subscription)

    email = OutboxEmail.objects.get(recipient=subscription.user.email)
    assert email.subject == subject
    assert line in email.body_text
    assert f"/{language}/digests/{WEEK}/?edition=personal" in email.body_text


def test_a_week_with_nothing_new_gets_a_short_note_by_default(settings):
    assert settings.DIGEST_EMAIL_WHEN_EMPTY is True
    BarrierReportFactory(market=Country.objects.get(code="PE"), published_at=IN_WEEK)
    subscription = subscribe()  # Kenya only: nothing there this week

    digest = announce(subscription)

    email = OutboxEmail.objects.get(recipient=subscription.user.email)
    assert email.subject == (
        "[Trade Dialogues Portal] Your weekly digest for 24–30 November 2025: nothing new"
    )
    assert "Nothing new happened in your markets and topics that week" in email.body_text
    assert not [line for line in email.body_text.splitlines() if line.startswith("- ")]
    assert digest.announced_at is not None


def test_with_the_setting_off_a_week_with_nothing_new_sends_no_email(settings):
    settings.DIGEST_EMAIL_WHEN_EMPTY = False
    subscription = subscribe()

    digest = announce(subscription)

    assert not OutboxEmail.objects.filter(recipient=subscription.user.email).exists()
    assert digest.announced_at is None
    assert digest.status == Digest.Status.READY  # the digest itself is there to read


def test_with_the_setting_off_a_week_with_news_is_still_announced(settings):
    settings.DIGEST_EMAIL_WHEN_EMPTY = False
    busy_week_in_kenya()
    subscription = subscribe()

    announce(subscription)

    assert OutboxEmail.objects.filter(recipient=subscription.user.email).count() == 1
