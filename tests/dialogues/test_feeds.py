"""The Atom feeds link to the portal's own address (the Site row from SITE_URL), never to
Django's placeholder example.com."""

import re

import pytest
from django.core.management import call_command

from tests.dialogues.conftest import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed_at_its_public_address(settings) -> None:
    settings.SITE_URL = "https://portal.trade.go.ke"
    settings.ALLOWED_HOSTS = ["portal.trade.go.ke"]
    call_command("migrate", verbosity=0, interactive=False)  # as every deployment does


def test_the_latest_posts_feed_links_to_the_portal(
    deployed_at_its_public_address, no_premoderation, open_thread, member, client
):
    post = reply(member, open_thread, "Kahawa")

    response = client.get("/dialogues/feed/", secure=True, HTTP_HOST="portal.trade.go.ke")

    assert response.status_code == 200
    feed = response.content.decode()
    assert "example.com" not in feed
    links = re.findall(r'<link href="([^"]+)"', feed)
    assert "https://portal.trade.go.ke/dialogues/" in links
    assert f"https://portal.trade.go.ke/dialogues/posts/{post.pk}/" in links
    assert f"<id>https://portal.trade.go.ke/dialogues/posts/{post.pk}/</id>" in feed


def test_a_theme_feed_links_to_the_theme_on_the_portal(
    deployed_at_its_public_address, no_premoderation, open_thread, member, client
):
    reply(member, open_thread, "Kahawa")
    path = f"/dialogues/{open_thread.theme.slug}/feed/"

    response = client.get(path, secure=True, HTTP_HOST="portal.trade.go.ke")

    assert f'<link href="https://portal.trade.go.ke/dialogues/{open_thread.theme.slug}/"' in (
        response.content.decode()
    )
