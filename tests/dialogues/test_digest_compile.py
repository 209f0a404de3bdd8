"""Compiling weekly digests: what goes in which edition, idempotence, files, email, beat."""

import csv
import datetime as dt
import io
import subprocess

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dialogues.digests import selectors, services
from dialogues.digests.models import Digest, DigestFile, DigestSubscription
from dialogues.digests.render import FORMATS
from dialogues.digests.render.html import render_html
from dialogues.digests.snapshot import EditionSpec
from dialogues.digests.weeks import iso_week_bounds
from dialogues.models import Post, Theme, Thread
from portal.models import Country, Topic
from submissions.models import BarrierReport, StatusChange
from tests.factories import MemberFactory, OfficialFactory, OrganisationFactory
from tests.submissions.factories import (
    BarrierReportFactory,
    CoSignatureFactory,
    OfficialResponseFactory,
)

WEEK = "2025-W48"
START, END = iso_week_bounds(WEEK)
IN_WEEK = START + dt.timedelta(days=2, hours=9)
LAST_WEEK = START - dt.timedelta(days=3)
Visibility = BarrierReport.Visibility
Edition = Digest.Edition


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_files() -> list[str]:
    """Every file in media storage, by name."""
    found: list[str] = []

    def walk(folder: str) -> None:
        try:
            directories, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return
        found.extend(f"{folder}/{name}" for name in files)
        for directory in directories:
            walk(f"{folder}/{directory}")

    walk("digests")
    return sorted(found)


def download(digest: Digest, fmt: str, language: str, capture) -> bytes:
    """What a reader downloads: the file requested, rendered by the task its request queued
    (run on commit, eagerly, as a worker would), then read from storage."""
    viewer = AnonymousUser() if digest.edition == "public" else OfficialFactory()
    with capture(execute=True):
        services.digest_file_request(viewer=viewer, digest=digest, fmt=fmt, language=language)
    file = DigestFile.objects.get(
        digest=digest, revision=digest.revision, fmt=fmt, language=language
    )
    assert file.is_ready
    with default_storage.open(file.name) as handle:
        return handle.read()


def report(**kwargs) -> BarrierReport:
    kwargs.setdefault("published_at", IN_WEEK)
    return BarrierReportFactory(**kwargs)


def compile_edition(edition: str = Edition.PUBLIC, **kwargs) -> Digest:
    spec = EditionSpec(edition)
    return services.digest_compile_edition(week=WEEK, spec=spec, **kwargs).digest


def references(snapshot: dict, section: str) -> set[str]:
    if section in ("reports_by_market", "reports_by_topic"):
        return {reference for group in snapshot[section] for reference in group["references"]}
    return {item["reference"] for item in snapshot[section] if "reference" in item}


def group_codes(snapshot: dict, section: str) -> list[str]:
    return [group["code"] for group in snapshot[section]]


# --- Content ----------------------------------------------------------------------------------


def test_a_report_published_in_the_week_appears_in_the_right_sections(db):
    kenya = report(market=Country.objects.get(code="KE"), topics=["SME-01", "ECOM-10"])
    report(published_at=LAST_WEEK)  # the week before: only in last week's figures
    report(published_at=END)  # the next Monday 00:00: not this week

    snapshot = compile_edition().snapshot

    assert references(snapshot, "reports_by_market") == {kenya.reference}
    assert group_codes(snapshot, "reports_by_market") == ["KE"]
    assert group_codes(snapshot, "reports_by_topic") == ["ECOM-10", "SME-01"]
    assert references(snapshot, "reports_by_topic") == {kenya.reference}
    assert {row["code"]: row["count"] for row in snapshot["by_topic"]} == {
        "ECOM-10": 1,
        "SME-01": 1,
    }
    assert [row["code"] for row in snapshot["by_market"]] == ["KE"]
    figures = {figure["key"]: figure for figure in snapshot["figures"]}
    assert (figures["new_reports"]["value"], figures["new_reports"]["previous"]) == (1, 1)
    assert snapshot["trend"][-1] == {"week": WEEK, "count": 1}
    assert snapshot["trend"][-2] == {"week": "2025-W47", "count": 1}
    (item,) = snapshot["reports"]  # once, though it is in one market group and two topic groups
    assert item["market"]["name"]["es"] == "Kenia"
    assert item["url"] == f"/reports/{kenya.reference}/"


def test_drafts_and_reports_waiting_for_triage_never_appear(db):
    report(status=BarrierReport.Status.SUBMITTED)
    report(status=BarrierReport.Status.REJECTED)
    snapshot = compile_edition(Edition.OFFICIALS).snapshot
    assert references(snapshot, "reports_by_market") == set()


def test_anonymised_report_stays_anonymised_in_every_edition(db):
    organisation = OrganisationFactory(name="Alpaca Andina Tejidos")
    anonymous = report(
        reporter=MemberFactory(organisation=organisation), visibility=Visibility.ANONYMISED
    )
    for edition in (Edition.PUBLIC, Edition.OFFICIALS):
        digest = compile_edition(edition)
        (item,) = digest.snapshot["reports"]
        assert item["reference"] == anonymous.reference
        assert "Alpaca" not in str(digest.snapshot)
        assert item["organisation"]["en"].startswith("a micro enterprise in Kenya")
        assert item["organisation"]["fr"]


def _public_formats_text(digest: Digest, tmp_path, capture) -> str:
    """Everything a visitor can download from the public edition, as text."""
    texts = []
    for language in ("en", "fr", "es"):
        for fmt in FORMATS:
            content = download(digest, fmt, language, capture)
            if fmt == "pdf":
                path = tmp_path / f"{language}.pdf"
                path.write_bytes(content)
                texts.append(
                    subprocess.run(
                        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
                    ).stdout
                )
            elif fmt == "csv":
                texts.append(content.decode("utf-8-sig"))
            else:
                workbook = load_workbook(io.BytesIO(content))
                texts.extend(
                    str(cell.value)
                    for sheet in workbook.worksheets
                    for row in sheet.iter_rows()
                    for cell in row
                )
        texts.append(render_html(digest.snapshot, language=language))
    return "\n".join(texts)


def test_officials_only_report_is_absent_from_the_public_edition_and_every_public_format(
    db, tmp_path, django_capture_on_commit_callbacks, needs_pdftotext
):
    secret = report(
        title="Confidential customs valuation dispute", visibility=Visibility.OFFICIALS_ONLY
    )
    OfficialResponseFactory(report=secret, created_at=IN_WEEK, body="Secret answer text")
    StatusChange.objects.create(
        report=secret, from_status="published", to_status="resolved_in_part", created_at=IN_WEEK
    )
    CoSignatureFactory(report=secret, created_at=IN_WEEK)
    public = report(title="Payment gateways refuse foreign merchants")

    public_digest = compile_edition(Edition.PUBLIC)
    officials_digest = compile_edition(Edition.OFFICIALS)

    text = str(public_digest.snapshot) + _public_formats_text(
        public_digest, tmp_path, django_capture_on_commit_callbacks
    )
    assert secret.reference not in text
    assert "Confidential customs" not in text
    assert "Secret answer" not in text
    assert public.title in text
    figures = {figure["key"]: figure["value"] for figure in public_digest.snapshot["figures"]}
    assert figures == {**figures, "new_reports": 1, "cosignatures": 0, "official_responses": 0}

    officials = officials_digest.snapshot
    assert secret.reference in references(officials, "reports_by_market")
    assert secret.reference in references(officials, "most_cosigned")
    assert secret.reference in references(officials, "status_changes")
    assert any(item["visibility"] == "officials_only" for item in officials["official_responses"])


def test_personalised_edition_keeps_only_its_markets_and_topics(db):
    kenya = Country.objects.get(code="KE")
    peru = Country.objects.get(code="PE")
    kept = report(market=kenya, topics=["SME-01"])
    kept_with_other_topic = report(market=kenya, topics=["SME-01", "ECOM-10"])
    report(market=kenya, topics=["ECOM-10"])  # wrong topic
    report(market=peru, topics=["SME-01"])  # wrong market
    official = OfficialFactory()
    subscription = services.digest_subscription_set(
        user=official,
        markets=[kenya],
        topics=[Topic.objects.get(code="SME-01")],
        email=False,
    )

    spec = EditionSpec.for_subscription(subscription)
    snapshot = services.digest_compile_edition(week=WEEK, spec=spec).digest.snapshot

    assert references(snapshot, "reports_by_market") == {
        kept.reference,
        kept_with_other_topic.reference,
    }
    assert group_codes(snapshot, "reports_by_market") == ["KE"]
    assert group_codes(snapshot, "reports_by_topic") == ["SME-01"]
    assert [row["code"] for row in snapshot["by_topic"]] == ["SME-01"]
    assert snapshot["edition"]["kind"] == "personal"
    assert [market["code"] for market in snapshot["edition"]["markets"]] == ["KE"]
    assert snapshot["trend"][-1]["count"] == 2


def test_status_changes_show_resolutions_but_not_first_publication(db):
    resolved = report(published_at=LAST_WEEK, status=BarrierReport.Status.RESOLVED_IN_FULL)
    StatusChange.objects.create(
        report=resolved, from_status="published", to_status="resolved_in_full", created_at=IN_WEEK
    )
    fresh = report()
    StatusChange.objects.create(
        report=fresh, from_status="submitted", to_status="published", created_at=IN_WEEK
    )

    snapshot = compile_edition().snapshot

    assert [change["reference"] for change in snapshot["status_changes"]] == [resolved.reference]
    figures = {figure["key"]: figure["value"] for figure in snapshot["figures"]}
    assert figures["resolved_reports"] == 1
    html = render_html(snapshot, language="en")
    assert "Barriers resolved this week" in html
    assert resolved.reference in html


def test_most_cosigned_counts_the_weeks_cosignatures(db):
    busy = report(published_at=LAST_WEEK)
    quiet = report(published_at=LAST_WEEK)
    for _ in range(3):
        CoSignatureFactory(report=busy, created_at=IN_WEEK)
    CoSignatureFactory(report=quiet, created_at=IN_WEEK)
    CoSignatureFactory(report=quiet, created_at=LAST_WEEK)

    snapshot = compile_edition().snapshot

    assert [item["reference"] for item in snapshot["most_cosigned"]] == [
        busy.reference,
        quiet.reference,
    ]


def test_active_threads_and_official_responses_of_the_week(db):
    theme = Theme.objects.get(topic_id="ECOM-10")
    official = OfficialFactory(full_name="Amina Odhiambo")
    thread = Thread.objects.create(
        theme=theme, title="De minimis in East Africa", author=official, status="open"
    )
    for number, author in enumerate([official, MemberFactory(), MemberFactory()], start=1):
        Post.objects.create(
            thread=thread,
            author=author,
            organisation=author.organisation,
            author_was_official=author == official,
            is_official_response=author == official,
            body=f"Post {number}",
            body_html=f"<p>Post {number}</p>",
            status=Post.Status.PUBLISHED,
            number=number,
            published_at=IN_WEEK,
        )
    Thread.objects.create(theme=theme, title="Removed", author=official, status="removed")

    snapshot = compile_edition().snapshot

    (active,) = snapshot["active_threads"]
    assert (active["title"], active["posts"], active["participants"]) == (
        "De minimis in East Africa",
        3,
        3,
    )
    (response,) = snapshot["official_responses"]
    assert response["author"] == "Amina Odhiambo"
    assert response["excerpt"] == "Post 1"


# --- Idempotence, locking, files ----------------------------------------------------------------


def test_compiling_twice_leaves_one_digest_and_force_makes_a_new_revision(db, run_on_commit):
    report()
    with run_on_commit():
        first = compile_edition(render=["en"])
    again = services.digest_compile_edition(week=WEEK, spec=EditionSpec(Edition.PUBLIC))
    assert again.compiled is False
    assert again.digest.pk == first.pk
    assert Digest.objects.filter(week=WEEK, edition=Edition.PUBLIC).count() == 1
    folder = f"digests/{WEEK}/public"
    assert stored_files() == [
        f"{folder}-r1/trade-digest-{WEEK}-public-en.csv",
        f"{folder}-r1/trade-digest-{WEEK}-public-en.pdf",
        f"{folder}-r1/trade-digest-{WEEK}-public-en.xlsx",
    ]

    with run_on_commit():
        forced = compile_edition(force=True, render=["en"])
    assert (forced.pk, forced.revision) == (first.pk, 2)
    # The first revision's files are gone once the second is committed; its rows too.
    assert stored_files() == [
        f"{folder}-r2/trade-digest-{WEEK}-public-en.csv",
        f"{folder}-r2/trade-digest-{WEEK}-public-en.pdf",
        f"{folder}-r2/trade-digest-{WEEK}-public-en.xlsx",
    ]
    assert set(DigestFile.objects.values_list("revision", "status")) == {(2, "ready")}
    assert Digest.objects.filter(week=WEEK).count() == 1


def test_compiling_again_never_loads_the_previous_snapshot(db):
    """A busy week's snapshot is tens of megabytes of JSON: a recompile replaces it unread."""
    report()
    compile_edition()
    with CaptureQueriesContext(connection) as captured:
        compile_edition(force=True)
    reads = [query["sql"] for query in captured if query["sql"].lstrip().startswith("SELECT")]
    assert reads
    assert not [sql for sql in reads if '"dialogues_digest"."snapshot"' in sql]


def test_database_refuses_a_second_digest_for_the_same_week_and_edition(db):
    compile_edition()
    with pytest.raises(IntegrityError):
        Digest.objects.create(week=WEEK, week_start=START.date(), edition=Edition.PUBLIC)


def test_a_compile_that_fails_midway_leaves_no_ready_digest_and_can_be_run_again(db, monkeypatch):
    report()
    real_build = services.digest_snapshot_build

    def database_goes_away(**kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(services, "digest_snapshot_build", database_goes_away)
    with pytest.raises(ConnectionError):
        compile_edition(render=["en"])
    digest = Digest.objects.get(week=WEEK, edition=Edition.PUBLIC)
    assert digest.status == Digest.Status.COMPILING
    assert digest.snapshot is None
    assert not DigestFile.objects.exists()
    with pytest.raises(Http404):
        selectors.digest_get_for(viewer=MemberFactory(), week=WEEK)

    monkeypatch.setattr(services, "digest_snapshot_build", real_build)
    finished = compile_edition(render=["en"])
    assert finished.pk == digest.pk
    assert finished.is_ready


def test_compiling_renders_nothing_itself_and_queues_one_task_per_file(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    """No PDF or spreadsheet is rendered while the edition's row is locked: the compile only
    creates the file rows; their renders are queued when its transaction commits."""
    from dialogues.digests import tasks

    report()
    queued: list[int] = []
    monkeypatch.setattr(
        tasks.digest_file_render, "delay", lambda *, file_id: queued.append(file_id)
    )
    monkeypatch.setattr(
        services, "render_file", lambda *args, **kwargs: pytest.fail("rendered in the compile")
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        digest = compile_edition(render=["en", "fr"])
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    files = DigestFile.objects.filter(digest=digest)
    assert sorted(queued) == sorted(files.values_list("pk", flat=True))
    assert sorted(files.values_list("language", "fmt", "status")) == [
        ("en", "csv", "queued"),
        ("en", "pdf", "queued"),
        ("en", "xlsx", "queued"),
        ("fr", "csv", "queued"),
        ("fr", "pdf", "queued"),
        ("fr", "xlsx", "queued"),
    ]


def test_other_languages_are_rendered_on_first_download_and_kept(
    db, django_capture_on_commit_callbacks
):
    report()
    digest = compile_edition(render=[])
    assert not DigestFile.objects.exists()
    content = download(digest, "csv", "fr", django_capture_on_commit_callbacks)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {row["section"] for row in rows} >= {"figures", "reports_by_market"}
    assert stored_files() == [f"digests/{WEEK}/public-r1/trade-digest-{WEEK}-public-fr.csv"]
    file = DigestFile.objects.get()
    rendered_at = file.rendered_at

    # Asked again: the same row, nothing queued, nothing rendered again.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.digest_file_request(
            viewer=AnonymousUser(), digest=digest, fmt="csv", language="fr"
        )
    assert callbacks == []
    assert (again.pk, again.rendered_at, again.attempts) == (file.pk, rendered_at, 1)


def test_compile_queries_do_not_grow_with_the_number_of_reports(db):
    def queries_for(count: int) -> int:
        Digest.objects.all().delete()
        for _ in range(count):
            report(
                visibility=Visibility.ANONYMISED,
                topics=["SME-01", "ECOM-10"],
            )
        with CaptureQueriesContext(connection) as context:
            compile_edition(Edition.OFFICIALS)
        return len(context.captured_queries)

    few = queries_for(2)
    many = queries_for(25)
    assert many == few


# --- The week's compile, the command, the email, the schedule ---------------------------------


def test_compile_week_compiles_every_edition_and_emails_subscribers_once(
    db, mailoutbox, run_on_commit
):
    report(market=Country.objects.get(code="KE"))
    french = OfficialFactory(language="fr")
    quiet = OfficialFactory()
    services.digest_subscription_set(user=french, markets=[], topics=[], email=True)
    services.digest_subscription_set(user=quiet, markets=[], topics=[], email=False)
    MemberFactory()  # no subscription: nothing for them

    with run_on_commit():
        results = services.digest_compile_week(week=WEEK)
    assert [result.digest.edition for result in results] == [
        "public",
        "officials",
        "personal",
        "personal",
    ]
    (message,) = mailoutbox
    assert message.to == [french.email]
    assert "24–30 novembre 2025" in message.subject  # the week by its dates, in French
    assert f"/fr/digests/{WEEK}/?edition=personal" in message.body
    assert not message.attachments

    with run_on_commit():
        again = services.digest_compile_week(week=WEEK)
    assert not any(result.compiled for result in again)
    assert len(mailoutbox) == 1


def test_compile_digest_command_shows_progress_and_skips_complete_editions(db):
    report()
    out = io.StringIO()
    call_command("compile_digest", "--week", WEEK, stdout=out)
    text = out.getvalue()
    assert f"[1/2] {WEEK} public edition: compiled (revision 1, 1 new reports)" in text
    assert f"[2/2] {WEEK} officials edition: compiled" in text

    out = io.StringIO()
    call_command("compile_digest", "--week", WEEK, stdout=out)
    assert "already complete, skipped" in out.getvalue()

    out = io.StringIO()
    call_command("compile_digest", "--week", WEEK, "--force", stdout=out)
    assert "revision 2" in out.getvalue()


def test_compile_digest_command_explains_a_bad_week(db):
    with pytest.raises(CommandError, match="2025-W60"):
        call_command("compile_digest", "--week", "2025-W60")


def test_a_week_that_has_not_ended_is_not_compiled(db):
    from django.utils import timezone

    from dialogues.digests.weeks import iso_week_of

    this_week = iso_week_of(timezone.now())
    with pytest.raises(CommandError, match="has not ended yet"):
        call_command("compile_digest", "--week", this_week)
    with pytest.raises(services.WeekNotOver):
        services.digest_compile_edition(week=this_week, spec=EditionSpec(Edition.PUBLIC))
    assert not Digest.objects.exists()


def test_beat_runs_the_weekly_compile_on_monday_at_five_utc(settings):
    from dialogues.tasks import digest_compile_weekly

    entry = settings.CELERY_BEAT_SCHEDULE["digest-compile-weekly"]
    assert entry["task"] == digest_compile_weekly.name
    schedule = entry["schedule"]
    assert schedule.minute == {0}
    assert schedule.hour == {5}
    assert schedule.day_of_week == {1}
    assert digest_compile_weekly.acks_late is True
    assert digest_compile_weekly.reject_on_worker_lost is True
    assert digest_compile_weekly.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
        "visibility_timeout", float("inf")
    )


def test_weekly_task_compiles_the_last_complete_week(db, run_on_commit, monkeypatch):
    from django.utils import timezone

    from dialogues.tasks import digest_compile_weekly

    monkeypatch.setattr(timezone, "now", lambda: END + dt.timedelta(hours=5))
    report()
    official = OfficialFactory()
    services.digest_subscription_set(user=official, markets=[], topics=[], email=False)
    with run_on_commit():
        assert digest_compile_weekly.delay().get() == WEEK
    assert sorted(Digest.objects.values_list("edition", flat=True)) == [
        "officials",
        "personal",
        "public",
    ]
    assert DigestSubscription.objects.get().digests.get().is_ready


# --- After a dead worker ----------------------------------------------------------------------


def test_sweeper_queues_abandoned_compiles_again_but_not_those_in_progress(
    needs_postgres, transactional_db, monkeypatch
):
    """A compile in progress holds its row's lock; a dead worker's compile does not. The
    sweeper tells them apart with SKIP LOCKED and queues only the abandoned ones."""
    import threading

    from django.db import connections, transaction

    from dialogues.digests import tasks

    queued: list[tuple[str, str, int | None]] = []
    monkeypatch.setattr(
        tasks.digest_compile_weekly, "delay", lambda *, week: queued.append(("weekly", week, None))
    )
    monkeypatch.setattr(
        tasks.digest_compile_personal,
        "delay",
        lambda *, week, subscription_id: queued.append(("personal", week, subscription_id)),
    )
    subscription = services.digest_subscription_set(
        user=OfficialFactory(), markets=[], topics=[], email=False
    )
    week_start = START.date()
    abandoned = Digest.objects.create(week=WEEK, week_start=week_start, edition="public")
    Digest.objects.create(
        week=WEEK, week_start=week_start, edition="personal", subscription=subscription
    )
    running = Digest.objects.create(week="2025-W47", week_start=week_start, edition="officials")
    Digest.objects.create(
        week="2025-W46", week_start=week_start, edition="public", status="ready",
        snapshot={}, compiled_at=START,
    )  # fmt: skip

    locked, release = threading.Event(), threading.Event()

    def compile_in_progress() -> None:
        try:
            with transaction.atomic():
                Digest.objects.select_for_update().get(pk=running.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=compile_in_progress)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        result = services.digest_sweep()
    finally:
        release.set()
        thread.join()

    assert result.weeks == [abandoned.week]
    assert sorted(queued) == [("personal", WEEK, subscription.pk), ("weekly", WEEK, None)]


def test_beat_sweeps_every_minute_and_each_worker_sweeps_when_it_starts(settings):
    from celery.signals import worker_ready

    from dialogues.digests import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["digest-sweep"]
    assert entry["task"] == tasks.digest_sweep.name
    assert entry["schedule"] == 60.0
    assert tasks._sweep_when_a_worker_starts in worker_ready._live_receivers(sender=None)
