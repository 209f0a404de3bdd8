"""Background work for the portal package: sending email, ending sessions."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError

from portal import services


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def email_send(*, to: list[str], subject: str, body: str, html: str = "") -> None:
    """Send one email; transient SMTP failures retry with exponential backoff."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def sessions_end_for_person(*, user_id: int) -> int:
    """End every stored session of a person whose account was deleted."""
    return services.sessions_end(user_id=user_id)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def sessions_clear_expired() -> None:
    services.sessions_clear_expired()
