"""An organisation's report feed at /organisations/<slug>/feed/, included by portal/urls.py by
name (a string, so portal never imports submissions); reversed as `portal:organisation_feed`."""

from django.urls import path

from submissions import views

urlpatterns = [
    path("", views.organisation_feed, name="organisation_feed"),
]
