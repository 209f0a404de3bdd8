"""Markdown to safe HTML for posts.

Two layers, so one mistake does not open a hole: Markdown is parsed with raw HTML switched
off (a member who types `<script>` sees the text), then the HTML is cleaned by nh3 with a
short allow-list: no scripts, no event handlers, no styles, no images (tracking pixels), and
only http, https and mailto links (an image becomes a link to it). Links to other sites
carry rel="nofollow noopener" (set while parsing, and the only rel value nh3 lets through).
Headings start at h4: a post sits under its author's h3 and never competes with the page's
own headings.
"""

import html
import re
from urllib.parse import urlsplit

import markdown
import nh3
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

EXTERNAL_REL = "nofollow noopener"
ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre|tr|td|th)>|<br\s*/?>", re.IGNORECASE)


def _site_host() -> str:
    return (urlsplit(settings.SITE_URL).hostname or "").lower()


def is_external(href: str) -> bool:
    parts = urlsplit(href)
    if parts.scheme.lower() not in {"http", "https"} and not href.startswith("//"):
        return False
    return (parts.hostname or "").lower() != _site_host()


class _ExternalLinks(Treeprocessor):
    def run(self, root):
        # Images become links to them: no third-party pixels load with the page.
        for image in list(root.iter("img")):
            source, text = image.get("src", ""), image.get("alt", "") or image.get("src", "")
            image.attrib.clear()
            image.tag, image.text = "a", text
            image.set("href", source)
        for link in root.iter("a"):
            if is_external(link.get("href", "")):
                link.set("rel", EXTERNAL_REL)


class _HeadingsAndSafety(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML is shown as text, never passed through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_ExternalLinks(md), "portal_external_links", 1)


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    tag_attribute_values={"a": {"rel": {EXTERNAL_REL}}},
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)


def render_markdown(text: str) -> str:
    """Markdown in, sanitised HTML out."""
    converter = markdown.Markdown(
        extensions=["sane_lists", "fenced_code", "tables", "toc", _HeadingsAndSafety()],
        extension_configs={"toc": {"baselevel": 4}},
        output_format="html",
    )
    return _cleaner.clean(converter.convert(text or ""))


def plain_text(body_html: str) -> str:
    """Text of a rendered post: tags gone, entities decoded, paragraphs kept apart."""
    spaced = _BLOCK_END.sub(" ", body_html)
    return " ".join(html.unescape(strip_tags(spaced)).split())


def plain_excerpt(body_html: str, words: int = 40) -> str:
    """Text of a rendered post for search results and emails (escaped again by templates)."""
    return Truncator(plain_text(body_html)).words(words, truncate="…")
