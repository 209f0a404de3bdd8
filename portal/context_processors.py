"""Template context shared by every page: the viewer's role, the site's name, and the page's
addresses for search engines (canonical, language versions: portal.seo)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from portal import seo
from portal.notices import unread_count_for, unread_label
from portal.permissions import user_role


def portal(request: HttpRequest) -> dict[str, Any]:
    role = user_role(request.user) if hasattr(request, "user") else "visitor"
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "site_name": settings.SITE_NAME,
        "viewer_role": role,
        # For the navigation only (the way to /moderation/ and the two-factor set-up): what a
        # page shows is decided by permissions.acts_as_moderator, never by this flag.
        "viewer_is_moderator": role in {"moderator", "admin"},
        # Worked out only by pages that print it (base.html), not by fragments.
        "page_addresses": SimpleLazyObject(lambda: seo.page_addresses(request, language)),
        # Read only where the header shows it (cached per person, see portal.notices).
        "unread_notices": SimpleLazyObject(lambda: _unread(request)),
    }


def _unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    count = 0 if user is None else unread_count_for(viewer=user)
    return {"count": count, "label": unread_label(count)}
