"""The one moderation queue at /moderation/, included by portal/urls.py by name (a string,
so portal never imports dialogues) and so still reversed as `portal:moderation_home`."""

from django.urls import path

from dialogues import views

urlpatterns = [
    path("", views.moderation_queue, name="moderation_home"),
]
