"""Accent-free dialogue search served from stored vectors (PostgreSQL only).

Posts get a generated `search_vector` column in the `portal_search` configuration (portal
0006) with a GIN index, replacing the expression index of 0002, so a phrase search rechecks the
stored vector instead of parsing each candidate post again; Django's model does not declare it
(portal/search.py). Thread titles keep an expression index, in the new configuration: keep it
identical to dialogues.selectors.search_threads_for.
"""

from django.db import migrations

SEARCH_VECTORS_SQL = """
ALTER TABLE dialogues_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('portal_search'::regconfig, COALESCE(body, ''))
) STORED;
CREATE INDEX dialogue_post_search_vector ON dialogues_post USING gin (search_vector);
DROP INDEX IF EXISTS dialogue_post_body_search;
DROP INDEX IF EXISTS dialogue_thread_title_search;
CREATE INDEX dialogue_thread_title_search ON dialogues_thread
    USING gin (to_tsvector('portal_search'::regconfig, COALESCE(title, '')));
"""
DROP_SEARCH_VECTORS_SQL = """
ALTER TABLE dialogues_post DROP COLUMN IF EXISTS search_vector;
CREATE INDEX IF NOT EXISTS dialogue_post_body_search ON dialogues_post
    USING gin (to_tsvector('simple'::regconfig, COALESCE(body, '')));
DROP INDEX IF EXISTS dialogue_thread_title_search;
CREATE INDEX dialogue_thread_title_search ON dialogues_thread
    USING gin (to_tsvector('simple'::regconfig, COALESCE(title, '')));
"""


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_VECTORS_SQL)


def drop_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_VECTORS_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_search_configuration"),
        ("dialogues", "0006_digest_summary"),
    ]

    operations = [
        migrations.RunPython(add_search_vectors, drop_search_vectors, elidable=False),
    ]
