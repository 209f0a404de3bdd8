"""The digest as HTML: the view model shared by the web page and the PDF (`digest_context`),
and the page fragment (`render_html`, templates/dialogues/digests/digest_body.html).

Names and labels are put in the reader's language here; the snapshot holds data, not text.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dialogues.digests import charts as svg
from dialogues.digests.render.labels import (
    EDITION_LABELS,
    FIGURE_LABELS,
    SECTION_TITLES,
    STATUS_LABELS,
    _datetime,
    absolute_url,
    change_text,
    label,
    localise,
    localised_path,
)
from dialogues.digests.render.publication import publication
from dialogues.digests.schema import (
    RESOLVED_STATUSES,
    DigestSnapshot,
    GroupSection,
    ReportItem,
    validate_snapshot,
)
from dialogues.digests.weeks import parse_iso_week
from portal.dates import long_date


def _report(item: ReportItem, link: Callable[[str], str], language: str) -> dict[str, Any]:
    market = item["market"]
    return {
        "reference": item["reference"],
        "title": item["title"],
        "summary": item["summary"],
        "market": localise(market["name"], language) if market else "",
        "market_code": market["code"] if market else "",
        "topics": [localise(topic["name"], language) for topic in item["topics"]],
        "topic_codes": [topic["code"] for topic in item["topics"]],
        "organisation": localise(item["organisation"], language),
        "visibility": item["visibility"],
        "status": label(STATUS_LABELS, item["status"]),
        "published_at": _datetime(item["published_at"]),
        "published_on": long_date(item["published_at"], language),
        "url": link(item["url"]),
        "cosignatures": item["cosignatures"],
        # Marked up with lang="..." where it differs from the page, for screen readers.
        "language": item.get("language", "") if item.get("language", "") != language else "",
    }


def digest_context(
    snapshot: DigestSnapshot, *, language: str, absolute_links: bool = False
) -> dict[str, Any]:
    """Everything digest_body.html needs, with names and labels in `language`.

    Call inside `translation.override(language)`; render_html and render_pdf do.
    """
    validate_snapshot(snapshot)

    def link(path: str) -> str:
        return absolute_url(path, language) if absolute_links else localised_path(path, language)

    year, week_number = parse_iso_week(snapshot["week"])
    edition = snapshot["edition"]

    # Each report's view once, shared by its market group and its topic groups.
    reports = {item["reference"]: _report(item, link, language) for item in snapshot["reports"]}

    def groups(section: GroupSection) -> list[dict[str, Any]]:
        return [
            {
                "code": group["code"],
                "name": localise(group["name"], language),
                "reports": [reports[reference] for reference in group["references"]],
            }
            for group in snapshot[section]
        ]

    status_changes = [
        {
            "reference": item["reference"],
            "title": item["title"],
            "market": localise(item["market"]["name"], language) if item["market"] else "",
            "visibility": item["visibility"],
            "from_status": label(STATUS_LABELS, item["from_status"]),
            "to_status": label(STATUS_LABELS, item["to_status"]),
            "resolved": item["to_status"] in RESOLVED_STATUSES,
            "changed_at": _datetime(item["changed_at"]),
            "changed_on": long_date(item["changed_at"], language),
            "url": link(item["url"]),
        }
        for item in snapshot["status_changes"]
    ]
    about = publication(snapshot, language=language)
    numbers = _Numbering()
    new_reports = len(snapshot["reports"])
    trend = [(point["week"], point["count"]) for point in snapshot["trend"]]
    charts: list[tuple[svg.Chart, str, str]] = []
    if new_reports:
        charts += [
            (
                svg.topic_chart(
                    [
                        (localise(row["name"], language), row["count"])
                        for row in snapshot["by_topic"]
                    ],
                    reports=new_reports,
                ),
                _("Topic"),
                about.source_reports,
            ),
            (
                svg.market_chart(
                    [
                        (localise(row["name"], language), row["count"])
                        for row in snapshot["by_market"]
                    ],
                    reports=new_reports,
                ),
                _("Market"),
                about.source_reports,
            ),
        ]
    if any(count for _week, count in trend):
        charts.append((svg.trend_chart(trend), _("Week"), about.source_trend))
    figures_caption = numbers.table(_("Figures for this week compared with the week before"))
    chart_items = [
        {
            "id": chart.html_id,
            "title": chart.title,
            "figure_title": numbers.figure(chart.title),
            "table_caption": numbers.table(_("%(title)s: the numbers") % {"title": chart.title}),
            "description": chart.description,
            # Safe: charts.py escapes every piece of text it puts in the markup.
            "svg": mark_safe(chart.svg),  # noqa: S308
            "rows": chart.rows,
            "label_header": header,
            "source": source,
        }
        for chart, header, source in charts
    ]
    context = {
        "language": language,
        "site_name": settings.SITE_NAME,
        "about": about,
        "new_report_count": new_reports,
        "figures_caption": figures_caption,
        "digest": {
            "week": snapshot["week"],
            "year": year,
            "week_number": week_number,
            "dates": about.dates,
            "identifier": about.identifier,
            "compiled_at": about.compiled,
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
            for figure in snapshot["figures"]
        ],
        "charts": chart_items,
        "reports_by_market": groups("reports_by_market"),
        "reports_by_topic": groups("reports_by_topic"),
        "most_cosigned": [_report(item, link, language) for item in snapshot["most_cosigned"]],
        "resolved": [item for item in status_changes if item["resolved"]],
        "other_status_changes": [item for item in status_changes if not item["resolved"]],
        "active_threads": [
            {
                "title": item["title"],
                "theme": localise(item["theme"]["name"], language) if item["theme"] else "",
                "visibility": item["visibility"],
                "posts": item["posts"],
                "participants": item["participants"],
                "last_post_at": _datetime(item["last_post_at"]),
                "last_post_on": long_date(item["last_post_at"], language),
                "url": link(item["url"]),
            }
            for item in snapshot["active_threads"]
        ],
        "official_responses": [
            {
                "title": item["title"],
                "author": item["author"],
                "organisation": localise(item["organisation"], language),
                "excerpt": item["excerpt"],
                "posted_at": _datetime(item["posted_at"]),
                "posted_on": long_date(item["posted_at"], language),
                "visibility": item["visibility"],
                "report_reference": item.get("report_reference", ""),
                "url": link(item["url"]),
            }
            for item in snapshot["official_responses"]
        ],
    }
    # Sections an empty week leaves out: it says "No reports this week." once, not three times.
    left_out = set()
    if not chart_items:
        left_out.add("charts")
    if not context["reports_by_topic"]:
        left_out.add("reports_by_topic")
    context["contents"] = [
        (f"digest-{key}", label(SECTION_TITLES, key))
        for key in (
            "figures",
            "charts",
            "reports_by_market",
            "reports_by_topic",
            "most_cosigned",
            "status_changes",
            "active_threads",
            "official_responses",
            "about",
        )
        if key not in left_out
    ]
    # Tables that only appear when they have rows are numbered in the order the page shows them.
    context["most_cosigned_caption"] = context["most_cosigned"] and numbers.table(
        _("Published reports with the most co-signatures from other organisations")
    )
    context["status_changes_caption"] = context["other_status_changes"] and numbers.table(
        _("Reports whose status changed this week")
    )
    context["active_threads_caption"] = context["active_threads"] and numbers.table(
        _("Trade Dialogue threads with the most posts this week")
    )
    return context


class _Numbering:
    """Numbers tables and figures in the order the digest shows them: "Table 3. ..."."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self, title: str) -> str:
        self.tables += 1
        return _("Table %(number)d. %(title)s") % {"number": self.tables, "title": title}

    def figure(self, title: str) -> str:
        self.figures += 1
        return _("Figure %(number)d. %(title)s") % {"number": self.figures, "title": title}


def render_html(
    snapshot: DigestSnapshot,
    *,
    language: str,
    downloads: Iterable[dict[str, str]] = (),
    absolute_links: bool = False,
) -> str:
    """The digest's HTML fragment (digest_body.html), as the web page includes it."""
    with translation.override(language):
        context = digest_context(snapshot, language=language, absolute_links=absolute_links)
        context["downloads"] = list(downloads)
        return render_to_string("dialogues/digests/digest_body.html", context)
