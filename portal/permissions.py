"""Role predicates and the decorators that make every view say who may see it.

Roles (ARCHITECTURE.md): visitor, member, official, moderator, admin. Role-protected pages
answer 403 to the wrong role; a missing or forbidden object answers 404 (see selectors).
The predicates also answer for an `Audience` (audience.py), the readership of a digest
edition: never a member or a moderator; an official when it reads officials-only items.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.audience import Audience
from portal.models import Organisation
from portal.types import Reader, person_of

View = Callable[..., HttpResponseBase]


def is_member(user: Reader) -> bool:
    if isinstance(user, Audience):
        return False
    return bool(user.is_authenticated and user.is_member)


def is_official(user: Reader) -> bool:
    if isinstance(user, Audience):
        return user.reads_officials_only
    return bool(user.is_authenticated and user.is_verified_official)


def has_moderator_role(user: Reader) -> bool:
    """In the moderators group (or a superuser), whether or not two-factor is set up yet:
    only for showing the way to the moderation pages and to the two-factor set-up."""
    if isinstance(user, Audience):
        return False
    return bool(user.is_authenticated and user.is_active and user.is_moderator)


def has_mfa(user: Reader) -> bool:
    """Two-factor authentication enrolled; asked once per user object, however many rules a
    page checks."""
    if isinstance(user, Audience) or not user.is_authenticated:
        return False
    cached = getattr(user, "_portal_has_mfa", None)
    if cached is None:
        cached = is_mfa_enabled(user)
        user._portal_has_mfa = cached  # type: ignore[attr-defined]
    return bool(cached)


def acts_as_moderator(user: Reader) -> bool:
    """Every rule that grants a moderator (or an admin) more than a member gets asks this:
    the role AND two-factor authentication. Until enrolment a moderator is a member."""
    if not has_moderator_role(user):
        return False
    return has_mfa(user)


def acts_as_admin(user: Reader) -> bool:
    """A superuser's powers beyond a moderator's (every row in the admin), on the same terms:
    with two-factor authentication only."""
    if isinstance(user, Audience) or not user.is_authenticated or not user.is_superuser:
        return False
    return acts_as_moderator(user)


def can_use_admin(user: Reader) -> bool:
    """The Django admin: active staff with two-factor authentication. What each list then
    shows is decided by the ModelAdmins (acts_as_admin, or the portal's own rules)."""
    if isinstance(user, Audience) or not user.is_authenticated:
        return False
    if not (user.is_active and user.is_staff):
        return False
    return has_mfa(user)


def require_moderator(user: Reader) -> None:
    """For services a moderator calls: refuse anyone who does not act as one (the role and
    two-factor authentication), whatever the page that called them checked."""
    if not acts_as_moderator(user):
        raise PermissionDenied(_("Only moderators with two-factor authentication can do this."))


def can_manage_members(user: Reader, organisation: Organisation) -> bool:
    if acts_as_moderator(user):
        return True
    if isinstance(user, Audience) or not user.is_authenticated or not is_member(user):
        return False
    return user.organisation_id == organisation.pk and user.is_organisation_admin


def can_see_members(user: Reader, organisation: Organisation) -> bool:
    if acts_as_moderator(user):
        return True
    return organisation_of(user) == organisation.pk


def public(view: View) -> View:
    """Marks a view any visitor may see; the marker is checked by tests over the URLconf."""
    view.portal_access = "visitor"  # type: ignore[attr-defined]
    return view


def _role_required(role: str, predicate: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.portal_access = role  # type: ignore[attr-defined]
        return wrapper

    return decorator


def login_required(view: View) -> View:
    return _role_required("authenticated", lambda user: user.is_active)(view)


member_required = _role_required("member", is_member)
official_required = _role_required("official", is_official)


def moderator_required(view: View) -> View:
    """Moderators only, and only once they have set up two-factor authentication."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_moderator_role(user):
            raise PermissionDenied
        if not has_mfa(user):
            messages.warning(
                request,
                _("Set up two-factor authentication before you use the moderation pages."),
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    wrapper.portal_access = "moderator"  # type: ignore[attr-defined]
    return wrapper


def organisation_of(user: Reader) -> int | None:
    """The organisation a member belongs to; None for anyone else."""
    person = person_of(user)
    if person is None or not is_member(person):
        return None
    return person.organisation_id


def user_role(user: Reader) -> str:
    """The highest role a person holds, for navigation and messages."""
    if isinstance(user, Audience) or not user.is_authenticated:
        return "visitor"
    if user.is_superuser:
        return "admin"
    if has_moderator_role(user):
        return "moderator"
    if is_official(user):
        return "official"
    if is_member(user):
        return "member"
    return "authenticated"
