"""Writes for members, organisations, official verification and the audit trail.

Each function takes keyword-only arguments, runs in one transaction, checks who may act
first (permissions.py; PermissionDenied otherwise, whatever the caller checked), then the
current state so a repeat does nothing, and queues email on commit.
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal import privacy, selectors
from portal.emails import email_member
from portal.models import AuditEvent, Country, Organisation, OrganisationType, User, VerifiedDomain
from portal.pagecache import public_pages_changed
from portal.permissions import (
    can_create_organisation,
    can_manage_members,
    can_request_membership,
    require_moderator,
)


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    # Audited actions (publishing, moderation, verification, deletion) change what visitors
    # read; their stored pages are retired when the action commits.
    public_pages_changed()
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
    """Create an organisation; its creator becomes its first member and administrator. Without
    a creator (the demo, a site administrator's script) nobody joins it."""
    if creator is not None and not can_create_organisation(creator):
        raise PermissionDenied
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
    if not can_request_membership(user, organisation):
        raise PermissionDenied
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
    """Approve or decline a pending request to join; a repeat decision does nothing. Decided
    by the organisation's administrators, or by a moderator."""
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.organisation is None or not can_manage_members(actor, member.organisation):
        raise PermissionDenied
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
    require_moderator(actor)
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
    require_moderator(actor)
    domain = domain.strip().lower().lstrip("@")
    verified, created = VerifiedDomain.objects.get_or_create(
        domain=domain, defaults={"organisation_name": organisation_name, "added_by": actor}
    )
    if created:
        audit_record(actor=actor, action="domain.add", target=verified, data={"domain": domain})
    return verified


@transaction.atomic
def verified_domain_remove(*, actor: User, domain: VerifiedDomain, reason: str = "") -> None:
    require_moderator(actor)
    audit_record(
        actor=actor,
        action="domain.remove",
        target=domain,
        reason=reason,
        data={"domain": domain.domain},
    )
    domain.delete()


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


# --- The person's own data -------------------------------------------------------------------


class AccountDeletionRefused(Exception):
    """The account cannot be deleted yet; each blocker says why and what to do first."""

    def __init__(self, blockers: list[selectors.DeletionBlocker]) -> None:
        super().__init__(" ".join(str(blocker.message) for blocker in blockers))
        self.blockers = blockers


def _deleted_email(person: User) -> str:
    # Unique (the column is), never deliverable (.invalid is reserved by RFC 2606).
    return f"deleted-{person.pk}@deleted.invalid"


def _empty_user_row(person: User) -> None:
    """Erase what identifies the person from their row but keep the row.

    Reports, posts, co-signatures, official responses, flags, suspensions and audit events
    point at users with PROTECT foreign keys, and they must: a report is its organisation's
    record, a post is part of a conversation others answered and quoted, an audit event is
    the record of a decision. Deleting the row would mean deleting those too, or leaving
    them pointing nowhere. So the row stays, emptied, unable to log in, and is shown as
    "Former member" (User.display_name).
    """
    person.email = _deleted_email(person)
    person.full_name = ""
    person.job_title = ""
    person.language = settings.LANGUAGE_CODE
    person.organisation = None
    person.membership_status = User.MembershipStatus.NONE
    person.is_organisation_admin = False
    person.official_status = User.OfficialStatus.NOT_APPLICABLE
    person.official_verified_at = None
    person.is_staff = False
    person.is_superuser = False
    person.is_active = False
    person.last_login = None
    person.deleted_at = timezone.now()
    # A new password hash also ends every session elsewhere: Django checks it on each request.
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()


@transaction.atomic
def account_delete(*, actor: User, person: User) -> User:
    """A person deletes their own account: check, erase, audit.

    Refused (AccountDeletionRefused) while the person is the last administrator of an
    organisation that has other members, or a site administrator. Every package named in
    PERSONAL_DATA_PROVIDERS erases what it holds that only served the person (top layer
    first), then the user row is emptied (see _empty_user_row), the deletion is recorded in
    the audit log, and the person's sessions are ended by a worker. A repeat does nothing.
    """
    if actor.pk != person.pk:
        raise PermissionDenied
    if person.organisation_id is not None:
        # Lock the organisation's administrators, always in the same order, so two of them
        # deleting their accounts at once cannot each count on the other to stay.
        list(
            User.objects.select_for_update()
            .filter(organisation_id=person.organisation_id, is_organisation_admin=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.deleted_at is not None:
        return person
    blockers = selectors.account_deletion_blockers_for(viewer=person)
    if blockers:
        raise AccountDeletionRefused(blockers)
    erased: dict[str, int] = {}
    for provider in reversed(privacy.providers()):
        erased.update(provider.erase(person=person))
    _empty_user_row(person)
    with translation.override(settings.LANGUAGE_CODE):
        audit_record(actor=person, action="account.delete", target=person, data={"erased": erased})
    from portal.tasks import sessions_end_for_person

    user_id = person.pk
    transaction.on_commit(lambda: sessions_end_for_person.delay(user_id=user_id))
    return person


def sessions_end(*, user_id: int) -> int:
    """Delete the stored sessions of one person (after their account was deleted). Sessions
    are not indexed by user, so this reads every live one: work for a worker, not a request.
    Session engines that keep nothing in the database hold nothing to delete here, and the
    password change has already made those sessions useless."""
    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE not in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
        "portal.sessions",
    }:
        return 0
    decoder = engine.SessionStore()
    ended = 0
    live = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    for session in live.iterator(chunk_size=500):
        if decoder.decode(session.session_data).get("_auth_user_id") == str(user_id):
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


def sessions_clear_expired() -> None:
    """Remove expired sessions from their store (daily, so the privacy notice holds)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
