"""Barrier reports, their evidence, co-signatures, status history and official responses.

Business rules (who may see what, which status may follow which) live in selectors.py,
permissions.py and services.py; the models hold fields, constraints and choices.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Country, HsChapter, NtmChapter, Organisation, Sector, Topic

# The statuses of PUBLISHED_STATUSES (below), spelled out for the partial indexes' condition:
# the public list's `status IN (...)` must match it for PostgreSQL to use those indexes.
_PUBLISHED = Q(status__in=["published", "resolved_in_part", "resolved_in_full", "archived"])


class BarrierReport(models.Model):
    """A regulatory barrier an organisation met when trading online across a border."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")
        RESOLVED_IN_PART = "resolved_in_part", _("Resolved in part")
        RESOLVED_IN_FULL = "resolved_in_full", _("Resolved in full")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: our organisation is named")
        ANONYMISED = "anonymised", _("Anonymised: only our size, country and sector are shown")
        OFFICIALS_ONLY = (
            "officials_only",
            _("Officials only: verified officials and moderators can read it"),
        )

    class TradeDirection(models.TextChoices):
        EXPORTING = "exporting", _("Exporting (selling abroad)")
        IMPORTING = "importing", _("Importing (buying from abroad)")

    class DeliveryMode(models.TextChoices):
        GOODS = "goods", _("Goods (physical products)")
        SERVICES = "services", _("Services")
        DIGITAL = "digital", _("Digitally delivered (downloads, software, streaming)")

    class CostBand(models.TextChoices):
        UNDER_1K = "under_1k", _("Less than USD 1,000 a year")
        FROM_1K_TO_10K = "1k_10k", _("USD 1,000 to 10,000 a year")
        FROM_10K_TO_50K = "10k_50k", _("USD 10,000 to 50,000 a year")
        FROM_50K_TO_250K = "50k_250k", _("USD 50,000 to 250,000 a year")
        OVER_250K = "over_250k", _("More than USD 250,000 a year")
        UNKNOWN = "unknown", _("We do not know yet")

    # Assigned on first submission (TB-<year>-<5 digits>); drafts have none and are reached
    # through `public_id` instead, so abandoned drafts leave no gaps in the numbering.
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    public_id = models.UUIDField(_("draft key"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("full description"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="barrier_reports",
        verbose_name=_("reporting organisation"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="barrier_reports",
        verbose_name=_("reported by"),
    )
    market = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barrier_reports",
        verbose_name=_("affected market"),
    )
    trade_direction = models.CharField(
        _("trade direction"), max_length=10, choices=TradeDirection.choices, blank=True
    )
    delivery_mode = models.CharField(
        _("what you trade"), max_length=10, choices=DeliveryMode.choices, blank=True
    )
    topics = models.ManyToManyField(
        Topic, related_name="barrier_reports", blank=True, verbose_name=_("e-commerce topics")
    )
    ntm_chapter = models.ForeignKey(
        NtmChapter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barrier_reports",
        verbose_name=_("type of measure (NTM chapter)"),
    )
    hs_chapters = models.ManyToManyField(
        HsChapter, related_name="barrier_reports", blank=True, verbose_name=_("HS chapters")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    first_encountered = models.DateField(_("first encountered"), null=True, blank=True)
    still_active = models.BooleanField(_("still a problem"), null=True, blank=True)
    cost_band = models.CharField(
        _("estimated annual cost"), max_length=10, choices=CostBand.choices, blank=True
    )
    steps_taken = models.TextField(_("steps already taken"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.ANONYMISED
    )
    language = models.CharField(
        _("language of the report"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # Kept in step with CoSignature rows by the services, so "most co-signed" sorts on an index.
    cosignature_count = models.PositiveIntegerField(_("co-signatures"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)

    # Not stored: set by selectors.report_search_excerpts on a page of search results.
    search_excerpt: str | None

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("barrier report")
        verbose_name_plural = _("barrier reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reference__isnull=False),
                name="barrier_report_reference_once_submitted",
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="barrier_report_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("pk")),
                name="barrier_report_not_duplicate_of_itself",
            ),
        ]
        indexes = [
            # Public list: published-like statuses, newest first or most co-signed first.
            models.Index(fields=["status", "visibility", "-published_at"]),
            models.Index(fields=["status", "-cosignature_count"]),
            # Moderation queue: oldest submitted first.
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["sector", "status"]),
            models.Index(fields=["organisation", "status"]),
            # The public list and home page, as written: published reports in each `?sort=`
            # order, and filtered by market, NTM chapter or sector, newest first (alerts and
            # feeds read a range of report_newest: published since a watermark). Partial, so
            # drafts and the triage queue never sit in them.
            # With the visibility, so a deep page of the visitors' list (?page=500) counts
            # its way past 10,000 entries in the index alone (6 ms, against 66 ms reading rows).
            models.Index(
                fields=["-published_at", "-id"],
                include=["visibility"],
                condition=_PUBLISHED,
                name="report_newest",
            ),
            models.Index(
                fields=["-cosignature_count", "-published_at", "-id"],
                condition=_PUBLISHED,
                name="report_most_cosigned",
            ),
            models.Index(
                fields=["market", "-published_at", "-id"],
                condition=_PUBLISHED,
                name="report_market_newest",
            ),
            models.Index(
                fields=["ntm_chapter", "-published_at", "-id"],
                condition=_PUBLISHED,
                name="report_ntm_chapter_newest",
            ),
            models.Index(
                fields=["sector", "-published_at", "-id"],
                condition=_PUBLISHED,
                name="report_sector_newest",
            ),
            # An organisation's newest (its page, its feed, duplicate hints among its own).
            models.Index(
                fields=["organisation", "-published_at", "-id"],
                condition=_PUBLISHED,
                name="report_organisation_newest",
            ),
            # The sitemap's latest change: the newest update a visitor may see, read from
            # the index's end (was a 279 ms scan of every published report).
            models.Index(
                fields=["-updated_at"],
                include=["visibility"],
                condition=_PUBLISHED,
                name="report_latest_update",
            ),
        ]

    def __str__(self) -> str:
        if self.reference:
            return f"{self.reference}: {self.title}"
        return str(self.title)

    def get_absolute_url(self) -> str:
        if self.reference is None:
            return reverse("submissions:draft_check", kwargs={"draft": self.public_id})
        return reverse("submissions:detail", kwargs={"reference": self.reference})

    @property
    def is_editable(self) -> bool:
        """The reporter may change the answers: a draft, or sent back by a moderator."""
        return self.status in (self.Status.DRAFT, self.Status.CHANGES_REQUESTED)

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES


# Statuses a report is in once a moderator has made it public. Resolved and archived
# reports stay readable: the record of a barrier and its fix is part of the open data.
PUBLISHED_STATUSES = (
    BarrierReport.Status.PUBLISHED,
    BarrierReport.Status.RESOLVED_IN_PART,
    BarrierReport.Status.RESOLVED_IN_FULL,
    BarrierReport.Status.ARCHIVED,
)


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year; the row is locked while numbering."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    """A random stored name: the original name is kept, sanitised, in `original_name`."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """Evidence: a file checked by content, stored outside the static root, and (when a
    virus scanner is configured) held back until the scanner has passed it."""

    class ScanStatus(models.TextChoices):
        PENDING = "pending", _("Being checked for viruses")
        CLEAN = "clean", _("Checked: no virus found")
        INFECTED = "infected", _("Quarantined: a virus was found")
        NOT_SCANNED = "not_scanned", _("Not scanned")

    report = models.ForeignKey(
        BarrierReport,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("report"),
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    scan_status = models.CharField(
        _("virus check"), max_length=12, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    scanned_at = models.DateTimeField(_("checked"), null=True, blank=True)
    # What the scanner named, for an infected file ("Win.Test.EICAR_HDB-1").
    scan_signature = models.CharField(_("virus found"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            # The sweep looks for files still waiting for the scanner, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(scan_status="pending"),
                name="attachment_scan_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("submissions:attachment_download", kwargs={"attachment_id": self.pk})

    @property
    def is_available(self) -> bool:
        """Downloadable: passed by the scanner, or uploaded while none was configured."""
        return self.scan_status in AVAILABLE_SCAN_STATUSES


# Files that may be downloaded. Being checked and quarantined files may not.
AVAILABLE_SCAN_STATUSES = (Attachment.ScanStatus.CLEAN, Attachment.ScanStatus.NOT_SCANNED)


class CoSignature(models.Model):
    """Another organisation saying "this affects us too"; one per organisation and report."""

    class Impact(models.TextChoices):
        MINOR = "minor", _("Minor: an irritation we work around")
        MODERATE = "moderate", _("Moderate: it costs us sales or time")
        SERIOUS = "serious", _("Serious: it keeps us out of some sales")
        SEVERE = "severe", _("Severe: it keeps us out of this market")

    report = models.ForeignKey(
        BarrierReport,
        on_delete=models.CASCADE,
        related_name="cosignatures",
        verbose_name=_("report"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cosignatures",
        verbose_name=_("organisation"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cosignatures",
        verbose_name=_("signed by"),
    )
    impact = models.CharField(_("impact on you"), max_length=10, choices=Impact.choices)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("co-signed"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "organisation"], name="cosignature_one_per_organisation"
            ),
        ]
        indexes = [
            # The weekly digest counts and ranks a week's co-signatures.
            models.Index(fields=["created_at"], name="cosignature_created"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} / {self.report}"


class StatusChange(models.Model):
    """One step in a report's life, shown to the reporter as a timeline."""

    report = models.ForeignKey(
        BarrierReport,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("report"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=BarrierReport.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=BarrierReport.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [
            models.Index(fields=["report", "created_at"]),
            models.Index(fields=["to_status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.from_status or '-'} -> {self.to_status}"


class OfficialResponse(models.Model):
    """A verified official's answer on a published report, shown with their badge."""

    report = models.ForeignKey(
        BarrierReport,
        on_delete=models.CASCADE,
        related_name="official_responses",
        verbose_name=_("report"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="official_responses",
        verbose_name=_("author"),
    )
    # The body the official spoke for at the time, kept if they later move on.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="official_responses",
        verbose_name=_("on behalf of"),
    )
    body = models.TextField(_("response"), max_length=5000)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("official response")
        verbose_name_plural = _("official responses")
        indexes = [
            models.Index(fields=["report", "created_at"]),
            # The weekly digest lists a week's responses.
            models.Index(fields=["created_at"], name="official_response_created"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.report}"


class ReportFollow(models.Model):
    """A person following one report: its status changes and official responses appear on
    their notifications page (reporters and co-signers hear without following)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_follows",
        verbose_name=_("person"),
    )
    report = models.ForeignKey(
        BarrierReport, on_delete=models.CASCADE, related_name="follows", verbose_name=_("report")
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report follow")
        verbose_name_plural = _("report follows")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="report_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.report_id}"


class ReportAlert(models.Model):
    """A saved report search: the person hears, daily or weekly, about new matching reports
    they may read. `last_published_at` is the watermark: the newest publication time already
    sent, so a run repeated or redelivered never sends the same report twice."""

    class Frequency(models.TextChoices):
        OFF = "off", _("Off: do not email me")
        DAILY = "daily", _("Daily: one email a day when there are new reports")
        WEEKLY = "weekly", _("Weekly: one email a week when there are new reports")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_alerts",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The same filters as the report list (ReportFilterForm), stored as codes.
    q = models.CharField(_("words"), max_length=200, blank=True)
    market = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("market"),
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("topic"),
    )
    ntm_chapter = models.ForeignKey(
        NtmChapter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("type of measure"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    last_published_at = models.DateTimeField(_("sent up to"), default=timezone.now)
    next_run_at = models.DateTimeField(_("next check"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last email"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("report alert")
        verbose_name_plural = _("report alerts")
        indexes = [
            # The beat task: alerts that are on and due.
            models.Index(
                fields=["next_run_at"],
                name="report_alert_due",
                condition=~Q(frequency="off"),
            ),
            models.Index(fields=["user", "name"], name="report_alert_user"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("submissions:alert_edit", kwargs={"alert_id": self.pk})

    def filters(self) -> dict[str, object]:
        """The report list's filters (as ReportFilterForm.cleaned_data would hold them)."""
        return {
            "q": self.q,
            "market": self.market_id,
            "topic": self.topic_id,
            "ntm_chapter": self.ntm_chapter_id,
            "sector": self.sector,
        }


class OpenDataFile(models.Model):
    """One bulk open-data file: every report a visitor may read, gzip-compressed, built by a
    worker on a schedule (opendata.py) and served from media storage. One row per format;
    `name` is the file last built, replaced whole by the next build."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON Lines"

    fmt = models.CharField(_("format"), max_length=5, choices=Format.choices, unique=True)
    name = models.CharField(_("stored as"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("reports"), null=True, blank=True)
    built_at = models.DateTimeField(_("last built"), null=True, blank=True)
    # Set when a build is queued, cleared when it ends: the claim that keeps a second build
    # from starting. A build older than opendata.BUILD_STALE is taken for dead.
    building_since = models.DateTimeField(_("being built since"), null=True, blank=True)

    class Meta:
        verbose_name = _("open-data file")
        verbose_name_plural = _("open-data files")
        constraints = [
            models.CheckConstraint(
                condition=Q(built_at__isnull=True) | ~Q(name=""),
                name="open_data_file_built_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.fmt

    @property
    def is_ready(self) -> bool:
        return self.built_at is not None
