"""Themes from the reportable e-commerce topics, and full-text indexes on PostgreSQL.

The GIN indexes are expression indexes on exactly the vectors dialogues/search.py queries
(`to_tsvector('simple', ...)`); Django's GinIndex needs django.contrib.postgres installed, so
they are created here on PostgreSQL only (SQLite searches with a simple LIKE fallback).
"""

from django.db import migrations

from dialogues.themes import create_themes

SEARCH_INDEXES_SQL = [
    "CREATE INDEX IF NOT EXISTS dialogue_post_body_search ON dialogues_post "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(body, '')))",
    "CREATE INDEX IF NOT EXISTS dialogue_thread_title_search ON dialogues_thread "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(title, '')))",
]
DROP_SEARCH_INDEXES_SQL = [
    "DROP INDEX IF EXISTS dialogue_post_body_search",
    "DROP INDEX IF EXISTS dialogue_thread_title_search",
]


def themes(apps, schema_editor):
    create_themes(apps)


def no_themes(apps, schema_editor):
    apps.get_model("dialogues", "Theme").objects.all().delete()


def search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in SEARCH_INDEXES_SQL:
            schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_SEARCH_INDEXES_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0001_initial"),
        ("portal", "0002_reference_data"),
    ]

    operations = [
        migrations.RunPython(themes, no_themes),
        migrations.RunPython(search_indexes, drop_search_indexes),
    ]
