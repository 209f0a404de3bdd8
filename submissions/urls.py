"""Barrier report URLs (mounted at /reports/)."""

from django.urls import path, register_converter

from submissions import views


class ReferenceConverter:
    """TB-<year>-<5 or more digits>."""

    regex = r"TB-[0-9]{4}-[0-9]{5,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "submissions"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("mine/", views.report_mine, name="mine"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.json", views.export_json, name="export_json"),
    path("feed/", views.report_feed, name="feed"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/new/", views.alert_new, name="alert_new"),
    path("alerts/<int:alert_id>/", views.alert_edit, name="alert_edit"),
    path("alerts/<int:alert_id>/frequency/", views.alert_frequency, name="alert_frequency"),
    path("alerts/<int:alert_id>/delete/", views.alert_delete, name="alert_delete"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="alert_unsubscribe"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/<str:filename>", views.open_data_download, name="open_data_download"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("drafts/<uuid:draft>/similar/", views.draft_similar, name="draft_similar"),
    path(
        "drafts/<uuid:draft>/similar/<reference:reference>/cosign/",
        views.draft_cosign_instead,
        name="draft_cosign_instead",
    ),
    path("drafts/<uuid:draft>/check/", views.draft_check, name="draft_check"),
    path("drafts/<uuid:draft>/submit/", views.draft_submit, name="draft_submit"),
    path("drafts/<uuid:draft>/delete/", views.draft_delete, name="draft_delete"),
    path(
        "drafts/<uuid:draft>/attachments/<int:attachment_id>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("drafts/<uuid:draft>/<slug:step>/", views.draft_step, name="draft_step"),
    path("<reference:reference>/", views.report_detail, name="detail"),
    path("<reference:reference>/follow/", views.report_follow, name="follow"),
    path("<reference:reference>/cosign/", views.report_cosign, name="cosign"),
    path(
        "<reference:reference>/cosign/withdraw/",
        views.report_cosign_withdraw,
        name="cosign_withdraw",
    ),
    path("<reference:reference>/respond/", views.report_respond, name="respond"),
]
