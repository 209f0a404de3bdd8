"""Digest snapshots of schema version 1 listed a report in full in its market group and in each
of its topic groups. Version 2 stores each report once, in `reports`, and the groups name their
reports by reference (dialogues/digests/schema.py). Snapshots are upgraded one row at a time."""

from django.db import migrations


def _to_references(snapshot):
    reports = {}
    for section in ("reports_by_market", "reports_by_topic"):
        for group in snapshot[section]:
            items = group.pop("reports")
            for item in items:
                reports.setdefault(item["reference"], item)
            group["references"] = [item["reference"] for item in items]
    ordered = sorted(reports.values(), key=lambda item: (item["published_at"], item["reference"]))
    snapshot["reports"] = ordered
    snapshot["schema_version"] = 2
    return snapshot


def _to_copies(snapshot):
    reports = {item["reference"]: item for item in snapshot.pop("reports")}
    for section in ("reports_by_market", "reports_by_topic"):
        for group in snapshot[section]:
            group["reports"] = [reports[reference] for reference in group.pop("references")]
    snapshot["schema_version"] = 1
    return snapshot


def _convert(apps, version, convert):
    Digest = apps.get_model("dialogues", "Digest")
    pks = Digest.objects.filter(snapshot__schema_version=version).values_list("pk", flat=True)
    for pk in list(pks):
        snapshot = Digest.objects.values_list("snapshot", flat=True).get(pk=pk)
        Digest.objects.filter(pk=pk).update(snapshot=convert(snapshot))


def forwards(apps, schema_editor):
    _convert(apps, 1, _to_references)


def backwards(apps, schema_editor):
    _convert(apps, 2, _to_copies)


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0007_search_vectors"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
