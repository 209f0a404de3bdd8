"""The notifications page: writing, reading, counting and clearing a person's notices.

Like the outbox, a notice is a row written by the service that acted, in its transaction.
`notices_create` writes one event for a bounded list of people (a report's reporter and
co-signers); an event with many followers (a thread with thousands) is written by a task the
service queues on commit, in batches of `FAN_OUT_BATCH`. The event's `key` is unique per
person, so a task run twice writes nothing twice.

The header's unread count is cached per person (one indexed count, at most `UNREAD_CAP`
rows read) and forgotten whenever that person's notices change.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from portal.models import Notice, User
from portal.types import Reader, person_of

# Followers notified inside the action's transaction; above this a task writes the notices.
INLINE_RECIPIENTS = 200
FAN_OUT_BATCH = 1000
# The header shows "99+" beyond this: counting further costs reads nobody needs.
UNREAD_CAP = 99
UNREAD_CACHE_SECONDS = 300


def unread_key(user_id: Any) -> str:
    """The cache key of the person's unread count (also read by the signed-in page cache)."""
    return f"notices:unread:{user_id}"


def _forget_counts(user_ids: Iterable[int]) -> None:
    """Now, and again once the change commits (a page read between the two would otherwise
    cache the count from before it)."""
    keys = [unread_key(user_id) for user_id in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def neutral_path(path_or_object: Any) -> str:
    """A link kept without a language prefix (the page adds the reader's)."""
    if isinstance(path_or_object, str):
        return path_or_object
    with translation.override(settings.LANGUAGE_CODE):
        return path_or_object.get_absolute_url()


def notices_create(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    key: str,
    title: str,
    path: str,
    data: dict[str, Any] | None = None,
) -> int:
    """Write one event for each recipient (active accounts only); a repeat writes nothing."""
    ids = sorted(set(recipient_ids))
    if not ids:
        return 0
    active = list(
        User.objects.filter(pk__in=ids, is_active=True, deleted_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    now = timezone.now()
    Notice.objects.bulk_create(
        [
            Notice(
                recipient_id=user_id,
                kind=kind,
                key=key,
                title=title[:300],
                path=path[:500],
                data=data or {},
                created_at=now,
            )
            for user_id in active
        ],
        ignore_conflicts=True,
        batch_size=FAN_OUT_BATCH,
    )
    _forget_counts(active)
    return len(active)


def notices_for(*, viewer: User) -> QuerySet[Notice]:
    """The viewer's notices, newest first (served by the notice_recipient index)."""
    return Notice.objects.filter(recipient_id=viewer.pk).order_by("-created_at", "-id")


def unread_count_for(*, viewer: Reader) -> int:
    """How many notices the viewer has not seen, counted up to UNREAD_CAP + 1."""
    person = person_of(viewer)
    if person is None:
        return 0
    key = unread_key(person.pk)
    count = cache.get(key)
    if count is None:
        count = (
            Notice.objects.filter(recipient_id=person.pk, read_at__isnull=True)
            .values("pk")[: UNREAD_CAP + 1]
            .count()
        )
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return int(count)


def unread_label(count: int) -> str:
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


@transaction.atomic
def notices_mark_read(*, viewer: User, notice_ids: Iterable[int]) -> int:
    """Mark these of the viewer's notices read (the ones a page just showed)."""
    ids = list(notice_ids)
    if not ids:
        return 0
    marked = Notice.objects.filter(recipient_id=viewer.pk, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        _forget_counts([viewer.pk])
    return marked


@transaction.atomic
def notices_mark_all_read(*, viewer: User) -> int:
    marked = Notice.objects.filter(recipient_id=viewer.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        _forget_counts([viewer.pk])
    return marked


def retention() -> timedelta:
    return timedelta(days=int(getattr(settings, "NOTICE_RETENTION_DAYS", 90)))


def notices_purge(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Delete notices read more than NOTICE_RETENTION_DAYS ago, and unread ones older than
    four times that, in batches (a nightly task); returns how many went."""
    now = now or timezone.now()
    keep = retention()
    total = 0
    for stale in (
        Notice.objects.filter(read_at__lt=now - keep),
        Notice.objects.filter(read_at__isnull=True, created_at__lt=now - 4 * keep),
    ):
        while True:
            ids = list(stale.values_list("pk", flat=True)[:batch])
            if not ids:
                break
            total += Notice.objects.filter(pk__in=ids).delete()[0]
    return total


def notice_sentence(notice: Notice) -> str:
    """What happened, in the active language (the title is shown beside it as a link)."""
    data = notice.data or {}
    kind = notice.kind
    if kind == Notice.Kind.POST:
        if data.get("why") == "theme":
            return gettext("New post in a theme you follow, by %(author)s:") % {
                "author": data.get("author", "")
            }
        return gettext("New post in a thread you follow, by %(author)s:") % {
            "author": data.get("author", "")
        }
    if kind == Notice.Kind.OFFICIAL_ANSWER:
        return gettext("Official answer from %(organisation)s in a thread you follow:") % {
            "organisation": data.get("organisation", "")
        }
    if kind == Notice.Kind.REPORT_STATUS:
        # The label is kept as its English source text and translated for the reader here.
        return gettext("Status changed to “%(status)s”:") % {
            "status": gettext(str(data.get("status_label", "")))
        }
    if kind == Notice.Kind.REPORT_RESPONSE:
        return gettext("Official response from %(organisation)s to a report you follow:") % {
            "organisation": data.get("organisation", "")
        }
    count = int(data.get("count", 0))
    return ngettext(
        "%(count)d new report matches your alert:",
        "%(count)d new reports match your alert:",
        count,
    ) % {"count": count}
