"""Deployment checks of the portal's own (`manage.py check --deploy`).

portal.W001: DEFAULT_FROM_EMAIL is still a placeholder (noreply@localhost, an example.com
address...). Mail from a domain that cannot exist is rejected or filed as spam by receiving
servers (SPF and DMARC cannot pass), so account confirmations and notices never arrive.

portal.W002: SITE_URL still points at this machine (the default http://127.0.0.1:8000) or
at plain http while the portal runs on HTTPS. Every link in emails and feeds is built from it.

portal.W003: PRIVACY_CONTROLLER or PRIVACY_CONTACT_EMAIL still holds its development default,
and the privacy notice would name it.
"""

import contextlib
import ipaddress
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

# Names that can never receive or send internet mail: RFC 2606 and RFC 6761 reserved names,
# and the multicast-DNS ".local".
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TOP_LEVEL = ("localhost", "local", "test", "example", "invalid")
# The embedded defaults of settings.PRIVACY_CONTROLLER and PRIVACY_CONTACT_EMAIL.
DEVELOPMENT_PRIVACY_CONTROLLER = "Trade Dialogues Portal secretariat"
DEVELOPMENT_PRIVACY_CONTACT_DOMAIN = "@tradedialogues.example"


def is_placeholder_domain(domain: str) -> bool:
    """True for "localhost", IP addresses, single-label names and reserved example names."""
    domain = domain.strip().strip("[]").rstrip(".").lower()
    if not domain or "." not in domain:
        return True
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        pass
    else:
        return True
    if domain.rsplit(".", 1)[-1] in RESERVED_TOP_LEVEL:
        return True
    return any(domain == name or domain.endswith("." + name) for name in RESERVED_DOMAINS)


@register("email", deploy=True)
def check_default_from_email(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2]
    if address and "@" in address and not is_placeholder_domain(domain):
        return []
    return [
        Warning(
            f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL!r}, a placeholder address: "
            "mail servers reject or bury email from it.",
            hint="Set DEFAULT_FROM_EMAIL to an address on a domain you send mail from, e.g. "
            "'Trade Dialogues Portal <noreply@your-portal-domain>'.",
            id="portal.W001",
        )
    ]


@register("email", deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    parts = urlsplit(settings.SITE_URL)
    host = (parts.hostname or "").lower()
    local = host in {"", "localhost"} or host.endswith(".localhost")
    with contextlib.suppress(ValueError):  # a name, not an address
        local = local or ipaddress.ip_address(host).is_loopback
    insecure = parts.scheme != "https" and bool(getattr(settings, "HTTPS", False))
    if not (local or insecure):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: links in emails and feeds would point "
            + ("at this machine." if local else "at plain http on an HTTPS site."),
            hint="Set SITE_URL to the portal's public address, e.g. https://portal.example.org.",
            id="portal.W002",
        )
    ]


@register(Tags.security, deploy=True)
def check_privacy_controller(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The privacy notice must name who answers for the data and a mailbox that is read."""
    if settings.PRIVACY_CONTROLLER == DEVELOPMENT_PRIVACY_CONTROLLER or (
        settings.PRIVACY_CONTACT_EMAIL.endswith(DEVELOPMENT_PRIVACY_CONTACT_DOMAIN)
    ):
        return [
            Warning(
                "PRIVACY_CONTROLLER or PRIVACY_CONTACT_EMAIL still holds its development "
                "default, and the privacy notice would name it.",
                hint="Set both to the organisation that runs the portal and a mailbox it reads.",
                id="portal.W003",
            )
        ]
    return []
