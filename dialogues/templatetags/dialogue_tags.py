"""Template helpers other pages can use without importing the dialogues package:

{% load dialogue_tags %}{% active_threads 5 %}   the home page's "Active dialogues"
"""

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

register = template.Library()


@register.inclusion_tag("dialogues/_active_threads.html", takes_context=True)
def active_threads(context: dict[str, Any], limit: int = 5) -> dict[str, Any]:
    """The open threads with the latest published posts (pending ones never show)."""
    from dialogues.selectors import latest_threads_for

    viewer = context["request"].user if "request" in context else AnonymousUser()
    return {"threads": latest_threads_for(viewer=viewer, limit=limit)}


@register.inclusion_tag("dialogues/_report_threads.html", takes_context=True)
def report_dialogues(context: dict[str, Any], report: Any) -> dict[str, Any]:
    """A report page's "Dialogue" box: the open threads gathering the report, and for
    moderators a link to open one.

        {% load dialogue_tags %}{% report_dialogues report %}
    """
    from dialogues.permissions import can_start_from_report
    from dialogues.selectors import threads_for_report

    viewer = context["request"].user if "request" in context else AnonymousUser()
    return {
        "report": report,
        "threads": threads_for_report(viewer=viewer, report=report),
        "can_open": bool(viewer and can_start_from_report(viewer, report)),
    }


@register.inclusion_tag("dialogues/_week_figures.html", takes_context=True)
def week_figures(context: dict[str, Any]) -> dict[str, Any]:
    """The home page's "This week" figures, as the viewer may count them."""
    from dialogues.selectors import week_figures_for

    return {"figures": week_figures_for(viewer=context["request"].user)}
