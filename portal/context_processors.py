"""Template context shared by every page: the viewer's role and the site's name."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.notices import unread_count_for, unread_label
from portal.permissions import user_role


def portal(request: HttpRequest) -> dict[str, Any]:
    role = user_role(request.user) if hasattr(request, "user") else "visitor"
    return {
        "site_name": settings.SITE_NAME,
        "viewer_role": role,
        # For the navigation only (the way to /moderation/ and the two-factor set-up): what a
        # page shows is decided by permissions.acts_as_moderator, never by this flag.
        "viewer_is_moderator": role in {"moderator", "admin"},
        # Read only where the header shows it (cached per person, see portal.notices).
        "unread_notices": SimpleLazyObject(lambda: _unread(request)),
    }


def _unread(request: HttpRequest) -> dict[str, Any]:
    count = unread_count_for(viewer=getattr(request, "user", None))
    return {"count": count, "label": unread_label(count)}
