"""The personal data the portal holds about one person: its export, and its erasure.

Each package describes what it holds about a person in a `PersonalDataProvider` (its own
`privacy.py`): the sections it adds to the person's export, and what it erases when the person
deletes their account. Settings name the providers (`PERSONAL_DATA_PROVIDERS`) from the lowest
layer to the highest, so portal puts the whole export together without importing the packages
above it (the same settings-based composition as HOME_TEMPLATE).

The export is one JSON object, streamed section by section, so a person with thousands of
posts never makes the web process build it all in memory:

    {"schema": "personal-data", "schema_version": "1.0", "generated_at": "...",
     "site": "...", "sections": {"account": "what it holds", ...},
     "account": {...}, "email_addresses": [...], ...}

The keys and what each holds are listed on the "Your data" page and in README.md.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEvent, Notice, OutboxEmail, User

SCHEMA = "personal-data"
SCHEMA_VERSION = "1.0"
CHUNK_SIZE = 500


@dataclass(frozen=True)
class Section:
    """One top-level key of the export: a single object (or null), or a list of objects."""

    key: str
    description: str | Promise
    many: bool = True


class PersonalDataProvider:
    """What one package holds about a person. Subclasses list their `sections` and return
    their contents from `export` (an object, None, or an iterable of objects for each key);
    `erase` removes what must not outlive the account and returns how many rows went, by kind.
    Rows other people rely on (reports, posts) are not erased: they keep pointing at the
    emptied user row, shown as "former member"."""

    sections: tuple[Section, ...] = ()

    def export(self, *, person: User) -> Mapping[str, Any]:
        return {}

    def erase(self, *, person: User) -> dict[str, int]:
        return {}


def providers() -> list[PersonalDataProvider]:
    """The providers named in settings, lowest layer first."""
    return [import_string(path)() for path in settings.PERSONAL_DATA_PROVIDERS]


def sections() -> list[Section]:
    """Every section of the export, in the order the file holds them."""
    return [section for provider in providers() for section in provider.sections]


@dataclass(frozen=True)
class PersonalDataExport:
    """A person's export, ready to stream: descriptions already in the person's language,
    section contents still lazy (querysets are read while the file is written)."""

    person_id: int
    generated_at: str
    descriptions: dict[str, str]
    contents: list[tuple[Section, Any]]


def export_build(*, person: User) -> PersonalDataExport:
    """The descriptions in the active language (the page's); everything else, addresses
    included, in the default language, however the page was asked for."""
    contents: list[tuple[Section, Any]] = []
    descriptions: dict[str, str] = {}
    for provider in providers():
        descriptions.update(
            (section.key, str(section.description)) for section in provider.sections
        )
        with translation.override(settings.LANGUAGE_CODE):
            exported = provider.export(person=person)
        contents.extend((section, exported.get(section.key)) for section in provider.sections)
    return PersonalDataExport(
        person_id=person.pk,
        generated_at=timezone.now().isoformat(),
        descriptions=descriptions,
        contents=contents,
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _indented(text: str) -> str:
    return text.replace("\n", "\n  ")


def export_json_chunks(export: PersonalDataExport) -> Iterator[str]:
    """The export as JSON text, a piece at a time (one object of a list per piece). The lazy
    sections are read here, in the default language, so addresses carry no language prefix."""
    with translation.override(settings.LANGUAGE_CODE):
        yield from _json_chunks(export)


def _json_chunks(export: PersonalDataExport) -> Iterator[str]:
    header = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": export.generated_at,
        "site": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "sections": export.descriptions,
    }
    yield _dumps(header)[:-2]  # the header object, left open: "{\n  ...\n}" without "\n}"
    for section, value in export.contents:
        yield f',\n  "{section.key}": '
        if not section.many:
            yield _indented(_dumps(value))
            continue
        yield "["
        for index, item in enumerate(value or ()):
            yield ("," if index else "") + "\n    " + _dumps(item).replace("\n", "\n    ")
        yield "\n  ]"
    yield "\n}\n"


# --- portal's own sections -------------------------------------------------------------------


def iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def absolute_url(obj: Any) -> str:
    """The object's address on the site (export_json_chunks writes in the default language,
    so the address has no language prefix whatever page asked for the file)."""
    return settings.SITE_URL + obj.get_absolute_url()


def _audit_event(event: AuditEvent, *, person: User, user_type_id: int) -> dict[str, Any]:
    about_another_person = event.target_type_id == user_type_id and event.target_id != str(
        person.pk
    )
    return {
        "action": event.action,
        "at": iso(event.created_at),
        "by_you": event.actor_id == person.pk,
        "about_you": event.target_type_id == user_type_id and not about_another_person,
        "target_type": event.target_type.model if event.target_type else None,
        # Someone else's account is named by neither id nor name: that is their data.
        "target_id": None if about_another_person else (event.target_id or None),
        "target": None if about_another_person else (event.target_label or None),
        "reason": event.reason,
        "details": event.data,
    }


class PortalPersonalData(PersonalDataProvider):
    sections = (
        Section(
            "account",
            _("Your account: name, email address, job title, language, roles and dates."),
            many=False,
        ),
        Section(
            "organisation_membership",
            _("The organisation you belong to or asked to join, and whether you administer it."),
            many=False,
        ),
        Section("email_addresses", _("Your email addresses and whether you confirmed them.")),
        Section(
            "two_factor_authentication",
            _("The two-factor methods you set up and when you last used them (never the secrets)."),
        ),
        Section(
            "audit_events",
            _(
                "Entries in the audit log of what you did and of decisions about your account, "
                "with the reasons given."
            ),
        ),
        Section(
            "emails",
            _(
                "The emails the portal wrote to your addresses and still keeps: subject, text, "
                "when it was written and sent."
            ),
        ),
        Section(
            "notifications_page",
            _("Your notifications page: what happened in what you follow, and when you read it."),
        ),
    )

    def export(self, *, person: User) -> Mapping[str, Any]:
        user_type = ContentType.objects.get_for_model(User)
        events = (
            AuditEvent.objects.filter(
                Q(actor=person) | Q(target_type=user_type, target_id=str(person.pk))
            )
            .select_related("target_type")
            .order_by("created_at", "id")
        )
        return {
            "account": _account(person),
            "organisation_membership": _membership(person),
            "email_addresses": (
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=person).order_by("email")
            ),
            "two_factor_authentication": (
                {
                    "type": authenticator.type,
                    "created_at": iso(authenticator.created_at),
                    "last_used_at": iso(authenticator.last_used_at),
                }
                for authenticator in Authenticator.objects.filter(user=person).order_by("id")
            ),
            "audit_events": (
                _audit_event(event, person=person, user_type_id=user_type.pk)
                for event in events.iterator(chunk_size=CHUNK_SIZE)
            ),
            "emails": (
                {
                    "to": email.recipient,
                    "subject": email.subject,
                    "text": email.body_text,
                    "kind": email.template,
                    "language": email.language,
                    "written_at": iso(email.created_at),
                    "sent_at": iso(email.sent_at),
                    "status": email.status,
                }
                for email in _emails_to(person)
                .order_by("created_at", "id")
                .iterator(chunk_size=CHUNK_SIZE)
            ),
            "notifications_page": (
                {
                    "kind": notice.kind,
                    "about": notice.title,
                    "url": settings.SITE_URL + notice.path,
                    "details": notice.data,
                    "at": iso(notice.created_at),
                    "read_at": iso(notice.read_at),
                }
                for notice in Notice.objects.filter(recipient=person)
                .order_by("created_at", "id")
                .iterator(chunk_size=CHUNK_SIZE)
            ),
        }

    def erase(self, *, person: User) -> dict[str, int]:
        # The outbox first: it is found by the addresses erased next.
        emails, _by_model = _emails_to(person).delete()
        email_addresses, _by_model = EmailAddress.objects.filter(user=person).delete()
        authenticators, _by_model = Authenticator.objects.filter(user=person).delete()
        notices, _by_model = Notice.objects.filter(recipient=person).delete()
        return {
            "emails": emails,
            "email_addresses": email_addresses,
            "two_factor_methods": authenticators,
            "notifications_page": notices,
        }


def _emails_to(person: User) -> Any:
    """Outbox rows addressed to any of the person's addresses (served by the recipient index;
    the HTML body is left out of the export: it says what the text says)."""
    addresses = {
        person.email,
        *EmailAddress.objects.filter(user=person).values_list("email", flat=True),
    }
    addresses.discard("")
    return OutboxEmail.objects.filter(recipient__in=addresses).defer("body_html")


def _account(person: User) -> dict[str, Any]:
    return {
        "id": person.pk,
        "email": person.email,
        "full_name": person.full_name,
        "job_title": person.job_title,
        "language": person.language,
        "date_joined": iso(person.date_joined),
        "last_login": iso(person.last_login),
        "official_status": person.official_status,
        "official_verified_at": iso(person.official_verified_at),
        "is_moderator": person.groups.filter(name=settings.MODERATORS_GROUP).exists(),
        "is_site_administrator": person.is_superuser,
    }


def _membership(person: User) -> dict[str, Any] | None:
    organisation = person.organisation
    if organisation is None:
        return None
    return {
        "organisation": organisation.name,
        "organisation_url": absolute_url(organisation),
        "country": organisation.country_id,
        "organisation_type": organisation.org_type_id,
        "status": person.membership_status,
        "is_administrator": person.is_organisation_admin,
    }


def export_filename(export: PersonalDataExport) -> str:
    return f"trade-dialogues-personal-data-{export.generated_at[:10]}.json"
