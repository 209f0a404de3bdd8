"""Django admin for the Trade Dialogues: for looking things up.

Moderation happens in the moderation pages, which write the audit trail and tell authors
why; so posts, flags and suspensions are read-only here.
"""

from django.contrib import admin
from django.http import HttpRequest

from dialogues.models import (
    Digest,
    DigestFile,
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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "topic", "position"]
    list_select_related = ["topic"]
    search_fields = ["slug", "topic__name_en", "topic__code"]
    ordering = ["position"]
    readonly_fields = ["topic"]


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "theme", "status", "author", "post_count", "last_post_at"]
    list_filter = ["status", "is_locked", "is_pinned", "is_premoderated", "theme"]
    list_select_related = ["theme__topic", "author"]
    search_fields = ["title", "author__email", "author__full_name"]
    date_hierarchy = "created_at"


class RevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    can_delete = False
    readonly_fields = ["body", "edited_by", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["pk", "thread", "author", "status", "number", "flag_count", "created_at"]
    list_filter = ["status", "is_official_response", "author_was_official"]
    list_select_related = ["thread", "author"]
    search_fields = ["body", "author__email", "author__full_name", "thread__title"]
    date_hierarchy = "created_at"
    inlines = [RevisionInline]


@admin.register(PostRevision)
class PostRevisionAdmin(ReadOnlyAdmin):
    list_display = ["post", "edited_by", "created_at"]
    list_select_related = ["post", "edited_by"]
    search_fields = ["body"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["post", "flagger", "reason", "outcome", "created_at", "resolved_by"]
    list_filter = ["reason", "outcome"]
    list_select_related = ["post", "flagger", "resolved_by"]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["member", "starts", "ends", "moderator", "lifted_at"]
    list_select_related = ["member", "moderator"]
    search_fields = ["member__email", "member__full_name", "reason"]


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["user", "thread", "theme", "created_at"]
    list_select_related = ["user", "thread", "theme__topic"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "frequency", "updated_at"]
    list_filter = ["frequency"]
    list_select_related = ["user"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "post", "why", "created_at", "sent_at"]
    list_filter = ["why"]
    list_select_related = ["recipient", "post"]


# --- Weekly digests ---------------------------------------------------------------------------
# Digests are compiled by `compile_digest` / the Monday task, never edited: read-only here.


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["week", "edition", "subscription", "status", "revision", "compiled_at"]
    list_filter = ["edition", "status"]
    list_select_related = ["subscription__user"]
    search_fields = ["week", "subscription__user__email"]
    exclude = ["snapshot", "summary"]  # large JSON; the page itself is the way to read it

    def get_queryset(self, request):
        # A busy week's snapshot is megabytes: a list of them must not load them all.
        return super().get_queryset(request).defer("snapshot", "summary")


@admin.register(DigestFile)
class DigestFileAdmin(ReadOnlyAdmin):
    """Rendered files: what is waiting, rendering, ready or failed (and why)."""

    list_display = ["digest", "revision", "language", "fmt", "status", "attempts", "rendered_at"]
    list_filter = ["status", "fmt", "language"]
    list_select_related = ["digest"]
    search_fields = ["digest__week"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("digest__snapshot", "digest__summary")


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["user", "email", "updated_at"]
    list_filter = ["email"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
