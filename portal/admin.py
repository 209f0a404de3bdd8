"""Django admin for every portal model, with search and filters."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import (
    AuditEvent,
    Country,
    HsChapter,
    Notice,
    NtmChapter,
    Organisation,
    OrganisationType,
    OutboxEmail,
    Topic,
    User,
    VerifiedDomain,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "organisation",
        "membership_status",
        "official_status",
        "is_staff",
        "date_joined",
    ]
    list_filter = [
        "membership_status",
        "official_status",
        "is_staff",
        "is_superuser",
        "is_active",
        "language",
        "groups",
    ]
    search_fields = ["email", "full_name", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["date_joined", "last_login", "official_verified_at", "deleted_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "job_title", "language"]}),
        (
            _("Organisation"),
            {
                "fields": [
                    "organisation",
                    "membership_status",
                    "is_organisation_admin",
                    "official_status",
                    "official_verified_at",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined", "deleted_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_type", "country", "sector", "created_at"]
    list_filter = ["org_type", "sector", "country"]
    search_fields = ["name", "slug", "website"]
    list_select_related = ["org_type", "country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(VerifiedDomain)
class VerifiedDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "organisation_name", "added_by", "created_at"]
    search_fields = ["domain", "organisation_name"]
    list_select_related = ["added_by"]
    raw_id_fields = ["added_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["created_at", "actor", "action", "target_label", "reason"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["action", "target_label", "reason", "actor__email"]
    list_select_related = ["actor", "target_type"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Read-only: what a person's notifications page shows (services write these rows)."""

    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["title", "recipient__email"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notice._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Read-only: what was sent, what waits and why (workers write these rows)."""

    list_display = ["created_at", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template", "language", "created_at"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxEmail._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReferenceAdmin(admin.ModelAdmin):
    search_fields = ["code", "name_en", "name_fr", "name_es"]
    list_display = ["code", "name_en", "name_fr", "name_es"]


@admin.register(Country)
class CountryAdmin(ReferenceAdmin):
    list_display = [*ReferenceAdmin.list_display, "status", "region"]
    list_filter = ["status", "region"]


@admin.register(OrganisationType)
class OrganisationTypeAdmin(ReferenceAdmin):
    list_display = [*ReferenceAdmin.list_display, "category"]
    list_filter = ["category"]


@admin.register(Topic)
class TopicAdmin(ReferenceAdmin):
    list_display = [*ReferenceAdmin.list_display, "kind", "reportable"]
    list_filter = ["kind", "reportable", "section"]


@admin.register(NtmChapter)
class NtmChapterAdmin(ReferenceAdmin):
    list_filter = ["group", "flow"]


@admin.register(HsChapter)
class HsChapterAdmin(ReferenceAdmin):
    list_filter = ["section", "reserved"]
