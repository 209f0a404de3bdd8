"""The sites framework's row follows SITE_URL and SITE_NAME, so nothing says example.com."""

import importlib

import pytest
from django.apps import apps
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_test_database_starts_with_the_site_from_settings():
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("127.0.0.1:8000", "Trade Dialogues Portal")


def test_migrate_brings_the_site_row_in_line_with_a_new_site_url(settings):
    settings.SITE_URL = "https://portal.trade.go.ke"
    settings.SITE_NAME = "Kenya Trade Dialogues"

    call_command("migrate", verbosity=0, interactive=False)

    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("portal.trade.go.ke", "Kenya Trade Dialogues")
    assert Site.objects.count() == 1


def test_the_data_migration_replaces_djangos_example_com(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    Site.objects.clear_cache()
    settings.SITE_URL = "http://localhost:8080"
    migration = importlib.import_module("portal.migrations.0005_site_from_settings")

    with connection.schema_editor() as editor:
        migration.site_from_settings(apps, editor)

    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("localhost:8080", "Trade Dialogues Portal")


def test_a_missing_site_row_is_created(settings):
    Site.objects.all().delete()
    settings.SITE_URL = "https://portal.trade.go.ke/"

    call_command("migrate", verbosity=0, interactive=False)

    assert Site.objects.get(pk=settings.SITE_ID).domain == "portal.trade.go.ke"
    # The sequence was moved past the explicit primary key: a second site can be added.
    assert Site.objects.create(domain="other.example", name="Other").pk != settings.SITE_ID
