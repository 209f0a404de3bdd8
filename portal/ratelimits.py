"""Rate limits: who is asking, when a refused request may be tried again, and the page it gets.

allauth counts requests in the cache (Redis in production) per client address, per email
address or per member (`ACCOUNT_RATE_LIMITS` in settings). Whenever one of those limits refuses
a request, the portal answers with its own page: HTTP 429 in the site's layout and the reader's
language, the time the request may be tried again, and the same form with what the person typed
(passwords excepted). A refused sign-in offers a one-time code sent by email, so nobody can lock
a member out by guessing their password.

The client's address is read as allauth reads it (`TRUSTED_PROXY_COUNT`,
`TRUSTED_CLIENT_IP_HEADER`); the portal's own code asks `client_address` for it.
"""

import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from allauth.account.adapter import get_adapter
from allauth.core.internal.ratelimit import get_cache_key, get_rates
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import dates

logger = logging.getLogger(__name__)

APP = "allauth.account"
STATUS = 429
# When no counter says otherwise (a counter briefly locked by a concurrent request).
FALLBACK_WAIT_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """The client's IP address: from X-Forwarded-For behind `TRUSTED_PROXY_COUNT` proxies, or
    from `TRUSTED_CLIENT_IP_HEADER`, else the connection's address. The same answer allauth's
    limits key on, so the portal and allauth never disagree about who is asking."""
    return get_adapter(request).get_client_ip(request)


# The key of a per-address rate, from the request (None: not known).
KeyOf = Callable[[HttpRequest], str | None]


def typed(field: str) -> KeyOf:
    """The email address typed into the form's `field`, as allauth keys per-address limits."""

    def key(request: HttpRequest) -> str | None:
        return request.POST.get(field, "").strip().lower() or None

    return key


def failed_sign_in_key(request: HttpRequest) -> str | None:
    """As allauth's adapter keys failed sign-ins (`_get_login_attempts_cache_key`)."""
    email = typed("login")(request)
    return f"{get_current_site(request).domain}:{email}" if email else None


def second_factor_key(request: HttpRequest) -> str | None:
    """As allauth keys wrong two-factor codes (`allauth.mfa.base.internal.flows`): the person
    half-way through signing in (allauth's pending login stage), else the signed-in member."""
    stage = getattr(request, "_login_stage", None)
    user = stage.login.user if stage is not None else request.user
    return f"mfa-auth-user-{user.pk}" if user is not None and user.pk else None


@dataclass(frozen=True)
class Limit:
    """An allauth action a page consumes, and how to find the key of its per-address rates."""

    action: str
    key: KeyOf | None = None


@dataclass(frozen=True)
class RefusedPage:
    """How a page whose limit is hit answers: what it consumes, what it says, and whether the
    form is shown again with what was typed and whether a sign-in code is offered."""

    limits: tuple[Limit, ...]
    message: Promise
    keeps_form: bool = True
    offers_code: bool = False


LOGIN = RefusedPage(
    limits=(Limit("login"), Limit("login_failed", key=failed_sign_in_key)),
    message=_(
        "There have been too many attempts to sign in to this account, or from your network. "
        "To keep the account safe, signing in with a password is paused."
    ),
    offers_code=True,
)
CONFIRMATION_RESEND = RefusedPage(
    limits=(Limit("confirm_email", key=typed("login")),),
    message=_(
        "Confirm your email address before you sign in. We sent a confirmation link to this "
        "address a moment ago: check your inbox and spam folder, that link works. We can send "
        "you another email after the time below."
    ),
)
GENERIC = RefusedPage(
    limits=(),
    message=_("There have been too many attempts from your network or for this account."),
    keeps_form=False,
)
# allauth's pages by URL name. A page not listed here gets GENERIC.
PAGES: dict[str, RefusedPage] = {
    "account_login": LOGIN,
    "account_signup": RefusedPage(
        limits=(Limit("signup"),),
        message=_("Too many accounts have been created from your network in the last hour."),
    ),
    "account_reset_password": RefusedPage(
        limits=(Limit("reset_password", key=typed("email")),),
        message=_(
            "Too many password reset emails have been requested for this address, or from your "
            "network. The emails already sent still work: check your inbox and spam folder."
        ),
    ),
    "account_reset_password_from_key": RefusedPage(
        limits=(Limit("reset_password_from_key"),),
        message=_("There have been too many attempts to set a new password from your network."),
        keeps_form=False,
    ),
    "account_request_login_code": RefusedPage(
        limits=(Limit("request_login_code", key=typed("email")),),
        message=_(
            "Too many sign-in codes have been requested for this address, or from your "
            "network. The last code we sent still works for a few minutes: check your inbox."
        ),
    ),
    "account_email": RefusedPage(
        limits=(Limit("manage_email"), Limit("confirm_email", key=typed("email"))),
        message=_(
            "You have changed your email addresses or asked for confirmation emails too often. "
            "The confirmation links already sent still work."
        ),
        keeps_form=False,
    ),
    "account_change_password": RefusedPage(
        limits=(Limit("change_password"),), message=GENERIC.message, keeps_form=False
    ),
    "account_reauthenticate": RefusedPage(
        limits=(Limit("reauthenticate"),), message=GENERIC.message, keeps_form=False
    ),
}
# Wrong two-factor codes: signing in, confirming who you are, setting up the authenticator app.
PAGES.update(
    dict.fromkeys(
        ("mfa_authenticate", "mfa_reauthenticate", "mfa_activate_totp"),
        RefusedPage(
            limits=(Limit("login_failed", key=second_factor_key),),
            message=_("There have been too many wrong codes for this account."),
            keeps_form=False,
        ),
    )
)

# --- When --------------------------------------------------------------------------------------


def _frees_at(request: HttpRequest, action: str, key: str | None, now: float) -> Iterable[float]:
    """For each of the action's rates that is used up, when its oldest counted hit expires. A
    per-address rate whose key is not known counts as used up for its whole period."""
    for rate in get_rates(app=APP, action=action):
        if rate.per == "key" and key is None:
            yield now + rate.duration
            continue
        if rate.per == "user" and not request.user.is_authenticated:
            continue
        cache_key = get_cache_key(
            request, app=APP, action=action, rate=rate, key=key if rate.per == "key" else None
        )
        hits = sorted(
            (hit for hit in cache.get(cache_key, []) if hit > now - rate.duration), reverse=True
        )
        if len(hits) >= rate.amount:
            yield hits[rate.amount - 1] + rate.duration


def is_used_up(request: HttpRequest, *, action: str, key: str) -> bool:
    """Whether allauth would refuse the next request for `action` and `key` (an email address)."""
    return any(True for _moment in _frees_at(request, action, key.strip().lower(), time.time()))


def retry_at(request: HttpRequest, limits: Iterable[Limit]) -> datetime:
    """When every used-up rate of `limits` lets a request through again."""
    now = time.time()
    moments = [
        moment
        for limit in limits
        for moment in _frees_at(request, limit.action, limit.key and limit.key(request), now)
    ]
    return datetime.fromtimestamp(max(moments) if moments else now + FALLBACK_WAIT_SECONDS, tz=UTC)


def wait_phrase(seconds: float) -> str:
    """How long to wait, in words ("45 seconds", "4 minutes", "2 hours"), rounded up so the
    person never tries too early."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def time_phrase(moment: datetime) -> str:
    """The time to try again: "14:05" today, "2 December 2026, 14:05" on a later day (UTC, in
    the reader's language), rounded up to the minute so the person never tries too early."""
    whole_minute = moment.replace(second=0, microsecond=0)
    if whole_minute < moment:
        whole_minute += timedelta(minutes=1)
    local = timezone.localtime(whole_minute)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return dates.long_datetime(local)


# --- The page ----------------------------------------------------------------------------------


def _typed(form: forms.Form, request: HttpRequest) -> dict[str, object]:
    """What the person typed into `form`, passwords left out."""
    return {
        name: field.widget.value_from_datadict(request.POST, request.FILES, form.add_prefix(name))
        for name, field in form.fields.items()
        if not isinstance(field.widget, forms.PasswordInput)
    }


def _form_page(request: HttpRequest, notice: dict[str, object]) -> HttpResponse | None:
    """The refused page itself, its form unbound (so nothing is validated or counted again)
    and filled with what was typed; None when the page has no form view to show."""
    match = request.resolver_match
    view_class = getattr(match.func, "view_class", None) if match else None
    if match is None or view_class is None or not hasattr(view_class, "get_form_kwargs"):
        return None
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    form_kwargs = view.get_form_kwargs()
    form_kwargs.pop("data", None)
    form_kwargs.pop("files", None)
    form = view.get_form_class()(**form_kwargs)
    form.initial.update(_typed(form, request))
    notice["kept"] = True
    notice["asks_password_again"] = any(
        isinstance(field.widget, forms.PasswordInput) for field in form.fields.values()
    )
    context = view.get_context_data(form=form, rate_limit=notice)
    return render(request, view.get_template_names(), context, status=STATUS)


def refused(request: HttpRequest, page: RefusedPage | None = None) -> HttpResponse:
    """The portal's answer to a request a rate limit refused (allauth's `handler429`)."""
    name = request.resolver_match.url_name if request.resolver_match else None
    page = page or PAGES.get(name or "", GENERIC)
    moment = retry_at(request, page.limits)
    wait = (moment - timezone.now()).total_seconds()
    email = request.POST.get("login") or request.POST.get("email") or ""
    notice: dict[str, object] = {
        "message": page.message,
        "time": time_phrase(moment),
        "wait": wait_phrase(wait),
        "retry_at": moment,
        "offers_code": page.offers_code,
        "email": email.strip(),
        "kept": False,
        "back": request.get_full_path(),
    }
    # Operators see who is limited: the client, not the proxy in front of the portal.
    logger.warning(
        "rate limit: %s refused for %s until %s", name or request.path, client_address(request),
        moment.isoformat(),
    )  # fmt: skip
    response = _form_page(request, notice) if page.keeps_form else None
    if response is None:
        response = render(request, "429.html", {"rate_limit": notice}, status=STATUS)
    response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
