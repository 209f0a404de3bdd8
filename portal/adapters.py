"""allauth hooks: account emails read like the portal's own and go through the outbox; a
confirmed email may verify an official; a rate limit answers with the portal's own page.

allauth's mails (email confirmation, password reset, unknown account, login codes...) keep
allauth's texts and translations, with the portal's greeting and signature
(templates/account/email/base_message.txt). Here they are rendered like every other portal
email: in the recipient's preferred language (the page's language when there is no account
yet), with the portal's name in that language as subject prefix, links on SITE_URL in that
language, and an HTML part built from the text in the portal's email layout.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.html import strip_tags

from portal import ratelimits, services
from portal.emails import absolute_url, email_context, html_from_text, site_name, subject_line
from portal.models import User
from portal.outbox import email_queue

# The form errors allauth raises when a rate limit refuses a sign-in, a code or a request for one.
RATE_LIMIT_ERRORS = frozenset({"too_many_login_attempts", "rate_limited"})


def _recipient(email: str, context: dict[str, Any]) -> User | None:
    user = context.get("user")
    if isinstance(user, User):
        return user
    return User.objects.filter(email__iexact=email).first()


def _links_on_site(context: dict[str, Any], language: str) -> dict[str, str]:
    """allauth's links (activate_url, password_reset_url, signup_url...) are built from the
    request's host in the request's language; rebuild them on SITE_URL in `language`."""
    return {
        key: absolute_url(value, language=language)
        for key, value in context.items()
        if key.endswith("_url") and isinstance(value, str) and value.startswith(("http", "/"))
    }


class AccountAdapter(DefaultAccountAdapter):
    def get_http_user_agent(self, request: HttpRequest) -> str:
        """Shown in security notices. allauth's fallback is the English "Unspecified"; an
        empty value lets the email say "not known" in the recipient's language."""
        return request.META.get("HTTP_USER_AGENT", "") if request is not None else ""

    def format_email_subject(self, subject: str) -> str:
        """The portal's name in the reader's language, not ACCOUNT_EMAIL_SUBJECT_PREFIX."""
        return subject_line(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        recipient = _recipient(email, context)
        language = (
            (recipient.language if recipient is not None else "")
            or translation.get_language()
            or settings.LANGUAGE_CODE
        )
        with translation.override(language):
            full_context = {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
                **_links_on_site(context, language),
                **email_context(),
                "recipient": recipient,
            }
            message = self.render_mail(template_prefix, email, full_context)
            text, html = message.body, ""
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = str(content)
            if message.content_subtype == "html":  # allauth found only an HTML template
                text, html = strip_tags(message.body), message.body
            if not html:
                title = message.subject.removeprefix(f"[{site_name()}] ")
                html = html_from_text(text, subject=title)
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
                language=language,
                template=template_prefix,
            )

    def confirm_email(self, request: HttpRequest, email_address: Any) -> bool:
        first = not email_address.user.emailaddress_set.filter(verified=True).exists()
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.member_email_confirmed(user=email_address.user)
            if first:
                # A new account: land on the page that says what to do first (below).
                request._first_confirmation = True  # type: ignore[attr-defined]
        return confirmed

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        """Where a new account lands once signed in: with mandatory verification that is
        when the link in the confirmation email signs the person in. The welcome page puts
        "File a barrier report" in its body, not only in the menu."""
        return resolve_url("portal:welcome")

    def get_email_verification_redirect_url(self, email_address: Any) -> str:
        request = self.request
        if request.user.is_authenticated and getattr(request, "_first_confirmation", False):
            return resolve_url("portal:welcome")
        return super().get_email_verification_redirect_url(email_address)

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        """allauth reports some limits as a form error ("Too many failed login attempts. Try
        again later."); the portal answers those, like every other limit, with its 429 page
        that says when to try again and offers a sign-in code."""
        if code in RATE_LIMIT_ERRORS:
            raise ImmediateHttpResponse(ratelimits.refused(allauth_context.request))
        return super().validation_error(code, *args)

    def should_send_confirmation_mail(
        self, request: HttpRequest, email_address: Any, signup: bool
    ) -> bool:
        """Signing in before confirming sends the confirmation email again, unless one was sent a
        moment ago (allauth's `confirm_email` limit). allauth would then skip it in silence and
        the person wait for an email that never comes: remember it, to say so (below)."""
        if not signup and ratelimits.is_used_up(
            request, action="confirm_email", key=email_address.email
        ):
            request._confirmation_email_refused = True  # type: ignore[attr-defined]
            return False
        return super().should_send_confirmation_mail(request, email_address, signup)

    def respond_email_verification_sent(self, request: HttpRequest, user: Any) -> HttpResponseBase:
        """The "check your email" page, or the 429 page when no email could be sent again so
        soon. The pending sign-in is kept either way: the link already sent still signs in."""
        if getattr(request, "_confirmation_email_refused", False):
            return ratelimits.refused(request, ratelimits.CONFIRMATION_RESEND)
        return super().respond_email_verification_sent(request, user)


def password_login_counts_as_reauthentication(
    sender: Any, *, request: HttpRequest, method: str, **kwargs: Any
) -> None:
    """allauth's authentication_step_completed receiver: a password typed to sign in counts as
    having just confirmed it, for ACCOUNT_REAUTHENTICATION_TIMEOUT.

    allauth only trusts an explicit "confirm your password" step, so a new moderator who signs
    in and is sent straight to set up two-factor authentication was asked for the password
    twice in a row. The window is the same as after that explicit step; later changes to
    sign-in settings still ask again."""
    if method != "password":
        return
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    if records and records[-1].get("method") == "password":
        records[-1]["reauthenticated"] = True
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
