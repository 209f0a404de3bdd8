"""Templated emails: written in the recipient's language, as plain text and accessible HTML,
and put in the outbox.

Every part of an email is rendered inside `translation.override(recipient's language)`:
subject (with the portal's name as prefix), text body, HTML body, status names, dates and
reference data names. Callers therefore pass objects and codes in the context (a StatusChange,
a date, a count), never text they have already turned into words, which would be in the
language of whoever caused the email.

Each email has three templates in templates/emails/: `<name>_subject.txt`,
`<name>_message.txt` (the plain-text part) and `<name>_message.html` (the HTML part, extending
emails/base.html: lang and dir attributes, the portal's name as a heading, real links with
words for text, no images, inline styles only). Links are absolute, built from SITE_URL, in
the recipient's language.

Mail a member subscribed to (dialogue news, digest announcements) carries RFC 8058 one-click
unsubscribe headers: give `email_member` the path of its signed unsubscribe link.
"""

import re
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.template.defaultfilters import linebreaks_filter
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from portal.outbox import email_queue

# SITE_NAME's default, for the catalogues: the name is translated where a catalogue has it.
gettext_noop("Trade Dialogues Portal")


def site_name() -> str:
    """The portal's name in the active language ("Portail des Dialogues commerciaux")."""
    return gettext(settings.SITE_NAME)


def subject_line(subject: str) -> str:
    """One line, prefixed with the portal's name in the active language."""
    return f"[{site_name()}] " + " ".join(subject.split())


def localised_path(path: str, language: str) -> str:
    """The same page of this site in `language`: /fr/reports/X/ -> /es/reports/X/.
    A path that names no page of the site comes back unchanged."""
    written_in = translation.get_language_from_path(unquote(path)) or settings.LANGUAGE_CODE
    with translation.override(written_in):
        return translate_url(path, language)


def absolute_url(path_or_url: str, *, language: str | None = None) -> str:
    """An address on SITE_URL for a path (or a URL on any host) of this site, in `language`
    when given. Links in emails never depend on the host a request came in on."""
    parts = urlsplit(path_or_url)
    path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    if language:
        path = localised_path(path, language)
    return settings.SITE_URL + path


def one_click_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an "Unsubscribe" button that POSTs
    `List-Unsubscribe=One-Click` to `url`, which must work without a login or CSRF token."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def email_context() -> dict[str, Any]:
    """What every email template may use, in the active language."""
    return {"site_name": site_name(), "site_url": settings.SITE_URL}


_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)»”]")


def _with_links(text: str) -> SafeString:
    """`text` escaped, its web addresses made into links (email addresses stay text: they
    are the reader's own)."""
    parts, last = [], 0
    for match in _LINK.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html('<a href="{0}">{0}</a>', match.group()))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


def html_from_text(text: str, *, subject: str) -> str:
    """An accessible HTML part for an email that only has a text template (allauth's):
    paragraphs, links made real, inside the portal's email layout."""
    body = linebreaks_filter(_with_links(text.strip()))
    return render_to_string(
        "emails/from_text.html", {**email_context(), "subject": subject, "body": body}
    )


def email_member(
    *, user: Any, template: str, context: dict[str, Any], unsubscribe: str = ""
) -> None:
    """Render emails/<template>_subject.txt, _message.txt and _message.html for `user` in
    their language and write the email to the outbox in the current transaction; a worker
    sends it once the transaction commits.

    `unsubscribe`: the path of the signed link that stops this kind of email (in any
    language); the email then carries one-click unsubscribe headers, and templates get its
    absolute address as `unsubscribe_url`.

    A deleted account has no address left: nothing is sent."""
    if getattr(user, "deleted_at", None) is not None:
        return
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        unsubscribe_url = absolute_url(unsubscribe, language=language) if unsubscribe else ""
        full_context = {
            "user": user,
            **email_context(),
            "unsubscribe_url": unsubscribe_url,
            **context,
        }
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", full_context).split())
        body = render_to_string(f"emails/{template}_message.txt", full_context)
        html = render_to_string(
            f"emails/{template}_message.html", {**full_context, "subject": subject}
        )
        subject = subject_line(subject)
    email_queue(
        to=user.email,
        subject=subject,
        body_text=body,
        body_html=html,
        headers=one_click_unsubscribe_headers(unsubscribe_url) if unsubscribe_url else None,
        language=language,
        template=template,
    )
