"""Gathering a digest: read one ISO week for one edition and return its validated snapshot.

Visibility is applied here, once, when the snapshot is taken, and not by queries of our own:
every read goes through the report selectors (`report_list_for`, `report_status_changes_for`,
`report_display_organisation`) and the dialogue selectors (`thread_list_for`,
`published_posts_for`), given the edition's `Audience` (portal/audience.py). The public
edition is what a visitor may read; the officials edition adds officials-only reports; a
personalised edition is the officials edition kept to a subscription's markets and topics.
Anonymised reports stay anonymised in every edition.

Gathering streams the week's reports as rows (`values()`, `iterator(chunk_size=...)`) in
batches: reference names are read once, topics and organisations once per batch, and each
organisation label is worked out once per organisation. Rankings (most co-signed, most active
threads) are computed by the database from the week's rows only, so the work grows with the
week's reports and posts, not with the size of the portal.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator

from dialogues.digests.models import Digest, DigestSubscription
from dialogues.digests.schema import (
    RESOLVED_STATUSES,
    SCHEMA_VERSION,
    DigestSnapshot,
    validate_snapshot,
)
from dialogues.digests.weeks import (
    iso_week_bounds,
    iso_weeks_ending,
    parse_iso_week,
    shift_iso_week,
)
from dialogues.models import Post, Thread
from dialogues.rendering import plain_text
from dialogues.selectors import published_posts_for, thread_list_for
from portal import audience as audiences
from portal.audience import Audience
from portal.models import Country, Organisation, Topic
from submissions.models import BarrierReport, CoSignature, OfficialResponse
from submissions.selectors import (
    report_display_organisation,
    report_list_for,
    report_status_changes_for,
)

Edition = Digest.Edition

MOST_COSIGNED_LIMIT = 10
ACTIVE_THREADS_LIMIT = 10
OFFICIAL_RESPONSES_LIMIT = 20
EXCERPT_CHARACTERS = 280
CHUNK = 1000
_URL_PLACEHOLDER = "TB-0000-00000"


@dataclass(frozen=True)
class EditionSpec:
    """An edition to compile: its kind, and for personalised editions the subscription's
    market codes and topic codes (empty: all)."""

    edition: str
    subscription: DigestSubscription | None = None
    markets: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    @property
    def audience(self) -> Audience:
        """Who the edition is for, as the report and dialogue selectors understand it."""
        if self.edition == Edition.PUBLIC:
            return audiences.PUBLIC
        if self.subscription is not None:
            return audiences.subscriber(self.subscription.user)
        return audiences.OFFICIALS

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        """The subscription's markets and topics as report filters (empty: all)."""
        return {"markets": self.markets, "topics": self.topics}

    @classmethod
    def for_subscription(cls, subscription: DigestSubscription) -> "EditionSpec":
        return cls(
            edition=Edition.PERSONAL,
            subscription=subscription,
            markets=tuple(sorted(subscription.markets.values_list("code", flat=True))),
            topics=tuple(sorted(subscription.topics.values_list("code", flat=True))),
        )


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


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


class _ReportItems:
    """Report rows (`FIELDS`, from `values()`) to snapshot items, a batch at a time: market and
    topic names are read once per compile and shared between items, topics once per batch,
    and each organisation's label once per organisation, sector and visibility."""

    FIELDS = (
        "id",
        "reference",
        "title",
        "summary",
        "market_id",
        "visibility",
        "status",
        "published_at",
        "cosignature_count",
        "language",
        "sector",
        "organisation_id",
    )

    def __init__(self, audience: Audience) -> None:
        self.audience = audience
        self.markets = {row.pk: _named_code(row) for row in Country.objects.all()}
        self.topics = {row.pk: (row.position, _named_code(row)) for row in Topic.objects.all()}
        self.organisations: dict[int, Organisation] = {}
        self.labels: dict[tuple[int, str, str], dict[str, str]] = {}
        # One reverse() for every report: the path with a placeholder reference.
        self.url = reverse("submissions:detail", kwargs={"reference": _URL_PLACEHOLDER})

    def build(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        tagged: dict[int, list[str]] = defaultdict(list)
        for report_id, topic_id in BarrierReport.topics.through.objects.filter(
            barrierreport_id__in=ids
        ).values_list("barrierreport_id", "topic_id"):
            tagged[report_id].append(topic_id)
        missing = {row["organisation_id"] for row in rows} - self.organisations.keys()
        if missing:
            self.organisations.update(
                Organisation.objects.select_related("org_type", "country").in_bulk(missing)
            )
        return [self.item(row, tagged[row["id"]]) for row in rows]

    def item(self, row: dict[str, Any], topic_codes: list[str]) -> dict[str, Any]:
        if row["published_at"] is None:
            raise ValueError(f"Report {row['reference']} has no publication date.")
        topics = sorted((self.topics[code] for code in topic_codes), key=lambda pair: pair[0])
        return {
            "reference": row["reference"],
            "title": row["title"],
            "summary": row["summary"],
            "market": self.markets.get(row["market_id"]),
            "topics": [named for _position, named in topics],
            "organisation": self.organisation_label(row),
            "visibility": row["visibility"],
            "status": row["status"],
            "published_at": _iso(row["published_at"]),
            "url": self.url.replace(_URL_PLACEHOLDER, row["reference"]),
            "cosignatures": row["cosignature_count"],
            "language": row["language"],
        }

    def organisation_label(self, row: dict[str, Any]) -> dict[str, str]:
        """The reporting organisation as the edition's readers may see it, in every language,
        decided by the report selectors' rule (`report_display_organisation`)."""
        key = (row["organisation_id"], row["sector"], row["visibility"])
        if key not in self.labels:
            # The fields the rule reads, without building a model instance per label.
            report = cast(
                BarrierReport,
                SimpleNamespace(
                    visibility=row["visibility"],
                    sector=row["sector"],
                    organisation_id=row["organisation_id"],
                    organisation=self.organisations[row["organisation_id"]],
                ),
            )
            labels = {}
            for code, _label in settings.LANGUAGES:
                with translation.override(code):
                    labels[code] = report_display_organisation(report, self.audience)
            self.labels[key] = labels
        return self.labels[key]


class _Gatherer:
    """Reads one week for one edition. Every read goes through the report and dialogue
    selectors, given the edition's audience and filters."""

    def __init__(self, spec: EditionSpec, week: str) -> None:
        self.spec = spec
        self.audience = spec.audience
        self.week = week
        self.start, self.end = iso_week_bounds(week)
        self.items = _ReportItems(self.audience)

    # Reports -----------------------------------------------------------------------------

    def reports(self, **filters: Any) -> QuerySet[BarrierReport]:
        return report_list_for(viewer=self.audience, filters={**self.spec.filters, **filters})

    def published_between(self, start: dt.datetime, end: dt.datetime) -> QuerySet:
        return self.reports(published_from=start, published_to=end)

    def new_reports(self) -> Iterator[dict[str, Any]]:
        rows = (
            self.published_between(self.start, self.end)
            .prefetch_related(None)
            .order_by("published_at", "id")
            .values(*_ReportItems.FIELDS)
        )
        batch: list[dict[str, Any]] = []
        for row in rows.iterator(chunk_size=CHUNK):
            batch.append(row)
            if len(batch) == CHUNK:
                yield from self.items.build(batch)
                batch = []
        yield from self.items.build(batch)

    def most_cosigned(self) -> list[dict[str, Any]]:
        """The reports with the most co-signatures during the week: counted from the week's
        co-signatures (served by their date index), not by counting every report's."""
        top = (
            CoSignature.objects.filter(
                created_at__gte=self.start,
                created_at__lt=self.end,
                report__in=self.reports().order_by().values("pk"),
            )
            .values("report_id")
            .annotate(week_cosignatures=Count("id"))
            .order_by("-week_cosignatures", "-report__cosignature_count", "report_id")[
                :MOST_COSIGNED_LIMIT
            ]
        )
        order = [row["report_id"] for row in top]
        rows = {
            row["id"]: row
            for row in BarrierReport.objects.filter(pk__in=order).values(*_ReportItems.FIELDS)
        }
        return self.items.build([rows[pk] for pk in order if pk in rows])

    def status_changes_between(self, start: dt.datetime, end: dt.datetime) -> QuerySet:
        """Public milestones of reports this edition may show; first publication is left out
        (the report is in "new reports")."""
        return report_status_changes_for(
            viewer=self.audience, since=start, until=end, filters=self.spec.filters
        ).exclude(
            to_status=BarrierReport.Status.PUBLISHED, from_status=BarrierReport.Status.SUBMITTED
        )

    def status_changes(self) -> Iterator[dict[str, Any]]:
        changes = self.status_changes_between(self.start, self.end)
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
        threads = thread_list_for(viewer=self.audience)
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
        return published_posts_for(viewer=self.audience, threads=self.threads()).filter(
            published_at__gte=start, published_at__lt=end
        )

    def active_threads(self) -> list[dict[str, Any]]:
        """The threads with the most posts during the week, ranked from the week's posts
        (served by their publication-date index) rather than by counting every thread's."""
        top = (
            self.posts_between(self.start, self.end)
            .values("thread_id", "thread__last_post_at")
            .annotate(week_posts=Count("id"), week_participants=Count("author_id", distinct=True))
            .order_by("-week_posts", "-thread__last_post_at", "thread_id")[:ACTIVE_THREADS_LIMIT]
        )
        ranked = list(top)
        threads = Thread.objects.select_related("theme__topic").in_bulk(
            [row["thread_id"] for row in ranked]
        )
        items = []
        for row in ranked:
            thread = threads[row["thread_id"]]
            items.append(
                {
                    "id": thread.pk,
                    "title": thread.title,
                    "theme": _named_code(thread.theme.topic),
                    "visibility": "public",
                    "posts": row["week_posts"],
                    "participants": row["week_participants"],
                    "last_post_at": _iso(thread.last_post_at),
                    "url": thread.get_absolute_url(),
                }
            )
        return items

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
                    "author": post.author.display_name,
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
                    "author": response.author.display_name,
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
            # Reports, not changes: one resolved in part, then in full, is one barrier.
            "resolved_reports": changes.filter(to_status__in=RESOLVED_STATUSES)
            .order_by()  # an ordering column would defeat DISTINCT
            .values("report_id")
            .distinct()
            .count(),
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
    reports: list[dict[str, Any]], keep_topics: tuple[str, ...]
) -> tuple[list[dict], list[dict]]:
    """The reports' references grouped by market and by topic, each group in a stable order."""
    by_market: dict[str, dict[str, Any]] = {}
    by_topic: dict[str, dict[str, Any]] = {}
    for report in reports:
        market = report["market"] or {"code": "", "name": {"en": "No market given"}}
        group = by_market.setdefault(market["code"], {**market, "references": []})
        group["references"].append(report["reference"])
        for topic in report["topics"]:
            if keep_topics and topic["code"] not in keep_topics:
                continue
            by_topic.setdefault(topic["code"], {**topic, "references": []})["references"].append(
                report["reference"]
            )
    markets = sorted(by_market.values(), key=lambda group: (group["name"]["en"], group["code"]))
    topics = sorted(by_topic.values(), key=lambda group: group["code"])
    return markets, topics


def _counts(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [
        {"code": group["code"], "name": group["name"], "count": len(group["references"])}
        for group in groups
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["code"]))


def digest_snapshot_build(*, spec: EditionSpec, week: str) -> DigestSnapshot:
    """Read the week for one edition and return its validated snapshot."""
    parse_iso_week(week)
    # Paths without a language prefix: each rendering adds the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        gather = _Gatherer(spec, week)
        reports = list(gather.new_reports())
        reports_by_market, reports_by_topic = _group(reports, spec.topics)
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
            "reports": reports,
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
