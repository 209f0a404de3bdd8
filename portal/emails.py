"""Templated emails, rendered in the recipient's language and written to the outbox."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.outbox import email_queue


def email_member(*, user: Any, template: str, context: dict[str, Any]) -> None:
    """Render emails/<template>_subject.txt and _message.txt for `user` and write the email to
    the outbox in the current transaction; a worker sends it once the transaction commits.
    A deleted account has no address left: nothing is sent."""
    if getattr(user, "deleted_at", None) is not None:
        return
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        full_context = {
            "user": user,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        }
        subject = render_to_string(f"emails/{template}_subject.txt", full_context)
        body = render_to_string(f"emails/{template}_message.txt", full_context)
    one_line_subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    email_queue(
        to=user.email,
        subject=one_line_subject,
        body_text=body,
        language=language,
        template=template,
    )
