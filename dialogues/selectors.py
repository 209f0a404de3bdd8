"""Reads for the Trade Dialogues, always given the viewer (a person, or the `Audience` of a
digest edition: portal/audience.py).

Every page, search result, feed and moderation list reads threads and posts through the
functions here, which apply the rule in permissions.py and load related rows in a fixed
number of queries. A missing or forbidden thread or post raises Http404.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.postgres.search import SearchRank, SearchVector
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues import conf
from dialogues.models import (
    Flag,
    Follow,
    NotificationPreference,
    Post,
    PostRevision,
    Suspension,
    Theme,
    Thread,
)
from dialogues.permissions import (
    can_edit_post,
    can_flag,
    can_mark_official_response,
    can_see_post_body,
    can_see_thread,
    is_author,
)
from portal.audience import is_audience
from portal.models import User
from portal.permissions import acts_as_moderator
from portal.search import SEARCH_CONFIG, Folded, StoredVector, fold, text_query, uses_postgres
from portal.types import Reader, person_of

# One accent-free configuration for every language (portal/search.py), as for reports: posts
# are written in English, French and Spanish and read across languages. Posts are searched
# through their stored vector, thread titles through an expression index: keep that
# expression identical to migration 0006.
_WORD = re.compile(r"\w+", re.UNICODE)
# Search ranks only the newest matches, so its cost does not grow with the number of posts.
# Finding them reads the newest posts until this many match: for a word in 1% of 1,000,000
# posts, 500 meant 48,000 rows (150 ms), 200 means 19,000; ten pages of results.
SEARCH_POST_CANDIDATES = 200
SEARCH_THREAD_CANDIDATES = 200

LISTED_THREAD_STATUSES = (Thread.Status.OPEN, Thread.Status.PENDING)


# --- Themes and threads ----------------------------------------------------------------------


def visible_threads_q(viewer: Reader) -> Q:
    """Threads shown in lists: open ones, plus the viewer's own (or, for moderators, every)
    thread still waiting for its opening post to be approved."""
    if acts_as_moderator(viewer):
        return Q(status__in=LISTED_THREAD_STATUSES)
    visible = Q(status=Thread.Status.OPEN)
    if is_audience(viewer):
        return visible  # a digest's readers: open threads only, whoever they are
    person = person_of(viewer)
    if person is not None:
        visible |= Q(status=Thread.Status.PENDING, author_id=person.pk)
    return visible


def published_posts_for(*, viewer: Reader, threads: QuerySet[Thread]) -> QuerySet[Post]:
    """Published posts of those `threads` the viewer (or audience) may list: for a digest, the
    conversation of the week. Posts waiting, held, hidden or removed never count."""
    listed = threads.filter(visible_threads_q(viewer)).order_by().values("pk")
    return Post.objects.filter(status=Post.Status.PUBLISHED, thread__in=listed)


def theme_list_for(*, viewer: Reader) -> list[Theme]:
    """Every theme with its number of open threads and latest activity (one query)."""
    open_threads = Q(threads__status=Thread.Status.OPEN)
    return list(
        Theme.objects.select_related("topic")
        .annotate(
            thread_total=Count("threads", filter=open_threads),
            last_activity=Max("threads__last_post_at", filter=open_threads),
        )
        .order_by("position", "id")
    )


def theme_get(*, slug: str) -> Theme:
    theme = Theme.objects.select_related("topic").filter(slug=slug).first()
    if theme is None:
        raise Http404
    return theme


def theme_for_report(report: Any) -> Theme | None:
    """The theme of a report's first topic (in theme order), for a dialogue opened on it."""
    return Theme.objects.filter(topic__in=report.topics.all()).order_by("position", "id").first()


def themes_for_choice() -> QuerySet[Theme]:
    return Theme.objects.select_related("topic").order_by("position", "id")


def thread_list_for(*, viewer: Reader, theme: Theme | None = None) -> QuerySet[Thread]:
    threads = Thread.objects.filter(visible_threads_q(viewer))
    if theme is not None:
        threads = threads.filter(theme=theme)
    return threads.select_related("author", "theme__topic").order_by(
        "-is_pinned", "-last_post_at", "-id"
    )


def latest_threads_for(*, viewer: Reader, limit: int = 10) -> list[Thread]:
    """Open threads with the latest activity (theme list, home page)."""
    return list(
        Thread.objects.filter(status=Thread.Status.OPEN)
        .select_related("theme__topic")
        .order_by("-last_post_at", "-id")[:limit]
    )


def thread_get_for(*, viewer: Reader, thread_id: int) -> Thread:
    """A thread the viewer may read. Merged threads are returned so the page can redirect."""
    thread = (
        Thread.objects.select_related("theme__topic", "author", "merged_into")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        raise Http404
    if thread.status == Thread.Status.MERGED:
        return thread
    if not can_see_thread(viewer, thread):
        raise Http404
    return thread


def thread_final_destination(thread: Thread) -> Thread:
    """Follow merges to the thread that now holds the conversation."""
    seen = {thread.pk}
    while thread.status == Thread.Status.MERGED and thread.merged_into_id not in seen:
        if thread.merged_into_id is None:
            break
        seen.add(thread.merged_into_id)
        thread = Thread.objects.select_related("merged_into").get(pk=thread.merged_into_id)
    return thread


def thread_get_for_moderation(*, viewer: Reader, thread_id: int) -> Thread:
    if not acts_as_moderator(viewer):
        raise Http404
    thread = Thread.objects.select_related("theme__topic", "author").filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    return thread


def threads_for_report(*, viewer: Reader, report: Any) -> list[Thread]:
    """Open threads that gather a report (the report page links to them)."""
    return list(
        Thread.objects.filter(reports=report, status=Thread.Status.OPEN)
        .select_related("theme__topic")
        .order_by("-last_post_at")
    )


def reports_for_thread(*, viewer: Reader, thread: Thread) -> list[Any]:
    """The thread's reports the viewer may read, through the submissions selectors so the
    report visibility rule (officials-only, anonymised) holds here too."""
    from submissions.selectors import report_list_for

    return list(report_list_for(viewer=viewer).filter(dialogue_threads=thread))


# --- Posts on a thread page ------------------------------------------------------------------


class NumberedPosts(Sequence):
    """A thread's numbered posts as a sequence the Paginator can slice.

    Page n is the posts numbered ((n-1)*size, n*size]: an index range scan whatever the page,
    and the count is the thread's counter, so no COUNT(*) and no OFFSET on long threads.
    Posts hidden after publication keep their number and show as a short notice.
    """

    def __init__(self, posts: QuerySet[Post], total: int) -> None:
        self.posts = posts
        self.total = total

    def count(self) -> int:  # type: ignore[override]  # Paginator calls count()
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop or self.total
            return list(self.posts.filter(number__gt=start, number__lte=stop).order_by("number"))
        return self.posts.get(number=index + 1)

    def __iter__(self) -> Iterator[Post]:
        return iter(self.posts.order_by("number"))


def _posts_for_display(viewer: Reader) -> QuerySet[Post]:
    posts = Post.objects.select_related(
        "author",
        "organisation__org_type",
        "organisation__country",
        "quote__author",
    )
    if acts_as_moderator(viewer):
        posts = posts.annotate(revision_total=Count("revisions", distinct=True))
    return posts


@dataclass
class ThreadPosts:
    page: Page
    unpublished: list[Post]


def _decorate(viewer: Reader, thread: Thread, posts: list[Post]) -> None:
    """Set what the viewer may see and do on each post (read by the templates)."""
    flagged: set[int] = set()
    person = person_of(viewer)
    if person is not None and posts:
        flagged = set(
            Flag.objects.filter(flagger=person, post__in=[post.pk for post in posts]).values_list(
                "post_id", flat=True
            )
        )
    for post in posts:
        post.thread = thread
        post.viewer_sees_body = can_see_post_body(viewer, post)
        post.viewer_is_author = is_author(viewer, post)
        post.viewer_can_edit = can_edit_post(viewer, post)
        post.viewer_has_flagged = post.pk in flagged
        post.viewer_can_flag = can_flag(viewer, post) and not post.viewer_has_flagged
        post.viewer_can_mark_official = can_mark_official_response(viewer, post)
        quote = post.quote
        post.quote_visible = bool(
            quote is not None
            and quote.status == Post.Status.PUBLISHED
            and quote.thread_id == post.thread_id
        )


def thread_posts_for(*, viewer: Reader, thread: Thread, page_number: Any) -> ThreadPosts:
    """One page of a thread, and the posts not yet (or no longer) published that this viewer
    may see: their own, or every pending one for moderators (few, so on every page)."""
    posts = _posts_for_display(viewer).filter(thread=thread)
    page = Paginator(NumberedPosts(posts, thread.last_number), conf.POSTS_PER_PAGE).get_page(
        page_number
    )
    unpublished: list[Post] = []
    person = person_of(viewer)
    if person is not None:
        waiting = posts.filter(number__isnull=True)
        if acts_as_moderator(person):
            waiting = waiting.filter(Q(status=Post.Status.PENDING) | Q(author=person))
        else:
            waiting = waiting.filter(author=person)
        unpublished = list(waiting.order_by("created_at", "id"))
    _decorate(viewer, thread, [*page.object_list, *unpublished])
    return ThreadPosts(page=page, unpublished=unpublished)


# A thread's page lists this many of its latest official responses (a thread of 12,000 posts
# held 484: listing them all cost 160 ms on every page of it).
OFFICIAL_RESPONSES_LISTED = 10


def official_responses_for(*, viewer: Reader, thread: Thread) -> tuple[list[Post], bool]:
    """The thread's latest official responses, oldest of them first, and whether there are
    more (read backwards along the thread's post numbers, so the cost stays flat)."""
    latest = list(
        Post.objects.filter(thread=thread, status=Post.Status.PUBLISHED, is_official_response=True)
        .select_related("author", "organisation")
        .order_by("-number")[: OFFICIAL_RESPONSES_LISTED + 1]
    )
    more = len(latest) > OFFICIAL_RESPONSES_LISTED
    return latest[:OFFICIAL_RESPONSES_LISTED][::-1], more


def post_get_for(*, viewer: Reader, post_id: int) -> Post:
    """A post the viewer may read (its author also reaches a removed one, to see why)."""
    post = (
        _posts_for_display(viewer)
        .select_related("thread__theme__topic", "thread__author")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not can_see_thread(viewer, post.thread):
        raise Http404
    if not (can_see_post_body(viewer, post) or is_author(viewer, post)):
        raise Http404
    return post


def post_page_number(post: Post) -> int:
    if post.number is None:
        return max(1, -(-post.thread.last_number // conf.POSTS_PER_PAGE))
    return -(-post.number // conf.POSTS_PER_PAGE)


def quotable_post_for(*, viewer: Reader, thread: Thread, post_id: Any) -> Post | None:
    """The published post of this thread a reply quotes, or None."""
    try:
        post_id = int(post_id)
    except (TypeError, ValueError):
        return None
    return (
        Post.objects.select_related("author")
        .filter(pk=post_id, thread=thread, status=Post.Status.PUBLISHED)
        .first()
    )


def post_revisions_for(*, viewer: Reader, post: Post) -> list[PostRevision]:
    if not acts_as_moderator(viewer):
        return []
    return list(post.revisions.select_related("edited_by").order_by("-created_at", "-id"))


def post_flags_for(*, viewer: Reader, post: Post) -> list[Flag]:
    if not acts_as_moderator(viewer):
        return []
    return list(post.flags.select_related("flagger", "resolved_by").order_by("created_at"))


def post_get_for_moderation(*, viewer: Reader, post_id: int) -> Post:
    if not acts_as_moderator(viewer):
        raise Http404
    post = (
        _posts_for_display(viewer)
        .select_related("thread__theme__topic", "thread__author")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise Http404
    return post


# --- Search and feeds --------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))[:10]


def search_threads_for(*, viewer: Reader, text: str, limit: int = 10) -> list[Thread]:
    """Open threads whose title matches; never pending, merged or removed ones. The best
    matches among the most recently active."""
    threads = Thread.objects.filter(status=Thread.Status.OPEN).select_related("theme__topic")
    text = text.strip()
    if not text:
        return []
    if uses_postgres():
        query = text_query(text)
        vector = SearchVector("title", config=SEARCH_CONFIG)
        candidates = (
            threads.alias(search=vector)
            .filter(search=query)
            .order_by("-last_post_at", "-id")
            .values("pk")[:SEARCH_THREAD_CANDIDATES]
        )
        threads = (
            threads.filter(pk__in=candidates)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-last_post_at", "-id")
        )
    else:
        threads = threads.alias(title_folded=Folded("title"))
        for word in _words(text):
            threads = threads.filter(title_folded__contains=word)
        threads = threads.order_by("-last_post_at", "-id")
    return list(threads[:limit])


def search_posts_for(*, viewer: Reader, text: str) -> "QuerySet[Post] | RankedPosts":
    """Published posts in open threads that match every word; best matches first."""
    posts = Post.objects.filter(
        status=Post.Status.PUBLISHED, thread__status=Thread.Status.OPEN
    ).select_related("author", "organisation__org_type", "organisation__country", "thread")
    text = text.strip()
    if not text:
        return posts.none()
    return post_text_matches(posts, text)


class RankedPosts(Sequence):
    """Posts in a ranked order of ids, as a sequence the Paginator can slice: a page reads
    its own rows only, so ranking 500 candidates never joins their authors and threads."""

    def __init__(self, posts: QuerySet[Post], ids: list[int]) -> None:
        self.posts = posts
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def exists(self) -> bool:
        return bool(self.ids)

    def __getitem__(self, index):  # type: ignore[override]
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        found = {post.pk: post for post in self.posts.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def __iter__(self) -> Iterator[Post]:
        return iter(self[:])


def post_text_matches(posts: QuerySet[Post], text: str) -> "QuerySet[Post] | RankedPosts":
    """Posts whose text matches `text`, accents ignored, best first among the newest
    SEARCH_POST_CANDIDATES + 1 matches (so a pager can say "more than 200"): web-search
    syntax ("a phrase", -word) on PostgreSQL through the GIN index on the stored vector;
    every word, anywhere, on SQLite."""
    if uses_postgres():
        query = text_query(text)
        # Read once here: as a subquery the pager's count and the page would each run it.
        candidates = list(
            posts.alias(search=StoredVector())
            .filter(search=query)
            .order_by("-published_at", "-id")
            .values_list("pk", flat=True)[: SEARCH_POST_CANDIDATES + 1]
        )
        ranked = list(
            Post.objects.filter(pk__in=candidates)
            .annotate(rank=SearchRank(StoredVector(), query))
            .order_by("-rank", "-published_at", "-id")
            .values_list("pk", flat=True)
        )
        return RankedPosts(posts, ranked)
    posts = posts.alias(body_folded=Folded("body"))
    for word in _words(text):
        posts = posts.filter(body_folded__contains=word)
    return posts.order_by("-published_at", "-id")


def feed_posts(*, theme: Theme | None = None, limit: int = 30) -> list[Post]:
    """The latest published posts in open threads, for the Atom feeds (visitors' view)."""
    posts = Post.objects.filter(status=Post.Status.PUBLISHED, thread__status=Thread.Status.OPEN)
    if theme is not None:
        posts = posts.filter(thread__theme=theme)
    return list(
        posts.select_related("author", "thread__theme__topic").order_by("-published_at", "-id")[
            :limit
        ]
    )


# --- Members: suspensions, follows, preferences ------------------------------------------------


def suspension_active_for(user: Reader) -> Suspension | None:
    person = person_of(user)
    if person is None:
        return None
    now = timezone.now()
    return (
        Suspension.objects.filter(
            member_id=person.pk, lifted_at__isnull=True, starts__lte=now, ends__gt=now
        )
        .order_by("-ends")
        .first()
    )


def suspensions_for(*, viewer: Reader, active_only: bool = True) -> QuerySet[Suspension]:
    if not acts_as_moderator(viewer):
        return Suspension.objects.none()
    suspensions = Suspension.objects.select_related("member__organisation", "moderator")
    if active_only:
        suspensions = suspensions.filter(lifted_at__isnull=True, ends__gt=timezone.now())
    return suspensions.order_by("ends", "id")


def member_get_for_moderation(*, viewer: Reader, member_id: int) -> User:
    if not acts_as_moderator(viewer):
        raise Http404
    member = (
        User.objects.select_related("organisation__org_type", "organisation__country")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise Http404
    return member


def member_recent_posts_for(*, viewer: Reader, member: User, limit: int = 10) -> list[Post]:
    if not acts_as_moderator(viewer):
        return []
    return list(
        Post.objects.filter(author=member)
        .select_related("thread")
        .order_by("-created_at", "-id")[:limit]
    )


def member_history_for(*, viewer: Reader, member: User) -> list[Suspension]:
    return list(suspensions_for(viewer=viewer, active_only=False).filter(member=member))


def is_following(
    *, viewer: Reader, thread: Thread | None = None, theme: Theme | None = None
) -> bool:
    person = person_of(viewer)
    if person is None:
        return False
    if thread is not None:
        return Follow.objects.filter(user=person, thread=thread).exists()
    return Follow.objects.filter(user=person, theme=theme).exists()


def follows_for(*, viewer: Reader) -> list[Follow]:
    person = person_of(viewer)
    if person is None:
        return []
    return list(
        Follow.objects.filter(user=person)
        .select_related("thread", "theme__topic")
        .order_by("-created_at", "-id")
    )


def notification_frequency_for(user: Reader) -> str:
    person = person_of(user)
    if person is None:
        return NotificationPreference.Frequency.DAILY
    preference = NotificationPreference.objects.filter(user_id=person.pk).first()
    return preference.frequency if preference else NotificationPreference.Frequency.DAILY


# --- The moderation queue ------------------------------------------------------------------------


def _queue_posts() -> QuerySet[Post]:
    return Post.objects.select_related(
        "thread__theme__topic",
        "author",
        "organisation__org_type",
        "organisation__country",
    ).exclude(thread__status__in=[Thread.Status.REMOVED, Thread.Status.MERGED])


def pending_posts_for(*, viewer: Reader, theme: Theme | None = None) -> QuerySet[Post]:
    """Posts waiting for approval, oldest first."""
    if not acts_as_moderator(viewer):
        return Post.objects.none()
    posts = _queue_posts().filter(status=Post.Status.PENDING)
    if theme is not None:
        posts = posts.filter(thread__theme=theme)
    return posts.order_by("created_at", "id")


def flagged_posts_for(
    *, viewer: Reader, theme: Theme | None = None, reason: str = ""
) -> QuerySet[Post]:
    """Posts with open flags (held ones first, then the longest waiting), flags loaded."""
    if not acts_as_moderator(viewer):
        return Post.objects.none()
    open_flags = Q(flags__outcome=Flag.Outcome.OPEN)
    posts = _queue_posts().filter(
        flag_count__gt=0, status__in=[Post.Status.PUBLISHED, Post.Status.HELD]
    )
    if theme is not None:
        posts = posts.filter(thread__theme=theme)
    if reason:
        posts = posts.filter(
            pk__in=Flag.objects.filter(outcome=Flag.Outcome.OPEN, reason=reason).values("post_id")
        )
    return (
        posts.annotate(first_flagged_at=Min("flags__created_at", filter=open_flags))
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(outcome=Flag.Outcome.OPEN)
                .select_related("flagger")
                .order_by("created_at"),
                to_attr="open_flags",
            )
        )
        .order_by("-status", "first_flagged_at", "id")
    )


def queue_counts_for(*, viewer: Reader) -> dict[str, int]:
    """Pending and flagged posts, two counts in one query."""
    if not acts_as_moderator(viewer):
        return {"pending": 0, "flagged": 0, "held": 0}
    queue = _queue_posts().aggregate(
        pending=Count("id", filter=Q(status=Post.Status.PENDING)),
        flagged=Count(
            "id",
            filter=Q(flag_count__gt=0, status__in=[Post.Status.PUBLISHED, Post.Status.HELD]),
        ),
        held=Count("id", filter=Q(status=Post.Status.HELD)),
    )
    return {key: value or 0 for key, value in queue.items()}


def reports_awaiting_triage_for(*, viewer: Reader, limit: int = 10) -> tuple[int, list[Any]]:
    """Submitted reports waiting for a moderator (count, oldest few), from submissions."""
    if not acts_as_moderator(viewer):
        return 0, []
    from submissions.models import BarrierReport
    from submissions.selectors import report_queue_counts, report_queue_for

    total = report_queue_counts(viewer=viewer).get(BarrierReport.Status.SUBMITTED, 0)
    oldest = list(report_queue_for(viewer=viewer)[:limit]) if total else []
    return total, oldest


# --- Home page figures -------------------------------------------------------------------------


# The home page's figures are counts over two weeks (163,000 posts at 1,000,000): kept this
# long for each way of reading, they cost one count per reader class every few minutes
# instead of 900 ms on every signed-in home page.
WEEK_FIGURES_SECONDS = 300


def week_figures_for(*, viewer: Reader, now: datetime | None = None) -> list[dict[str, Any]]:
    """The home page's figures for the last seven days, with the seven days before them.

    Counts go through the report and thread visibility rules, so an officials-only report
    counts for officials only. One query per figure, once per WEEK_FIGURES_SECONDS for
    readers who may read the same reports (submissions.selectors.reading_key); `now` counts
    afresh."""
    from submissions.selectors import reading_key

    labels = [
        _("Barriers reported"),
        _("Co-signatures"),
        _("Barriers resolved"),
        _("Official responses"),
        _("Dialogue posts"),
    ]
    if now is not None:
        counts = _week_counts(viewer, now)
    else:
        key = f"week-figures:{reading_key(viewer)}"
        counts = cache.get(key)
        if counts is None:
            counts = _week_counts(viewer, timezone.now())
            cache.set(key, counts, WEEK_FIGURES_SECONDS)
    return [
        {"label": label, "current": current, "previous": previous, "change": current - previous}
        for label, (current, previous) in zip(labels, counts, strict=True)
    ]


def _week_counts(viewer: Reader, now: datetime) -> list[tuple[int, int]]:
    from submissions.models import CoSignature, OfficialResponse, StatusChange
    from submissions.selectors import reports_visible_to

    this_week, last_week = now - timedelta(days=7), now - timedelta(days=14)

    def two_weeks(queryset: QuerySet, field: str) -> tuple[int, int]:
        counts = queryset.filter(**{f"{field}__gte": last_week, f"{field}__lt": now}).aggregate(
            current=Count("pk", filter=Q(**{f"{field}__gte": this_week})),
            previous=Count("pk", filter=Q(**{f"{field}__lt": this_week})),
        )
        return counts["current"], counts["previous"]

    reports = reports_visible_to(viewer)
    resolved = ("resolved_in_part", "resolved_in_full")
    return [
        two_weeks(reports.exclude(published_at=None), "published_at"),
        two_weeks(CoSignature.objects.filter(report__in=reports), "created_at"),
        two_weeks(
            StatusChange.objects.filter(report__in=reports, to_status__in=resolved), "created_at"
        ),
        two_weeks(OfficialResponse.objects.filter(report__in=reports), "created_at"),
        two_weeks(
            Post.objects.filter(status=Post.Status.PUBLISHED, thread__status=Thread.Status.OPEN),
            "created_at",
        ),
    ]
