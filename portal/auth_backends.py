"""Authentication backends that load the signed-in person in one query.

Every request of a signed-in person loads their row; the pages then ask for their
organisation (with its type and country), whether they are in the moderators group, and
whether two-factor authentication is set up. Read one by one that is up to five queries on
every page; here the row comes with all of it in one.
"""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef


def _user_with_roles(user_id: Any) -> Any:
    users = (
        get_user_model()
        ._default_manager.select_related("organisation__org_type", "organisation__country")
        .annotate(
            in_moderators_group=Exists(
                Group.objects.filter(user=OuterRef("pk"), name=settings.MODERATORS_GROUP)
            ),
            # What allauth's is_mfa_enabled() asks (portal.permissions.has_mfa).
            mfa_enabled=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"))),
        )
    )
    user = users.filter(pk=user_id).first()
    if user is not None:
        # The answers the User model and portal.permissions would otherwise query for.
        user.__dict__["is_moderator"] = user.is_superuser or user.in_moderators_group
        user.__dict__["_portal_has_mfa"] = user.mfa_enabled
    return user


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = _user_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PortalAuthenticationBackend(AuthenticationBackend):
    """allauth's email login."""

    def get_user(self, user_id: Any) -> Any:
        user = _user_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
