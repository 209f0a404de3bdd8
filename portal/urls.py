"""URLs. English has no prefix; French and Spanish live under /fr/ and /es/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from portal import views

app_name = "portal"

portal_patterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("code-of-conduct/", views.code_of_conduct, name="code_of_conduct"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/welcome/", views.welcome, name="welcome"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("dashboard/your-data/", views.personal_data, name="personal_data"),
    path(
        "dashboard/your-data/download/",
        views.personal_data_download,
        name="personal_data_download",
    ),
    path("dashboard/delete-account/", views.account_delete, name="account_delete"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    # The organisation's public reports as Atom, served by submissions (included by name).
    path("organisations/<slug:slug>/feed/", include("submissions.organisation_urls")),
    path(
        "organisations/<slug:slug>/requests/<int:member_id>/",
        views.membership_decide,
        name="membership_decide",
    ),
    path(
        "organisations/<slug:slug>/members/<int:member_id>/administrator/",
        views.organisation_admin_grant,
        name="organisation_admin_grant",
    ),
    # The one moderation queue (posts, flags, reports, officials) is served by dialogues,
    # the top layer; included by name so portal never imports it. Still portal:moderation_home.
    path("moderation/", include("dialogues.moderation_urls")),
    path("moderation/officials/<int:member_id>/", views.official_decide, name="official_decide"),
    path(
        "moderation/join-requests/<int:member_id>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("moderation/domains/", views.verified_domains, name="verified_domains"),
    path(
        "moderation/domains/<int:domain_id>/remove/",
        views.verified_domain_remove,
        name="verified_domain_remove",
    ),
    path("moderation/audit/", views.audit_log, name="audit_log"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
urlpatterns += i18n_patterns(
    path("", include((portal_patterns, "portal"))),
    # allauth's email page, so that a confirmation email asked for too soon gets the 429 page.
    path("accounts/email/", views.email_addresses, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("reports/", include("submissions.urls")),
    path("moderation/reports/", include("submissions.moderation_urls")),
    path("", include("dialogues.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
# Not one of Django's handlers: allauth answers its rate limits with it (allauth.core.ratelimit).
handler429 = "portal.errors.too_many_requests"
