"""Posts are Markdown rendered to HTML and sanitised: nothing a member types can run."""

from html.parser import HTMLParser

import pytest

from dialogues.rendering import plain_excerpt, render_markdown

SAFE_TAGS = {"p", "a", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "br"}


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element the browser would build from `html`, with its attributes."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="https://example.org" onclick="steal()">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        '[x](https://e.example "t\\" onmouseover=\\"alert(1)")',
        "![x](javascript:alert(1))",
    ],
)
def test_nothing_a_member_types_can_run_in_the_page(text):
    elements = _elements(render_markdown(text))
    assert {tag for tag, _attrs in elements} <= SAFE_TAGS
    for _tag, attrs in elements:
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} survived"
            assert name in {"href", "rel", "title"}
            if name == "href":
                assert value.split(":", 1)[0].lower() in {"http", "https", "mailto"} or (
                    ":" not in value
                )


def test_raw_html_is_shown_as_text_not_markup():
    assert render_markdown("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>"


def test_external_links_get_nofollow_noopener():
    html = render_markdown("[guide](https://www.wto.org/guide)")
    assert html == '<p><a href="https://www.wto.org/guide" rel="nofollow noopener">guide</a></p>'


def test_links_within_the_portal_are_left_alone(settings):
    settings.SITE_URL = "https://portal.example.org"
    html = render_markdown("[a](/reports/) and [b](https://portal.example.org/dialogues/)")
    assert 'rel="' not in html
    assert 'href="/reports/"' in html


def test_markdown_formatting_is_kept():
    html = render_markdown("**bold** *em* `code`\n\n- one\n- two\n\n> quoted\n\n1. first")
    for tag in (
        "<strong>bold</strong>",
        "<em>em</em>",
        "<code>code</code>",
        "<ul>",
        "<li>one</li>",
        "<blockquote>",
        "<ol>",
    ):
        assert tag in html


def test_headings_start_below_the_page_headings():
    html = render_markdown("# Big\n\n## Smaller")
    assert "<h1" not in html
    assert "<h2" not in html
    assert "<h3" not in html
    assert "<h4>Big</h4>" in html
    assert "<h5>Smaller</h5>" in html
    assert " id=" not in html, "heading ids would clash between posts"


def test_images_become_links_so_no_third_party_pixel_loads():
    html = render_markdown("![a chart](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/pixel.png" rel="nofollow noopener">a chart</a>' in html


def test_plain_excerpt_strips_markup_and_shortens():
    excerpt = plain_excerpt("<p>Tom &amp; Jerry <strong>sell</strong> coffee</p>" * 30, words=6)
    assert excerpt == "Tom & Jerry sell coffee Tom…"


def test_plain_text_decodes_entities_and_keeps_paragraphs_apart():
    from dialogues.rendering import plain_text

    html = render_markdown("Fees & duties < 5%\n\nNext paragraph")
    assert plain_text(html) == "Fees & duties < 5% Next paragraph"
