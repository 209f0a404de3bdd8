"""Django admin for barrier reports and everything attached to them.

Superusers (with two-factor authentication: permissions.acts_as_admin) see every row. Other
staff see only what the portal's visibility rule lets them read (selectors.reports_visible_to),
on the changelist and on every related model's list.
Status changes go through the moderation pages (they email, audit and keep the timeline), so
here status and references are read-only.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.permissions import acts_as_admin
from submissions.models import (
    Attachment,
    BarrierReport,
    CoSignature,
    OfficialResponse,
    OpenDataFile,
    ReferenceCounter,
    ReportAlert,
    ReportFollow,
    StatusChange,
)
from submissions.selectors import report_display_organisation, reports_visible_to


class VisibleReportsMixin:
    """Limit a changelist to reports (or rows of reports) the staff member may read."""

    report_path = "report"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if acts_as_admin(request.user):
            return queryset
        visible = reports_visible_to(request.user).values("pk")
        if self.report_path == "":
            return queryset.filter(pk__in=visible)
        return queryset.filter(**{f"{self.report_path}__in": visible})


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = (
        "original_name",
        "content_type",
        "size",
        "scan_status",
        "uploaded_by",
        "created_at",
    )
    fields = readonly_fields
    can_delete = False
    show_change_link = True


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("created_at", "from_status", "to_status", "actor", "note")
    fields = readonly_fields
    can_delete = False


@admin.register(BarrierReport)
class BarrierReportAdmin(VisibleReportsMixin, admin.ModelAdmin):
    report_path = ""
    list_filter = ["status", "visibility", "language", "sector", "trade_direction", "market"]
    search_fields = ["reference", "title", "summary", "organisation__name", "reporter__email"]
    list_select_related = ["market", "organisation__org_type", "organisation__country"]
    date_hierarchy = "created_at"
    raw_id_fields = ["organisation", "reporter", "market", "duplicate_of", "ntm_chapter"]
    filter_horizontal = ["topics", "hs_chapters"]
    readonly_fields = [
        "reference",
        "public_id",
        "status",
        "duplicate_of",
        "cosignature_count",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
        "status_changed_at",
    ]
    inlines = [AttachmentInline, StatusChangeInline]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        def reported_by(report: BarrierReport) -> str:
            return report_display_organisation(report, request.user)

        reported_by.short_description = _("reported by")  # type: ignore[attr-defined]
        return [
            "reference",
            "title",
            "status",
            "visibility",
            "market",
            reported_by,
            "cosignature_count",
            "submitted_at",
            "published_at",
        ]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        """Searching by organisation name would unmask anonymised reports."""
        if acts_as_admin(request.user):
            return list(self.search_fields)
        return ["reference", "title", "summary"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(VisibleReportsMixin, admin.ModelAdmin):
    list_display = ["original_name", "report", "content_type", "size", "scan_status", "created_at"]
    list_filter = ["scan_status", "content_type", "created_at"]
    search_fields = ["original_name", "report__reference", "sha256"]
    list_select_related = ["report"]
    # No "file" field: its link (a signed URL on S3) would bypass the download view's checks,
    # quarantine included.
    exclude = ["file"]
    readonly_fields = [
        "report",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "scan_status",
        "scanned_at",
        "scan_signature",
        "uploaded_by",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CoSignature)
class CoSignatureAdmin(VisibleReportsMixin, admin.ModelAdmin):
    list_display = ["report", "organisation", "impact", "signed_by", "created_at"]
    list_filter = ["impact", "created_at"]
    search_fields = ["report__reference", "organisation__name", "comment"]
    list_select_related = ["report", "organisation", "signed_by"]
    raw_id_fields = ["report", "organisation", "signed_by"]


@admin.register(StatusChange)
class StatusChangeAdmin(VisibleReportsMixin, admin.ModelAdmin):
    """Read-only: the timeline is history."""

    list_display = ["created_at", "report", "from_status", "to_status", "actor"]
    list_filter = ["to_status", "from_status", "created_at"]
    search_fields = ["report__reference", "note", "actor__email"]
    list_select_related = ["report", "actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OfficialResponse)
class OfficialResponseAdmin(VisibleReportsMixin, admin.ModelAdmin):
    list_display = ["report", "author", "organisation", "created_at"]
    list_filter = ["created_at", "organisation"]
    search_fields = ["report__reference", "body", "author__email", "organisation__name"]
    list_select_related = ["report", "author", "organisation"]
    raw_id_fields = ["report", "author", "organisation"]


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    """Read-only: editing a counter could hand out a reference twice."""

    list_display = ["year", "last_number"]
    search_fields = ["year"]
    list_filter = ["year"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the portal's services and workers write; the admin only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportFollow)
class ReportFollowAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "report"]
    search_fields = ["user__email", "report__reference"]
    list_select_related = ["user", "report"]


@admin.register(ReportAlert)
class ReportAlertAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "frequency", "last_sent_at", "next_run_at"]
    list_filter = ["frequency"]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]


@admin.register(OpenDataFile)
class OpenDataFileAdmin(ReadOnlyAdmin):
    list_display = ["fmt", "rows", "size", "built_at", "building_since"]
