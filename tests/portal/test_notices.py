"""The notifications page: what happened in the threads, themes, reports and alerts a person
follows, newest first, marked read once seen, with the unread count in the header."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from dialogues import services as dialogue_services
from dialogues.models import Theme
from portal import notices
from portal import services as portal_services
from portal.models import Notice
from submissions import services as report_services
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory
from tests.submissions.factories import BarrierReportFactory, CoSignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def theme(db) -> Theme:
    return Theme.objects.select_related("topic").get(topic_id="ECOM-10")


@pytest.fixture
def thread(theme):
    return dialogue_services.thread_start(
        author=ModeratorFactory(), theme=theme, title="Gateways refuse us", body="Which ones?"
    )


@pytest.fixture
def no_premoderation(settings) -> None:
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0


def header_badge(html: str) -> str | None:
    match = re.search(r'<span class="badge badge--count">([^<]+)</span>', html)
    return match.group(1) if match else None


def notice_for(user, **fields) -> Notice:
    defaults = {"kind": "post", "title": "A thread", "path": "/dialogues/", "data": {}}
    defaults.update(fields)
    defaults.setdefault("key", f"test:{Notice.objects.count()}")
    return Notice.objects.create(recipient=user, **defaults)


# --- What creates a notice ------------------------------------------------------------------------


def test_a_status_change_tells_the_reporter_and_the_cosigners_not_the_moderator():
    moderator = ModeratorFactory()
    report = BarrierReportFactory(status="submitted")
    cosigner = CoSignatureFactory(report=report).signed_by

    report_services.report_transition(actor=moderator, report=report, to_status="published")

    reporter_notice = Notice.objects.get(recipient=report.reporter)
    assert reporter_notice.kind == "report_status"
    assert reporter_notice.path == f"/reports/{report.reference}/"
    assert reporter_notice.data["status"] == "published"
    assert Notice.objects.filter(recipient=cosigner).count() == 1
    assert not Notice.objects.filter(recipient=moderator).exists()


def test_a_person_who_follows_a_report_hears_of_its_status_changes(client):
    report = BarrierReportFactory()
    official = OfficialFactory()
    client.force_login(official)

    detail = client.get(report.get_absolute_url()).content.decode()
    assert "Follow this report" in detail
    client.post(f"/reports/{report.reference}/follow/", {"follow": "1"})
    assert "Stop following this report" in client.get(report.get_absolute_url()).content.decode()

    report_services.report_transition(
        actor=ModeratorFactory(), report=report, to_status="resolved_in_part"
    )
    notice = Notice.objects.get(recipient=official)
    assert notice.data["status"] == "resolved_in_part"

    client.post(f"/reports/{report.reference}/follow/", {"follow": "0"})
    assert not official.report_follows.exists()


def test_nobody_follows_a_report_they_may_not_read(client):
    report = BarrierReportFactory(visibility="officials_only")
    client.force_login(MemberFactory())

    assert client.post(f"/reports/{report.reference}/follow/", {"follow": "1"}).status_code == 404


def test_an_official_response_tells_the_reporter():
    report = BarrierReportFactory()
    official = OfficialFactory()

    report_services.official_response_post(actor=official, report=report, body="We will look.")

    notice = Notice.objects.get(recipient=report.reporter)
    assert notice.kind == "report_response"
    assert notice.data["organisation"] == official.organisation.name


def test_a_new_post_tells_thread_and_theme_followers_but_not_its_author(
    thread, theme, no_premoderation
):
    author, thread_follower, theme_follower = MemberFactory(), MemberFactory(), MemberFactory()
    dialogue_services.follow_set(user=thread_follower, thread=thread, following=True)
    dialogue_services.follow_set(user=theme_follower, theme=theme, following=True)
    dialogue_services.follow_set(user=author, thread=thread, following=True)

    post = dialogue_services.post_create(author=author, thread=thread, body="PayFast refused us")

    assert Notice.objects.get(recipient=thread_follower).data["why"] == "thread"
    assert Notice.objects.get(recipient=theme_follower).data["why"] == "theme"
    assert not Notice.objects.filter(recipient=author).exists()
    assert Notice.objects.get(recipient=thread_follower).path == f"/dialogues/posts/{post.pk}/"


def test_many_followers_are_told_by_a_task_in_batches(
    thread, no_premoderation, monkeypatch, run_on_commit
):
    monkeypatch.setattr(dialogue_services, "INLINE_RECIPIENTS", 2)
    monkeypatch.setattr(dialogue_services, "FAN_OUT_BATCH", 2)
    followers = [MemberFactory() for _ in range(5)]
    for follower in followers:
        dialogue_services.follow_set(user=follower, thread=thread, following=True)

    with run_on_commit() as callbacks:
        post = dialogue_services.post_create(author=MemberFactory(), thread=thread, body="Hi")
        assert not Notice.objects.exists(), "not written in the request"
    assert callbacks

    # The five, and the moderator who started the thread (and follows it).
    told = set(Notice.objects.filter(key=f"post:{post.pk}").values_list("recipient", flat=True))
    assert told == {follower.pk for follower in followers} | {thread.author_id}
    # A task redelivered writes nothing twice.
    dialogue_services.post_notices_fan_out(post=post, kind="post")
    assert Notice.objects.filter(key=f"post:{post.pk}").count() == 6


def test_marking_a_post_as_the_official_answer_tells_the_threads_followers(
    thread, no_premoderation
):
    follower = MemberFactory()
    dialogue_services.follow_set(user=follower, thread=thread, following=True)
    official = OfficialFactory()
    post = dialogue_services.post_create(author=official, thread=thread, body="Our answer")

    dialogue_services.post_mark_official_response(actor=official, post=post, is_response=True)

    answer = Notice.objects.get(recipient=follower, kind="official_answer")
    assert answer.data["organisation"] == official.organisation.name


# --- The page and the header ------------------------------------------------------------------


def test_the_header_counts_unread_notices_and_the_page_marks_them_read(client):
    member = MemberFactory()
    older = notice_for(member, title="Older thread", created_at=timezone.now() - dt.timedelta(1))
    newer = notice_for(member, title="Newer thread")
    client.force_login(member)

    assert header_badge(client.get("/reports/").content.decode()) == "2 unread"

    html = client.get("/notifications/").content.decode()
    assert html.index("Newer thread") < html.index("Older thread"), "newest first"
    assert html.count('class="badge badge--new"') == 2, "shown as new this once"
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.read_at is not None
    assert newer.read_at is not None

    after = client.get("/reports/").content.decode()
    assert header_badge(after) is None
    assert 'class="badge badge--new"' not in client.get("/notifications/").content.decode()


def test_a_new_notice_shows_in_the_header_at_once_despite_the_cache(client, run_on_commit):
    member = MemberFactory()
    client.force_login(member)
    assert header_badge(client.get("/reports/").content.decode()) is None

    with run_on_commit():
        notices.notices_create(
            recipient_ids=[member.pk], kind="post", key="post:1", title="T", path="/dialogues/"
        )

    assert header_badge(client.get("/reports/").content.decode()) == "1 unread"


def test_the_unread_count_stops_at_99_plus(client):
    member = MemberFactory()
    Notice.objects.bulk_create(
        Notice(recipient=member, kind="post", key=f"post:{n}", title="T", path="/")
        for n in range(105)
    )
    client.force_login(member)
    assert header_badge(client.get("/reports/").content.decode()) == "99+ unread"


def test_mark_all_as_read(client):
    member = MemberFactory()
    for _ in range(3):
        notice_for(member)
    client.force_login(member)

    client.post(reverse("portal:notifications_read_all"))

    assert not Notice.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_someone_elses_notices_are_not_shown(client):
    notice_for(MemberFactory(), title="Not yours")
    client.force_login(MemberFactory())
    assert "Not yours" not in client.get("/notifications/").content.decode()


def test_the_page_says_what_happened_in_the_readers_language(client):
    member = MemberFactory(language="fr")
    notice_for(
        member,
        kind="report_status",
        title="TB-2026-00001: Coffee",
        path="/reports/TB-2026-00001/",
        data={"status": "published", "status_label": "Published"},
    )
    client.force_login(member)

    html = client.get("/fr/notifications/").content.decode()

    assert "Statut changé en « Publié » :" in html
    assert 'href="/fr/reports/TB-2026-00001/"' in html


def test_the_notifications_page_reads_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    member = MemberFactory()
    client.force_login(member)
    for _ in range(3):
        notice_for(member)
    with django_assert_max_num_queries(12):
        client.get("/notifications/")
    for _ in range(30):
        notice_for(member)
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/?page=2").status_code == 200


def test_visitors_are_sent_to_log_in(client):
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")


# --- Retention and personal data -----------------------------------------------------------------


def test_old_read_notices_are_purged_and_recent_ones_stay():
    member = MemberFactory()
    now = timezone.now()
    old_read = notice_for(member, read_at=now - dt.timedelta(days=100))
    recent_read = notice_for(member, read_at=now - dt.timedelta(days=10))
    unread = notice_for(member, created_at=now - dt.timedelta(days=100))

    assert notices.notices_purge() == 1

    remaining = set(Notice.objects.values_list("pk", flat=True))
    assert remaining == {recent_read.pk, unread.pk}
    assert old_read.pk not in remaining


def test_notices_and_alerts_are_in_the_export_and_go_with_the_account(client, run_on_commit):
    member = MemberFactory()
    notice_for(member, title="Gateways refuse us")
    report_services.alert_create(actor=member, name="Kenya", market="KE")
    followed = BarrierReportFactory()
    report_services.report_follow_set(actor=member, report=followed, following=True)
    client.force_login(member)

    response = client.get(reverse("portal:personal_data_download"))
    data = json.loads(b"".join(response.streaming_content))
    assert data["notifications_page"][0]["about"] == "Gateways refuse us"
    assert data["alerts"][0]["market"] == "KE"
    assert data["report_follows"][0]["report"] == followed.reference
    assert data["sections"]["notifications_page"]
    assert data["sections"]["alerts"]

    with run_on_commit():
        portal_services.account_delete(actor=member, person=member)
    assert not Notice.objects.filter(recipient=member).exists()
    assert not member.report_alerts.exists()
    assert not member.report_follows.exists()


# --- After confirming an email ------------------------------------------------------------------


def test_a_new_sme_lands_on_a_page_offering_to_file_a_report_after_confirming(
    client, run_on_commit, mailoutbox
):
    from tests.portal.test_signup import SIGNUP, confirmation_links, signup_data

    with run_on_commit():
        client.post(SIGNUP, signup_data())
    link = confirmation_links(mailoutbox)[0].split("testserver", 1)[-1]
    path = re.sub(r"^https?://[^/]+", "", link)

    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:welcome")
    html = client.get(response["Location"]).content.decode()
    assert '<a class="button" href="/reports/new/">File a barrier report</a>' in html
