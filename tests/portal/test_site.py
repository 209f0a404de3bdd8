"""The site shell: pages in three languages, error pages, health, security headers."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Remove the barriers that keep small firms out of cross-border e-commerce"),
        ("/about/", "About the Trade Dialogues Portal"),
        ("/code-of-conduct/", "Code of conduct"),
        ("/privacy/", "Privacy notice"),
    ],
)
def test_public_pages_show_to_visitors(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    assert heading in response.content.decode()


@pytest.mark.parametrize(
    ("prefix", "language", "heading"),
    [
        ("/fr/", "fr", "Éliminer les obstacles"),
        ("/es/", "es", "Eliminar los obstáculos"),
    ],
)
def test_home_page_is_translated(client, prefix, language, heading):
    response = client.get(prefix)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html


def test_language_switcher_sends_reader_to_same_page_in_chosen_language(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/about/"


def test_language_links_lead_to_the_same_page_and_query_in_each_language(client):
    html = client.get("/es/privacy/?x=1").content.decode()
    assert '<a href="/fr/privacy/?x=1" hreflang="fr" lang="fr">Français</a>' in html
    assert '<a href="/privacy/?x=1" hreflang="en" lang="en">English</a>' in html
    assert 'hreflang="es" lang="es" aria-current="true">Español</a>' in html
    assert "csrfmiddlewaretoken" not in html, "a visitor's page carries no form token"


def test_unknown_page_answers_404_in_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_healthz_reports_every_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {body[part]["status"] for part in ("database", "broker", "cache")} == {"ok"}


def test_healthz_answers_503_when_the_cache_is_down(client, settings):
    # The site's own cache backend, which pages see as an empty cache while Redis is down.
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == {"status": "error", "error": "ConnectionError"}
    assert response.json()["database"] == {"status": "ok"}


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"].split()[0] == "'self'"
    assert all(
        source == "'self'" or source.startswith("'nonce-")
        for source in directives["script-src"].split()
    ), "scripts run only from our origin or with the page's nonce"
    assert "unsafe-inline" not in directives["style-src"]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("next_path", "language", "expected"),
    [
        ("/fr/about/", "es", "/es/about/"),
        ("/fr/about/", "en", "/about/"),
        ("/es/privacy/?x=1", "fr", "/fr/privacy/?x=1"),
        ("/es/", "en", "/"),
    ],
)
def test_language_switcher_works_from_a_page_in_another_language(
    client, next_path, language, expected
):
    response = client.post(reverse("set_language"), {"language": language, "next": next_path})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert response.cookies["django_language"].value == language


def test_forbidden_page_answers_403_in_site_layout(client):
    from tests.factories import MemberFactory

    client.force_login(MemberFactory())
    response = client.get("/moderation/audit/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot see this page" in html
    assert 'class="site-header"' in html


def test_server_error_page_renders_without_the_request_context(rf):
    from portal.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
