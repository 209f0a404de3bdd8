"""Sending one email of every kind to members who read one language (for the email tests and
the browser's accessibility check of their HTML parts)."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from dialogues import services as dialogue_services
from dialogues.digests import services as digest_services
from dialogues.digests.snapshot import EditionSpec
from dialogues.models import Theme
from portal import services as portal_services
from portal.models import OutboxEmail, User
from submissions import services as report_services
from submissions.models import ReportAlert
from tests.conftest import EICAR
from tests.dialogues.conftest import reply
from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialBodyFactory,
    OfficialFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.submissions.factories import BarrierReportFactory

EMAIL_TEMPLATES = sorted(
    path.name.removesuffix("_subject.txt")
    for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*_subject.txt")
)
# Whoever causes the email uses the portal in another language than its reader.
ACTING_LANGUAGE = {"en": "fr", "fr": "es", "es": "en"}
SITE_NAME = {
    "en": "Trade Dialogues Portal",
    "fr": "Portail des Dialogues commerciaux",
    "es": "Portal de Diálogos comerciales",
}
PREFIX = {"en": "", "fr": "/fr", "es": "/es"}
DIGEST_WEEK = "2025-W48"  # 24-30 November 2025
SUSPENDED_UNTIL = dt.datetime(2030, 9, 1, 14, 30, tzinfo=dt.UTC)


def send_every_email(language: str) -> dict[str, OutboxEmail]:
    """Cause one email of each kind to members who read `language`; return them by kind.
    The virus-scan email needs a real clamd: callers set settings.CLAMD_SOCKET (the `clamd`
    fixture).

    Names and titles are language-neutral (Swahili words, codes), so any English, French or
    Spanish word in an email comes from the portal."""
    acting = ACTING_LANGUAGE[language]
    translation.activate(acting)

    def reader(factory=MemberFactory, **fields) -> User:
        return factory(language=language, **fields)

    moderator = ModeratorFactory(full_name="Kofi Mensah", language=acting)
    official = OfficialFactory(
        full_name="Juma Otieno",
        language=acting,
        organisation=OfficialBodyFactory(name="Wizara Biashara"),
    )
    theme = Theme.objects.select_related("topic").get(topic_id="ECOM-10")

    # Reports: status change, official answer, a dialogue opened on the report.
    reporter = reader(full_name="Amina Wanjiru", organisation=OrganisationFactory(name="Kahawa"))
    report = BarrierReportFactory(
        reporter=reporter, status="submitted", title="M-Pesa Kahawa", language=language
    )
    report = report_services.report_transition(
        actor=moderator, report=report, to_status="published", note="#42"
    )
    report_services.official_response_post(actor=official, report=report, body="Asante.")
    dialogue_services.thread_start_from_report(
        moderator=moderator, report=report, theme=theme, title="M-Pesa", body="Karibu."
    )
    # Evidence the virus scanner finds infected, on the reporter's next draft.
    draft = BarrierReportFactory(
        reporter=reporter,
        organisation=reporter.organisation,
        status="draft",
        title="Kahawa 2028",
        language=language,
    )
    evidence = report_services.attachment_add(
        actor=reporter, report=draft, upload=SimpleUploadedFile("bei.csv", EICAR, "text/csv")
    )
    report_services.attachment_scan(attachment=evidence)

    # Organisations: a request to join, the decision; an official account verified.
    admin = reader(
        full_name="Baraka Mwangi",
        is_organisation_admin=True,
        organisation=OrganisationFactory(name="Kilimo Safi"),
    )
    applicant = UserFactory(full_name="Neema Atieno", language=acting)
    portal_services.membership_request(user=applicant, organisation=admin.organisation)
    joiner = reader(factory=UserFactory, full_name="Zawadi Njeri")
    portal_services.membership_request(user=joiner, organisation=admin.organisation)
    portal_services.membership_decide(actor=admin, member=joiner, approve=True, reason="#42")
    waiting = reader(
        full_name="Imani Chebet",
        organisation=OfficialBodyFactory(name="Wizara Fedha"),
        official_status=User.OfficialStatus.PENDING,
    )
    portal_services.member_verify_official(
        actor=moderator, member=waiting, approve=True, reason="#42"
    )

    # Dialogues: a post flagged and held, then hidden; a locked thread; a suspension; news.
    author = reader(full_name="Tumaini Kamau")
    thread = dialogue_services.thread_start(
        author=moderator, theme=theme, title="Kahawa M-Pesa", body="Habari."
    )
    post = reply(author, thread, body="Kahawa 2026")
    dialogue_services.post_approve(moderator=moderator, post=post)
    with override_settings(DIALOGUES_FLAGS_TO_HIDE=1):
        dialogue_services.post_flag(flagger=MemberFactory(), post=post, reason="spam")
    dialogue_services.post_hide(moderator=moderator, post=post, reason="#42")
    own_thread = dialogue_services.thread_start(
        author=moderator, theme=theme, title="Kahawa", body="Habari."
    )
    own_thread.author = author
    own_thread.save(update_fields=["author"])
    dialogue_services.thread_lock(moderator=moderator, thread=own_thread, locked=True, reason="#42")
    dialogue_services.member_suspend(
        moderator=moderator, member=author, ends=SUSPENDED_UNTIL, reason="#42"
    )
    follower = reader(full_name="Wanjiku Achieng")
    dialogue_services.follow_set(user=follower, thread=thread, following=True)
    dialogue_services.post_create(author=moderator, thread=thread, body="Kahawa 2027")
    dialogue_services.notifications_send(recipient=follower)

    # Digests: the announcement of an official's personalised edition.
    subscriber = reader(factory=OfficialFactory, full_name="Rehema Wairimu")
    subscription = digest_services.digest_subscription_set(
        user=subscriber, markets=[], topics=[], email=True
    )
    BarrierReportFactory(published_at=dt.datetime(2025, 11, 26, 9, tzinfo=dt.UTC))
    digest_services.digest_compile_edition(
        week=DIGEST_WEEK, spec=EditionSpec.for_subscription(subscription)
    )
    # Alerts: a saved search with one new report since it was last sent.
    watcher = reader(full_name="Nia Kariuki")
    alert = report_services.alert_create(actor=watcher, name="Kahawa", q="Kahawa")
    alert_run = dt.datetime.now(dt.UTC)
    ReportAlert.objects.filter(pk=alert.pk).update(
        last_published_at=alert_run - dt.timedelta(hours=1),
        next_run_at=alert_run - dt.timedelta(minutes=1),
    )
    BarrierReportFactory(
        title="Kahawa Safi", published_at=alert_run - dt.timedelta(minutes=5), language=language
    )
    report_services.alert_send(alert_id=alert.pk, now=alert_run)
    translation.activate("en")

    readers = User.objects.filter(language=language).values_list("email", flat=True)
    emails = {}
    for email in OutboxEmail.objects.filter(recipient__in=list(readers)).order_by("pk"):
        emails.setdefault(email.template, email)
    return emails
