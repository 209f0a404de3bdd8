"""Writes for weekly digests: compile an edition or a week, render its files, subscribe.

Compiling (`digest_compile_week`, `digest_compile_edition`) is idempotent and crash-safe:

1. the edition's row is created (status "compiling") in a short transaction of its own, so
   the unique constraint per week and edition decides, once, which row is the digest;
2. a second transaction locks that row (SELECT ... FOR UPDATE), returns at once if it is
   already ready (unless forced), gathers the snapshot (snapshot.py), marks the row ready
   and creates a `DigestFile` row for each file to pre-render; its render tasks are queued
   when the transaction commits. Nothing is rendered while the lock is held.

A worker killed in step 2 leaves the row "compiling" and unlocked (the database rolls its
transaction back when the connection drops); `digest_sweep` finds such rows with SKIP
LOCKED, which tells a dead compile from a running one, and queues the compile again.

Files (`digest_file_request`, `digest_file_render`): a file is wanted (at compile time, or
on a reader's first download), which creates its row once (unique per digest, revision,
format and language) and queues one render task. The task claims the row with a single
conditional UPDATE, so however many requests and redeliveries arrive, one worker renders it;
it writes to a local temporary file, stores the result through storage.py, and marks the row
ready. While it renders it touches `heartbeat_at`; a row whose heartbeat stopped is taken
over by the next claim (`digest_sweep` queues it).
"""

import datetime as dt
import logging
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dialogues.digests import storage
from dialogues.digests.models import Digest, DigestFile, DigestSubscription
from dialogues.digests.permissions import can_read_edition, can_subscribe
from dialogues.digests.render import FORMATS, render_file
from dialogues.digests.schema import DigestSnapshot, SnapshotError
from dialogues.digests.snapshot import EditionSpec, digest_snapshot_build
from dialogues.digests.summary import digest_summary_build
from dialogues.digests.weeks import iso_week_bounds
from dialogues.services import unsubscribe_path
from portal.emails import email_member
from portal.models import User
from portal.permissions import is_official
from portal.types import Reader

logger = logging.getLogger(__name__)

Edition = Digest.Edition
Progress = Callable[[str], None]

# A rendering worker touches its row this often; a row not touched for RENDER_STALE is
# considered abandoned (its worker died) and may be claimed again.
HEARTBEAT_SECONDS = 10
RENDER_STALE = dt.timedelta(seconds=60)
# A queued file whose task never arrived (lost with a broker) is queued again after this.
QUEUED_STALE = dt.timedelta(minutes=10)
# No compile runs longer than its task's hard time limit (tasks.DIGEST_TIME_LIMIT).
COMPILE_TIME_LIMIT = dt.timedelta(minutes=25)
TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


# --- Compiling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompileResult:
    digest: Digest
    compiled: bool  # False: it was already complete


class WeekNotOver(ValueError):
    """A digest is a snapshot of a whole week: compiling one before it ends would freeze it
    half-empty, and the Monday run would then skip it as complete."""


def check_week_is_over(week: str) -> None:
    end = iso_week_bounds(week)[1]
    if end > timezone.now():
        raise WeekNotOver(
            f"{week} has not ended yet: its digest can be compiled from {end:%Y-%m-%d %H:%M} UTC."
        )


def _claim(*, week: str, spec: EditionSpec) -> Digest:
    """The edition's row, created once (the unique constraint decides between racers). A
    previous compile's snapshot and summary stay in the database: loading them would cost
    a busy week's snapshot in memory before the new one is even read."""
    lookup = {"week": week, "edition": spec.edition, "subscription": spec.subscription}
    digest = Digest.objects.filter(**lookup).defer("snapshot", "summary").first()
    if digest is not None:
        return digest
    try:
        with transaction.atomic():
            return Digest.objects.create(
                **lookup, week_start=iso_week_bounds(week)[0].date(), status=Digest.Status.COMPILING
            )
    except IntegrityError:
        return Digest.objects.defer("snapshot", "summary").get(**lookup)


def digest_compile_edition(
    *, week: str, spec: EditionSpec, force: bool = False, render: Iterable[str] = ()
) -> CompileResult:
    """Compile one edition of `week` unless it is complete (or `force`). `render` lists the
    languages whose PDF, CSV and XLSX are queued for rendering now; the others are rendered
    when first asked for."""
    check_week_is_over(week)
    claimed = _claim(week=week, spec=spec)
    with transaction.atomic():
        # The previous snapshot is replaced, never read: loading it would cost its size.
        digest = Digest.objects.select_for_update().defer("snapshot", "summary").get(pk=claimed.pk)
        if digest.is_ready and not force:
            return CompileResult(digest=digest, compiled=False)
        # Files a compile of this revision may have left before it died go first.
        storage.clear_folder(storage.folder_for(digest, digest.revision + 1))
        snapshot = digest_snapshot_build(spec=spec, week=week)
        digest.revision += 1
        digest.snapshot = snapshot
        digest.summary = digest_summary_build(snapshot)
        digest.status = Digest.Status.READY
        digest.compiled_at = timezone.now()
        digest.save(update_fields=["revision", "snapshot", "summary", "status", "compiled_at"])
        # Rows of earlier revisions go now; their files once this revision is committed.
        digest.files.exclude(revision=digest.revision).delete()
        for language in render:
            for fmt in FORMATS:
                _file_wanted(digest, fmt, language)
        if spec.subscription is not None:
            _announce(digest, spec.subscription)
    # The snapshot is in the database now; the returned row loads it again only if asked, so
    # a week's compile does not hold every edition's snapshot in memory at once.
    digest.__dict__.pop("snapshot", None)
    del snapshot
    transaction.on_commit(lambda: storage.remove_other_revisions(digest))
    logger.info("digest %s compiled (revision %s)", digest, digest.revision)
    return CompileResult(digest=digest, compiled=True)


def digest_summary_for(digest: Digest) -> dict:
    """The web page's summary of a ready digest; an edition compiled before summaries existed
    (migration 0006 summarised those it found) is summarised and stored once."""
    if digest.summary is None:
        # A ready digest has its snapshot (constraint digest_ready_has_snapshot).
        digest.summary = digest_summary_build(cast(DigestSnapshot, digest.snapshot))
        Digest.objects.filter(pk=digest.pk).update(summary=digest.summary)
    return digest.summary


def _announce(digest: Digest, subscription: DigestSubscription) -> None:
    """Email the official once per edition, with a link in their language (sent on commit):
    the week's dates and what is new in their edition. A week with nothing new gets a short
    email saying so, or none when DIGEST_EMAIL_WHEN_EMPTY is off."""
    if digest.announced_at is not None or not subscription.email:
        return
    user = subscription.user
    if not is_official(user):
        return
    summary = digest.summary
    if summary is None:
        raise SnapshotError(f"Digest {digest.pk} is ready but has no summary.")
    figures = {figure["key"]: figure["value"] for figure in summary["figures"]}
    news = {key: figures[key] for key in ("new_reports", "status_changes", "official_responses")}
    nothing_new = not any(news.values())
    if nothing_new and not getattr(settings, "DIGEST_EMAIL_WHEN_EMPTY", True):
        return
    email_member(
        user=user,
        template="digest_ready",
        # Dates and counts, not words: the template writes them in the official's language.
        context={
            "week": digest.week,
            "week_start": dt.date.fromisoformat(summary["week_start"]),
            "week_end": dt.date.fromisoformat(summary["week_end"]),
            "nothing_new": nothing_new,
            **news,
        },
        unsubscribe=unsubscribe_path(user=user, digest=True),
    )
    digest.announced_at = timezone.now()
    digest.save(update_fields=["announced_at"])


def subscriptions_due() -> QuerySet[DigestSubscription]:
    """Subscriptions of people who are verified officials today."""
    return (
        DigestSubscription.objects.filter(
            user__is_active=True,
            user__membership_status=User.MembershipStatus.ACTIVE,
            user__official_status=User.OfficialStatus.VERIFIED,
        )
        .select_related("user")
        .order_by("pk")
    )


def prerender_languages() -> list[str]:
    """Languages whose PDF, CSV and XLSX are queued when the public and officials editions
    are compiled (settings.DIGEST_PRERENDER_LANGUAGES, default: the site's default
    language); other languages and personalised editions are rendered on first download."""
    return list(getattr(settings, "DIGEST_PRERENDER_LANGUAGES", [settings.LANGUAGE_CODE]))


def digest_compile_week(
    *,
    week: str,
    force: bool = False,
    personal: bool = True,
    prerender: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> list[CompileResult]:
    """Compile the public and officials editions of `week` and, with `personal`, every
    subscription's edition. `prerender`: languages whose files are queued now (default:
    `prerender_languages()`). `progress` is told about each step (the command prints it)."""
    check_week_is_over(week)
    languages = prerender_languages() if prerender is None else list(prerender)
    say = progress or (lambda message: None)
    canonical = [EditionSpec(Edition.PUBLIC), EditionSpec(Edition.OFFICIALS)]
    subscriptions = list(subscriptions_due()) if personal else []
    total = len(canonical) + len(subscriptions)
    results = []
    for step, spec in enumerate(canonical, start=1):
        say(f"[{step}/{total}] {week} {spec.edition} edition…")
        result = digest_compile_edition(week=week, spec=spec, force=force, render=languages)
        results.append(result)
        say(f"[{step}/{total}] {week} {spec.edition} edition: {_outcome(result)}")
    for step, subscription in enumerate(subscriptions, start=len(canonical) + 1):
        result = digest_compile_edition(
            week=week, spec=EditionSpec.for_subscription(subscription), force=force
        )
        results.append(result)
        say(f"[{step}/{total}] {week} edition for {subscription.user}: {_outcome(result)}")
    return results


def _outcome(result: CompileResult) -> str:
    if not result.compiled:
        return "already complete, skipped"
    if result.digest.summary is None:
        raise SnapshotError(f"Digest {result.digest.pk} is ready but has no summary.")
    count = result.digest.summary["new_reports_total"]
    return f"compiled (revision {result.digest.revision}, {count} new reports)"


# --- Files ----------------------------------------------------------------------------------


def _queue_render(file_id: int) -> None:
    from dialogues.digests.tasks import digest_file_render

    digest_file_render.delay_on_commit(file_id=file_id)


def _file_wanted(digest: Digest, fmt: str, language: str) -> DigestFile:
    """The file's row for the digest's current revision, created (and its rendering queued)
    by the first caller only; a failed file is queued again by the first caller after (its
    `error` stays until a render succeeds, so the reader can be told)."""
    lookup = {"digest": digest, "revision": digest.revision, "fmt": fmt, "language": language}
    file = DigestFile.objects.filter(**lookup).first()
    if file is None:
        try:
            with transaction.atomic():
                file = DigestFile.objects.create(**lookup)
        except IntegrityError:
            return DigestFile.objects.get(**lookup)
        _queue_render(file.pk)
        return file
    if file.status == DigestFile.Status.FAILED:
        requeued = DigestFile.objects.filter(pk=file.pk, status=DigestFile.Status.FAILED).update(
            status=DigestFile.Status.QUEUED, requested_at=timezone.now()
        )
        if requeued:
            _queue_render(file.pk)
            file.refresh_from_db()
    return file


def digest_file_request(*, viewer: Reader, digest: Digest, fmt: str, language: str) -> DigestFile:
    """A reader wants `digest` as `fmt` in `language`: the file's row, ready to stream or
    queued for a worker (once, however many readers ask). Never renders anything itself."""
    if not can_read_edition(viewer, digest):
        raise PermissionDenied
    if not digest.is_ready or fmt not in FORMATS:
        raise Http404
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404
    return _file_wanted(digest, fmt, language)


def _claim_file(file_id: int) -> DigestFile | None:
    """Take the file for this worker: one conditional UPDATE, so exactly one claimant wins
    between queued copies of the task, redeliveries and the sweeper."""
    now = timezone.now()
    claimable = Q(status=DigestFile.Status.QUEUED) | Q(
        status=DigestFile.Status.RENDERING, heartbeat_at__lt=now - RENDER_STALE
    )
    claimed = (
        DigestFile.objects.filter(claimable, pk=file_id)
        .filter(digest__status=Digest.Status.READY, revision=F("digest__revision"))
        .update(status=DigestFile.Status.RENDERING, attempts=F("attempts") + 1, heartbeat_at=now)
    )
    if not claimed:
        return None
    return DigestFile.objects.select_related("digest").get(pk=file_id)


@contextmanager
def _heartbeat(file: DigestFile) -> Iterator[None]:
    """Touch the claimed row every HEARTBEAT_SECONDS from a thread while the body runs (a PDF
    at scale renders for minutes in one call), so a live worker's claim never goes stale."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                DigestFile.objects.filter(
                    pk=file.pk, attempts=file.attempts, status=DigestFile.Status.RENDERING
                ).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"digest-file-{file.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def digest_file_render(*, file_id: int) -> DigestFile | None:
    """Render one claimed file and store it (workers only). Returns the ready row, or None if
    another worker has it, it is ready already, or its revision was replaced meanwhile."""
    file = _claim_file(file_id)
    if file is None:
        return None
    digest = file.digest
    if digest.snapshot is None:
        raise SnapshotError(f"Digest {digest.pk} is ready but has no snapshot.")
    name = storage.file_name(file)
    mine = DigestFile.objects.filter(
        pk=file.pk, attempts=file.attempts, status=DigestFile.Status.RENDERING
    )
    try:
        # A local scratch file with no name: the operating system removes it even if this
        # process is killed, so a dead worker leaves nothing behind.
        with _heartbeat(file), tempfile.TemporaryFile() as scratch:
            render_file(digest.snapshot, scratch, fmt=file.fmt, language=file.language)
            size = scratch.tell()
            scratch.seek(0)
            stored = storage.write(name, scratch)
    except TRANSIENT:
        mine.update(status=DigestFile.Status.QUEUED)  # the task's retry claims it again
        raise
    except Exception as error:
        mine.update(status=DigestFile.Status.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    done = mine.update(
        status=DigestFile.Status.READY,
        name=stored,
        size=size,
        rendered_at=timezone.now(),
        error="",
    )
    if not done:
        if not DigestFile.objects.filter(pk=file.pk).exists():
            storage.file_storage().delete(stored)  # a newer revision replaced this one
        return None
    file.refresh_from_db()
    logger.info("digest file %s rendered (%s bytes)", file, size)
    return file


# --- Recovering from dead workers ----------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    weeks: list[str]  # weekly compiles queued again
    personal: list[tuple[str, int]]  # (week, subscription id) compiles queued again
    files: list[int]  # file renders queued again


def digest_sweep() -> SweepResult:
    """Queue again the work a dead worker left: compiles whose row is still "compiling" but
    no longer locked by a live transaction, renders whose heartbeat stopped, and files whose
    task never arrived. Run by beat every minute and by each worker when it starts."""
    from dialogues.digests import tasks

    compiling = Digest.objects.filter(status=Digest.Status.COMPILING)
    if not connection.features.has_select_for_update_skip_locked:
        # SQLite (the embedded default) cannot tell a running compile from a dead one: only
        # rows older than the compile's time limit are certainly abandoned.
        compiling = compiling.filter(created_at__lt=timezone.now() - COMPILE_TIME_LIMIT)
    with transaction.atomic():
        # SKIP LOCKED: a compile in progress holds its row's lock; a dead one does not.
        abandoned = list(
            compiling.select_for_update(skip_locked=True).values_list(
                "week", "edition", "subscription_id"
            )
        )
    weeks = sorted({week for week, edition, _s in abandoned if edition != Edition.PERSONAL})
    personal = sorted(
        (week, subscription_id)
        for week, edition, subscription_id in abandoned
        if edition == Edition.PERSONAL and subscription_id is not None
    )
    for week in weeks:
        logger.warning("digest %s: compile abandoned by a dead worker, queued again", week)
        tasks.digest_compile_weekly.delay(week=week)
    for week, subscription_id in personal:
        logger.warning("digest %s #%s: compile abandoned, queued again", week, subscription_id)
        tasks.digest_compile_personal.delay(week=week, subscription_id=subscription_id)

    now = timezone.now()
    stale_files = list(
        DigestFile.objects.filter(
            Q(status=DigestFile.Status.RENDERING, heartbeat_at__lt=now - RENDER_STALE)
            | Q(status=DigestFile.Status.QUEUED, requested_at__lt=now - QUEUED_STALE)
        ).values_list("pk", flat=True)
    )
    for file_id in stale_files:
        logger.warning("digest file %s: rendering abandoned, queued again", file_id)
        tasks.digest_file_render.delay(file_id=file_id)
    return SweepResult(weeks=weeks, personal=personal, files=stale_files)


# --- Subscriptions -----------------------------------------------------------------------------


@transaction.atomic
def digest_subscription_set(
    *, user: User, markets: Iterable[Any], topics: Iterable[Any], email: bool
) -> DigestSubscription:
    """Create or change an official's subscription; a repeat with the same answers does
    nothing. Takes effect from the next compiled week."""
    if not can_subscribe(user):
        raise PermissionDenied
    subscription, _created = DigestSubscription.objects.select_for_update().get_or_create(user=user)
    market_ids = sorted(market.pk for market in markets)
    topic_ids = sorted(topic.pk for topic in topics)
    unchanged = (
        not _created
        and subscription.email == email
        and sorted(subscription.markets.values_list("pk", flat=True)) == market_ids
        and sorted(subscription.topics.values_list("pk", flat=True)) == topic_ids
    )
    if unchanged:
        return subscription
    subscription.email = email
    subscription.updated_at = timezone.now()
    subscription.save()
    subscription.markets.set(market_ids)
    subscription.topics.set(topic_ids)
    return subscription
