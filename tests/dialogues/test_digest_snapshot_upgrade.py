"""Digests compiled before snapshots stored each report once (schema version 1) are upgraded by
migration 0008 and then render as they did."""

import copy
import datetime as dt
import importlib

from django.apps import apps
from django.utils import timezone

from dialogues.digests.render.html import render_html
from dialogues.digests.schema import SCHEMA_VERSION, validate_snapshot
from dialogues.digests.services import digest_summary_for
from dialogues.models import Digest
from tests.dialogues.test_digest_render import WEEK, make_snapshot

upgrade = importlib.import_module("dialogues.migrations.0008_digest_snapshot_references")


def version_one(snapshot: dict) -> dict:
    """The same week as schema version 1 wrote it: every group holds full report items."""
    return upgrade._to_copies(copy.deepcopy(snapshot))


def test_a_version_one_snapshot_copies_a_report_into_each_of_its_groups():
    old = version_one(make_snapshot())
    assert "reports" not in old
    peru = next(group for group in old["reports_by_market"] if group["code"] == "PE")
    in_topics = [
        item
        for group in old["reports_by_topic"]
        for item in group["reports"]
        if item["reference"] == peru["reports"][0]["reference"]
    ]
    assert len(in_topics) == 2  # the Peruvian report has two topics


def test_upgrading_stores_each_report_once_and_keeps_every_group():
    for kind in ("public", "officials", "personal"):
        current = make_snapshot(kind=kind)
        upgraded = upgrade._to_references(version_one(current))
        assert validate_snapshot(upgraded)["schema_version"] == SCHEMA_VERSION
        assert upgraded["reports_by_market"] == current["reports_by_market"]
        assert upgraded["reports_by_topic"] == current["reports_by_topic"]
        assert sorted(item["reference"] for item in upgraded["reports"]) == sorted(
            item["reference"] for item in current["reports"]
        )


def test_the_migration_upgrades_stored_digests_and_they_render_as_before(db):
    current = make_snapshot()
    start = dt.date.fromisoformat(current["week_start"])
    digest = Digest.objects.create(
        week=WEEK,
        week_start=start,
        edition="public",
        status="ready",
        snapshot=version_one(current),
        compiled_at=timezone.now(),
    )

    upgrade.forwards(apps, None)

    digest.refresh_from_db()
    assert digest.snapshot["schema_version"] == SCHEMA_VERSION
    validate_snapshot(digest.snapshot)
    assert render_html(digest.snapshot, language="en") == render_html(current, language="en")
    summary = digest_summary_for(digest)
    assert summary["new_reports_total"] == len(current["reports"])

    upgrade.backwards(apps, None)
    digest.refresh_from_db()
    assert digest.snapshot["schema_version"] == 1
    assert "reports" not in digest.snapshot
