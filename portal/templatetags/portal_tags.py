"""Template helpers for accessible form fields and language links."""

from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField
from django.urls import translate_url
from django.utils import translation
from django.utils.safestring import SafeString

from portal import pagecache

register = template.Library()


@register.simple_tag
def field_widget(field: BoundField) -> SafeString:
    """Render a widget tied to its hint and errors for screen readers."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    described_by += [f"{field.auto_id}_error_{index}" for index, _ in enumerate(field.errors, 1)]
    attrs: dict[str, Any] = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field: BoundField) -> bool:
    """Radio buttons and checkbox lists are grouped in a fieldset with a legend."""
    return field.widget_type in {"radioselect", "checkboxselectmultiple"}


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[dict[str, Any]]:
    """This page in each language, as plain links: no form, so no CSRF token, and a visitor's
    page stays the same for every visitor and can be cached (portal/pagecache.py)."""
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": translate_url(here, code),
                "current": code == current,
            }
        )
    return links


@register.simple_tag
def public_pages_generation() -> int:
    """For `{% cache %}` keys: a fragment cached under it is retired with the stored pages."""
    return pagecache.generation()
