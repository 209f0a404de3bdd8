"""Authentication backends that load the signed-in person in one query.

Every request of a signed-in person loads their row; the pages then ask for their
organisation (with its type and country), whether they are in the moderators group, and
whether two-factor authentication is set up. Read one by one that is up to five queries on
every page; here the row comes with all of it in one.
"""

from functools import cache
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL


@cache
def _role_subqueries() -> tuple[str, str]:
    """The two EXISTS subqueries as SQL, written once per process. Built with Exists() and
    OuterRef() they were assembled and compiled again on every request: about half the
    Python time of loading the person. Only table and column names from the models go into
    the text; the group's name is a query parameter."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    person = f"{quote(user_model._meta.db_table)}.{quote(user_model._meta.pk.attname)}"
    memberships = quote(user_model.groups.through._meta.db_table)
    groups = quote(Group._meta.db_table)
    authenticators = quote(Authenticator._meta.db_table)
    in_group = (
        f"EXISTS (SELECT 1 FROM {memberships} m JOIN {groups} g ON g.id = m.group_id "  # noqa: S608
        f"WHERE m.user_id = {person} AND g.name = %s)"
    )
    # What allauth's is_mfa_enabled() asks (portal.permissions.has_mfa).
    has_authenticator = f"EXISTS (SELECT 1 FROM {authenticators} a WHERE a.user_id = {person})"  # noqa: S608
    return in_group, has_authenticator


def _user_with_roles(user_id: Any) -> Any:
    in_group, has_authenticator = _role_subqueries()
    users = (
        get_user_model()
        ._default_manager.select_related("organisation__org_type", "organisation__country")
        .annotate(
            in_moderators_group=RawSQL(  # noqa: S611
                in_group, [settings.MODERATORS_GROUP], output_field=BooleanField()
            ),
            mfa_enabled=RawSQL(has_authenticator, [], output_field=BooleanField()),  # noqa: S611
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
