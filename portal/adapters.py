"""allauth hooks: email goes through Celery, and a confirmed email may verify an official."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from portal import services
from portal.tasks import email_send


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, full_context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        # Sent by a worker after the transaction commits, so a slow mail server never
        # holds up the page and a rolled-back signup sends nothing.
        email_send.delay_on_commit(
            to=list(message.to), subject=message.subject, body=message.body, html=html
        )

    def confirm_email(self, request: HttpRequest, email_address: Any) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.member_email_confirmed(user=email_address.user)
        return confirmed
