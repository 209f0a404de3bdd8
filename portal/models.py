"""Members, organisations, reference data, the audit trail and the email outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _


class TranslatedNameMixin(models.Model):
    """Reference rows carry their names in the three working languages."""

    name_en = models.CharField(_("name (English)"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", "") or self.name_en


class TranslatedDescriptionMixin(models.Model):
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)

    class Meta:
        abstract = True

    @property
    def description(self) -> str:
        language = (get_language() or "en")[:2]
        return getattr(self, f"description_{language}", "") or self.description_en


class Country(TranslatedNameMixin):
    """A WTO member or observer; `code` is ISO 3166-1 alpha-2 (`EU` for the Union)."""

    class Status(models.TextChoices):
        MEMBER = "member", _("WTO member")
        OBSERVER = "observer", _("WTO observer")

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    iso_alpha3 = models.CharField(_("ISO alpha-3 code"), max_length=3, blank=True)
    status = models.CharField(_("WTO status"), max_length=10, choices=Status.choices)
    region = models.CharField(_("WTO statistical region"), max_length=3, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country or customs territory")
        verbose_name_plural = _("countries and customs territories")


class OrganisationType(TranslatedNameMixin, TranslatedDescriptionMixin):
    class Category(models.TextChoices):
        BUSINESS = "business", _("Business")
        BUSINESS_REPRESENTATIVE = "business_representative", _("Business representative")
        GOVERNMENT = "government", _("Government")
        INTERNATIONAL = "international", _("International organisation")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    size_class = models.CharField(_("size class"), max_length=10, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("organisation type")
        verbose_name_plural = _("organisation types")

    @property
    def is_official(self) -> bool:
        return self.category in settings.OFFICIAL_ORG_CATEGORIES


class Topic(TranslatedNameMixin, TranslatedDescriptionMixin):
    """An e-commerce topic: an article of the WTO Agreement on Electronic Commerce, an
    extension negotiated but not agreed, or a practical barrier SMEs meet."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article of the Agreement")
        EXTENSION = "extension", _("Negotiated, not in the Agreement")
        PRACTICAL = "practical", _("Practical barrier")

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    section = models.CharField(_("section"), max_length=2, blank=True)
    article = models.PositiveSmallIntegerField(_("article"), null=True, blank=True)
    reportable = models.BooleanField(_("reportable"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("e-commerce topic")
        verbose_name_plural = _("e-commerce topics")
        indexes = [models.Index(fields=["reportable", "position"])]


class NtmChapter(TranslatedNameMixin, TranslatedDescriptionMixin):
    """A chapter of UNCTAD's classification of non-tariff measures (2019)."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    group = models.CharField(_("group"), max_length=20)
    flow = models.CharField(_("flow"), max_length=10)
    hint_en = models.TextField(_("plain-language hint (English)"), blank=True)
    hint_fr = models.TextField(_("plain-language hint (French)"), blank=True)
    hint_es = models.TextField(_("plain-language hint (Spanish)"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("NTM chapter")
        verbose_name_plural = _("NTM chapters")

    @property
    def hint(self) -> str:
        language = (get_language() or "en")[:2]
        return getattr(self, f"hint_{language}", "") or self.hint_en


class HsChapter(TranslatedNameMixin):
    """A chapter of the Harmonized System, 2022 edition."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    section = models.CharField(_("section"), max_length=5)
    reserved = models.BooleanField(_("reserved"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("HS chapter")
        verbose_name_plural = _("HS chapters")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Sector(models.TextChoices):
    AGRI_FOOD = "agri_food", _("Agri-food")
    TEXTILES = "textiles", _("Textiles, clothing and footwear")
    CRAFTS = "crafts", _("Crafts and design")
    COSMETICS = "cosmetics", _("Cosmetics and personal care")
    MANUFACTURING = "manufacturing", _("Other manufacturing")
    SOFTWARE = "software", _("Software and IT services")
    CREATIVE = "creative", _("Creative and media services")
    PROFESSIONAL = "professional", _("Professional and business services")
    TOURISM = "tourism", _("Tourism and travel")
    LOGISTICS = "logistics", _("Logistics and delivery")
    RETAIL = "retail", _("Retail and marketplaces")
    FINANCE = "finance", _("Financial and payment services")
    PUBLIC = "public", _("Public administration")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    org_type = models.ForeignKey(
        OrganisationType, on_delete=models.PROTECT, verbose_name=_("type of organisation")
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("country"))
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "country", name="organisation_unique_name_per_country"
            ),
        ]
        indexes = [models.Index(fields=["country", "org_type"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:organisation_detail", kwargs={"slug": self.slug})

    @property
    def is_official_body(self) -> bool:
        return self.org_type.is_official


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; membership of one organisation gives the member role.

    A person who deletes their account keeps a row, emptied of everything that identified
    them (`deleted_at` is set; see services.account_delete): reports, posts, co-signatures and
    audit events point at users with PROTECT foreign keys, so the conversations and the record
    they belong to stay whole, written by a "former member".
    """

    class MembershipStatus(models.TextChoices):
        NONE = "none", _("No organisation")
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")

    class OfficialStatus(models.TextChoices):
        NOT_APPLICABLE = "n/a", _("Not an official account")
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified official")
        REJECTED = "rejected", _("Not verified")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    membership_status = models.CharField(
        _("membership"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.NONE,
    )
    is_organisation_admin = models.BooleanField(
        _("organisation administrator"),
        default=False,
        help_text=_("Approves people who ask to join the organisation."),
    )
    official_status = models.CharField(
        _("official verification"),
        max_length=10,
        choices=OfficialStatus.choices,
        default=OfficialStatus.NOT_APPLICABLE,
    )
    official_verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deleted_at = models.DateTimeField(_("account deleted"), null=True, blank=True, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            models.Index(fields=["official_status", "date_joined"]),
            models.Index(fields=["organisation", "membership_status"]),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    @property
    def display_name(self) -> str:
        """The name other people see: "Former member" once the account is deleted."""
        if self.deleted_at is not None:
            return gettext("Former member")
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def email_domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].lower()

    @property
    def is_member(self) -> bool:
        return self.membership_status == self.MembershipStatus.ACTIVE

    @property
    def is_verified_official(self) -> bool:
        return self.is_member and self.official_status == self.OfficialStatus.VERIFIED

    @cached_property
    def is_moderator(self) -> bool:
        if self.is_superuser:
            return True
        return self.groups.filter(name=settings.MODERATORS_GROUP).exists()


class VerifiedDomain(models.Model):
    """An email domain whose owners are verified as officials on email confirmation."""

    domain = models.CharField(_("email domain"), max_length=253, unique=True)
    organisation_name = models.CharField(_("whose domain"), max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("verified email domain")
        verbose_name_plural = _("verified email domains")

    def __str__(self) -> str:
        return self.domain


class AuditEvent(models.Model):
    """Append-only: who did what to which object, and why. Never updated or deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("target type")
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["actor", "-created_at"]),
            models.Index(fields=["action", "-created_at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class OutboxEmail(models.Model):
    """One email, written in the transaction of the action that causes it and delivered by a
    worker (portal.outbox). A broker outage leaves the row pending until a worker or the
    sweeper sends it, so the action never fails because mail could not be queued."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    recipient = models.EmailField(_("recipient"), max_length=254)
    subject = models.TextField(_("subject"))
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    template = models.CharField(
        _("template"),
        max_length=150,
        blank=True,
        help_text=_("What the email is, for instance report_status_changed."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        default=timezone.now,
        help_text=_("When the sweeper sends it again if it is still waiting."),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="outbox_email_sent_at_iff_sent",
            )
        ]
        indexes = [
            # The sweeper's query: pending rows whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_email_due",
                condition=Q(status="pending"),
            ),
            # The admin lists the newest first; the nightly purge reads the oldest.
            models.Index(fields=["-created_at"], name="outbox_email_newest"),
            # A person's emails, for their data export and their account's deletion.
            models.Index(fields=["recipient"], name="outbox_email_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class Notice(models.Model):
    """One line on a person's notifications page: something happened in a thread, theme,
    report or alert they follow. Written by the service that acted (or by a task it queued
    when there are many followers); `key` names the event, so writing it twice for one person
    leaves one row. Titles are kept as the person could read them when it happened; the
    sentence around them is put in the reader's language when the page is shown."""

    class Kind(models.TextChoices):
        POST = "post", _("New post")
        OFFICIAL_ANSWER = "official_answer", _("Official answer")
        REPORT_STATUS = "report_status", _("Report status changed")
        REPORT_RESPONSE = "report_response", _("Official response to a report")
        ALERT = "alert", _("New reports for an alert")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("event"), max_length=100)
    title = models.CharField(_("about"), max_length=300)
    # A path without language prefix; the page shows it in the reader's language.
    path = models.CharField(_("link"), max_length=500)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("happened"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_event")
        ]
        indexes = [
            # The notifications page: one person's, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_recipient"),
            # The header's unread count.
            models.Index(
                fields=["recipient"], name="notice_unread", condition=Q(read_at__isnull=True)
            ),
            # The nightly clean-up: old read rows, and very old unread ones.
            models.Index(
                fields=["read_at"], name="notice_read", condition=Q(read_at__isnull=False)
            ),
            models.Index(
                fields=["created_at"], name="notice_unread_age", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.key}"
