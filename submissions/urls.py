"""Barrier report URLs (mounted at /reports/)."""

app_name = "submissions"
urlpatterns: list = []
