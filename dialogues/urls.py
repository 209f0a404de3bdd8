"""Trade Dialogue, moderation and weekly digest URLs (at the site root, namespace `dialogues`).

`/moderation/` itself is routed by portal/urls.py (as `portal:moderation_home`, through
dialogues/moderation_urls.py); `dialogues:moderation_queue` reverses to the same address.
Fixed paths come before `<theme>/` so no theme slug can shadow them.
"""

from django.urls import path, re_path

from dialogues import digest_views, views

app_name = "dialogues"

urlpatterns = [
    path("dialogues/", views.theme_list, name="theme_list"),
    path("dialogues/search/", views.search, name="search"),
    path("dialogues/feed/", views.feed_latest, name="feed"),
    path("dialogues/settings/", views.notification_settings, name="notification_settings"),
    path("dialogues/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("dialogues/threads/<int:thread_id>/", views.thread_detail, name="thread_detail"),
    path("dialogues/threads/<int:thread_id>/reply/", views.post_create, name="post_create"),
    path("dialogues/threads/<int:thread_id>/follow/", views.thread_follow, name="thread_follow"),
    path("dialogues/posts/<int:post_id>/", views.post_detail, name="post_detail"),
    path("dialogues/posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("dialogues/posts/<int:post_id>/flag/", views.post_flag, name="post_flag"),
    path(
        "dialogues/posts/<int:post_id>/official-response/",
        views.post_official_response,
        name="post_official_response",
    ),
    path("dialogues/<slug:theme>/", views.theme_detail, name="theme_detail"),
    path("dialogues/<slug:theme>/new/", views.thread_create, name="thread_create"),
    path("dialogues/<slug:theme>/follow/", views.theme_follow, name="theme_follow"),
    path("dialogues/<slug:theme>/feed/", views.feed_theme, name="theme_feed"),
    # Moderation
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/posts/bulk/", views.moderation_bulk, name="moderation_bulk"),
    path("moderation/posts/<int:post_id>/", views.post_moderate, name="post_moderate"),
    path("moderation/threads/<int:thread_id>/", views.thread_moderation, name="thread_moderation"),
    path(
        "moderation/threads/<int:thread_id>/<slug:action>/",
        views.thread_moderate,
        name="thread_moderate",
    ),
    path(
        "moderation/threads/from-report/<str:reference>/",
        views.thread_from_report,
        name="thread_from_report",
    ),
    path("moderation/suspensions/", views.suspension_list, name="suspension_list"),
    path(
        "moderation/members/<int:member_id>/suspend/", views.member_suspend, name="member_suspend"
    ),
    path(
        "moderation/members/<int:member_id>/unsuspend/",
        views.suspension_lift,
        name="suspension_lift",
    ),
]

# --- Weekly digests -------------------------------------------------------------------------
WEEK = r"(?P<week>\d{4}-W\d{2})"
urlpatterns += [
    path("digests/", digest_views.digest_list, name="digest_list"),
    path("digests/subscription/", digest_views.digest_subscription, name="digest_subscription"),
    re_path(rf"^digests/{WEEK}/$", digest_views.digest_detail, name="digest_detail"),
    re_path(rf"^digests/{WEEK}/reports/$", digest_views.digest_reports, name="digest_reports"),
    re_path(
        rf"^digests/{WEEK}\.(?P<fmt>pdf|csv|xlsx)$",
        digest_views.digest_download,
        name="digest_download",
    ),
]
