"""Shared set-up for barrier report tests: evidence files in a temporary media root, and one
person in each role around one reporting organisation.

Three of them hold a moderator's role without two-factor authentication: until they set it
up they must read reports exactly as the person they otherwise are (no organisation, or a
member of the reporting organisation)."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from tests.factories import (
    MemberFactory,
    ModeratorFactory,
    OfficialFactory,
    UserFactory,
    make_moderator,
)
from tests.submissions import upload_set

PDF_BYTES = upload_set.PDF_BYTES
PNG_BYTES = upload_set.image_bytes("PNG")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    """Requests to /fr/ or /es/ leave their language active in the test thread; start and end
    every test in English so names and URLs do not depend on the test before."""
    translation.activate("en")
    yield
    translation.activate("en")


@dataclass
class World:
    reporter: Any
    colleague: Any
    member: Any
    official: Any
    moderator: Any
    no_organisation: Any
    moderator_no_mfa: Any
    moderator_no_mfa_colleague: Any
    admin_no_mfa: Any

    def role(self, name: str) -> Any:
        if name == "visitor":
            return AnonymousUser()
        return getattr(self, name)


@pytest.fixture
def world(db) -> World:
    reporter = MemberFactory(full_name="Rita Reporter", language="en")
    colleague = MemberFactory(organisation=reporter.organisation)
    return World(
        reporter=reporter,
        colleague=colleague,
        member=MemberFactory(),
        official=OfficialFactory(),
        moderator=ModeratorFactory(),
        no_organisation=UserFactory(),
        moderator_no_mfa=ModeratorFactory(moderator=False),
        moderator_no_mfa_colleague=make_moderator(
            MemberFactory(organisation=reporter.organisation), with_mfa=False
        ),
        admin_no_mfa=UserFactory(is_staff=True, is_superuser=True),
    )


def log_in(client, user) -> None:
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
