"""Template helpers that show a report the way the current viewer may see it."""

from typing import Any

from django import template
from django.utils.html import format_html

from submissions.permissions import organisation_is_named
from submissions.selectors import report_display_organisation

register = template.Library()


@register.simple_tag(takes_context=True)
def report_organisation(context: dict[str, Any], report: Any, link: bool = True) -> str:
    """The reporting organisation's name (linked), or its anonymised description."""
    viewer = context["request"].user
    label = report_display_organisation(report, viewer)
    if link and organisation_is_named(viewer, report):
        return format_html('<a href="{}">{}</a>', report.organisation.get_absolute_url(), label)
    return format_html("{}", label)


@register.inclusion_tag("submissions/_status.html")
def report_status(report: Any) -> dict[str, Any]:
    return {"status": report.status, "label": report.get_status_display()}


@register.inclusion_tag("submissions/_latest_reports.html", takes_context=True)
def latest_reports(context: dict[str, Any], limit: int = 5) -> dict[str, Any]:
    """The home page's "Latest published reports".

    In a template: {% load submissions_tags %}{% latest_reports 5 %}
    """
    from submissions.selectors import report_latest_for

    request = context["request"]
    return {
        "latest_reports": report_latest_for(request.user, limit),
        "request": request,
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE", "en"),
    }
