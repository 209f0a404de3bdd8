"""report_newest carries each report's visibility, so the visitors' list can page deep into it
without reading the table (an index-only scan on PostgreSQL)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_search_configuration"),
        ("submissions", "0009_organisation_newest_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="barrierreport",
            name="report_newest",
        ),
        migrations.AddIndex(
            model_name="barrierreport",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        ["published", "resolved_in_part", "resolved_in_full", "archived"],
                    )
                ),
                fields=["-published_at", "-id"],
                include=("visibility",),
                name="report_newest",
            ),
        ),
    ]
