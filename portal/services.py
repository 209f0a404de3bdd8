"""Writes for members, organisations, official verification and the audit trail.

Each function takes keyword-only arguments, runs in one transaction, checks the current
state first so a repeat does nothing, and queues email on commit.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.emails import email_member
from portal.models import AuditEvent, Country, Organisation, OrganisationType, User, VerifiedDomain
from portal.permissions import can_manage_members


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        reason=reason,
        data=data or {},
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, counter = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    name: str,
    org_type: OrganisationType,
    country: Country,
    sector: str,
    website: str = "",
    creator: User | None = None,
) -> Organisation:
    """Create an organisation; its creator becomes its first member and administrator."""
    organisation = Organisation.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        org_type=org_type,
        country=country,
        sector=sector,
        website=website,
    )
    audit_record(actor=creator, action="organisation.create", target=organisation)
    if creator is not None:
        creator.organisation = organisation
        creator.membership_status = User.MembershipStatus.ACTIVE
        creator.is_organisation_admin = True
        creator.save(update_fields=["organisation", "membership_status", "is_organisation_admin"])
        _official_status_on_joining(member=creator)
    return organisation


@transaction.atomic
def membership_request(*, user: User, organisation: Organisation) -> User:
    """Ask to join an organisation; its administrators (or a moderator) decide."""
    if user.organisation_id == organisation.pk and user.membership_status in {
        User.MembershipStatus.PENDING,
        User.MembershipStatus.ACTIVE,
    }:
        return user
    user.organisation = organisation
    user.membership_status = User.MembershipStatus.PENDING
    user.is_organisation_admin = False
    user.save(update_fields=["organisation", "membership_status", "is_organisation_admin"])
    audit_record(actor=user, action="membership.request", target=organisation)
    admins = User.objects.filter(
        organisation=organisation,
        membership_status=User.MembershipStatus.ACTIVE,
        is_organisation_admin=True,
        is_active=True,
    )
    for admin in admins:
        email_member(
            user=admin,
            template="membership_requested",
            context={"applicant": user, "organisation": organisation},
        )
    return user


@transaction.atomic
def membership_decide(*, actor: User, member: User, approve: bool, reason: str = "") -> User:
    """Approve or decline a pending request to join; a repeat decision does nothing."""
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.membership_status != User.MembershipStatus.PENDING:
        return member
    member.membership_status = (
        User.MembershipStatus.ACTIVE if approve else User.MembershipStatus.DECLINED
    )
    member.save(update_fields=["membership_status"])
    audit_record(
        actor=actor,
        action="membership.approve" if approve else "membership.decline",
        target=member,
        reason=reason,
        data={"organisation": member.organisation_id},
    )
    email_member(
        user=member,
        template="membership_decided",
        context={"approved": approve, "reason": reason, "organisation": member.organisation},
    )
    if approve:
        _official_status_on_joining(member=member)
    return member


def _domain_is_verified(domain: str) -> bool:
    return VerifiedDomain.objects.filter(domain=domain.lower()).exists()


def _official_status_on_joining(*, member: User) -> None:
    """A new member of an official body is verified by domain, or waits for a moderator."""
    organisation = member.organisation
    if organisation is None or not organisation.is_official_body:
        return
    if member.official_status in {User.OfficialStatus.VERIFIED, User.OfficialStatus.PENDING}:
        return
    member.official_status = User.OfficialStatus.PENDING
    member.save(update_fields=["official_status"])
    member_email_confirmed(user=member)


@transaction.atomic
def member_email_confirmed(*, user: User) -> User:
    """On a confirmed email: verify a pending official whose domain is allow-listed."""
    from allauth.account.models import EmailAddress

    if user.official_status != User.OfficialStatus.PENDING or not user.is_member:
        return user
    confirmed = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True)
    if confirmed.exists() and _domain_is_verified(user.email_domain):
        user.official_status = User.OfficialStatus.VERIFIED
        user.official_verified_at = timezone.now()
        user.save(update_fields=["official_status", "official_verified_at"])
        audit_record(
            actor=None,
            action="official.verify",
            target=user,
            reason="Email domain is on the verified list.",
            data={"domain": user.email_domain, "automatic": True},
        )
        email_member(user=user, template="official_decided", context={"approved": True})
    return user


@transaction.atomic
def member_verify_official(*, actor: User, member: User, approve: bool, reason: str) -> User:
    """A moderator's decision on an official account; the reason goes to the member."""
    member = User.objects.select_for_update().get(pk=member.pk)
    target_status = User.OfficialStatus.VERIFIED if approve else User.OfficialStatus.REJECTED
    if member.official_status == target_status:
        return member
    member.official_status = target_status
    member.official_verified_at = timezone.now() if approve else None
    member.save(update_fields=["official_status", "official_verified_at"])
    audit_record(
        actor=actor,
        action="official.verify" if approve else "official.reject",
        target=member,
        reason=reason,
    )
    email_member(
        user=member, template="official_decided", context={"approved": approve, "reason": reason}
    )
    return member


@transaction.atomic
def verified_domain_add(*, actor: User, domain: str, organisation_name: str) -> VerifiedDomain:
    domain = domain.strip().lower().lstrip("@")
    verified, created = VerifiedDomain.objects.get_or_create(
        domain=domain, defaults={"organisation_name": organisation_name, "added_by": actor}
    )
    if created:
        audit_record(actor=actor, action="domain.add", target=verified, data={"domain": domain})
    return verified


@transaction.atomic
def verified_domain_remove(*, actor: User, domain: VerifiedDomain, reason: str = "") -> None:
    audit_record(
        actor=actor,
        action="domain.remove",
        target=domain,
        reason=reason,
        data={"domain": domain.domain},
    )
    domain.delete()


@transaction.atomic
def member_update_language(*, user: User, language: str) -> User:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def organisation_admin_grant(*, actor: User, member: User) -> User:
    """Make an active member an administrator of their organisation too (how an
    administrator hands over before leaving). A repeat does nothing."""
    member = (
        User.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=member.pk)
    )
    organisation = member.organisation
    if organisation is None or not can_manage_members(actor, organisation):
        raise PermissionDenied
    if not (member.is_member and member.is_active):
        raise ValidationError(_("Only active members can administer the organisation."))
    if member.is_organisation_admin:
        return member
    member.is_organisation_admin = True
    member.save(update_fields=["is_organisation_admin"])
    audit_record(
        actor=actor,
        action="membership.make_admin",
        target=member,
        data={"organisation": organisation.pk},
    )
    return member
