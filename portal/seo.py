"""What search engines and link previews read: canonical address, language alternates,
OpenGraph tags, /robots.txt.

The language is in the address (/fr/, /es/; English has none, ARCHITECTURE.md), so every
language version of a page has its own stable URL and `hreflang` alternates simply point at
them; no cookie or `?lang=` switch is needed. x-default is the English (unprefixed) page.
Addresses are built on SITE_URL, never on the request's Host header, so a forged Host cannot
put another domain into a page's canonical link.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.http import urlencode

# OpenGraph wants a territory; these are the conventional ones for each language.
OPENGRAPH_LOCALES = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}
# Query parameters that select another page of the same content; filters and sorts do not.
CANONICAL_PARAMETERS = ("page",)


@dataclass(frozen=True)
class Alternate:
    language: str
    url: str


@dataclass(frozen=True)
class PageAddresses:
    canonical: str
    alternates: list[Alternate]
    x_default: str
    opengraph_locale: str
    opengraph_alternate_locales: list[str]


def address_in_language(address: str, language: str) -> str:
    """`translate_url(address, language)`, remembered: every page header asks for it once per
    language, and the answer depends only on the address, the URL patterns and the language
    active while it is resolved."""
    return _address_in_language(address, language, translation.get_language())


@lru_cache(maxsize=4096)
def _address_in_language(address: str, language: str, active: str | None) -> str:
    return translate_url(address, language)


def _query(request: HttpRequest) -> str:
    kept = [(name, request.GET[name]) for name in CANONICAL_PARAMETERS if request.GET.get(name)]
    return "?" + urlencode(kept) if kept else ""


def page_addresses(request: HttpRequest, language: str) -> PageAddresses:
    """The page's canonical address and its versions in every language."""
    query = _query(request)
    alternates = [
        Alternate(code, settings.SITE_URL + address_in_language(request.path, code) + query)
        for code, _name in settings.LANGUAGES
    ]
    by_language = {alternate.language: alternate.url for alternate in alternates}
    canonical = by_language.get(language, settings.SITE_URL + request.path + query)
    return PageAddresses(
        canonical=canonical,
        alternates=alternates,
        x_default=by_language[settings.LANGUAGE_CODE],
        opengraph_locale=OPENGRAPH_LOCALES.get(language, language),
        opengraph_alternate_locales=[
            OPENGRAPH_LOCALES.get(code, code) for code in by_language if code != language
        ],
    )


def robots_txt() -> str:
    """Crawlers may read the public pages; account, moderation, filing and download
    addresses are of no use to them (and answer a login page anyway)."""
    private = [
        "/accounts/",
        "/dashboard/",
        "/moderation/",
        "/admin/",
        "/reports/new/",
        "/reports/mine/",
        "/reports/drafts/",
        "/dialogues/settings/",
        "/dialogues/unsubscribe/",
    ]
    lines = ["User-agent: *"]
    for path in private:
        lines.append(f"Disallow: {path}")
        for code, _name in settings.LANGUAGES:
            if code != settings.LANGUAGE_CODE:
                lines.append(f"Disallow: /{code}{path}")
    lines += ["", f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return "\n".join(lines)
