"""What a service must leave behind when it refuses someone: nothing.

Each package's test_service_permissions.py holds a table of (service, who may not call it)
and calls the service directly, as a task, an admin action or an API would, without any
page in front of it. The same table names who may call it, and that call must change
something: so a scene too broken for anyone to act in cannot pass for a refusal.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import PermissionDenied

from portal.models import AuditEvent, OutboxEmail

PROJECT_APPS = {"portal", "submissions", "dialogues"}
MODERATORS_ONLY = ("member", "official", "moderator without two-factor")


@dataclass(frozen=True)
class Rule:
    """One service's row: how to call it, who may, who may not (names of the scene's people)."""

    call: Any  # (scene, person) -> the service's answer
    allowed: str
    refused: tuple[str, ...]


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the portal's three packages (many-to-many tables too)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in PROJECT_APPS
    }


def assert_refused(call: Callable[[], Any], capture_on_commit: Callable[..., Any]) -> None:
    """`call` raises PermissionDenied and leaves no row, no audit entry, no email and no
    queued task behind."""
    before = database_state()
    audit_events, outbox = AuditEvent.objects.count(), OutboxEmail.objects.count()
    mail.outbox.clear()
    with capture_on_commit() as queued, pytest.raises(PermissionDenied):
        call()
    assert AuditEvent.objects.count() == audit_events, "an audit entry was written"
    assert OutboxEmail.objects.count() == outbox, "an email was written to the outbox"
    assert mail.outbox == [], "an email was sent"
    assert queued == [], "work was queued for after the commit"
    assert database_state() == before


def assert_allowed(call: Callable[[], Any]) -> None:
    """`call` succeeds and changes at least one row."""
    before = database_state()
    call()
    assert database_state() != before, "the allowed call changed nothing"


def service_permission_tests(rules: Mapping[str, Rule]) -> tuple[Any, Any]:
    """The two tests of a table, for a module that has a `scene` fixture (its `people` by
    name): each refused person is refused and changes nothing; the allowed one goes through.
    Assign them to module names starting with test_ so pytest collects them."""

    @pytest.mark.parametrize(
        ("service", "who"),
        [
            pytest.param(service, who, id=f"{service}-{who}")
            for service, rule in rules.items()
            for who in rule.refused
        ],
    )
    def refused(scene, service, who, django_capture_on_commit_callbacks):
        rule = rules[service]
        assert_refused(
            lambda: rule.call(scene, scene.people[who]), django_capture_on_commit_callbacks
        )

    @pytest.mark.parametrize("service", rules)
    def allowed(scene, service):
        rule = rules[service]
        assert_allowed(lambda: rule.call(scene, scene.people[rule.allowed]))

    return refused, allowed
