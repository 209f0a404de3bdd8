"""The digest web page's view model, from the edition's summary (summary.py), in the reader's
language. The page summarises and ranks; the full lists are in the files (CSV, XLSX, PDF) and
on the paginated list of the week's reports, which the page links to."""

from typing import Any

from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dialogues.digests import charts as svg
from dialogues.digests.render.labels import (
    EDITION_LABELS,
    FIGURE_LABELS,
    STATUS_LABELS,
    _date,
    _datetime,
    change_text,
    label,
    localise,
    localised_path,
)
from dialogues.digests.weeks import parse_iso_week


def _report(item: dict[str, Any], language: str) -> dict[str, Any]:
    market = item["market"]
    return {
        "reference": item["reference"],
        "title": item["title"],
        "summary": item["summary"],
        "market": localise(market["name"], language) if market else "",
        "topics": [localise(topic["name"], language) for topic in item["topics"]],
        "organisation": localise(item["organisation"], language),
        "visibility": item["visibility"],
        "status": label(STATUS_LABELS, item["status"]),
        "published_at": _datetime(item["published_at"]),
        "url": localised_path(item["url"], language),
        "cosignatures": item["cosignatures"],
        # Marked up with lang="..." where it differs from the page, for screen readers.
        "language": item.get("language", "") if item.get("language", "") != language else "",
    }


def _change(item: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "reference": item["reference"],
        "title": item["title"],
        "market": localise(item["market"]["name"], language) if item["market"] else "",
        "visibility": item["visibility"],
        "from_status": label(STATUS_LABELS, item["from_status"]),
        "to_status": label(STATUS_LABELS, item["to_status"]),
        "changed_at": _datetime(item["changed_at"]),
        "url": localised_path(item["url"], language),
    }


def _counts(rows: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    return [
        {"code": row["code"], "name": localise(row["name"], language), "count": row["count"]}
        for row in rows
    ]


def digest_page_context(summary: dict[str, Any], *, language: str) -> dict[str, Any]:
    """Everything digest_page.html needs. Call with `language` active."""
    year, week_number = parse_iso_week(summary["week"])
    edition = summary["edition"]
    by_topic = _counts(summary["by_topic"], language)
    # An empty week's topic chart would only repeat "no reports this week": the trend says it.
    charts = [
        *(
            [
                svg.topic_chart(
                    [(row["name"], row["count"]) for row in by_topic],
                    reports=summary["new_reports_total"],  # each report once, not per topic
                )
            ]
            if by_topic
            else []
        ),
        svg.trend_chart([(point["week"], point["count"]) for point in summary["trend"]]),
    ]
    headers = [_("Topic")] * (len(charts) - 1) + [_("Week")]
    return {
        "language": language,
        "site_name": settings.SITE_NAME,
        "digest": {
            "week": summary["week"],
            "year": year,
            "week_number": week_number,
            "start": _date(summary["week_start"]),
            "end": _date(summary["week_end"]),
            "compiled_at": _datetime(summary["compiled_at"]),
            "edition_kind": edition["kind"],
            "edition_label": label(EDITION_LABELS, edition["kind"]),
            "edition_markets": [localise(item["name"], language) for item in edition["markets"]],
            "edition_topics": [localise(item["name"], language) for item in edition["topics"]],
            "includes_officials_only": edition["kind"] != "public",
        },
        "figures": [
            {
                "key": figure["key"],
                "label": label(FIGURE_LABELS, figure["key"]),
                "value": figure["value"],
                "previous": figure["previous"],
                "change": change_text(figure["value"], figure["previous"]),
            }
            for figure in summary["figures"]
        ],
        "charts": [
            {
                "id": chart.html_id,
                "title": chart.title,
                "figure_title": _("Figure %(number)d. %(title)s")
                % {"number": number, "title": chart.title},
                "description": chart.description,
                # Safe: charts.py escapes every piece of text it puts in the markup.
                "svg": mark_safe(chart.svg),  # noqa: S308
                "rows": chart.rows,
                "label_header": header,
            }
            for number, (chart, header) in enumerate(zip(charts, headers, strict=True), start=1)
        ],
        "new_reports_total": summary["new_reports_total"],
        "top_markets": _counts(summary["by_market"], language),
        "markets_total": summary["markets_total"],
        "by_topic": by_topic,
        "latest_reports": [_report(item, language) for item in summary["latest_reports"]],
        "most_cosigned": [_report(item, language) for item in summary["most_cosigned"]],
        "resolved": [_change(item, language) for item in summary["resolved"]],
        "resolved_total": summary["resolved_total"],
        "other_status_changes": [
            _change(item, language) for item in summary["other_status_changes"]
        ],
        "other_status_changes_total": summary["other_status_changes_total"],
        "active_threads": [
            {
                "title": item["title"],
                "theme": localise(item["theme"]["name"], language) if item["theme"] else "",
                "visibility": item["visibility"],
                "posts": item["posts"],
                "participants": item["participants"],
                "url": localised_path(item["url"], language),
            }
            for item in summary["active_threads"]
        ],
        "official_responses": [
            {
                "title": item["title"],
                "author": item["author"],
                "organisation": localise(item["organisation"], language),
                "excerpt": item["excerpt"],
                "posted_at": _datetime(item["posted_at"]),
                "visibility": item["visibility"],
                "report_reference": item.get("report_reference", ""),
                "url": localised_path(item["url"], language),
            }
            for item in summary["official_responses"]
        ],
    }
