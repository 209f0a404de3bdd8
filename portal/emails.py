"""Templated emails, rendered in the recipient's language and sent by a Celery task."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def email_member(*, user: Any, template: str, context: dict[str, Any]) -> None:
    """Render emails/<template>_subject.txt and _message.txt for `user`, send on commit.
    A deleted account has no address left: nothing is sent."""
    from portal.tasks import email_send

    if getattr(user, "deleted_at", None) is not None:
        return

    with translation.override(user.language or settings.LANGUAGE_CODE):
        full_context = {
            "user": user,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        }
        subject = render_to_string(f"emails/{template}_subject.txt", full_context)
        body = render_to_string(f"emails/{template}_message.txt", full_context)
    one_line_subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    email_send.delay_on_commit(to=[user.email], subject=one_line_subject, body=body)
