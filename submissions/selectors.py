"""Reads of barrier reports, always given the viewer (a person, or the `Audience` of a digest
edition: portal/audience.py).

Every page, search, duplicate hint, co-signer list, export, email and admin list reads reports
through `reports_visible_to` (or a selector built on it), so the visibility rule lives here
and in permissions.py only. A missing or forbidden report raises Http404.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.models import Organisation, Sector
from portal.permissions import acts_as_moderator, is_official, organisation_of
from portal.types import Reader, person_of
from submissions import search
from submissions.models import (
    PUBLISHED_STATUSES,
    Attachment,
    BarrierReport,
    CoSignature,
    OfficialResponse,
    ReportAlert,
    ReportFollow,
    StatusChange,
)
from submissions.permissions import (
    can_download_attachment,
    can_manage_alert,
    can_save_alerts,
    can_see_attachments,
    can_see_full_timeline,
    can_view_report,
    organisation_is_named,
)

Status = BarrierReport.Status
Visibility = BarrierReport.Visibility

SORT_NEWEST = "newest"
SORT_MOST_COSIGNED = "cosigned"
SORTS = {
    SORT_NEWEST: ("-published_at", "-id"),
    SORT_MOST_COSIGNED: ("-cosignature_count", "-published_at", "-id"),
}


# --- The rule -------------------------------------------------------------------------------


def _visible_beyond_own_q(viewer: Reader) -> Q:
    """What `viewer` may read whoever wrote it (every rule but "your organisation's")."""
    if acts_as_moderator(viewer):
        return ~Q(status=Status.DRAFT)
    if is_official(viewer):
        return Q(status__in=PUBLISHED_STATUSES)
    return Q(status__in=PUBLISHED_STATUSES) & ~Q(visibility=Visibility.OFFICIALS_ONLY)


def visible_reports_q(viewer: Reader) -> Q:
    """The reports `viewer` may read at all, as a filter (mirrors permissions.can_view_report)."""
    visible = _visible_beyond_own_q(viewer)
    if (organisation_id := organisation_of(viewer)) is not None:
        visible |= Q(organisation_id=organisation_id)
    return visible


def reading_key(viewer: Reader) -> str:
    """Readers with the same key may read the same reports (for caches of what they read):
    the role rule of `_visible_beyond_own_q` and the organisation of `visible_reports_q`,
    which are also all `permissions.organisation_is_named` asks, so they see the same
    organisations named (the report list's cached pages rely on both). A rule that comes to
    depend on anything else must add it here."""
    if acts_as_moderator(viewer):
        role = "moderator"
    elif is_official(viewer):
        role = "official"
    else:
        role = "public"
    organisation_id = organisation_of(viewer)
    return role if organisation_id is None else f"{role}:{organisation_id}"


def reports_visible_to(viewer: Reader) -> QuerySet[BarrierReport]:
    return BarrierReport.objects.filter(visible_reports_q(viewer))


def _for_lists(reports: QuerySet[BarrierReport]) -> QuerySet[BarrierReport]:
    return reports.select_related(
        "market", "organisation__org_type", "organisation__country"
    ).prefetch_related("topics")


# --- Showing who reported ------------------------------------------------------------------

_SIZE_LABELS = {
    "micro": lambda: _("a micro enterprise"),
    "small": lambda: _("a small enterprise"),
    "medium": lambda: _("a medium-sized enterprise"),
    "large": lambda: _("a large enterprise"),
}
_CATEGORY_LABELS = {
    "business": lambda: _("a business"),
    "business_representative": lambda: _("a business association"),
    "government": lambda: _("a public body"),
    "international": lambda: _("an international organisation"),
    "civil_society": lambda: _("a civil-society organisation"),
}


def anonymised_organisation_label(organisation: Organisation, sector: str = "") -> str:
    """ "a small enterprise in Kenya, agri-food sector", in the active language."""
    org_type = organisation.org_type
    return organisation_description(
        size_class=org_type.size_class,
        category=org_type.category,
        country_name=organisation.country.name,
        sector=sector or organisation.sector,
    )


def organisation_description(
    *, size_class: str, category: str, country_name: str, sector: str
) -> str:
    """The anonymised label from plain values (the open-data files read rows, not models)."""
    kind = _SIZE_LABELS.get(size_class) or _CATEGORY_LABELS.get(
        category, lambda: _("an organisation")
    )
    if sector in Sector.values:
        sector_label = str(Sector(sector).label)
        return _("%(organisation)s in %(country)s, %(sector)s sector") % {
            "organisation": kind(),
            "country": country_name,
            "sector": sector_label[:1].lower() + sector_label[1:],
        }
    return _("%(organisation)s in %(country)s") % {
        "organisation": kind(),
        "country": country_name,
    }


def report_display_organisation(report: BarrierReport, viewer: Reader) -> str:
    """The reporting organisation as `viewer` may see it: its name, or the anonymised label."""
    if organisation_is_named(viewer, report):
        return report.organisation.name
    return anonymised_organisation_label(report.organisation, report.sector)


@dataclass(frozen=True)
class CoSignerView:
    label: str
    url: str | None
    named: bool
    impact: str
    impact_label: str
    comment: str
    created_at: datetime
    is_viewers_organisation: bool


def cosigner_display_organisation(
    cosignature: CoSignature, report: BarrierReport, viewer: Reader
) -> tuple[str, bool]:
    """Co-signers are shown as the report shows its reporter: on an anonymised report they are
    described, not named, except to themselves and to moderators."""
    own = organisation_of(viewer) == cosignature.organisation_id
    if report.visibility != Visibility.ANONYMISED or own or acts_as_moderator(viewer):
        return cosignature.organisation.name, True
    return anonymised_organisation_label(cosignature.organisation), False


# --- Lists -----------------------------------------------------------------------------------


def _value(filters: Mapping[str, Any], key: str) -> Any:
    value = filters.get(key)
    return getattr(value, "pk", value) if value not in (None, "") else None


def apply_report_filters(
    reports: QuerySet[BarrierReport], filters: Mapping[str, Any]
) -> QuerySet[BarrierReport]:
    """Filters shared by the public list, the moderation queue and the digest:
    market, topic, ntm_chapter, sector, status (one value or a list), q (text),
    published_from / published_to (dates or datetimes, inclusive / exclusive), and
    markets / topics (codes: any of them; a digest subscription's choices)."""
    if market := _value(filters, "market"):
        reports = reports.filter(market_id=market)
    if topic := _value(filters, "topic"):
        reports = reports.filter(topics=topic)
    if markets := filters.get("markets"):
        reports = reports.filter(market_id__in=list(markets))
    if topics := filters.get("topics"):
        # A subquery rather than a join, so a report with two of the topics is listed once.
        tagged = BarrierReport.topics.through.objects.filter(topic_id__in=list(topics))
        reports = reports.filter(pk__in=tagged.values("barrierreport_id"))
    if ntm_chapter := _value(filters, "ntm_chapter"):
        reports = reports.filter(ntm_chapter_id=ntm_chapter)
    if sector := _value(filters, "sector"):
        reports = reports.filter(sector=sector)
    status = filters.get("status")
    if isinstance(status, str) and status:
        reports = reports.filter(status=status)
    elif isinstance(status, list | tuple | set) and status:
        reports = reports.filter(status__in=list(status))
    published_from = filters.get("published_from")
    if isinstance(published_from, datetime | date):
        reports = reports.filter(published_at__gte=published_from)
    published_to = filters.get("published_to")
    if isinstance(published_to, datetime | date):
        reports = reports.filter(published_at__lt=published_to)
    if text := (filters.get("q") or "").strip():
        reports = search.search_filter(reports, text)
    return reports


def report_list_for(
    *, viewer: Reader, filters: Mapping[str, Any] | None = None
) -> QuerySet[BarrierReport]:
    """Published reports `viewer` may read, filtered, sorted (filters["sort"]: newest or
    cosigned), with market, organisation and topics loaded for list pages."""
    filters = filters or {}
    reports = reports_visible_to(viewer).filter(status__in=PUBLISHED_STATUSES)
    reports = apply_report_filters(reports, filters)
    order = SORTS.get(filters.get("sort") or SORT_NEWEST, SORTS[SORT_NEWEST])
    return _for_lists(reports).order_by(*order)


def report_search_excerpts(reports: Sequence[BarrierReport], text: str) -> None:
    """Set `search_excerpt` on a page of search results: why each matched, highlighted."""
    found = search.excerpts(reports, text)
    for report in reports:
        report.search_excerpt = found.get(report.pk)


def report_latest_for(viewer: Reader, limit: int = 5) -> list[BarrierReport]:
    """The newest published reports `viewer` may read (home page)."""
    return list(report_list_for(viewer=viewer)[:limit])


def report_mine_for(*, viewer: Reader, status: str = "") -> QuerySet[BarrierReport]:
    """Every report of the viewer's organisation, drafts included, latest activity first."""
    if (organisation_id := organisation_of(viewer)) is None:
        return BarrierReport.objects.none()
    reports = BarrierReport.objects.filter(organisation_id=organisation_id)
    if status:
        reports = reports.filter(status=status)
    return _for_lists(reports).select_related("reporter").order_by("-updated_at", "-id")


def report_queue_for(
    *, viewer: Reader, filters: Mapping[str, Any] | None = None
) -> QuerySet[BarrierReport]:
    """The triage work list for moderators: oldest submission first."""
    if not acts_as_moderator(viewer):
        return BarrierReport.objects.none()
    filters = dict(filters or {})
    filters.setdefault("status", Status.SUBMITTED)
    reports = apply_report_filters(reports_visible_to(viewer), filters)
    return (
        _for_lists(reports)
        .select_related("reporter")
        .annotate(attachment_total=Count("attachments", distinct=True))
        .order_by("submitted_at", "id")
    )


def report_queue_counts(*, viewer: Reader) -> dict[str, int]:
    """How many reports wait in each status (one query)."""
    if not acts_as_moderator(viewer):
        return {}
    rows = (
        reports_visible_to(viewer)
        .exclude(status=Status.DRAFT)
        .values_list("status")
        .annotate(total=Count("id"))
        .order_by("status")
    )
    counts = {status: 0 for status in Status.values if status != Status.DRAFT}
    counts.update(dict(rows))
    return counts


def report_similar_for(
    *, viewer: Reader, title: str, summary: str = "", exclude: BarrierReport | None = None, limit=5
) -> list[BarrierReport]:
    """Published reports the viewer may read that look like a new report (duplicate hints).

    Candidates come from two index-served sources, the reports anyone in the viewer's role
    may read and the viewer's own organisation's newest, rather than one filter ORing them."""
    published = BarrierReport.objects.filter(status__in=PUBLISHED_STATUSES)
    if exclude is not None:
        published = published.exclude(pk=exclude.pk)
    sources = [published.filter(_visible_beyond_own_q(viewer))]
    if (organisation_id := organisation_of(viewer)) is not None:
        # Its newest reports (report_organisation_newest), then their text: one
        # organisation's thousands never make PostgreSQL read the whole text index.
        own = published.filter(organisation_id=organisation_id).order_by("-published_at", "-id")
        sources.append(published.filter(pk__in=own.values("pk")[: search.HINT_OWN_REPORTS]))
    readable = _for_lists(published.filter(visible_reports_q(viewer)))
    return search.similar_to(sources, readable, f"{title} {summary}", title=title, limit=limit)


# --- One report --------------------------------------------------------------------------------


def report_get_for(*, viewer: Reader, reference: str) -> BarrierReport:
    """A report by reference with everything its page shows loaded, or Http404."""
    report = (
        reports_visible_to(viewer)
        .filter(reference=reference.upper())
        .select_related(
            "market",
            "ntm_chapter",
            "duplicate_of",
            "reporter",
            "organisation__org_type",
            "organisation__country",
        )
        .prefetch_related(
            "topics",
            "hs_chapters",
            "attachments",
            Prefetch(
                "official_responses",
                queryset=OfficialResponse.objects.select_related(
                    "author", "organisation__org_type"
                ),
            ),
        )
        .first()
    )
    if report is None:
        raise Http404
    return report


def report_draft_get_for(*, viewer: Reader, public_id: UUID | str) -> BarrierReport:
    """A report the viewer's organisation is writing (a draft or sent back for changes)."""
    if (organisation_id := organisation_of(viewer)) is None:
        raise Http404
    report = (
        BarrierReport.objects.filter(
            public_id=public_id,
            organisation_id=organisation_id,
            status__in=[Status.DRAFT, Status.CHANGES_REQUESTED],
        )
        .select_related("market", "ntm_chapter", "organisation__org_type", "organisation__country")
        .prefetch_related("topics", "hs_chapters", "attachments")
        .first()
    )
    if report is None:
        raise Http404
    return report


def report_cosigners_for(*, viewer: Reader, report: BarrierReport) -> list[CoSignerView]:
    if not can_view_report(viewer, report):
        return []
    cosignatures = CoSignature.objects.filter(report=report).select_related(
        "organisation__org_type", "organisation__country"
    )
    views = []
    for cosignature in cosignatures:
        label, named = cosigner_display_organisation(cosignature, report, viewer)
        views.append(
            CoSignerView(
                label=label,
                url=cosignature.organisation.get_absolute_url() if named else None,
                named=named,
                impact=cosignature.impact,
                impact_label=cosignature.get_impact_display(),
                comment=cosignature.comment,
                created_at=cosignature.created_at,
                is_viewers_organisation=organisation_of(viewer) == cosignature.organisation_id,
            )
        )
    return views


def report_viewer_cosignature(*, viewer: Reader, report: BarrierReport) -> CoSignature | None:
    if (organisation_id := organisation_of(viewer)) is None:
        return None
    return CoSignature.objects.filter(report=report, organisation_id=organisation_id).first()


def report_timeline_for(*, viewer: Reader, report: BarrierReport) -> list[StatusChange]:
    """The full history (with notes) for the reporter's organisation and moderators; for
    everyone else only the public milestones, without notes."""
    if not can_view_report(viewer, report):
        return []
    changes = StatusChange.objects.filter(report=report).select_related("actor")
    if not can_see_full_timeline(viewer, report):
        changes = changes.filter(to_status__in=PUBLISHED_STATUSES)
    return list(changes.order_by("created_at", "id"))


def report_status_changes_for(
    *,
    viewer: Reader,
    since: datetime,
    until: datetime,
    filters: Mapping[str, Any] | None = None,
) -> QuerySet[StatusChange]:
    """Public milestones (published, resolved, archived) in a period, on published reports the
    viewer (or audience) may read and `filters` keep, oldest first: what a weekly digest
    reports as "status changes"."""
    visible = apply_report_filters(
        reports_visible_to(viewer).filter(status__in=PUBLISHED_STATUSES), filters or {}
    )
    return (
        StatusChange.objects.filter(
            report__in=visible,
            to_status__in=PUBLISHED_STATUSES,
            created_at__gte=since,
            created_at__lt=until,
        )
        .select_related(
            "report__market", "report__organisation__org_type", "report__organisation__country"
        )
        .order_by("created_at", "id")
    )


def report_attachments_for(*, viewer: Reader, report: BarrierReport) -> list[Attachment]:
    if not can_see_attachments(viewer, report):
        return []
    return list(report.attachments.all())


class AttachmentUnavailable(PermissionDenied):
    """The viewer may see this evidence file, but it is being checked for viruses or has been
    quarantined: nobody downloads it (views answer with a page that says which)."""

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(attachment.get_scan_status_display())
        self.attachment = attachment


def attachment_get_for(*, viewer: Reader, attachment_id: int) -> Attachment:
    """An evidence file the viewer may download; Http404 if they may not see it,
    AttachmentUnavailable while it is being checked or once it is quarantined."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id).select_related("report__organisation").first()
    )
    if attachment is None or not can_see_attachments(viewer, attachment.report):
        raise Http404
    if not can_download_attachment(viewer, attachment):
        raise AttachmentUnavailable(attachment)
    return attachment


def attachment_ids_awaiting_scan(*, uploaded_before: datetime, limit: int) -> list[int]:
    """For the virus-scan sweep (no viewer: background work): files uploaded before
    `uploaded_before` and still being checked, oldest first."""
    return list(
        Attachment.objects.filter(
            scan_status=Attachment.ScanStatus.PENDING, created_at__lt=uploaded_before
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def report_duplicates_for(*, viewer: Reader, report: BarrierReport) -> QuerySet[BarrierReport]:
    """Reports closed as duplicates of this one, as far as the viewer may see them."""
    return reports_visible_to(viewer).filter(duplicate_of=report).order_by("reference")


# --- Open data -------------------------------------------------------------------------------


def report_export_queryset() -> QuerySet[BarrierReport]:
    """What the open-data files hold: every published report a visitor may read, oldest first.
    The same for every downloader (a visitor's view), so the files are cacheable and stable.
    exports.py reads it as plain rows and fetches the related values per batch."""
    return (
        reports_visible_to(AnonymousUser())
        .filter(status__in=PUBLISHED_STATUSES)
        .order_by("published_at", "id")
    )


def report_viewer_follows(*, viewer: Reader, report: BarrierReport) -> bool:
    person = person_of(viewer)
    if person is None:
        return False
    return ReportFollow.objects.filter(user_id=person.pk, report=report).exists()


# --- Alerts (saved searches) -----------------------------------------------------------------


def alert_list_for(*, viewer: Reader) -> QuerySet[ReportAlert]:
    person = person_of(viewer)
    if person is None or not can_save_alerts(person):
        return ReportAlert.objects.none()
    return ReportAlert.objects.filter(user_id=person.pk).select_related(
        "market", "topic", "ntm_chapter"
    )


def alert_get_for(*, viewer: Reader, alert_id: int) -> ReportAlert:
    """The viewer's own alert, or 404 (someone else's is as missing as no alert)."""
    alert = alert_list_for(viewer=viewer).filter(pk=alert_id).first()
    if alert is None or not can_manage_alert(viewer, alert):
        raise Http404
    return alert


def alert_new_reports(*, alert: ReportAlert, until: datetime) -> QuerySet[BarrierReport]:
    """Reports the alert's owner may read, matching its search, published after its watermark
    and up to `until`, newest first. The range on published_at is what keeps this cheap with
    500,000 reports (a range of index report_newest)."""
    return report_list_for(viewer=alert.user, filters=alert.filters()).filter(
        published_at__gt=alert.last_published_at, published_at__lte=until
    )


def alert_ids_due(*, now: datetime, limit: int) -> list[int]:
    """Alerts switched on whose next check has come (index report_alert_due)."""
    return list(
        ReportAlert.objects.exclude(frequency=ReportAlert.Frequency.OFF)
        .filter(next_run_at__lte=now)
        .order_by("next_run_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- Feeds ---------------------------------------------------------------------------------------


def report_feed_items(*, filters: Mapping[str, Any], limit: int) -> list[BarrierReport]:
    """The newest public reports matching a search, for an Atom feed: read as a visitor, so
    officials-only reports never appear and anonymised ones are described, not named."""
    return list(report_list_for(viewer=AnonymousUser(), filters=filters)[:limit])


def organisation_feed_items(*, organisation: Organisation, limit: int) -> list[BarrierReport]:
    """An organisation's public reports only: an anonymised report listed under its name would
    no longer be anonymous."""
    return list(
        report_list_for(viewer=AnonymousUser()).filter(
            organisation=organisation, visibility=Visibility.PUBLIC
        )[:limit]
    )
