"""What the digest says about itself, as a publication does: the week as dates, the edition
identifier, sources for tables and figures, the method note, a suggested citation and the
licence. One place, so the PDF, the web page and the workbook's "Notes" sheet say the same.

Call inside `translation.override(language)`.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from dialogues.digests.render.labels import (
    EDITION_LABELS,
    PUBLIC_LICENCE_NAME,
    absolute_url,
    edition_identifier,
    label,
    licence_url,
)
from dialogues.digests.schema import DigestSnapshot
from dialogues.digests.weeks import iso_weeks_ending, parse_iso_week
from portal import dates


@dataclass(frozen=True)
class Publication:
    identifier: str  # "TDP/WD/2026-W48/PUB"
    dates: str  # "23–29 November 2026"
    week_label: str  # "Week 48 of 2026"
    edition_label: str
    compiled: str  # "30 November 2026, 05:00"
    document_title: str  # the PDF's title, shown by readers instead of the file name
    running_header: str
    source_reports: str
    source_trend: str
    source_dialogues: str
    source_all: str
    method: tuple[str, ...]
    citation: str
    url: str
    licence_name: str  # "CC BY 4.0", or "" for editions that may not be shared
    licence_url: str
    licence_text: str


def publication(snapshot: DigestSnapshot, *, language: str) -> Publication:
    week, kind = snapshot["week"], snapshot["edition"]["kind"]
    year, number = parse_iso_week(week)
    site = settings.SITE_NAME
    span = dates.date_range(snapshot["week_start"], snapshot["week_end"], language)
    identifier = edition_identifier(week, kind)
    edition_label = label(EDITION_LABELS, kind)
    first_year, first_number = parse_iso_week(iso_weeks_ending(week)[0])
    trend_start = dt.date.fromisocalendar(first_year, first_number, 1)
    trend_span = dates.date_range(trend_start, snapshot["week_end"], language)
    url = absolute_url(f"/digests/{week}/", language)
    method = [
        _(
            "A barrier report describes an obstacle that a firm met when it sold or bought "
            "across borders online: a rule, a fee, a refusal or a delay. Firms, or the business "
            "associations that speak for them, file reports on the portal."
        ),
        _(
            "Reports are self-declared by the firms that file them. Moderators check that a "
            "report is complete and within the portal's scope before publishing it, but they "
            "do not verify the facts: a report is a firm's account, not a verified finding "
            "that a barrier exists."
        ),
        _(
            "How figures are counted: each report is counted once, in the week it was "
            "published (Monday to Sunday, UTC). A report can concern several topics; it is "
            "listed under each of them, so the counts by topic can add up to more than the "
            "number of reports. Barriers resolved counts reports marked resolved, in part or "
            "in full, during the week, each once. Co-signatures, status changes, posts and "
            "official responses are counted as they happened during the week."
        ),
    ]
    if kind == "public":
        method.append(
            _(
                "This public edition holds what any visitor may read: reports visible to "
                "officials only are left out, and anonymised reports do not name the firm."
            )
        )
        licence_text = _(
            "The data in this public edition may be shared and adapted under the Creative "
            "Commons Attribution 4.0 International licence (%(licence)s), provided %(site)s "
            "is credited as the source."
        ) % {"licence": PUBLIC_LICENCE_NAME, "site": site}
        licence_name, licence_link = PUBLIC_LICENCE_NAME, licence_url(language)
    else:
        method.append(
            _(
                "This edition also holds reports visible to verified officials only; its figures "
                "therefore differ from those of the public edition."
            )
        )
        licence_text = _(
            "This edition is for verified officials and their organisations only. It is not "
            "licensed for publication or sharing; cite the public edition instead."
        )
        licence_name, licence_link = "", ""
    return Publication(
        identifier=identifier,
        dates=span,
        week_label=_("Week %(number)d of %(year)d") % {"number": number, "year": year},
        edition_label=edition_label,
        compiled=dates.long_datetime(snapshot["compiled_at"], language),
        document_title=_("%(site)s: Weekly digest, %(dates)s (%(edition)s)")
        % {"site": site, "dates": span, "edition": edition_label},
        running_header=_("%(site)s · Weekly digest, %(dates)s · %(edition)s")
        % {"site": site, "dates": span, "edition": edition_label},
        source_reports=_("Source: %(site)s, barrier reports self-declared by firms, %(dates)s.")
        % {"site": site, "dates": span},
        source_trend=_("Source: %(site)s, barrier reports self-declared by firms, %(dates)s.")
        % {"site": site, "dates": trend_span},
        source_dialogues=_("Source: %(site)s, Trade Dialogue threads, %(dates)s.")
        % {"site": site, "dates": span},
        source_all=_("Source: %(site)s, barrier reports and Trade Dialogues, %(dates)s.")
        % {"site": site, "dates": span},
        method=tuple(method),
        citation=_(
            "%(site)s (%(year)d). Weekly digest of e-commerce barrier reports, %(dates)s. "
            "%(edition)s, %(identifier)s. %(url)s"
        )
        % {
            "site": site,
            "year": year,
            "dates": span,
            "edition": edition_label,
            "identifier": identifier,
            "url": url,
        },
        url=url,
        licence_name=licence_name,
        licence_url=licence_link,
        licence_text=licence_text,
    )
