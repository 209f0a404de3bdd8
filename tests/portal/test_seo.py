"""What search engines and link previews read: descriptions, canonical and language links,
OpenGraph tags, /robots.txt, /sitemap.xml (never anything a visitor may not see)."""

import math
import re
from xml.etree import ElementTree

import pytest
from django.contrib.sites.models import Site
from django.utils import translation

from portal.sitemaps import PortalSitemap
from portal.sites import site_sync
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org"
XML = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    # As `migrate` does after a deployment with a new SITE_URL (portal.sites).
    site_sync(Site)
    translation.activate("en")
    yield
    translation.activate("en")


def _head(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def _meta(html: str, name: str) -> str:
    found = re.findall(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)">', html)
    assert len(found) == 1, (name, found)
    return found[0]


@pytest.mark.parametrize(
    "path",
    ["/", "/reports/", "/dialogues/", "/digests/", "/about/", "/privacy/", "/accessibility/"],
)
@pytest.mark.parametrize(("prefix", "locale"), [("", "en_GB"), ("/fr", "fr_FR"), ("/es", "es_ES")])
def test_every_public_page_has_a_description_canonical_link_language_versions_and_opengraph(
    client, path, prefix, locale
):
    html = client.get(prefix + path).content.decode()

    assert len(_meta(html, "description")) > 40
    canonical = f"{SITE}{prefix}{path}"
    assert _head(html, r'<link rel="canonical" href="([^"]+)">') == [canonical]
    alternates = dict(_head(html, r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">'))
    assert alternates == {
        "en": f"{SITE}{path}",
        "fr": f"{SITE}/fr{path}",
        "es": f"{SITE}/es{path}",
        "x-default": f"{SITE}{path}",
    }
    assert _meta(html, "og:url") == canonical
    assert _meta(html, "og:site_name") == "Trade Dialogues Portal"
    assert _meta(html, "og:locale") == locale
    assert _meta(html, "og:title") in html.split("<title>")[1]
    assert _meta(html, "og:description") == _meta(html, "description")


def test_language_links_follow_translated_addresses_and_keep_the_page_number(client):
    report = BarrierReportFactory(summary="Parcels under 50 dollars are held at customs for weeks.")
    html = client.get(f"/fr/reports/{report.reference}/").content.decode()

    assert _meta(html, "description") == "Parcels under 50 dollars are held at customs for weeks."
    assert f'hreflang="en" href="{SITE}/reports/{report.reference}/"' in html
    listing = client.get("/es/reports/?page=1&market=US&sort=cosigned").content.decode()
    assert f'<link rel="canonical" href="{SITE}/es/reports/?page=1">' in listing


def test_canonical_links_use_the_sites_address_not_the_requests_host(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    html = client.get("/about/", HTTP_HOST="attacker.example").content.decode()

    assert "attacker.example" not in html
    assert f'<link rel="canonical" href="{SITE}/about/">' in html


def test_a_description_from_a_report_is_escaped(client):
    report = BarrierReportFactory(summary='Fees "doubled" <script>alert(1)</script>')
    html = client.get(f"/reports/{report.reference}/").content.decode()

    assert _meta(html, "description") == (
        "Fees &quot;doubled&quot; &lt;script&gt;alert(1)&lt;/script&gt;"
    )


def test_robots_txt_allows_public_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Disallow: /accounts/" in text
    assert "Disallow: /fr/moderation/" in text
    assert "Disallow: /reports/\n" not in text
    assert f"Sitemap: {SITE}/sitemap.xml" in text


def _locations(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own page)
    return [loc.text for loc in root.iter(f"{{{XML['s']}}}loc")]


def test_the_sitemap_index_lists_each_section(client):
    sections = _locations(client, "/sitemap.xml")

    assert f"{SITE}/sitemap-pages.xml" in sections
    assert f"{SITE}/sitemap-reports.xml" in sections
    assert f"{SITE}/sitemap-threads.xml" in sections


@pytest.fixture
def one_sitemap_page(monkeypatch):
    """Every report on page 1, whatever ids earlier tests used (pages are ranges of ids)."""
    monkeypatch.setattr(PortalSitemap, "limit", 10**9)


@pytest.mark.usefixtures("one_sitemap_page")
def test_the_sitemap_lists_published_reports_a_visitor_may_read_and_nothing_else(client):
    Visibility = BarrierReportFactory._meta.model.Visibility
    Status = BarrierReportFactory._meta.model.Status
    public = BarrierReportFactory()
    anonymised = BarrierReportFactory(visibility=Visibility.ANONYMISED)
    resolved = BarrierReportFactory(status=Status.RESOLVED_IN_FULL)
    hidden = [
        BarrierReportFactory(visibility=Visibility.OFFICIALS_ONLY),
        BarrierReportFactory(status=Status.SUBMITTED),
        BarrierReportFactory(status=Status.REJECTED),
        BarrierReportFactory(status=Status.CHANGES_REQUESTED),
        BarrierReportFactory(status=Status.DRAFT),
    ]

    listed = _locations(client, "/sitemap-reports.xml")

    for report in (public, anonymised, resolved):
        assert f"{SITE}/reports/{report.reference}/" in listed
    for report in hidden:
        if report.reference:
            assert not any(report.reference in location for location in listed), report.status
    assert len(listed) == 3


@pytest.mark.usefixtures("one_sitemap_page")
def test_each_sitemap_address_carries_its_french_spanish_and_default_versions(client):
    report = BarrierReportFactory()
    page = client.get("/sitemap-reports.xml", HTTP_ACCEPT_LANGUAGE="fr").content
    root = ElementTree.fromstring(page)  # noqa: S314 (our own page)
    url = root.find("s:url", XML)
    links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", XML)}

    assert url.find("s:loc", XML).text == f"{SITE}/reports/{report.reference}/"
    assert links == {
        "en": f"{SITE}/reports/{report.reference}/",
        "fr": f"{SITE}/fr/reports/{report.reference}/",
        "es": f"{SITE}/es/reports/{report.reference}/",
        "x-default": f"{SITE}/reports/{report.reference}/",
    }


def test_the_report_sitemap_is_split_into_pages_read_in_a_fixed_number_of_queries(
    client, monkeypatch, django_assert_max_num_queries
):
    """A page is a range of report ids (portal.pagination.KeyRangePaginator): however deep,
    it reads one range of the primary key, and it keeps its reports as new ones are filed."""
    monkeypatch.setattr(PortalSitemap, "limit", 2)
    reports = [BarrierReportFactory() for _ in range(5)]
    newest = reports[-1]
    last = math.ceil(newest.pk / 2)

    with django_assert_max_num_queries(4):
        last_page = _locations(client, f"/sitemap-reports.xml?p={last}")
    assert f"{SITE}/reports/{newest.reference}/" in last_page
    assert len(last_page) <= 2
    assert client.get(f"/sitemap-reports.xml?p={last + 1}").status_code == 404

    BarrierReportFactory.create_batch(3)
    for report in reports:  # each still on the page of its id
        page = _locations(client, f"/sitemap-reports.xml?p={math.ceil(report.pk / 2)}")
        assert f"{SITE}/reports/{report.reference}/" in page


def test_the_accessibility_statement_is_linked_from_every_page_footer(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "access@trade-forum.example"
    for path in ("/", "/reports/", "/accounts/login/"):
        assert 'href="/accessibility/"' in client.get(path).content.decode(), path
    french = client.get("/fr/dialogues/").content.decode()
    assert 'href="/fr/accessibility/"' in french

    statement = client.get("/accessibility/").content.decode()
    assert "Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA" in statement
    assert 'href="mailto:access@trade-forum.example"' in statement
    assert "What is known not to meet the standard" in statement


@pytest.mark.parametrize("active", ["en", "fr", "es"])
@pytest.mark.parametrize("address", ["/reports/", "/fr/reports/?page=2", "/es/dialogues/"])
def test_addresses_in_each_language_are_remembered_as_django_translates_them(active, address):
    from django.urls import translate_url
    from django.utils import translation

    from portal.seo import address_in_language

    with translation.override(active):
        for code in ("en", "fr", "es"):
            assert address_in_language(address, code) == translate_url(address, code)
            assert address_in_language(address, code) == translate_url(address, code)
