"""allauth hooks: email goes through the outbox, and a confirmed email may verify an official."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import strip_tags

from portal import services
from portal.outbox import email_queue


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
        text, html = message.body, ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = str(content)
        if message.content_subtype == "html":  # allauth found only an HTML template
            text, html = strip_tags(message.body), message.body
        # Written to the outbox in the signup's (or reset's) transaction and sent by a worker
        # once it commits: a slow mail server never holds up the page, a broker outage never
        # fails it, and a rolled-back signup sends nothing.
        for address in message.to:
            email_queue(
                to=address,
                subject=message.subject,
                body_text=text,
                body_html=html,
                headers=dict(message.extra_headers),
                language=translation.get_language() or "",
                template=template_prefix,
            )

    def confirm_email(self, request: HttpRequest, email_address: Any) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.member_email_confirmed(user=email_address.user)
        return confirmed
