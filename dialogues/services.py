"""Writes for the Trade Dialogues: threads, posts, flags, follows, notifications, moderation.

Each function takes keyword-only arguments, runs in one transaction, checks who may act
(permissions.py: PermissionDenied, whatever the page, task or script that called it checked),
locks the rows it changes, checks the current state so a repeat does nothing, and queues
email and background work on commit. Every moderator action writes an AuditEvent and tells
the author why. A post that may not be written now raises PostRefused, whose message says why and,
where it applies, when the member can post again.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dialogues import conf
from dialogues.models import (
    DigestSubscription,
    Flag,
    Follow,
    Notification,
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
    can_follow,
    can_post,
    can_start_from_report,
    is_author,
)
from dialogues.rendering import plain_excerpt, render_markdown
from dialogues.selectors import notification_frequency_for, suspension_active_for
from portal import dates
from portal.background import enqueue_on_commit
from portal.emails import email_member
from portal.models import Notice, User
from portal.notices import FAN_OUT_BATCH, INLINE_RECIPIENTS, neutral_path, notices_create
from portal.outbox import retry_after
from portal.pagecache import public_pages_changed
from portal.permissions import (
    acts_as_moderator,
    has_moderator_role,
    is_member,
    is_official,
    require_moderator,
)
from portal.services import audit_record

UNSUBSCRIBE_SALT = "dialogues.unsubscribe"
RATE_WINDOW = timedelta(seconds=60)


class PostRefused(Exception):
    """A write refused for now; `message` is shown to the member, who keeps their text."""

    def __init__(
        self, message: str, *, retry_at: datetime | None = None, status: int = 403
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at
        self.status = status  # the HTTP status a page answers with: 429 for "too fast"


class ModerationRefused(Exception):
    """A moderator action that does not apply (merging a thread into itself...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Checks before writing ---------------------------------------------------------------------


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if seconds % 60 == 0 and seconds >= 60:
        minutes = seconds // 60
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


def _when(retry_at: datetime) -> dict[str, str]:
    wait = max(1, int((retry_at - timezone.now()).total_seconds() + 0.999))
    return {"time": time_format(timezone.localtime(retry_at), "H:i:s"), "wait": _duration(wait)}


def _lock_member(member: User) -> None:
    """Serialise one member's writes so two quick requests cannot both pass the rate limit."""
    User.objects.select_for_update().filter(pk=member.pk).first()


def _refuse_if_suspended(member: User) -> None:
    suspension = suspension_active_for(member)
    if suspension is not None:
        raise PostRefused(
            _(
                "Your account is suspended from the Trade Dialogues until %(ends)s UTC, so you "
                "cannot post, edit or flag. Reason: %(reason)s"
            )
            % {"ends": dates.long_datetime(suspension.ends), "reason": suspension.reason},
            retry_at=suspension.ends,
        )


def _refuse_if_not_a_writer(author: User) -> None:
    """Members write; a moderator without an organisation only once they act as one."""
    if not can_post(author):
        raise PermissionDenied


def _refuse_if_too_fast(member: User, thread: Thread | None = None) -> None:
    if acts_as_moderator(member):
        return
    now = timezone.now()
    limit = conf.posts_per_minute()
    recent = list(
        Post.objects.filter(author=member, created_at__gt=now - RATE_WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        retry_at = recent[limit - 1] + RATE_WINDOW
        raise PostRefused(
            ngettext(
                "You can write %(limit)d post a minute. Your text is kept below: you can post "
                "it at %(time)s UTC, in %(wait)s.",
                "You can write %(limit)d posts a minute. Your text is kept below: you can post "
                "it at %(time)s UTC, in %(wait)s.",
                limit,
            )
            % {"limit": limit, **_when(retry_at)},
            retry_at=retry_at,
            status=429,
        )
    if thread is not None and thread.slow_mode_seconds:
        last = (
            Post.objects.filter(thread=thread, author=member)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None and last + timedelta(seconds=thread.slow_mode_seconds) > now:
            retry_at = last + timedelta(seconds=thread.slow_mode_seconds)
            raise PostRefused(
                _(
                    "This thread is in slow mode: one post every %(interval)s for each member. "
                    "Your text is kept below: you can post it at %(time)s UTC, in %(wait)s."
                )
                % {"interval": _duration(thread.slow_mode_seconds), **_when(retry_at)},
                retry_at=retry_at,
                status=429,
            )


def needs_premoderation(author: User, thread: Thread) -> bool:
    """Moderators never wait; everyone waits in a pre-moderated thread; otherwise verified
    officials are trusted and other members wait until enough of their posts were approved."""
    if acts_as_moderator(author):
        return False
    if thread.is_premoderated:
        return True
    if is_official(author):
        return False
    approved = Post.objects.filter(author=author, published_at__isnull=False).count()
    return approved < conf.premoderated_first_posts()


# --- Threads and posts ---------------------------------------------------------------------------


def _thread_refresh(thread: Thread) -> None:
    """Recount the thread's published posts and latest activity after any change."""
    public_pages_changed()
    published = thread.posts.filter(status=Post.Status.PUBLISHED)
    thread.post_count = published.count()
    thread.last_post_at = (
        published.aggregate(latest=Max("published_at"))["latest"] or thread.created_at
    )
    thread.save(update_fields=["post_count", "last_post_at", "last_number", "status"])


def _publish(post: Post, thread: Thread) -> None:
    """Make a post public: its number in the thread, its thread open, its followers told.
    The caller holds the thread's row lock."""
    first_time = post.published_at is None
    if post.number is None:
        thread.last_number += 1
        post.number = thread.last_number
    post.status = Post.Status.PUBLISHED
    post.status_reason = ""
    if first_time:
        post.published_at = timezone.now()
    post.save(update_fields=["number", "status", "status_reason", "published_at"])
    if post.is_opening and thread.status == Thread.Status.PENDING:
        thread.status = Thread.Status.OPEN
    _thread_refresh(thread)
    if first_time:
        _notifications_queue(post=post, thread=thread)


def _post_new(
    *, author: User, thread: Thread, body: str, is_opening: bool, quote: Post | None = None
) -> Post:
    return Post.objects.create(
        thread=thread,
        author=author,
        organisation=author.organisation if author.is_member else None,
        author_was_official=is_official(author),
        author_was_moderator=acts_as_moderator(author),
        is_opening=is_opening,
        body=body,
        body_html=render_markdown(body),
        quote=quote,
        status=Post.Status.PENDING,
    )


@transaction.atomic
def thread_start(
    *, author: User, theme: Theme, title: str, body: str, reports: Iterable[Any] = ()
) -> Thread:
    """Start a thread with its opening post; it opens when that post is published."""
    _refuse_if_not_a_writer(author)
    _lock_member(author)
    _refuse_if_suspended(author)
    _refuse_if_too_fast(author)
    now = timezone.now()
    thread = Thread.objects.create(
        theme=theme,
        title=title.strip(),
        author=author,
        status=Thread.Status.PENDING,
        created_at=now,
        last_post_at=now,
    )
    reports = list(reports)
    if reports:
        thread.reports.add(*reports)
    Follow.objects.get_or_create(user=author, thread=thread)
    post = _post_new(author=author, thread=thread, body=body, is_opening=True)
    if not needs_premoderation(author, thread):
        _publish(post, thread)
    return thread


@transaction.atomic
def post_create(*, author: User, thread: Thread, body: str, quote: Post | None = None) -> Post:
    """Reply in a thread. New members' posts and posts in pre-moderated threads wait."""
    _refuse_if_not_a_writer(author)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _lock_member(author)
    if thread.status != Thread.Status.OPEN:
        raise PostRefused(_("This thread is not open for replies."))
    if thread.is_locked and not acts_as_moderator(author):
        raise PostRefused(_("A moderator has locked this thread: no new posts can be added."))
    _refuse_if_suspended(author)
    _refuse_if_too_fast(author, thread)
    if quote is not None and (quote.thread_id != thread.pk or not quote.is_published):
        quote = None
    post = _post_new(author=author, thread=thread, body=body, is_opening=False, quote=quote)
    if not needs_premoderation(author, thread):
        _publish(post, thread)
    return post


@transaction.atomic
def post_edit(*, editor: User, post: Post, body: str) -> Post:
    """Change a post's text, keeping the previous version for moderators. An edit by someone
    who would be pre-moderated, or of a post a moderator hid, goes back to the queue."""
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.thread = thread
    if post.status == Post.Status.REMOVED and is_author(editor, post):
        raise PostRefused(_("A moderator removed this post; it cannot be changed."))
    if not can_edit_post(editor, post):
        raise PermissionDenied
    if post.body == body:
        return post
    _refuse_if_suspended(editor)
    PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = timezone.now()
    back_to_queue = post.status in (Post.Status.HIDDEN, Post.Status.HELD) or (
        post.status == Post.Status.PUBLISHED and needs_premoderation(editor, thread)
    )
    if back_to_queue:
        post.status = Post.Status.PENDING
    post.save(update_fields=["body", "body_html", "edited_at", "status"])
    public_pages_changed()
    if back_to_queue:
        _thread_refresh(thread)
    return post


@transaction.atomic
def post_flag(*, flagger: User, post: Post, reason: str, note: str = "") -> Flag:
    """One flag per member per post; enough open flags hide the post until a moderator
    decides."""
    if not is_member(flagger):
        raise PermissionDenied
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    post = Post.objects.select_for_update().select_related("author").get(pk=post.pk)
    existing = Flag.objects.filter(post=post, flagger=flagger).first()
    if existing is not None:
        return existing
    _refuse_if_suspended(flagger)
    if not can_flag(flagger, post):
        raise PostRefused(_("This post cannot be flagged."))
    flag = Flag.objects.create(post=post, flagger=flagger, reason=reason, note=note.strip())
    post.flag_count = Flag.objects.filter(post=post, outcome=Flag.Outcome.OPEN).count()
    threshold = conf.flags_to_hold()
    held = post.flag_count >= threshold
    if held:
        post.status = Post.Status.HELD
    post.save(update_fields=["flag_count", "status"])
    if held:
        _thread_refresh(thread)
        audit_record(
            actor=None,
            action="post.hold",
            target=post,
            reason=f"{post.flag_count} flags reached the limit of {threshold}.",
            data={"thread": thread.pk, "flags": post.flag_count},
        )
        email_member(
            user=post.author,
            template="moderation_post_held",
            context={"post": post, "thread": thread},
        )
    return flag


@transaction.atomic
def post_mark_official_response(*, actor: User, post: Post, is_response: bool) -> Post:
    """An official marks their own post (or a moderator marks an official's post) as the
    official response of their body."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not (acts_as_moderator(actor) or (is_official(actor) and is_author(actor, post))):
        raise PermissionDenied
    if post.is_official_response == is_response:
        return post
    if is_response and not (post.author_was_official and post.is_published):
        raise ModerationRefused(_("Only a published post by a verified official can be marked."))
    post.is_official_response = is_response
    post.save(update_fields=["is_official_response"])
    if is_response:
        thread = Thread.objects.get(pk=post.thread_id)
        followers = _followers(thread).exclude(user_id=post.author_id)
        if followers.count() > INLINE_RECIPIENTS:
            _queue_fan_out(post=post, kind=Notice.Kind.OFFICIAL_ANSWER)
        else:
            why = dict.fromkeys(_follower_ids(followers), Notification.Why.THREAD)
            _post_notices(post=post, thread=thread, kind=Notice.Kind.OFFICIAL_ANSWER, why=why)
    audit_record(
        actor=actor,
        action="post.official_response" if is_response else "post.official_response_unmark",
        target=post,
        data={"thread": post.thread_id},
    )
    return post


# --- Following and notifications -----------------------------------------------------------


@transaction.atomic
def follow_set(
    *, user: User, following: bool, thread: Thread | None = None, theme: Theme | None = None
) -> bool:
    """Follow or stop following one thread or one theme; a repeat does nothing. Anyone may
    stop following (an unsubscribe link works after a member has left)."""
    if (thread is None) == (theme is None):
        raise ValueError("Give a thread or a theme.")
    if following and not can_follow(user):
        raise PermissionDenied
    lookup = (
        {"user": user, "thread": thread} if thread is not None else {"user": user, "theme": theme}
    )
    if following:
        Follow.objects.get_or_create(**lookup)
    else:
        Follow.objects.filter(**lookup).delete()
    return following


@transaction.atomic
def notification_preference_set(*, user: User, frequency: str) -> NotificationPreference:
    """How often a member hears about new posts. Anyone may turn the emails off."""
    if frequency != NotificationPreference.Frequency.OFF and not can_follow(user):
        raise PermissionDenied
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, defaults={"frequency": frequency}
    )
    if preference.frequency != frequency:
        preference.frequency = frequency
        preference.updated_at = timezone.now()
        preference.save(update_fields=["frequency", "updated_at"])
    return preference


# What an unsubscribe token stops when it names neither a thread nor a theme.
UNSUBSCRIBE_ALL = "all"  # every email about new posts
UNSUBSCRIBE_DIGEST = "digest"  # the email saying the weekly digest is ready

UnsubscribeScope = Thread | Theme | str


def unsubscribe_token(
    *, user: User, thread: Thread | None = None, theme: Theme | None = None, digest: bool = False
) -> str:
    """A signed, never-expiring token for an email's unsubscribe link (works logged out, and
    for the one-click POST of RFC 8058): one thread, one theme, the digest announcements, or
    every email about new posts."""
    if thread is not None:
        scope = f"thread:{thread.pk}"
    elif theme is not None:
        scope = f"theme:{theme.pk}"
    else:
        scope = UNSUBSCRIBE_DIGEST if digest else UNSUBSCRIBE_ALL
    return signing.dumps({"u": user.pk, "s": scope}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_path(
    *, user: User, thread: Thread | None = None, theme: Theme | None = None, digest: bool = False
) -> str:
    """The unsubscribe page for a new token (in the active language)."""
    token = unsubscribe_token(user=user, thread=thread, theme=theme, digest=digest)
    return reverse("dialogues:unsubscribe", kwargs={"token": token})


def unsubscribe_read(token: str) -> tuple[User, UnsubscribeScope]:
    """The member and what the token unsubscribes from: a Thread, a Theme, UNSUBSCRIBE_DIGEST
    or UNSUBSCRIBE_ALL. Raises signing.BadSignature on a bad token, ObjectDoesNotExist on a
    stale one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    user = User.objects.get(pk=data["u"])
    kind, _sep, pk = str(data["s"]).partition(":")
    if kind == "thread":
        return user, Thread.objects.get(pk=pk)
    if kind == "theme":
        return user, Theme.objects.select_related("topic").get(pk=pk)
    if kind == UNSUBSCRIBE_DIGEST:
        return user, UNSUBSCRIBE_DIGEST
    return user, UNSUBSCRIBE_ALL


@transaction.atomic
def unsubscribe_apply(*, token: str) -> tuple[User, UnsubscribeScope]:
    """Do what the token says; a repeat does nothing more. The signature is the authority:
    no login is needed."""
    user, scope = unsubscribe_read(token)
    if isinstance(scope, Thread):
        follow_set(user=user, thread=scope, following=False)
    elif isinstance(scope, Theme):
        follow_set(user=user, theme=scope, following=False)
    elif scope == UNSUBSCRIBE_DIGEST:
        # Only the email stops: the official keeps their edition and its markets and topics.
        DigestSubscription.objects.filter(user=user, email=True).update(
            email=False, updated_at=timezone.now()
        )
    else:
        notification_preference_set(user=user, frequency=NotificationPreference.Frequency.OFF)
    return user, scope


# --- The notifications page (portal.notices) ------------------------------------------------


def _followers(thread: Thread) -> QuerySet[Follow]:
    return Follow.objects.filter(Q(thread_id=thread.pk) | Q(theme_id=thread.theme_id))


def _follower_ids(follows: QuerySet[Follow]) -> list[int]:
    return list(follows.values_list("user_id", flat=True).distinct())


def _notice_fields(post: Post, thread: Thread, kind: str) -> dict[str, Any]:
    if kind == Notice.Kind.OFFICIAL_ANSWER:
        organisation = post.organisation
        speaker = organisation.name if organisation is not None else post.author.display_name
        return {"key": f"official:{post.pk}", "data": {"organisation": speaker}}
    return {"key": f"post:{post.pk}", "data": {"author": post.author.display_name}}


def _queue_fan_out(*, post: Post, kind: str) -> None:
    from dialogues.tasks import post_notices_fan_out

    enqueue_on_commit(post_notices_fan_out, post_id=post.pk, kind=kind)


def _post_notices(*, post: Post, thread: Thread, kind: str, why: Mapping[int, str]) -> None:
    """A notice for each follower (`why`: user id -> thread or theme), written now for a
    few hundred, by a task for more (a thread with thousands of followers)."""
    if len(why) > INLINE_RECIPIENTS:
        _queue_fan_out(post=post, kind=kind)
        return
    fields = _notice_fields(post, thread, kind)
    for reason in (Notification.Why.THREAD, Notification.Why.THEME):
        notices_create(
            recipient_ids=[user_id for user_id, value in why.items() if value == reason],
            kind=kind,
            title=thread.title,
            path=neutral_path(post),
            key=fields["key"],
            data={**fields["data"], "why": str(reason)},
        )


def post_notices_fan_out(*, post: Post, kind: str) -> int:
    """Write a post's notices for every follower of its thread (and, for a new post, of its
    theme), a batch at a time in user id order, so memory stays flat; a repeat writes
    nothing twice."""
    if post.status != Post.Status.PUBLISHED:
        return 0
    thread = post.thread
    fields = _notice_fields(post, thread, kind)
    thread_follows = Follow.objects.filter(thread=thread)
    groups = [(Notification.Why.THREAD, thread_follows)]
    if kind == Notice.Kind.POST:
        theme_follows = Follow.objects.filter(theme_id=thread.theme_id).exclude(
            user_id__in=thread_follows.values("user_id")
        )
        groups.append((Notification.Why.THEME, theme_follows))
    written = 0
    for reason, follows in groups:
        last = 0
        while True:
            ids = list(
                follows.filter(user_id__gt=last)
                .exclude(user_id=post.author_id)
                .order_by("user_id")
                .values_list("user_id", flat=True)[:FAN_OUT_BATCH]
            )
            if not ids:
                break
            written += _notices_batch(post, thread, kind, fields, reason, ids)
            last = ids[-1]
    return written


def _notices_batch(
    post: Post, thread: Thread, kind: str, fields: dict[str, Any], reason: str, ids: list[int]
) -> int:
    with transaction.atomic():
        return notices_create(
            recipient_ids=ids,
            kind=kind,
            title=thread.title,
            path=neutral_path(post),
            key=fields["key"],
            data={**fields["data"], "why": str(reason)},
        )


def _notifications_queue(*, post: Post, thread: Thread) -> None:
    """Queue the post for everyone following its thread or theme (not its author, not those
    who turned emails off); those who want emails straight away get a task on commit."""
    why: dict[int, str] = {}
    for user_id in Follow.objects.filter(theme_id=thread.theme_id).values_list(
        "user_id", flat=True
    ):
        why[user_id] = Notification.Why.THEME
    for user_id in Follow.objects.filter(thread=thread).values_list("user_id", flat=True):
        why[user_id] = Notification.Why.THREAD
    why.pop(post.author_id, None)
    if not why:
        return
    _post_notices(post=post, thread=thread, kind=Notice.Kind.POST, why=why)
    off = set(
        NotificationPreference.objects.filter(
            user_id__in=why, frequency=NotificationPreference.Frequency.OFF
        ).values_list("user_id", flat=True)
    )
    active = set(User.objects.filter(pk__in=why, is_active=True).values_list("pk", flat=True))
    recipients = [user_id for user_id in why if user_id in active and user_id not in off]
    Notification.objects.bulk_create(
        [Notification(recipient_id=user_id, post=post, why=why[user_id]) for user_id in recipients],
        ignore_conflicts=True,
    )
    immediate = NotificationPreference.objects.filter(
        user_id__in=recipients, frequency=NotificationPreference.Frequency.IMMEDIATE
    ).values_list("user_id", flat=True)
    from dialogues.tasks import notifications_send_to

    # A broker outage must not fail the post: the rows wait, and notifications_sweep (or the
    # daily run) emails them when the task could not be queued.
    for user_id in immediate:
        enqueue_on_commit(notifications_send_to, recipient_id=user_id)


@transaction.atomic
def notifications_send(*, recipient: User, only_if: Iterable[str] | None = None) -> int:
    """Email a member, in one message, every queued post they may still want: published, in
    an open thread, that they still follow. Returns the number of posts in the email.

    `only_if` limits the run to members with one of these frequencies (the straight-away task
    leaves members who switched to daily for the daily run). Rows are claimed with
    SKIP LOCKED, so two workers never email the same post twice.
    """
    frequency = notification_frequency_for(recipient)
    if only_if is not None and frequency not in set(only_if):
        return 0
    rows = list(
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(recipient=recipient, sent_at__isnull=True)
        .select_related("post__thread__theme__topic", "post__author")
        .order_by("created_at", "id")
    )
    if not rows:
        return 0
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now())
    if frequency == NotificationPreference.Frequency.OFF or not recipient.is_active:
        return 0
    follows = Follow.objects.filter(user=recipient)
    followed_threads = set(follows.exclude(thread=None).values_list("thread_id", flat=True))
    followed_themes = set(follows.exclude(theme=None).values_list("theme_id", flat=True))
    by_thread: dict[int, dict[str, Any]] = {}
    grouped: dict[int, list[Post]] = defaultdict(list)
    for row in rows:
        post, thread = row.post, row.post.thread
        if post.status != Post.Status.PUBLISHED or thread.status != Thread.Status.OPEN:
            continue
        follows_thread = thread.pk in followed_threads
        if not follows_thread and thread.theme_id not in followed_themes:
            continue
        grouped[thread.pk].append(post)
        by_thread.setdefault(
            thread.pk,
            {
                "thread": thread,
                "why": Notification.Why.THREAD if follows_thread else Notification.Why.THEME,
                "unsubscribe": unsubscribe_token(user=recipient, thread=thread)
                if follows_thread
                else unsubscribe_token(user=recipient, theme=thread.theme),
            },
        )
    if not grouped:
        return 0
    entries = [
        {
            **by_thread[thread_id],
            "posts": [
                {"post": post, "excerpt": plain_excerpt(post.body_html, 60)} for post in posts
            ],
        }
        for thread_id, posts in grouped.items()
    ]
    total = sum(len(posts) for posts in grouped.values())
    email_member(
        user=recipient,
        template="dialogue_notification",
        context={"entries": entries, "total": total, "frequency": frequency},
        # One-click unsubscribe stops every email about new posts (what this list is).
        unsubscribe=unsubscribe_path(user=recipient),
    )
    return total


def notification_recipients_due() -> list[int]:
    """Members with queued posts (the daily run fans out one task per member)."""
    return list(
        Notification.objects.filter(sent_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


def notification_recipients_overdue(*, now: datetime | None = None) -> list[int]:
    """Members who want news straight away and have a post queued for longer than
    OUTBOX_RETRY_AFTER_SECONDS: their on-commit task was never queued (a broker outage) or
    never ran (a worker lost). The sweeper sends them a task each."""
    cutoff = (now or timezone.now()) - retry_after()
    return list(
        Notification.objects.filter(
            sent_at__isnull=True,
            created_at__lte=cutoff,
            recipient__dialogue_preference__frequency=NotificationPreference.Frequency.IMMEDIATE,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


# --- Moderation: posts -----------------------------------------------------------------------


def _resolve_flags(post: Post, moderator: User, outcome: str) -> int:
    resolved = Flag.objects.filter(post=post, outcome=Flag.Outcome.OPEN).update(
        outcome=outcome, resolved_at=timezone.now(), resolved_by=moderator
    )
    post.flag_count = 0
    return resolved


def _tell_author(*, moderator: User, author: User, template: str, context: dict) -> None:
    if author.pk != moderator.pk:
        email_member(user=author, template=template, context=context)


def _lock_post(post: Post) -> tuple[Thread, Post]:
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    post = Post.objects.select_for_update().select_related("author").get(pk=post.pk)
    post.thread = thread
    return thread, post


@transaction.atomic
def post_approve(*, moderator: User, post: Post, reason: str = "") -> Post:
    """Publish a pending, held or hidden post, or dismiss the flags on a published one.
    Removal is final: a removed post stays removed."""
    require_moderator(moderator)
    thread, post = _lock_post(post)
    previous = post.status
    if previous == Post.Status.REMOVED:
        return post
    if previous == Post.Status.PUBLISHED and post.flag_count == 0:
        return post
    dismissed = _resolve_flags(post, moderator, Flag.Outcome.DISMISSED)
    post.save(update_fields=["flag_count"])
    if previous != Post.Status.PUBLISHED:
        _publish(post, thread)
    audit_record(
        actor=moderator,
        action="post.approve",
        target=post,
        reason=reason,
        data={"thread": thread.pk, "from": previous, "flags_dismissed": dismissed},
    )
    if previous != Post.Status.PUBLISHED:
        _tell_author(
            moderator=moderator,
            author=post.author,
            template="moderation_post_decided",
            context={"decision": "approve", "post": post, "thread": thread, "reason": reason},
        )
    return post


def _take_down(*, moderator: User, post: Post, reason: str, status: str, action: str) -> Post:
    require_moderator(moderator)
    thread, post = _lock_post(post)
    previous = post.status
    if previous == status or previous == Post.Status.REMOVED:
        return post
    upheld = _resolve_flags(post, moderator, Flag.Outcome.UPHELD)
    post.status = status
    post.status_reason = reason
    post.save(update_fields=["status", "status_reason", "flag_count"])
    if status == Post.Status.REMOVED and post.is_opening and thread.status == Thread.Status.PENDING:
        # A thread whose opening post is removed before publication never opens. (A hidden
        # one stays pending: its author can edit it and a moderator can still approve it.)
        thread.status = Thread.Status.REMOVED
    _thread_refresh(thread)
    audit_record(
        actor=moderator,
        action=action,
        target=post,
        reason=reason,
        data={"thread": thread.pk, "from": previous, "flags_upheld": upheld},
    )
    _tell_author(
        moderator=moderator,
        author=post.author,
        template="moderation_post_decided",
        context={
            "decision": "hide" if status == Post.Status.HIDDEN else "remove",
            "post": post,
            "thread": thread,
            "reason": reason,
        },
    )
    return post


@transaction.atomic
def post_hide(*, moderator: User, post: Post, reason: str) -> Post:
    """Hide a post from everyone but its author and moderators; the author sees the reason."""
    return _take_down(
        moderator=moderator, post=post, reason=reason, status=Post.Status.HIDDEN, action="post.hide"
    )


@transaction.atomic
def post_remove(*, moderator: User, post: Post, reason: str) -> Post:
    """Remove a post for good (its text stays for moderators and the audit trail)."""
    return _take_down(
        moderator=moderator,
        post=post,
        reason=reason,
        status=Post.Status.REMOVED,
        action="post.remove",
    )


POST_ACTIONS = {"approve": post_approve, "hide": post_hide, "remove": post_remove}


def _post_action(action: str) -> Any:
    if action not in POST_ACTIONS:
        raise ValueError(f"Not a moderation action: {action!r}")
    return POST_ACTIONS[action]


@transaction.atomic
def post_moderate(*, moderator: User, post: Post, action: str, reason: str) -> Post:
    require_moderator(moderator)
    return _post_action(action)(moderator=moderator, post=post, reason=reason)


@transaction.atomic
def post_moderate_bulk(
    *, moderator: User, posts: Iterable[Post], action: str, reason: str
) -> list[Post]:
    """One decision for many posts, all or nothing: if one post cannot take it, no post
    changes, no audit entry is kept and no author is emailed. Each post gets its own audit
    entry and its author their own email, as one by one. Posts are locked thread by thread in
    a fixed order (two moderators' batches never wait on each other in a circle), and within
    a thread oldest first, so approved posts are numbered in the order they were written."""
    require_moderator(moderator)
    apply = _post_action(action)
    ordered = sorted(posts, key=lambda post: (post.thread_id, post.created_at, post.pk))
    return [apply(moderator=moderator, post=post, reason=reason) for post in ordered]


# --- Moderation: threads -----------------------------------------------------------------------


def _thread_action(
    *,
    moderator: User,
    thread: Thread,
    changes: dict[str, Any],
    action: str,
    reason: str,
    data: dict[str, Any] | None = None,
) -> Thread:
    """Apply field changes to a locked thread; record and tell its author if anything changed."""
    require_moderator(moderator)
    thread = (
        Thread.objects.select_for_update()
        .select_related("author", "theme__topic")
        .get(pk=thread.pk)
    )
    changed = {field: value for field, value in changes.items() if getattr(thread, field) != value}
    if not changed:
        return thread
    for field, value in changed.items():
        setattr(thread, field, value)
    thread.save(update_fields=list(changed))
    audit_record(actor=moderator, action=action, target=thread, reason=reason, data=data or {})
    _tell_author(
        moderator=moderator,
        author=thread.author,
        template="moderation_thread_changed",
        context={"action": action, "thread": thread, "reason": reason, **(data or {})},
    )
    return thread


@transaction.atomic
def thread_lock(*, moderator: User, thread: Thread, locked: bool, reason: str) -> Thread:
    return _thread_action(
        moderator=moderator,
        thread=thread,
        changes={"is_locked": locked},
        action="thread.lock" if locked else "thread.unlock",
        reason=reason,
    )


@transaction.atomic
def thread_pin(*, moderator: User, thread: Thread, pinned: bool, reason: str = "") -> Thread:
    return _thread_action(
        moderator=moderator,
        thread=thread,
        changes={"is_pinned": pinned},
        action="thread.pin" if pinned else "thread.unpin",
        reason=reason,
    )


@transaction.atomic
def thread_set_premoderation(
    *, moderator: User, thread: Thread, enabled: bool, reason: str = ""
) -> Thread:
    return _thread_action(
        moderator=moderator,
        thread=thread,
        changes={"is_premoderated": enabled},
        action="thread.premoderate" if enabled else "thread.unpremoderate",
        reason=reason,
    )


@transaction.atomic
def thread_set_slow_mode(
    *, moderator: User, thread: Thread, seconds: int, reason: str = ""
) -> Thread:
    return _thread_action(
        moderator=moderator,
        thread=thread,
        changes={"slow_mode_seconds": seconds},
        action="thread.slow_mode",
        reason=reason,
        data={"seconds": seconds},
    )


@transaction.atomic
def thread_move(*, moderator: User, thread: Thread, theme: Theme, reason: str) -> Thread:
    previous = Thread.objects.values_list("theme_id", flat=True).get(pk=thread.pk)
    return _thread_action(
        moderator=moderator,
        thread=thread,
        changes={"theme": theme},
        action="thread.move",
        reason=reason,
        data={"from_theme": previous, "to_theme": theme.pk, "theme_name": theme.name},
    )


@transaction.atomic
def thread_remove(*, moderator: User, thread: Thread, reason: str) -> Thread:
    require_moderator(moderator)
    if Thread.objects.filter(pk=thread.pk, status=Thread.Status.MERGED).exists():
        raise ModerationRefused(_("This thread was merged into another; moderate that one."))
    return _thread_action(
        moderator=moderator,
        thread=thread,
        changes={"status": Thread.Status.REMOVED},
        action="thread.remove",
        reason=reason,
    )


@transaction.atomic
def thread_merge(*, moderator: User, source: Thread, target: Thread, reason: str) -> Thread:
    """Move every post of `source` into `target` in publication order, with its followers and
    reports; `source` then redirects to `target`."""
    require_moderator(moderator)
    if source.pk == target.pk:
        raise ModerationRefused(_("A thread cannot be merged into itself."))
    locked = {
        thread.pk: thread
        for thread in Thread.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.status == Thread.Status.MERGED and source.merged_into_id == target.pk:
        return target
    if source.status not in (Thread.Status.OPEN, Thread.Status.PENDING):
        raise ModerationRefused(_("Only an open or pending thread can be merged."))
    if target.status != Thread.Status.OPEN:
        raise ModerationRefused(_("Threads can only be merged into an open thread."))
    both = Post.objects.filter(thread__in=[source, target])
    ordered = list(
        both.filter(number__isnull=False)
        .order_by("published_at", "id")
        .values_list("pk", flat=True)
    )
    # Clear the numbers first so the renumbering never meets the (thread, number) constraint.
    both.filter(number__isnull=False).update(number=None)
    Post.objects.filter(thread=source).update(thread=target, is_opening=False)
    Post.objects.bulk_update(
        [Post(pk=pk, number=number) for number, pk in enumerate(ordered, start=1)],
        ["number"],
        batch_size=500,
    )
    target.last_number = len(ordered)
    already = Follow.objects.filter(thread=target).values_list("user_id", flat=True)
    Follow.objects.filter(thread=source).exclude(user_id__in=already).update(thread=target)
    Follow.objects.filter(thread=source).delete()
    target.reports.add(*source.reports.all())
    Thread.objects.filter(merged_into=source).update(merged_into=target)
    source.status = Thread.Status.MERGED
    source.merged_into = target
    source.post_count = 0
    source.last_number = 0
    source.save(update_fields=["status", "merged_into", "post_count", "last_number"])
    _thread_refresh(target)
    data = {"into": target.pk, "into_title": target.title, "posts": len(ordered)}
    audit_record(actor=moderator, action="thread.merge", target=source, reason=reason, data=data)
    _tell_author(
        moderator=moderator,
        author=source.author,
        template="moderation_thread_changed",
        context={"action": "thread.merge", "thread": source, "target": target, "reason": reason},
    )
    return target


@transaction.atomic
def thread_link_report(*, moderator: User, thread: Thread, report: Any, reason: str = "") -> Thread:
    """Gather a published report into a thread (a thread can gather several)."""
    require_moderator(moderator)
    if not report.is_published:
        raise ModerationRefused(_("Only a published report can be linked to a thread."))
    if thread.reports.filter(pk=report.pk).exists():
        return thread
    thread.reports.add(report)
    audit_record(
        actor=moderator,
        action="thread.link_report",
        target=thread,
        reason=reason,
        data={"report": report.reference},
    )
    return thread


@transaction.atomic
def thread_unlink_report(
    *, moderator: User, thread: Thread, report: Any, reason: str = ""
) -> Thread:
    require_moderator(moderator)
    if not thread.reports.filter(pk=report.pk).exists():
        return thread
    thread.reports.remove(report)
    audit_record(
        actor=moderator,
        action="thread.unlink_report",
        target=thread,
        reason=reason,
        data={"report": report.reference},
    )
    return thread


@transaction.atomic
def thread_start_from_report(
    *, moderator: User, report: Any, theme: Theme, title: str, body: str
) -> Thread:
    """A moderator opens a dialogue on a published report; the reporter is told."""
    require_moderator(moderator)
    if not report.is_published:
        raise ModerationRefused(_("Only a published report can start a dialogue."))
    if not can_start_from_report(moderator, report):
        raise ModerationRefused(_("A report for officials only cannot start a public dialogue."))
    thread = thread_start(author=moderator, theme=theme, title=title, body=body, reports=[report])
    audit_record(
        actor=moderator,
        action="thread.start_from_report",
        target=thread,
        data={"report": report.reference},
    )
    if report.reporter_id != moderator.pk and report.reporter.is_active:
        email_member(
            user=report.reporter,
            template="dialogue_report_thread",
            context={"report": report, "thread": thread},
        )
    return thread


# --- Moderation: members -----------------------------------------------------------------------


@transaction.atomic
def member_suspend(
    *, moderator: User, member: User, ends: datetime, reason: str, starts: datetime | None = None
) -> Suspension:
    """Stop a member posting, editing and flagging until `ends`. Moderators cannot be
    suspended here (remove them from the group first)."""
    require_moderator(moderator)
    if has_moderator_role(member):
        raise ModerationRefused(_("Moderators cannot be suspended."))
    starts = starts or timezone.now()
    if ends <= starts:
        raise ModerationRefused(_("A suspension must end after it starts."))
    _lock_member(member)
    current = suspension_active_for(member)
    if current is not None and current.ends >= ends:
        return current
    suspension = Suspension.objects.create(
        member=member, starts=starts, ends=ends, reason=reason, moderator=moderator
    )
    audit_record(
        actor=moderator,
        action="member.suspend",
        target=member,
        reason=reason,
        data={"suspension": suspension.pk, "ends": ends.isoformat()},
    )
    email_member(
        user=member,
        template="moderation_suspension",
        context={"suspension": suspension, "lifted": False, "reason": reason},
    )
    return suspension


@transaction.atomic
def suspension_lift(*, moderator: User, member: User, reason: str) -> int:
    """End every current suspension of a member now."""
    require_moderator(moderator)
    _lock_member(member)
    now = timezone.now()
    lifted = Suspension.objects.filter(member=member, lifted_at__isnull=True, ends__gt=now).update(
        lifted_at=now, lifted_by=moderator
    )
    if lifted:
        audit_record(actor=moderator, action="member.unsuspend", target=member, reason=reason)
        email_member(
            user=member,
            template="moderation_suspension",
            context={"suspension": None, "lifted": True, "reason": reason},
        )
    return lifted
