"""Words and names a digest shows, in the reader's language: labels of codes (statuses,
visibility, figures, editions, sections), names picked from a snapshot's per-language names,
links with the reader's language prefix, dates and week-over-week changes."""

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
}


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
