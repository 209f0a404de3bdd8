"""Themes from the topics, the daily schedule and task names (the demo story: test_demo.py)."""

import pytest
from django.conf import settings
from django.utils import translation

from dialogues import tasks
from dialogues.models import Theme
from portal.models import Topic

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
