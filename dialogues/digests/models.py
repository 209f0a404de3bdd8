"""Weekly digests, their files and officials' digest subscriptions (models of the `dialogues`
app: dialogues/models.py imports them, the tables keep their names).

A `Digest` row is one edition of one ISO week: the public edition, the edition for
officials, or one official's personalised edition. Its `snapshot` (schema.py) is written
once, when the edition is compiled, and never changes until a moderator forces a rebuild
(`revision` then goes up and the files are rendered again under a new folder:
storage.folder_for).

A `DigestFile` row is one downloadable file of one revision (PDF, CSV or XLSX in one
language): created when the file is first wanted, claimed by exactly one worker, which
renders it and stores it through Django's storage API, then marked ready. Readers only ever
download ready files.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Country, Topic


class DigestSubscription(models.Model):
    """What a verified official wants in their personalised edition, and whether to be
    emailed when it is ready. No markets (or no topics) means every market (or topic)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_subscription",
        verbose_name=_("official"),
    )
    markets = models.ManyToManyField(
        Country, related_name="+", blank=True, verbose_name=_("markets")
    )
    topics = models.ManyToManyField(Topic, related_name="+", blank=True, verbose_name=_("topics"))
    email = models.BooleanField(_("email me when a digest is ready"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")

    def __str__(self) -> str:
        return str(self.user)


class Digest(models.Model):
    class Edition(models.TextChoices):
        PUBLIC = "public", _("Public edition")
        OFFICIALS = "officials", _("Edition for officials")
        PERSONAL = "personal", _("Personalised edition")

    class Status(models.TextChoices):
        COMPILING = "compiling", _("Being compiled")
        READY = "ready", _("Ready")

    week = models.CharField(_("ISO week"), max_length=8)  # "2026-W48"
    week_start = models.DateField(_("week starting"))
    edition = models.CharField(_("edition"), max_length=10, choices=Edition.choices)
    subscription = models.ForeignKey(
        DigestSubscription,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="digests",
        verbose_name=_("subscription"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COMPILING
    )
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True, editable=False)
    # The bounded part the web page shows (summary.py), so a page view never loads the snapshot.
    summary = models.JSONField(_("summary"), null=True, blank=True, editable=False)
    # Goes up on every (re)compilation; files live in a folder named after it.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    compiled_at = models.DateTimeField(_("compiled"), null=True, blank=True)
    announced_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-week_start", "edition", "id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            # One canonical public and one officials edition per week...
            models.UniqueConstraint(
                fields=["week", "edition"],
                condition=Q(subscription__isnull=True),
                name="digest_one_per_week_and_edition",
            ),
            # ...and one personalised edition per week and subscription.
            models.UniqueConstraint(
                fields=["week", "subscription"],
                condition=Q(subscription__isnull=False),
                name="digest_one_per_week_and_subscription",
            ),
            models.CheckConstraint(
                condition=Q(edition="personal", subscription__isnull=False)
                | (~Q(edition="personal") & Q(subscription__isnull=True)),
                name="digest_personal_edition_has_subscription",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(snapshot__isnull=False, compiled_at__isnull=False),
                name="digest_ready_has_snapshot",
            ),
        ]
        indexes = [
            # The archive: ready public editions, newest week first.
            models.Index(fields=["edition", "status", "-week_start"], name="digest_archive"),
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.edition}"

    def get_absolute_url(self) -> str:
        url = reverse("dialogues:digest_detail", kwargs={"week": self.week})
        return url if self.edition == self.Edition.PUBLIC else f"{url}?edition={self.edition}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class DigestFile(models.Model):
    """One rendered file of a digest revision, in one format and language."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RENDERING = "rendering", _("Being rendered")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="files", verbose_name=_("digest")
    )
    revision = models.PositiveIntegerField(_("revision"))
    fmt = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Where the file is in media storage, once ready.
    name = models.CharField(_("stored as"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    # Goes up each time a worker claims the row; the claim's number guards its writes.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    # Touched by the rendering worker every few seconds: a stale heartbeat means it died.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["digest", "revision", "fmt", "language"]
        verbose_name = _("digest file")
        verbose_name_plural = _("digest files")
        constraints = [
            # One row per file: the first request creates it, every later one finds it.
            models.UniqueConstraint(
                fields=["digest", "revision", "fmt", "language"], name="digest_file_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(name=""), name="digest_file_ready_has_name"
            ),
        ]
        indexes = [
            # The sweeper: files still waiting or rendering.
            models.Index(
                fields=["status", "heartbeat_at"],
                condition=Q(status__in=["queued", "rendering"]),
                name="digest_file_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.digest} r{self.revision} {self.language} {self.fmt}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY
