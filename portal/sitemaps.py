"""/sitemap.xml: an index of sections, each split into pages of SITEMAP_PAGE_SIZE addresses.

Sections are named in settings (SITEMAPS: label -> class path), lowest layer first, so portal
serves the whole sitemap without importing the packages above it. Every section lists only
what a visitor may read, read through the same selectors as the pages (never a draft, an
unpublished or an officials-only report). Each address is the English page, with its French
and Spanish versions and x-default as `hreflang` alternates. Large sections (reports, threads)
page through a queryset ordered by an indexed column, so one request reads one page of rows.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string

from portal.sites import site_domain

# Well under the protocol's 50,000: a page of 1,000 addresses, each with its three language
# versions, renders in about a tenth of a second (5,000 took 0.6 s at 500,000 reports).
SITEMAP_PAGE_SIZE = 1000


class PortalSitemap(Sitemap):
    """Addresses on SITE_URL, with every language version of each as an alternate."""

    limit = SITEMAP_PAGE_SIZE

    @property
    def protocol(self) -> str:  # type: ignore[override]
        # Read by Django's index view; the index's domain is the Site row, kept in line with
        # SITE_URL by portal.sites.
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_protocol(self, protocol: str | None = None) -> str:
        return self.protocol

    def get_domain(self, site: Any = None) -> str:
        return site_domain()

    def get_urls(self, page: int | str = 1, site: Any = None, protocol: str | None = None) -> Any:
        base = f"{self.get_protocol()}://{self.get_domain()}"
        # The sitemap lives outside the language prefixes: the main address is the English one.
        with translation.override(settings.LANGUAGE_CODE):
            urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            alternates = []
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    alternates.append(
                        {"lang_code": code, "location": base + self.location(url["item"])}
                    )
            alternates.append({"lang_code": "x-default", "location": url["location"]})
            url["alternates"] = alternates
        return urls


class PageSitemap(PortalSitemap):
    """Public pages by URL name; packages list theirs (lists, archives) in a subclass."""

    changefreq = "weekly"
    names: tuple[str, ...] = (
        "portal:home",
        "portal:about",
        "portal:code_of_conduct",
        "portal:privacy",
        "portal:accessibility",
    )

    def items(self) -> list[str]:
        return list(self.names)

    def location(self, item: Any) -> str:
        return reverse(item)


def sitemaps() -> dict[str, Sitemap | type[Sitemap]]:
    """The sections named in settings.SITEMAPS."""
    return {label: import_string(path)() for label, path in settings.SITEMAPS.items()}
