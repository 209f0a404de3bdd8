"""Report triage URLs (mounted at /moderation/reports/, beside the portal's moderation pages)."""

from django.urls import path

from submissions import urls as _converters  # noqa: F401  (registers the reference converter)
from submissions import views

app_name = "submissions_moderation"
urlpatterns = [
    path("", views.triage_queue, name="queue"),
    path("<reference:reference>/", views.triage_report, name="triage"),
]
