"""The `portal_search` text-search configuration: PostgreSQL's 'simple' parsing and
dictionary after `unaccent`, so searches ignore accents in every language (portal/search.py).
A no-op on other databases, where portal.search folds accents in Python.
"""

from django.db import migrations

CREATE_SQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION portal_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION portal_search ALTER MAPPING FOR "
    "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple",
]
DROP_SQL = ["DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_search"]


def create_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE_SQL:
            schema_editor.execute(statement)


def drop_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_outbox_email_recipient_index")]

    operations = [migrations.RunPython(create_configuration, drop_configuration, elidable=False)]
