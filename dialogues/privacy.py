"""What the dialogues package holds about a person: their export, and what goes when they
delete their account (see portal.privacy).

Threads and posts stay when an account is deleted: other people answered and quoted them,
so removing them would break the conversation. They keep pointing at the emptied user row,
shown as "former member". What only served the person goes: what they follow, how they want
to hear about it, the notifications waiting for them and their digest subscription (with the
personalised editions compiled for it). Flags and suspensions stay as moderation records.
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from dialogues.models import (
    DigestSubscription,
    Flag,
    Follow,
    Notification,
    NotificationPreference,
    Post,
    PostRevision,
    Suspension,
    Thread,
)
from portal.models import Country, Topic, User
from portal.privacy import CHUNK_SIZE, PersonalDataProvider, Section, absolute_url, iso


def _post(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "url": absolute_url(post),
        "thread": post.thread_id,
        "thread_title": post.thread.title,
        "number": post.number,
        "status": post.status,
        "moderator_reason": post.status_reason,
        "body": post.body,
        "quotes_post": post.quote_id,
        "is_official_response": post.is_official_response,
        "written_at": iso(post.created_at),
        "published_at": iso(post.published_at),
        "edited_at": iso(post.edited_at),
        "edit_history": [
            {"previous_text": revision.body, "replaced_at": iso(revision.created_at)}
            for revision in post.export_revisions  # type: ignore[attr-defined]
        ],
    }


def _subscription(person: User) -> dict[str, Any] | None:
    subscription = (
        DigestSubscription.objects.filter(user=person)
        .prefetch_related(
            Prefetch("markets", queryset=Country.objects.only("code")),
            Prefetch("topics", queryset=Topic.objects.only("code")),
        )
        .first()
    )
    if subscription is None:
        return None
    return {
        "markets": sorted(market.code for market in subscription.markets.all()),
        "topics": sorted(topic.code for topic in subscription.topics.all()),
        "email_when_ready": subscription.email,
        "created_at": iso(subscription.created_at),
        "updated_at": iso(subscription.updated_at),
    }


def _notification_frequency(person: User) -> dict[str, Any]:
    preference = NotificationPreference.objects.filter(user=person).first()
    if preference is None:
        return {"frequency": NotificationPreference.Frequency.DAILY, "chosen": False}
    return {
        "frequency": preference.frequency,
        "chosen": True,
        "updated_at": iso(preference.updated_at),
    }


class DialoguesPersonalData(PersonalDataProvider):
    sections = (
        Section("threads", _("Trade Dialogue threads you started.")),
        Section(
            "posts",
            _(
                "Everything you posted, with its status, the moderator's reason if it was "
                "hidden, and the earlier versions of what you edited."
            ),
        ),
        Section("flags", _("Posts you flagged to the moderators, and what they decided.")),
        Section("follows", _("Threads and themes you follow.")),
        Section(
            "notification_preferences",
            _("How often you want email about new posts in what you follow."),
            many=False,
        ),
        Section(
            "notifications",
            _("New posts we have told you about, or will tell you about, by email."),
        ),
        Section(
            "digest_subscription",
            _("Your weekly digest subscription: markets, topics and email."),
            many=False,
        ),
        Section(
            "suspensions",
            _("Times a moderator suspended you from posting, with the reason."),
        ),
    )

    def export(self, *, person: User) -> Mapping[str, Any]:
        threads = (
            Thread.objects.filter(author=person)
            .select_related("theme")
            .order_by("created_at", "id")
        )
        posts = (
            Post.objects.filter(author=person)
            .select_related("thread")
            .prefetch_related(
                Prefetch(
                    "revisions",
                    queryset=PostRevision.objects.order_by("created_at", "id"),
                    to_attr="export_revisions",
                )
            )
            .order_by("created_at", "id")
        )
        flags = Flag.objects.filter(flagger=person).order_by("created_at", "id")
        follows = (
            Follow.objects.filter(user=person)
            .select_related("thread", "theme")
            .order_by("created_at", "id")
        )
        notifications = Notification.objects.filter(recipient=person).order_by("created_at", "id")
        suspensions = Suspension.objects.filter(member=person).order_by("starts", "id")
        return {
            "threads": (
                {
                    "id": thread.pk,
                    "url": absolute_url(thread),
                    "title": thread.title,
                    "theme": thread.theme.slug,
                    "status": thread.status,
                    "started_at": iso(thread.created_at),
                }
                for thread in threads.iterator(chunk_size=CHUNK_SIZE)
            ),
            "posts": (_post(post) for post in posts.iterator(chunk_size=CHUNK_SIZE)),
            "flags": (
                {
                    "post": flag.post_id,
                    "reason": flag.reason,
                    "note": flag.note,
                    "outcome": flag.outcome,
                    "flagged_at": iso(flag.created_at),
                    "resolved_at": iso(flag.resolved_at),
                }
                for flag in flags.iterator(chunk_size=CHUNK_SIZE)
            ),
            "follows": (
                {
                    "thread": follow.thread_id,
                    "thread_title": follow.thread.title if follow.thread else None,
                    "theme": follow.theme.slug if follow.theme else None,
                    "since": iso(follow.created_at),
                }
                for follow in follows.iterator(chunk_size=CHUNK_SIZE)
            ),
            "notification_preferences": _notification_frequency(person),
            "notifications": (
                {
                    "post": notification.post_id,
                    "why": notification.why,
                    "queued_at": iso(notification.created_at),
                    "emailed_at": iso(notification.sent_at),
                }
                for notification in notifications.iterator(chunk_size=CHUNK_SIZE)
            ),
            "digest_subscription": _subscription(person),
            "suspensions": (
                {
                    "starts": iso(suspension.starts),
                    "ends": iso(suspension.ends),
                    "reason": suspension.reason,
                    "lifted_at": iso(suspension.lifted_at),
                }
                for suspension in suspensions.iterator(chunk_size=CHUNK_SIZE)
            ),
        }

    def erase(self, *, person: User) -> dict[str, int]:
        follows, _by_model = Follow.objects.filter(user=person).delete()
        preferences, _by_model = NotificationPreference.objects.filter(user=person).delete()
        notifications, _by_model = Notification.objects.filter(recipient=person).delete()
        subscriptions = DigestSubscription.objects.filter(user=person).count()
        # Deleting the subscription deletes the personalised editions compiled for it.
        DigestSubscription.objects.filter(user=person).delete()
        return {
            "follows": follows,
            "notification_preferences": preferences,
            "notifications": notifications,
            "digest_subscriptions": subscriptions,
        }
