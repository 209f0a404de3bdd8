"""Template helpers for accessible form fields and language links."""

from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from portal import pagecache, seo

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


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # Set where the template's top-level variables live, so what follows the tag sees it.
        context.dicts[0][self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))  # noqa: S308
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """{% capture as name %}...{% endcapture %}: render once, use the text several times (a
    page's title in <title> and in its OpenGraph tags). Blocks inside still take part in
    template inheritance. The text is already escaped by the template that rendered it."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% capture as name %}...{% endcapture %}.")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.filter
def reference_html(reference: str) -> SafeString:
    """A report reference that never wraps at its hyphens (CSS .reference), for use inside
    {% blocktranslate %}; elsewhere templates write <span class="reference"> themselves."""
    return format_html('<span class="reference">{}</span>', reference)


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
                "url": seo.address_in_language(here, code),
                "current": code == current,
            }
        )
    return links


@register.simple_tag
def public_pages_generation() -> int:
    """For `{% cache %}` keys: a fragment cached under it is retired with the stored pages."""
    return pagecache.generation()
