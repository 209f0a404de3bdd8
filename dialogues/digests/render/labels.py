"""Words and names a digest shows, in the reader's language: labels of codes (statuses,
visibility, figures, editions, sections), names picked from a snapshot's per-language names,
links with the reader's language prefix, dates and week-over-week changes, and what a
publication states about itself (edition identifier, source, licence, citation)."""

import datetime as dt

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STATUS_LABELS: dict[str, Promise] = {
    "draft": gettext_lazy("Draft"),
    "submitted": gettext_lazy("Submitted"),
    "changes_requested": gettext_lazy("Changes requested"),
    "published": gettext_lazy("Published"),
    "rejected": gettext_lazy("Rejected"),
    "duplicate": gettext_lazy("Duplicate"),
    "resolved_in_part": gettext_lazy("Resolved in part"),
    "resolved_in_full": gettext_lazy("Resolved in full"),
    "archived": gettext_lazy("Archived"),
}
VISIBILITY_LABELS: dict[str, Promise] = {
    "public": gettext_lazy("Public"),
    "anonymised": gettext_lazy("Anonymised"),
    "officials_only": gettext_lazy("Officials only"),
}
FIGURE_LABELS: dict[str, Promise] = {
    "new_reports": gettext_lazy("New reports published"),
    "cosignatures": gettext_lazy("Co-signatures"),
    "status_changes": gettext_lazy("Status changes"),
    "resolved_reports": gettext_lazy("Barriers resolved"),
    "new_threads": gettext_lazy("New dialogue threads"),
    "posts": gettext_lazy("Posts in dialogues"),
    "official_responses": gettext_lazy("Official responses"),
}
EDITION_LABELS: dict[str, Promise] = {
    "public": gettext_lazy("Public edition"),
    "officials": gettext_lazy("Edition for officials"),
    "personal": gettext_lazy("Your personalised edition"),
}
SECTION_TITLES: dict[str, Promise] = {
    "figures": gettext_lazy("The week in figures"),
    "charts": gettext_lazy("Charts"),
    "reports_by_market": gettext_lazy("New reports by market"),
    "reports_by_topic": gettext_lazy("New reports by topic"),
    "most_cosigned": gettext_lazy("Most co-signed reports"),
    "status_changes": gettext_lazy("Status changes"),
    "active_threads": gettext_lazy("Most active threads"),
    "official_responses": gettext_lazy("Official responses"),
    "trend": gettext_lazy("Trend over 12 weeks"),
    "by_topic": gettext_lazy("Reports by topic"),
    "by_market": gettext_lazy("Reports by market"),
    "about": gettext_lazy("About this digest"),
}

# An edition's identifier, as a document symbol to cite: "TDP/WD/2026-W48/PUB". It names
# the week and the edition, not the language: the three languages are one publication.
IDENTIFIER_PREFIX = "TDP/WD"
EDITION_CODES = {"public": "PUB", "officials": "OFF", "personal": "PER"}

# The public edition's data are open: Creative Commons Attribution 4.0 (README, "Open data").
# Editions for officials carry officials-only reports and are not licensed for sharing.
PUBLIC_LICENCE_NAME = "CC BY 4.0"
PUBLIC_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def edition_identifier(week: str, kind: str) -> str:
    return f"{IDENTIFIER_PREFIX}/{week}/{EDITION_CODES.get(kind, kind.upper())}"


def licence_url(language: str) -> str:
    """The licence's deed in the reader's language (Creative Commons translates it)."""
    if language[:2] == "en":
        return PUBLIC_LICENCE_URL
    return f"{PUBLIC_LICENCE_URL}deed.{language[:2]}"


def label(labels: dict[str, Promise], code: str) -> str:
    return str(labels[code]) if code in labels else code


def localise(names: dict[str, str] | str | None, language: str | None = None) -> str:
    """The name in `language` (default: the active one), else English, else any name."""
    if names is None:
        return ""
    if isinstance(names, str):
        return names
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def localised_path(path: str, language: str) -> str:
    """A site path in `language`: English has no prefix, French and Spanish do."""
    if not path.startswith("/") or language[:2] == settings.LANGUAGE_CODE:
        return path
    return f"/{language[:2]}{path}"


def absolute_url(path: str, language: str) -> str:
    if not path.startswith("/"):
        return path
    return settings.SITE_URL + localised_path(path, language)


def _datetime(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _date(value: str) -> dt.date:
    """An ISO date, or the UTC date of an ISO datetime."""
    if "T" in value:
        return _datetime(value).astimezone(dt.UTC).date()
    return dt.date.fromisoformat(value)


def change_text(value: int, previous: int) -> str:
    change = value - previous
    if change == 0:
        return _("no change")
    # U+2212 MINUS SIGN reads better than a hyphen in figures.
    return f"+{change}" if change > 0 else f"\u2212{-change}"
