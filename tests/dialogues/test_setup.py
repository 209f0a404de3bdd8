"""Themes from the topics, the daily schedule, task names and the demo story."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from dialogues import tasks
from dialogues.models import Flag, Post, Theme, Thread
from portal.models import AuditEvent, Topic

pytestmark = pytest.mark.django_db


def test_there_is_one_theme_per_reportable_topic():
    reportable = set(Topic.objects.filter(reportable=True).values_list("code", flat=True))
    assert set(Theme.objects.values_list("topic_id", flat=True)) == reportable
    slugs = list(Theme.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    assert "electronic-payments" in slugs


def test_theme_names_follow_the_readers_language():
    theme = Theme.objects.select_related("topic").get(topic_id="ECOM-10")
    with translation.override("es"):
        assert theme.name == "Pagos electrónicos"
    with translation.override("fr"):
        assert theme.name == "Paiements électroniques"


def test_creating_themes_again_changes_nothing():
    from django.apps import apps

    from dialogues.themes import create_themes

    before = Theme.objects.count()
    assert create_themes(apps) == 0
    assert Theme.objects.count() == before


def test_the_daily_notification_run_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["dialogues-daily-notifications"]
    assert entry["task"] == tasks.notifications_send_daily.name
    assert tasks.notifications_send_to.name == "dialogues.tasks.notifications_send_to"


def test_the_demo_tells_a_dialogue_story(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        call_command("seed_demo", stdout=io.StringIO())
    assert Thread.objects.filter(status=Thread.Status.OPEN).count() >= 5
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() >= 36
    assert Post.objects.filter(status=Post.Status.PENDING).exists()
    assert Post.objects.filter(status=Post.Status.HELD).exists()
    assert Post.objects.filter(status=Post.Status.HIDDEN).exists()
    assert Flag.objects.filter(outcome=Flag.Outcome.OPEN).count() >= 5
    assert Post.objects.filter(is_official_response=True).count() >= 3
    assert Thread.objects.filter(is_pinned=True).exists()
    assert Thread.objects.filter(is_locked=True).exists()
    assert Thread.objects.filter(reports__isnull=False).exists(), "linked to published reports"
    languages = set(Post.objects.values_list("author__language", flat=True))
    assert languages == {"en", "fr", "es"}, "firms and officials write in three languages"
    long_thread = Thread.objects.order_by("-last_number").first()
    assert long_thread.last_number > 20, "a thread long enough to have pages"
    assert AuditEvent.objects.filter(action="post.approve").exists()
