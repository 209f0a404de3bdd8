"""Tables that may be wider than a phone scroll inside a box that a keyboard can reach and a
screen reader names by the table's caption (axe: scrollable-region-focusable)."""

import re

import pytest

from portal.services import audit_record
from tests.factories import MemberFactory, ModeratorFactory

pytestmark = pytest.mark.django_db


def _regions(html: str) -> list[tuple[str, str]]:
    """(label id, caption text) of each scrolling table box."""
    found = []
    for box in re.finditer(
        r'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="([^"]+)">\s*'
        r"<table[^>]*>\s*<caption id=\"([^\"]+)\">([^<]+)</caption>",
        html,
    ):
        assert box.group(1) == box.group(2), "the box is named by its own table's caption"
        found.append((box.group(1), box.group(3)))
    return found


def test_the_audit_log_table_scrolls_in_a_named_focusable_box(client):
    moderator = ModeratorFactory()
    audit_record(actor=moderator, action="official.verify", target=MemberFactory())
    client.force_login(moderator)

    html = client.get("/moderation/audit/").content.decode()

    assert _regions(html) == [
        ("audit-log-table-1", "Every moderation and verification action, newest first")
    ]
    assert html.count("<table") == 1


def test_every_table_on_the_moderation_pages_sits_in_a_named_box(client):
    client.force_login(ModeratorFactory())
    for path in ("/moderation/reports/", "/moderation/domains/", "/digests/"):
        html = client.get(path).content.decode()
        assert len(_regions(html)) == html.count("<table"), path
