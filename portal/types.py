"""Types the three apps share, so that "who is reading" is never `Any`."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from portal.audience import Audience
from portal.models import User

type Viewer = User | AnonymousUser
"""A person at a page: signed in or not."""

type Reader = Viewer | Audience
"""Whoever the visibility rules answer for: a person, or a digest edition's audience."""


class SignedInRequest(HttpRequest):
    """The request of a view behind `login_required` or a stricter decorator."""

    user: User


def person_of(reader: Reader) -> User | None:
    """The signed-in person behind a reader: None for a visitor or an audience."""
    return reader if isinstance(reader, User) else None
