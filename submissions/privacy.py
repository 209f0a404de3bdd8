"""What the submissions package holds about a person, for their export (see portal.privacy).

Only what the person did themselves: the reports and drafts they filed, the evidence files
they uploaded, the co-signatures they gave and the official responses they wrote. Reports
their colleagues filed belong to those colleagues' exports, even when the person could read
them (officials-only reports of their own organisation among them).

Only their alerts (saved searches) and report follows are erased when the person deletes
their account: reports, their evidence, co-signatures and official responses are their
organisation's record and part of the public one once published. They keep pointing at the
emptied user row, shown as "former member".
"""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from portal.models import HsChapter, Topic, User
from portal.privacy import CHUNK_SIZE, PersonalDataProvider, Section, absolute_url, iso
from submissions.models import (
    Attachment,
    BarrierReport,
    CoSignature,
    OfficialResponse,
    ReportAlert,
    ReportFollow,
    StatusChange,
)


def _report(report: BarrierReport) -> dict[str, Any]:
    return {
        "reference": report.reference,
        "url": absolute_url(report),
        "status": report.status,
        "visibility": report.visibility,
        "organisation": report.organisation.name,
        "title": report.title,
        "summary": report.summary,
        "description": report.description,
        "language": report.language,
        "market": report.market_id,
        "trade_direction": report.trade_direction or None,
        "delivery_mode": report.delivery_mode or None,
        "topics": [topic.code for topic in report.export_topics],  # type: ignore[attr-defined]
        "ntm_chapter": report.ntm_chapter_id,
        "hs_chapters": [chapter.code for chapter in report.export_hs_chapters],  # type: ignore[attr-defined]
        "sector": report.sector or None,
        "first_encountered": iso(report.first_encountered),
        "still_active": report.still_active,
        "cost_band": report.cost_band or None,
        "steps_taken": report.steps_taken,
        "created_at": iso(report.created_at),
        "submitted_at": iso(report.submitted_at),
        "published_at": iso(report.published_at),
        "status_history": [
            {
                "from": change.from_status or None,
                "to": change.to_status,
                "at": iso(change.created_at),
                "note": change.note,
            }
            for change in report.export_status_changes  # type: ignore[attr-defined]
        ],
    }


class SubmissionsPersonalData(PersonalDataProvider):
    sections = (
        Section(
            "reports",
            _(
                "Barrier reports you filed, as you wrote them, with their status history and "
                "the moderators' notes to you."
            ),
        ),
        Section("drafts", _("Reports you started and have not submitted yet.")),
        Section(
            "attachments",
            _("Evidence files you uploaded: name, type, size and checksum (not the files)."),
        ),
        Section("cosignatures", _("Reports you co-signed for your organisation.")),
        Section("official_responses", _("Responses you posted on reports as an official.")),
        Section("report_follows", _("Reports you follow on your notifications page.")),
        Section(
            "alerts",
            _("Report searches you saved as alerts, how often we email you and when we last did."),
        ),
    )

    def export(self, *, person: User) -> Mapping[str, Any]:
        filed = (
            BarrierReport.objects.filter(reporter=person)
            .select_related("organisation")
            .prefetch_related(
                Prefetch("topics", queryset=Topic.objects.only("code"), to_attr="export_topics"),
                Prefetch(
                    "hs_chapters",
                    queryset=HsChapter.objects.only("code"),
                    to_attr="export_hs_chapters",
                ),
                Prefetch(
                    "status_changes",
                    queryset=StatusChange.objects.order_by("created_at", "id"),
                    to_attr="export_status_changes",
                ),
            )
            .order_by("created_at", "id")
        )
        attachments = (
            Attachment.objects.filter(uploaded_by=person)
            .select_related("report")
            .order_by("created_at", "id")
        )
        cosignatures = (
            CoSignature.objects.filter(signed_by=person)
            .select_related("report", "organisation")
            .order_by("created_at", "id")
        )
        responses = (
            OfficialResponse.objects.filter(author=person)
            .select_related("report", "organisation")
            .order_by("created_at", "id")
        )
        drafts = filed.filter(status=BarrierReport.Status.DRAFT)
        return {
            "reports": (
                _report(report)
                for report in filed.exclude(status=BarrierReport.Status.DRAFT).iterator(
                    chunk_size=CHUNK_SIZE
                )
            ),
            "drafts": (
                {key: value for key, value in _report(report).items() if key != "status_history"}
                for report in drafts.iterator(chunk_size=CHUNK_SIZE)
            ),
            "attachments": (
                {
                    "report": attachment.report.reference,
                    "report_url": absolute_url(attachment.report),
                    "file_name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "sha256": attachment.sha256,
                    "uploaded_at": iso(attachment.created_at),
                }
                for attachment in attachments.iterator(chunk_size=CHUNK_SIZE)
            ),
            "cosignatures": (
                {
                    "report": cosignature.report.reference,
                    "report_url": absolute_url(cosignature.report),
                    "organisation": cosignature.organisation.name,
                    "impact": cosignature.impact,
                    "comment": cosignature.comment,
                    "signed_at": iso(cosignature.created_at),
                }
                for cosignature in cosignatures.iterator(chunk_size=CHUNK_SIZE)
            ),
            "official_responses": (
                {
                    "report": response.report.reference,
                    "report_url": absolute_url(response.report),
                    "on_behalf_of": response.organisation.name,
                    "body": response.body,
                    "posted_at": iso(response.created_at),
                }
                for response in responses.iterator(chunk_size=CHUNK_SIZE)
            ),
            "report_follows": (
                {
                    "report": follow.report.reference,
                    "report_url": absolute_url(follow.report),
                    "since": iso(follow.created_at),
                }
                for follow in ReportFollow.objects.filter(user=person)
                .select_related("report")
                .order_by("created_at", "id")
            ),
            "alerts": (
                {
                    "name": alert.name,
                    "words": alert.q,
                    "market": alert.market_id,
                    "topic": alert.topic_id,
                    "ntm_chapter": alert.ntm_chapter_id,
                    "sector": alert.sector or None,
                    "frequency": alert.frequency,
                    "created_at": iso(alert.created_at),
                    "last_email_at": iso(alert.last_sent_at),
                }
                for alert in ReportAlert.objects.filter(user=person).order_by("created_at", "id")
            ),
        }

    def erase(self, *, person: User) -> dict[str, int]:
        """Alerts and report follows are the person's own: they go with the account."""
        alerts, _by_model = ReportAlert.objects.filter(user=person).delete()
        follows, _by_model = ReportFollow.objects.filter(user=person).delete()
        return {"alerts": alerts, "report_follows": follows}
