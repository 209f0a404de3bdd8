"""Themes from the e-commerce topics: one theme per reportable topic.

Why one per topic rather than groups: reports carry these topics, so a thread started from a
report lands in the matching theme without anyone choosing, a reader moves between a topic's
reports and its dialogues with one vocabulary, and the list page still groups the themes the
way the Agreement does (its sections, the negotiated extensions, the practical barriers).
Non-reportable topics (the Agreement's framework articles) are not things firms meet, so they
get no theme.
"""

from typing import Any

from django.utils.text import slugify


def theme_slug(topic_name: str, code: str) -> str:
    return slugify(topic_name)[:80].rstrip("-") or code.lower()


def create_themes(apps: Any) -> int:
    """Create the missing themes (idempotent). `apps` is a migration or the live registry."""
    Topic = apps.get_model("portal", "Topic")
    Theme = apps.get_model("dialogues", "Theme")
    existing = set(Theme.objects.values_list("topic_id", flat=True))
    created = 0
    for topic in Topic.objects.filter(reportable=True).order_by("position"):
        if topic.code in existing:
            continue
        Theme.objects.create(
            topic=topic, slug=theme_slug(topic.name_en, topic.code), position=topic.position
        )
        created += 1
    return created
