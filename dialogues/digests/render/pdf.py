"""The digest as an A4 PDF (WeasyPrint): a cover, then the web page's template with page numbers
and a table of contents with page references, through static/css/digest-print.css, which only
WeasyPrint reads (the web page keeps to the site's CSP: no inline styles, no scripts).

The PDF is tagged PDF/UA-1: a structure tree built from the HTML, so screen readers read it in
order with headings, tables and lists; the document language (from <html lang>), the title
(from <title>, shown by readers instead of the file name) and bookmarks (h1 and h2).

Rendering a PDF takes seconds at scale: only workers call this (tasks.digest_file_render).
"""

from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from dialogues.digests.render.html import digest_context
from dialogues.digests.schema import DigestSnapshot

# WeasyPrint's PDF/UA-1 variant: PDF 1.7, tagged, with the XMP metadata PDF/UA asks for.
PDF_VARIANT = "pdf/ua-1"


def _static_text(relative_path: str) -> str:
    found = finders.find(relative_path)
    path = Path(found) if found else Path(settings.BASE_DIR) / "static" / relative_path
    return path.read_text(encoding="utf-8")


def render_pdf(snapshot: DigestSnapshot, target: IO[bytes], *, language: str) -> None:
    """Write the digest as an A4 PDF (page numbers, table of contents) to `target`."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    with translation.override(language):
        context = digest_context(snapshot, language=language, absolute_links=True)
        context["for_pdf"] = True
        html = render_to_string("dialogues/digests/digest_pdf.html", context)
    # Nothing in a digest needs fetching: charts are inline SVG, CSS is read from disk. Refusing
    # every other scheme keeps WeasyPrint from ever reaching the network or the file system.
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheets = [CSS(string=_static_text("css/digest-print.css"), url_fetcher=fetcher)]
    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=fetcher)
    document.write_pdf(target, stylesheets=stylesheets, pdf_variant=PDF_VARIANT)
