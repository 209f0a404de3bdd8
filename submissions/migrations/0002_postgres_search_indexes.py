"""PostgreSQL search indexes: full text over title, summary and description, and trigrams on
titles for duplicate hints. A no-op on other databases (SQLite uses a simpler search).

The indexed expression must stay identical to submissions.search.report_search_vector(): a
test checks that PostgreSQL's planner uses this index for the list page's text search.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

FULL_TEXT_INDEX = "report_search_gin"
TITLE_TRIGRAM_INDEX = "report_title_trgm_gin"


def _indexes():
    search_vector = (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("summary", weight="B", config="simple")
        + SearchVector("description", weight="C", config="simple")
    )
    return [
        GinIndex(search_vector, name=FULL_TEXT_INDEX),
        GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name=TITLE_TRIGRAM_INDEX),
    ]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("submissions", "BarrierReport")
    for index in _indexes():
        schema_editor.add_index(model, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("submissions", "BarrierReport")
    for index in _indexes():
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
