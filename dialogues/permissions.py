"""Who may read, write, flag, follow and moderate in the Trade Dialogues.

The rule for reading, in one sentence: open threads and published posts are for everyone;
a post waiting for moderation, held after flags or hidden is readable by its author and by
moderators only; removed posts and removed threads by moderators only. `visible_posts_q`
in selectors.py states the same rule for a query. Suspensions need a query, so the services
check them (selectors.suspension_active_for) on every write.
"""

from typing import Any

from dialogues.models import Post, Thread
from portal.permissions import acts_as_moderator, is_member, is_official
from portal.types import Reader, person_of

AUTHOR_VISIBLE_STATUSES = (Post.Status.PENDING, Post.Status.HELD, Post.Status.HIDDEN)
EDITABLE_STATUSES = (
    Post.Status.PENDING,
    Post.Status.PUBLISHED,
    Post.Status.HELD,
    Post.Status.HIDDEN,
)


def is_author(user: Reader, obj: Post | Thread) -> bool:
    person = person_of(user)
    return person is not None and obj.author_id == person.pk


def can_post(user: Reader) -> bool:
    """Members write; moderators may answer even without an organisation."""
    if acts_as_moderator(user):
        return True
    return is_member(user)


def can_see_thread(user: Reader, thread: Thread) -> bool:
    if thread.status == Thread.Status.OPEN:
        return True
    if acts_as_moderator(user):
        return True
    if thread.status == Thread.Status.PENDING:
        return is_author(user, thread)
    return False


def can_see_post_body(user: Reader, post: Post) -> bool:
    if post.status == Post.Status.PUBLISHED:
        return True
    if acts_as_moderator(user):
        return True
    if post.status in AUTHOR_VISIBLE_STATUSES:
        return is_author(user, post)
    return False


def can_reply(user: Reader, thread: Thread) -> bool:
    if not can_post(user):
        return False
    if thread.status != Thread.Status.OPEN:
        return False
    if thread.is_locked:
        return acts_as_moderator(user)
    return True


def can_edit_post(user: Reader, post: Post) -> bool:
    if not is_author(user, post):
        return False
    if not can_post(user):
        return False
    if post.status not in EDITABLE_STATUSES:
        return False
    if post.thread.is_locked:
        return acts_as_moderator(user)
    return post.thread.status in (Thread.Status.OPEN, Thread.Status.PENDING)


def can_flag(user: Reader, post: Post) -> bool:
    if not is_member(user):
        return False
    if is_author(user, post):
        return False
    return post.status == Post.Status.PUBLISHED


def can_mark_official_response(user: Reader, post: Post) -> bool:
    if post.status != Post.Status.PUBLISHED or not post.author_was_official:
        return False
    if acts_as_moderator(user):
        return True
    return is_official(user) and is_author(user, post)


def can_follow(user: Reader) -> bool:
    return can_post(user)


def can_start_from_report(user: Reader, report: Any) -> bool:
    """Dialogues are public, so only a published report that is not for officials only can
    open one: its title and summary would otherwise reach every visitor."""
    from submissions.models import BarrierReport

    if not acts_as_moderator(user):
        return False
    if not report.is_published:
        return False
    return report.visibility != BarrierReport.Visibility.OFFICIALS_ONLY
