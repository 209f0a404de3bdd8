"""Weekly digests: compile a week's snapshot, keep its files, find the edition a reader gets.

Compiling (`digest_compile_week`, `digest_compile_edition`) is idempotent and crash-safe:

1. the edition's row is created (status "compiling") in a short transaction of its own, so
   the unique constraint per week and edition decides, once, which row is the digest;
2. a second transaction locks that row (SELECT ... FOR UPDATE), returns at once if it is
   already ready (unless forced), gathers the snapshot with streamed queries, writes the
   files to temporary names moved into place when complete, and marks the row ready.

A worker killed in step 2 leaves the row "compiling" (its transaction is rolled back and its
lock released by the database); the redelivered task locks it and compiles it from the
start. Readers only ever see ready rows.

Visibility is applied here, once, when the snapshot is taken, with the submissions and
dialogues rules (`report_list_for`, `report_display_organisation`, open threads only): the
public edition is what a visitor may read; the officials edition adds officials-only
reports; a personalised edition is the officials edition kept to a subscription's markets
and topics. Anonymised reports stay anonymised in every edition.
"""

import datetime as dt
import logging
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils import timezone, translation
from django.utils.text import Truncator

from dialogues.digest_models import Digest, DigestSubscription
from dialogues.digest_render import FORMATS, digest_filename, write_digest_file
from dialogues.digest_snapshot import (
    RESOLVED_STATUSES,
    SCHEMA_VERSION,
    DigestSnapshot,
    SnapshotError,
    iso_week_bounds,
    iso_weeks_ending,
    parse_iso_week,
    shift_iso_week,
    validate_snapshot,
)
from dialogues.models import Post, Thread
from dialogues.rendering import plain_text
from dialogues.services import unsubscribe_path
from portal.emails import email_member
from portal.models import User
from portal.permissions import acts_as_moderator, is_official
from submissions.models import (
    PUBLISHED_STATUSES,
    BarrierReport,
    CoSignature,
    OfficialResponse,
    StatusChange,
)
from submissions.selectors import report_display_organisation, report_list_for

logger = logging.getLogger(__name__)

Edition = Digest.Edition
Progress = Callable[[str], None]

MOST_COSIGNED_LIMIT = 10
ACTIVE_THREADS_LIMIT = 10
OFFICIAL_RESPONSES_LIMIT = 20
EXCERPT_CHARACTERS = 280
CHUNK = 500


# --- Who an edition is for ------------------------------------------------------------------


@dataclass(frozen=True)
class _OfficialReader:
    """Stands for "any verified official" when the report rules are applied: sees
    officials-only reports, belongs to no reporting organisation, is no moderator (so
    anonymised reports stay anonymised)."""

    is_authenticated: bool = True
    is_active: bool = True
    is_verified_official: bool = True
    is_member: bool = False
    is_moderator: bool = False
    is_superuser: bool = False
    organisation_id: None = None
    pk: None = None


PUBLIC_READER = AnonymousUser()
OFFICIAL_READER = _OfficialReader()


@dataclass(frozen=True)
class EditionSpec:
    """An edition to compile: its kind, and for personalised editions the subscription's
    market codes and topic codes (empty: all)."""

    edition: str
    subscription: DigestSubscription | None = None
    markets: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    @property
    def reader(self) -> Any:
        return PUBLIC_READER if self.edition == Edition.PUBLIC else OFFICIAL_READER

    @classmethod
    def for_subscription(cls, subscription: DigestSubscription) -> "EditionSpec":
        return cls(
            edition=Edition.PERSONAL,
            subscription=subscription,
            markets=tuple(sorted(subscription.markets.values_list("code", flat=True))),
            topics=tuple(sorted(subscription.topics.values_list("code", flat=True))),
        )


# --- Gathering the snapshot -----------------------------------------------------------------


def _names(row: Any) -> dict[str, str]:
    """A reference row's names in every working language (English always)."""
    names = {"en": row.name_en}
    for code, _label in settings.LANGUAGES:
        value = getattr(row, f"name_{code}", "")
        if value:
            names[code] = value
    return names


def _named_code(row: Any) -> dict[str, Any] | None:
    return None if row is None else {"code": row.pk, "name": _names(row)}


def _organisation_label(report: BarrierReport, reader: Any) -> dict[str, str]:
    """The reporting organisation as the edition's readers may see it, in every language."""
    labels = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = report_display_organisation(report, reader)
    return labels


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


class _Gatherer:
    """Reads one week for one edition. Every query applies the edition's reader and filters."""

    def __init__(self, spec: EditionSpec, week: str) -> None:
        self.spec = spec
        self.week = week
        self.start, self.end = iso_week_bounds(week)

    # Reports -----------------------------------------------------------------------------

    def reports(self, **filters: Any) -> QuerySet[BarrierReport]:
        reports = report_list_for(viewer=self.spec.reader, filters=filters)
        if self.spec.markets:
            reports = reports.filter(market_id__in=self.spec.markets)
        if self.spec.topics:
            matching = BarrierReport.topics.through.objects.filter(topic_id__in=self.spec.topics)
            reports = reports.filter(pk__in=matching.values("barrierreport_id"))
        return reports

    def published_between(self, start: dt.datetime, end: dt.datetime) -> QuerySet:
        return self.reports(published_from=start, published_to=end)

    def report_item(self, report: BarrierReport) -> dict[str, Any]:
        if report.published_at is None:
            raise ValueError(f"Report {report.reference} has no publication date.")
        topics = [
            _named_code(topic)
            for topic in sorted(report.topics.all(), key=lambda topic: (topic.position, topic.pk))
        ]
        return {
            "reference": report.reference,
            "title": report.title,
            "summary": report.summary,
            "market": _named_code(report.market),
            "topics": topics,
            "organisation": _organisation_label(report, self.spec.reader),
            "visibility": report.visibility,
            "status": report.status,
            "published_at": _iso(report.published_at),
            "url": report.get_absolute_url(),
            "cosignatures": report.cosignature_count,
            "language": report.language,
        }

    def new_reports(self) -> Iterator[dict[str, Any]]:
        reports = self.published_between(self.start, self.end).order_by("published_at", "id")
        for report in reports.iterator(chunk_size=CHUNK):
            yield self.report_item(report)

    def most_cosigned(self) -> list[dict[str, Any]]:
        in_week = Q(cosignatures__created_at__gte=self.start, cosignatures__created_at__lt=self.end)
        reports = (
            self.reports()
            .annotate(week_cosignatures=Count("cosignatures", filter=in_week))
            .filter(week_cosignatures__gt=0)
            .order_by("-week_cosignatures", "-cosignature_count", "id")[:MOST_COSIGNED_LIMIT]
        )
        return [self.report_item(report) for report in reports]

    def status_changes_between(self, start: dt.datetime, end: dt.datetime) -> QuerySet:
        """Public milestones of reports this edition may show; first publication is left out
        (the report is in "new reports")."""
        return StatusChange.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            to_status__in=PUBLISHED_STATUSES,
            report__in=self.reports().values("pk"),
        ).exclude(
            to_status=BarrierReport.Status.PUBLISHED, from_status=BarrierReport.Status.SUBMITTED
        )

    def status_changes(self) -> Iterator[dict[str, Any]]:
        changes = (
            self.status_changes_between(self.start, self.end)
            .select_related("report__market")
            .order_by("created_at", "id")
        )
        for change in changes.iterator(chunk_size=CHUNK):
            report = change.report
            yield {
                "reference": report.reference,
                "title": report.title,
                "market": _named_code(report.market),
                "visibility": report.visibility,
                "from_status": change.from_status,
                "to_status": change.to_status,
                "changed_at": _iso(change.created_at),
                "url": report.get_absolute_url(),
            }

    def cosignatures_between(self, start: dt.datetime, end: dt.datetime) -> int:
        return CoSignature.objects.filter(
            created_at__gte=start, created_at__lt=end, report__in=self.reports().values("pk")
        ).count()

    # Dialogues ---------------------------------------------------------------------------

    def threads(self) -> QuerySet[Thread]:
        threads = Thread.objects.filter(status=Thread.Status.OPEN)
        if self.spec.topics:
            threads = threads.filter(theme__topic_id__in=self.spec.topics)
        if self.spec.markets:
            threads = threads.filter(
                pk__in=Thread.reports.through.objects.filter(
                    barrierreport__market_id__in=self.spec.markets
                ).values("thread_id")
            )
        return threads

    def posts_between(self, start: dt.datetime, end: dt.datetime) -> QuerySet[Post]:
        return Post.objects.filter(
            status=Post.Status.PUBLISHED,
            published_at__gte=start,
            published_at__lt=end,
            thread__in=self.threads().values("pk"),
        )

    def active_threads(self) -> list[dict[str, Any]]:
        in_week = Q(
            posts__status=Post.Status.PUBLISHED,
            posts__published_at__gte=self.start,
            posts__published_at__lt=self.end,
        )
        threads = (
            self.threads()
            .annotate(
                week_posts=Count("posts", filter=in_week),
                week_participants=Count("posts__author", filter=in_week, distinct=True),
            )
            .filter(week_posts__gt=0)
            .select_related("theme__topic")
            .order_by("-week_posts", "-last_post_at", "id")[:ACTIVE_THREADS_LIMIT]
        )
        return [
            {
                "id": thread.pk,
                "title": thread.title,
                "theme": _named_code(thread.theme.topic),
                "visibility": "public",
                "posts": thread.week_posts,
                "participants": thread.week_participants,
                "last_post_at": _iso(thread.last_post_at),
                "url": thread.get_absolute_url(),
            }
            for thread in threads
        ]

    def official_posts_between(self, start: dt.datetime, end: dt.datetime) -> QuerySet[Post]:
        return self.posts_between(start, end).filter(is_official_response=True)

    def report_responses_between(
        self, start: dt.datetime, end: dt.datetime
    ) -> QuerySet[OfficialResponse]:
        return OfficialResponse.objects.filter(
            created_at__gte=start, created_at__lt=end, report__in=self.reports().values("pk")
        )

    def official_responses(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        posts = (
            self.official_posts_between(self.start, self.end)
            .select_related("author", "organisation", "thread")
            .order_by("published_at", "id")
        )
        for post in posts.iterator(chunk_size=CHUNK):
            if post.published_at is None:
                raise ValueError(f"Post {post.pk} has no publication date.")
            items.append(
                {
                    "title": post.thread.title,
                    "author": post.author.full_name,
                    "organisation": {"en": post.organisation.name if post.organisation else ""},
                    "excerpt": _excerpt(plain_text(post.body_html) or post.body),
                    "posted_at": _iso(post.published_at),
                    "url": post.get_absolute_url(),
                    "visibility": "public",
                }
            )
        responses = (
            self.report_responses_between(self.start, self.end)
            .select_related("author", "organisation", "report")
            .order_by("created_at", "id")
        )
        for response in responses.iterator(chunk_size=CHUNK):
            items.append(
                {
                    "title": response.report.title,
                    "author": response.author.full_name,
                    "organisation": {"en": response.organisation.name},
                    "excerpt": _excerpt(response.body),
                    "posted_at": _iso(response.created_at),
                    "url": response.report.get_absolute_url(),
                    "visibility": (
                        "officials_only"
                        if response.report.visibility == BarrierReport.Visibility.OFFICIALS_ONLY
                        else "public"
                    ),
                    "report_reference": response.report.reference,
                }
            )
        items.sort(key=lambda item: (item["posted_at"], item["url"]))
        return items[:OFFICIAL_RESPONSES_LIMIT]

    # Figures -----------------------------------------------------------------------------

    def figures_between(self, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
        changes = self.status_changes_between(start, end)
        return {
            "new_reports": self.published_between(start, end).count(),
            "cosignatures": self.cosignatures_between(start, end),
            "status_changes": changes.count(),
            "resolved_reports": changes.filter(to_status__in=RESOLVED_STATUSES).count(),
            "new_threads": self.threads().filter(created_at__gte=start, created_at__lt=end).count(),
            "posts": self.posts_between(start, end).count(),
            "official_responses": self.official_posts_between(start, end).count()
            + self.report_responses_between(start, end).count(),
        }

    def trend(self) -> list[dict[str, Any]]:
        weeks = iso_weeks_ending(self.week)
        first_start = iso_week_bounds(weeks[0])[0]
        rows = (
            self.published_between(first_start, self.end)
            .order_by()
            .annotate(week_start=TruncWeek("published_at", tzinfo=dt.UTC))
            .values("week_start")
            .annotate(total=Count("id", distinct=True))
        )
        counts = {}
        for row in rows:
            week_start = row["week_start"]
            day = week_start.date() if isinstance(week_start, dt.datetime) else week_start
            counts[day] = row["total"]
        return [
            {"week": week, "count": counts.get(iso_week_bounds(week)[0].date(), 0)}
            for week in weeks
        ]


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARACTERS)


def _group(
    reports: Iterable[dict[str, Any]], keep_topics: tuple[str, ...]
) -> tuple[list[dict], list[dict]]:
    """Reports grouped by market and by topic, each group in a stable order."""
    by_market: dict[str, dict[str, Any]] = {}
    by_topic: dict[str, dict[str, Any]] = {}
    topic_order: dict[str, int] = {}
    for report in reports:
        market = report["market"] or {"code": "", "name": {"en": "No market given"}}
        group = by_market.setdefault(market["code"], {**market, "reports": []})
        group["reports"].append(report)
        for index, topic in enumerate(report["topics"]):
            if keep_topics and topic["code"] not in keep_topics:
                continue
            topic_order.setdefault(topic["code"], index)
            by_topic.setdefault(topic["code"], {**topic, "reports": []})["reports"].append(report)
    markets = sorted(by_market.values(), key=lambda group: (group["name"]["en"], group["code"]))
    topics = sorted(by_topic.values(), key=lambda group: group["code"])
    return markets, topics


def _counts(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [
        {"code": group["code"], "name": group["name"], "count": len(group["reports"])}
        for group in groups
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["code"]))


def digest_snapshot_build(*, spec: EditionSpec, week: str) -> DigestSnapshot:
    """Read the week for one edition and return its validated snapshot."""
    parse_iso_week(week)
    gather = _Gatherer(spec, week)
    # Paths without a language prefix: each rendering adds the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        reports_by_market, reports_by_topic = _group(gather.new_reports(), spec.topics)
        this_week = gather.figures_between(gather.start, gather.end)
        previous_start, previous_end = iso_week_bounds(shift_iso_week(week, -1))
        last_week = gather.figures_between(previous_start, previous_end)
        edition_filters: dict[str, list[dict[str, Any] | None]] = {"markets": [], "topics": []}
        if spec.subscription is not None:
            edition_filters = {
                "markets": [_named_code(row) for row in spec.subscription.markets.order_by("pk")],
                "topics": [_named_code(row) for row in spec.subscription.topics.order_by("pk")],
            }
        snapshot = {
            "schema_version": SCHEMA_VERSION,
            "week": week,
            "week_start": gather.start.date().isoformat(),
            "week_end": (gather.end - dt.timedelta(days=1)).date().isoformat(),
            "edition": {"kind": spec.edition, **edition_filters},
            "compiled_at": _iso(timezone.now()),
            "figures": [
                {"key": key, "value": value, "previous": last_week[key]}
                for key, value in this_week.items()
            ],
            "reports_by_market": reports_by_market,
            "reports_by_topic": reports_by_topic,
            "most_cosigned": gather.most_cosigned(),
            "status_changes": list(gather.status_changes()),
            "active_threads": gather.active_threads(),
            "official_responses": gather.official_responses(),
            "trend": gather.trend(),
            "by_topic": _counts(reports_by_topic),
            "by_market": _counts(reports_by_market),
        }
    return validate_snapshot(snapshot)


# --- Files ----------------------------------------------------------------------------------


def digest_file_path(digest: Digest, fmt: str, language: str) -> Path:
    filename = digest_filename(digest.week, fmt, edition=digest.edition, language=language)
    return Path(settings.MEDIA_ROOT) / digest.folder / filename


def digest_file_for(digest: Digest, fmt: str, language: str) -> Path:
    """The edition's file in `fmt` and `language`, rendered now if no one has yet (written
    under a temporary name and moved into place, so concurrent requests are safe)."""
    if not digest.is_ready or fmt not in FORMATS:
        raise Http404
    path = digest_file_path(digest, fmt, language)
    if not path.exists():
        if digest.snapshot is None:
            raise SnapshotError(f"Digest {digest.pk} is ready but has no snapshot.")
        write_digest_file(digest.snapshot, path, fmt=fmt, language=language)
    return path


def _empty_folder(digest: Digest) -> None:
    """Clear the folder of the revision being compiled: a worker killed while compiling it
    may have left files (and temporary files) of a snapshot that was never committed."""
    shutil.rmtree(Path(settings.MEDIA_ROOT) / digest.folder, ignore_errors=True)


def _remove_other_revisions(digest: Digest) -> None:
    """Once a new revision is committed, the files of the earlier ones can go."""
    current = Path(settings.MEDIA_ROOT) / digest.folder
    owner = current.name.rsplit("-r", 1)[0]
    for folder in current.parent.glob(f"{owner}-r*"):
        if folder != current and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


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
    """The edition's row, created once (the unique constraint decides between racers)."""
    lookup = {"week": week, "edition": spec.edition, "subscription": spec.subscription}
    digest = Digest.objects.filter(**lookup).first()
    if digest is not None:
        return digest
    try:
        with transaction.atomic():
            return Digest.objects.create(
                **lookup, week_start=iso_week_bounds(week)[0].date(), status=Digest.Status.COMPILING
            )
    except IntegrityError:
        return Digest.objects.get(**lookup)


def digest_compile_edition(
    *, week: str, spec: EditionSpec, force: bool = False, render: Iterable[str] = ()
) -> CompileResult:
    """Compile one edition of `week` unless it is complete (or `force`). `render` lists the
    languages whose PDF, CSV and XLSX are written now; the others are written on first
    download."""
    check_week_is_over(week)
    claimed = _claim(week=week, spec=spec)
    with transaction.atomic():
        digest = Digest.objects.select_for_update().get(pk=claimed.pk)
        if digest.is_ready and not force:
            return CompileResult(digest=digest, compiled=False)
        snapshot = digest_snapshot_build(spec=spec, week=week)
        digest.revision += 1
        digest.snapshot = snapshot
        _empty_folder(digest)
        for language in render:
            for fmt in FORMATS:
                write_digest_file(
                    snapshot, digest_file_path(digest, fmt, language), fmt=fmt, language=language
                )
        digest.status = Digest.Status.READY
        digest.compiled_at = timezone.now()
        digest.save(update_fields=["revision", "snapshot", "status", "compiled_at"])
        if spec.subscription is not None:
            _announce(digest, spec.subscription)
    transaction.on_commit(lambda: _remove_other_revisions(digest))
    logger.info("digest %s compiled (revision %s)", digest, digest.revision)
    return CompileResult(digest=digest, compiled=True)


def _announce(digest: Digest, subscription: DigestSubscription) -> None:
    """Email the official once per edition, with a link in their language (sent on commit):
    the week's dates and what is new in their edition. A week with nothing new gets a short
    email saying so, or none when DIGEST_EMAIL_WHEN_EMPTY is off."""
    if digest.announced_at is not None or not subscription.email:
        return
    user = subscription.user
    if not is_official(user):
        return
    if digest.snapshot is None:
        raise SnapshotError(f"Digest {digest.pk} is ready but has no snapshot.")
    figures = {figure["key"]: figure["value"] for figure in digest.snapshot["figures"]}
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
            "week_start": dt.date.fromisoformat(digest.snapshot["week_start"]),
            "week_end": dt.date.fromisoformat(digest.snapshot["week_end"]),
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
    """Languages whose PDF, CSV and XLSX are written when the public and officials editions
    are compiled (settings.DIGEST_PRERENDER_LANGUAGES, default: the site's default
    language); other languages and personalised editions are written on first download."""
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
    subscription's edition. `prerender`: languages whose files are written now (default:
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
    if result.digest.snapshot is None:
        raise SnapshotError(f"Digest {result.digest.pk} is ready but has no snapshot.")
    groups = result.digest.snapshot["reports_by_market"]
    count = sum(len(group["reports"]) for group in groups)
    return f"compiled (revision {result.digest.revision}, {count} new reports)"


# --- Reading (selectors) ----------------------------------------------------------------------


def can_read_officials_edition(viewer: Any) -> bool:
    return is_official(viewer) or acts_as_moderator(viewer)


def digest_archive_for(*, viewer: Any) -> QuerySet[Digest]:
    """Every compiled week, newest first (one public row per week stands for the week)."""
    return (
        Digest.objects.filter(edition=Edition.PUBLIC, status=Digest.Status.READY)
        .only("id", "week", "week_start", "compiled_at", "edition", "status")
        .order_by("-week_start")
    )


def digest_get_for(*, viewer: Any, week: str, edition: str = "") -> Digest:
    """The edition of `week` this viewer asked for, or gets by default; Http404 otherwise.

    Visitors and members read the public edition; officials and moderators the officials
    edition; an official with a subscription may ask for their personalised edition."""
    try:
        parse_iso_week(week)
    except ValueError:
        raise Http404 from None
    officials = can_read_officials_edition(viewer)
    wanted = edition or (Edition.OFFICIALS if officials else Edition.PUBLIC)
    digests = Digest.objects.filter(week=week, status=Digest.Status.READY)
    if wanted == Edition.PUBLIC:
        digest = digests.filter(edition=Edition.PUBLIC).first()
    elif wanted == Edition.OFFICIALS and officials:
        digest = digests.filter(edition=Edition.OFFICIALS).first()
    elif wanted == Edition.PERSONAL and is_official(viewer):
        digest = digests.filter(edition=Edition.PERSONAL, subscription__user=viewer).first()
    else:
        digest = None
    if digest is None:
        raise Http404
    return digest


def digest_editions_for(*, viewer: Any, week: str) -> list[str]:
    """The editions of `week` the viewer may switch between."""
    editions: list[str] = [Edition.PUBLIC]
    if can_read_officials_edition(viewer):
        editions.append(Edition.OFFICIALS)
    if (
        is_official(viewer)
        and Digest.objects.filter(
            week=week, status=Digest.Status.READY, subscription__user=viewer
        ).exists()
    ):
        editions.append(Edition.PERSONAL)
    return editions


def subscription_for(*, viewer: Any) -> DigestSubscription | None:
    return (
        DigestSubscription.objects.filter(user=viewer).prefetch_related("markets", "topics").first()
    )


@transaction.atomic
def digest_subscription_set(
    *, user: Any, markets: Iterable[Any], topics: Iterable[Any], email: bool
) -> DigestSubscription:
    """Create or change an official's subscription; a repeat with the same answers does
    nothing. Takes effect from the next compiled week."""
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


@transaction.atomic
def digest_subscription_delete(*, user: Any) -> None:
    DigestSubscription.objects.filter(user=user).delete()
