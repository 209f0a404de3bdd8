"""Trade Dialogue themes, threads, posts, flags, follows, notifications and suspensions.

Business rules (who may see or do what, pre-moderation, rate limits, numbering) live in
permissions.py, selectors.py and services.py; the models hold fields, constraints and choices.
Digest models live with the digests (digests/models.py), imported at the end.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation, Topic


class Theme(models.Model):
    """A place for threads about one e-commerce topic.

    One theme per reportable topic (created by migration 0002): a report's topics then map to
    themes one to one, so a thread started from a report lands in the theme of the report's
    first topic, and readers find the same vocabulary in reports, dialogues and digests.
    Names and descriptions come from the topic, in the reader's language.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    topic = models.OneToOneField(
        Topic, on_delete=models.PROTECT, related_name="dialogue_theme", verbose_name=_("topic")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dialogues:theme_detail", kwargs={"theme": self.slug})

    @property
    def name(self) -> str:
        return self.topic.name

    @property
    def description(self) -> str:
        return self.topic.description


class Thread(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged into another thread")
        REMOVED = "removed", _("Removed by a moderator")

    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="threads", verbose_name=_("theme")
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dialogue_threads",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    is_locked = models.BooleanField(_("locked"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_premoderated = models.BooleanField(
        _("pre-moderated"),
        default=False,
        help_text=_("Every new post waits for a moderator before anyone else can read it."),
    )
    slow_mode_seconds = models.PositiveIntegerField(
        _("slow mode"),
        default=0,
        help_text=_("Seconds a member waits between two posts in this thread; 0 is off."),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_threads",
        verbose_name=_("merged into"),
    )
    reports = models.ManyToManyField(
        "submissions.BarrierReport",
        related_name="dialogue_threads",
        blank=True,
        verbose_name=_("barrier reports"),
    )
    # Kept in step by the services: published posts and the numbering counter.
    post_count = models.PositiveIntegerField(_("published posts"), default=0)
    last_number = models.PositiveIntegerField(_("last post number"), default=0)
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now)
    created_at = models.DateTimeField(_("started"), default=timezone.now)

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-id"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="dialogue_thread_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")),
                name="dialogue_thread_not_merged_into_itself",
            ),
        ]
        indexes = [
            # Theme page: open threads, pinned first, latest activity first.
            models.Index(
                fields=["theme", "status", "-is_pinned", "-last_post_at"],
                name="dialogue_thread_theme_list",
            ),
            models.Index(fields=["status", "-last_post_at"], name="dialogue_thread_latest"),
            models.Index(fields=["author", "status"], name="dialogue_thread_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogues:thread_detail", kwargs={"thread_id": self.pk})


class Post(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        HELD = "held", _("Hidden after flags, waiting for a moderator")
        HIDDEN = "hidden", _("Hidden by a moderator")
        REMOVED = "removed", _("Removed by a moderator")

    thread = models.ForeignKey(
        Thread, on_delete=models.PROTECT, related_name="posts", verbose_name=_("thread")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dialogue_posts",
        verbose_name=_("author"),
    )
    # Who the author spoke for when posting, kept if they later move on.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_posts",
        verbose_name=_("on behalf of"),
    )
    author_was_official = models.BooleanField(_("posted as a verified official"), default=False)
    author_was_moderator = models.BooleanField(_("posted as a moderator"), default=False)
    is_opening = models.BooleanField(_("opening post"), default=False)
    body = models.TextField(_("text (Markdown)"), max_length=10_000)
    # Rendered from `body` by dialogues.rendering and sanitised with nh3 on every save.
    body_html = models.TextField(_("text (HTML)"), blank=True)
    quote = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quotes"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.TextField(_("moderator's reason"), blank=True)
    is_official_response = models.BooleanField(_("official response"), default=False)
    # Position in the thread, given when the post is first published; pages are number ranges.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    flag_count = models.PositiveIntegerField(_("open flags"), default=0)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    edited_at = models.DateTimeField(_("last edited"), null=True, blank=True)

    # Not stored: set by selectors.thread_posts_for for the viewer of a page.
    viewer_sees_body: bool
    viewer_is_author: bool
    viewer_can_edit: bool
    viewer_has_flagged: bool
    viewer_can_flag: bool
    viewer_can_mark_official: bool
    quote_visible: bool

    class Meta:
        ordering = ["thread_id", "number", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "number"], name="dialogue_post_unique_number_per_thread"
            ),
            models.CheckConstraint(
                condition=Q(is_official_response=False) | Q(author_was_official=True),
                name="dialogue_post_official_response_by_official",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="dialogue_post_queue"),
            models.Index(fields=["author", "-created_at"], name="dialogue_post_author_recent"),
            models.Index(fields=["thread", "author", "-created_at"], name="dialogue_post_slow"),
            models.Index(fields=["status", "-published_at"], name="dialogue_post_latest"),
            models.Index(
                fields=["flag_count"],
                name="dialogue_post_flagged",
                condition=Q(flag_count__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return _("Post %(id)s in %(thread)s") % {"id": self.pk, "thread": self.thread_id}

    def get_absolute_url(self) -> str:
        return reverse("dialogues:post_detail", kwargs={"post_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def shows_official_badge(self) -> bool:
        """The badge is for posts written as a verified official by someone still verified."""
        return self.author_was_official and self.author.is_verified_official


class PostRevision(models.Model):
    """The text of a post before one edit; moderators read the history."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("post")
    )
    body = models.TextField(_("previous text"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("edited by"),
    )
    created_at = models.DateTimeField(_("replaced at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")
        indexes = [models.Index(fields=["post", "-created_at"], name="dialogue_revision_post")]

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class Flag(models.Model):
    """A member telling moderators a post breaks the code of conduct."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSIVE = "abusive", _("Abusive or disrespectful")
        OFF_TOPIC = "off_topic", _("Off-topic")
        CONFIDENTIAL = "confidential", _("Reveals confidential information")
        OTHER = "other", _("Something else")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        UPHELD = "upheld", _("Upheld: the post was hidden or removed")
        DISMISSED = "dismissed", _("Dismissed: the post stays")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="flags", verbose_name=_("post")
    )
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dialogue_flags",
        verbose_name=_("flagged by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("details"), max_length=1000, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["post", "flagger"], name="dialogue_flag_one_per_member")
        ]
        indexes = [models.Index(fields=["outcome", "reason"], name="dialogue_flag_open")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.post_id}"


class Follow(models.Model):
    """A member following one thread or one theme (exactly one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dialogue_follows",
        verbose_name=_("member"),
    )
    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("thread"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("theme"),
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, theme__isnull=True)
                | Q(thread__isnull=True, theme__isnull=False),
                name="dialogue_follow_thread_or_theme",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="dialogue_follow_thread_once",
            ),
            models.UniqueConstraint(
                fields=["user", "theme"],
                condition=Q(theme__isnull=False),
                name="dialogue_follow_theme_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.thread_id or self.theme_id}"


class NotificationPreference(models.Model):
    """How often a member hears about new posts in what they follow (no row: daily)."""

    class Frequency(models.TextChoices):
        OFF = "off", _("Never: do not email me about new posts")
        IMMEDIATE = "immediate", _("Straight away: one email as new posts arrive")
        DAILY = "daily", _("Once a day: one email with the day's new posts")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dialogue_preference",
        verbose_name=_("member"),
    )
    frequency = models.CharField(
        _("email about new posts"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.DAILY,
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        indexes = [models.Index(fields=["frequency"], name="dialogue_preference_frequency")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class Notification(models.Model):
    """A published post one follower has not yet been emailed about."""

    class Why(models.TextChoices):
        THREAD = "thread", _("You follow the thread")
        THEME = "theme", _("You follow the theme")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dialogue_notifications",
        verbose_name=_("recipient"),
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("post")
    )
    why = models.CharField(_("why"), max_length=10, choices=Why.choices)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "post"], name="dialogue_notification_once_per_post"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="dialogue_notification_unsent",
                condition=Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} <- {self.post_id}"


class Suspension(models.Model):
    """A period during which a member may read but not post, edit or flag."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dialogue_suspensions",
        verbose_name=_("member"),
    )
    starts = models.DateTimeField(_("starts"), default=timezone.now)
    ends = models.DateTimeField(_("ends"))
    reason = models.TextField(_("reason"))
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("suspended by"),
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-starts", "-id"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="dialogue_suspension_ends_after"
            )
        ]
        indexes = [models.Index(fields=["member", "ends"], name="dialogue_suspension_member")]

    def __str__(self) -> str:
        return f"{self.member} {self.starts:%Y-%m-%d} - {self.ends:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.lifted_at is None and self.starts <= now < self.ends


# --- Weekly digests: the models live in dialogues/digests/models.py ---------------------------
from dialogues.digests.models import Digest, DigestFile, DigestSubscription  # noqa: E402, F401
