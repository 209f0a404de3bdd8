"""The digest page's summary: the small, bounded part of a snapshot that the web page shows.

A busy week's snapshot lists thousands of reports (by market and by topic) for the files
(PDF, CSV, XLSX). The web page summarises and ranks instead, so it is stored beside the
snapshot (`Digest.summary`) when the edition is compiled, and a page view reads and renders
that, a few kilobytes, never the snapshot. Its size does not grow with the week:

    {
      "summary_version": 1,
      "week", "week_start", "week_end", "edition", "compiled_at",   # as in the snapshot
      "figures": [...], "trend": [...],                             # as in the snapshot
      "by_topic": [CountItem, ...],                                 # every topic (a few dozen)
      "by_market": [CountItem, ...],                                # the TOP_MARKETS largest
      "markets_total": 57,                                          # markets with new reports
      "new_reports_total": 7500,                                    # each report once
      "latest_reports": [ReportItem, ...],                          # the LATEST_REPORTS newest
      "most_cosigned": [ReportItem, ...],
      "resolved": [StatusChangeItem, ...], "resolved_total": 31,    # LISTED_CHANGES at most
      "other_status_changes": [...], "other_status_changes_total": 12,
      "active_threads": [...], "official_responses": [...],        # bounded when gathered
    }

Items keep the snapshot's shapes (schema.py), so the same confidentiality holds: the summary
holds nothing its snapshot does not.
"""

from typing import Any

from dialogues.digests.schema import RESOLVED_STATUSES, DigestSnapshot

SUMMARY_VERSION = 1
TOP_MARKETS = 15
LATEST_REPORTS = 20
LISTED_CHANGES = 20

_COPIED = (
    "week",
    "week_start",
    "week_end",
    "edition",
    "compiled_at",
    "figures",
    "trend",
    "by_topic",
    "most_cosigned",
    "active_threads",
    "official_responses",
)


def digest_summary_build(snapshot: DigestSnapshot) -> dict[str, Any]:
    """The page's summary of a (validated) snapshot."""
    newest_first = sorted(
        snapshot["reports"], key=lambda report: (report["published_at"], report["reference"])
    )[::-1]
    resolved = [c for c in snapshot["status_changes"] if c["to_status"] in RESOLVED_STATUSES]
    others = [c for c in snapshot["status_changes"] if c["to_status"] not in RESOLVED_STATUSES]
    return {
        "summary_version": SUMMARY_VERSION,
        **{key: value for key, value in snapshot.items() if key in _COPIED},
        "by_market": snapshot["by_market"][:TOP_MARKETS],
        "markets_total": len(snapshot["by_market"]),
        "new_reports_total": len(snapshot["reports"]),
        "latest_reports": newest_first[:LATEST_REPORTS],
        "resolved": resolved[:LISTED_CHANGES],
        "resolved_total": len(resolved),
        "other_status_changes": others[:LISTED_CHANGES],
        "other_status_changes_total": len(others),
    }
