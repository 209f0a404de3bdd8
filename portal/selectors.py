"""Reads for members, organisations and moderation, always given the viewer."""

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import privacy
from portal.models import AuditEvent, Organisation, User, VerifiedDomain
from portal.permissions import acts_as_moderator, can_manage_members, can_see_members
from portal.types import Reader, person_of


def organisation_get(*, viewer: Reader, slug: str) -> Organisation:
    """Organisation profiles are public: name, type, country, sector and website."""
    organisation = (
        Organisation.objects.select_related("org_type", "country").filter(slug=slug).first()
    )
    if organisation is None:
        raise Http404
    return organisation


def organisation_members_for(*, viewer: Reader, organisation: Organisation) -> QuerySet[User]:
    """Active members, shown only to the organisation's own members and to moderators."""
    if not can_see_members(viewer, organisation):
        return User.objects.none()
    return User.objects.filter(
        organisation=organisation, membership_status=User.MembershipStatus.ACTIVE, is_active=True
    ).order_by("full_name")


def organisation_member_get(*, viewer: Reader, organisation: Organisation, member_id: int) -> User:
    """An active member of the organisation the viewer may manage, or Http404."""
    if not can_manage_members(viewer, organisation):
        raise Http404
    member = (
        organisation_members_for(viewer=viewer, organisation=organisation)
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise Http404
    return member


def membership_requests_for(*, viewer: Reader, organisation: Organisation) -> QuerySet[User]:
    if not can_manage_members(viewer, organisation):
        return User.objects.none()
    return User.objects.filter(
        organisation=organisation, membership_status=User.MembershipStatus.PENDING, is_active=True
    ).order_by("date_joined")


def membership_request_get(*, viewer: Reader, organisation: Organisation, member_id: int) -> User:
    member = (
        membership_requests_for(viewer=viewer, organisation=organisation)
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise Http404
    return member


def organisations_for_signup() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("country").order_by("name")


def _with_confirmed_email(queryset: QuerySet[User]) -> QuerySet[User]:
    confirmed = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return queryset.filter(Exists(confirmed))


def officials_awaiting_verification(*, viewer: Reader) -> QuerySet[User]:
    """Members of official bodies with a confirmed email and no decision yet, oldest first."""
    if not acts_as_moderator(viewer):
        return User.objects.none()
    pending = User.objects.filter(
        official_status=User.OfficialStatus.PENDING,
        membership_status=User.MembershipStatus.ACTIVE,
        is_active=True,
    )
    return (
        _with_confirmed_email(pending)
        .select_related("organisation__org_type", "organisation__country")
        .order_by("date_joined")
    )


def official_get_for_verification(*, viewer: Reader, member_id: int) -> User:
    if not acts_as_moderator(viewer):
        raise Http404
    member = (
        User.objects.filter(pk=member_id, organisation__isnull=False)
        .select_related("organisation__org_type")
        .first()
    )
    if member is None or member.organisation is None or not member.organisation.is_official_body:
        raise Http404
    return member


def join_requests_awaiting_moderator(*, viewer: Reader) -> QuerySet[User]:
    """Requests to join organisations that have no active administrator to decide."""
    if not acts_as_moderator(viewer):
        return User.objects.none()
    active_admin = User.objects.filter(
        organisation=OuterRef("organisation"),
        membership_status=User.MembershipStatus.ACTIVE,
        is_organisation_admin=True,
        is_active=True,
    )
    return (
        User.objects.filter(membership_status=User.MembershipStatus.PENDING, is_active=True)
        .exclude(Exists(active_admin))
        .select_related("organisation__country")
        .order_by("date_joined")
    )


def join_request_get_for_moderator(*, viewer: Reader, member_id: int) -> User:
    member = join_requests_awaiting_moderator(viewer=viewer).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def verified_domains_for(*, viewer: Reader) -> QuerySet[VerifiedDomain]:
    if not acts_as_moderator(viewer):
        return VerifiedDomain.objects.none()
    return VerifiedDomain.objects.select_related("added_by").order_by("domain")


def audit_events_for(
    *,
    viewer: Reader,
    actor_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    if not acts_as_moderator(viewer):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor", "target_type")
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    return events.order_by("-created_at", "-id")


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def moderators() -> QuerySet[User]:
    from django.conf import settings

    return User.objects.filter(groups__name=settings.MODERATORS_GROUP).order_by("full_name")


# --- The person's own data -------------------------------------------------------------------


def personal_data_export_for(*, viewer: Reader) -> privacy.PersonalDataExport:
    """Everything the portal holds about the viewer, and only about the viewer: each package
    exports what the person did or chose themselves, never what colleagues filed or wrote."""
    person = person_of(viewer)
    if person is None or not person.is_active:
        raise PermissionDenied
    return privacy.export_build(person=person)


@dataclass(frozen=True)
class DeletionBlocker:
    """Why an account cannot be deleted yet, and where to put it right."""

    code: str
    message: str
    action_label: str = ""
    action_url: str = ""


def organisation_needing_handover(person: User) -> Organisation | None:
    """The organisation `person` is the last administrator of while others are members: it
    would be left with no one to approve people who ask to join. A sole member may leave;
    requests to join an organisation without administrators go to the moderators."""
    if not (person.is_member and person.is_organisation_admin and person.organisation_id):
        return None
    others = User.objects.filter(
        organisation_id=person.organisation_id,
        membership_status=User.MembershipStatus.ACTIVE,
        is_active=True,
    ).exclude(pk=person.pk)
    if not others.exists() or others.filter(is_organisation_admin=True).exists():
        return None
    return person.organisation


def account_deletion_blockers_for(*, viewer: Reader) -> list[DeletionBlocker]:
    """What stops the viewer deleting their account now (nothing: an empty list)."""
    person = person_of(viewer)
    if person is None:
        return []
    blockers = []
    organisation = organisation_needing_handover(person)
    if organisation is not None:
        blockers.append(
            DeletionBlocker(
                code="last_organisation_admin",
                message=_(
                    "You are the only administrator of %(organisation)s. Make another member "
                    "an administrator first, so that someone can still approve people who ask "
                    "to join."
                )
                % {"organisation": organisation.name},
                action_label=_("Choose a new administrator on your organisation's page"),
                action_url=reverse("portal:organisation_detail", kwargs={"slug": organisation.slug})
                + "#members-heading",
            )
        )
    if person.is_superuser:
        blockers.append(
            DeletionBlocker(
                code="site_administrator",
                message=_(
                    "You are a site administrator. Ask another administrator to remove your "
                    "administrator rights in the Django admin first."
                ),
            )
        )
    return blockers
