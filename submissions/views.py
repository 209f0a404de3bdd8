"""Pages for barrier reports: browse, file step by step, read, co-sign, answer, triage, export.

Views are thin: a form parses input, a selector loads what the viewer may see (404 otherwise),
one service writes. Every view works without JavaScript.
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.pagination import CappedPaginator, query_without_page
from portal.permissions import (
    login_required,
    member_required,
    moderator_required,
    official_required,
    public,
)
from portal.uploads import name_as_sent
from submissions import exports, files, filing, selectors, services
from submissions.forms import (
    STEP_FORMS,
    AboutStepForm,
    CoSignForm,
    EvidenceStepForm,
    OfficialResponseForm,
    QueueFilterForm,
    ReportFilterForm,
    TriageForm,
    step_changes,
    step_initial,
)
from submissions.models import Attachment, BarrierReport
from submissions.permissions import (
    can_cosign,
    can_edit_report,
    can_file_reports,
    can_respond_officially,
    can_see_full_timeline,
    can_see_who_decided,
    can_triage,
    moderator_transitions,
)

PAGE_SIZE = 20


# --- Finding reports -----------------------------------------------------------------------------


@public
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    reports = selectors.report_list_for(viewer=request.user, filters=filters)
    page = CappedPaginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.report_search_excerpts(page.object_list, filters.get("q") or "")
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_file": can_file_reports(request.user),
        "searching": bool(request.GET.get("q")),
    }
    return render(request, "submissions/report_list.html", context)


@member_required
@require_safe
def report_mine(request: HttpRequest) -> HttpResponse:
    reports = selectors.report_mine_for(viewer=request.user)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "submissions/report_mine.html",
        {"page": page, "query": query_without_page(request)},
    )


def _scan_context(attachments: list[Attachment]) -> dict[str, bool]:
    """Whether the evidence list needs a word about files being checked or quarantined."""
    statuses = {attachment.scan_status for attachment in attachments}
    return {
        "attachments_waiting": Attachment.ScanStatus.PENDING in statuses,
        "attachments_quarantined": Attachment.ScanStatus.INFECTED in statuses,
    }


def _detail_context(request: HttpRequest, report: BarrierReport) -> dict[str, Any]:
    viewer = request.user
    attachments = selectors.report_attachments_for(viewer=viewer, report=report)
    return {
        "report": report,
        "timeline": selectors.report_timeline_for(viewer=viewer, report=report),
        "full_timeline": can_see_full_timeline(viewer, report),
        "timeline_actors": can_see_who_decided(viewer, report),
        "cosigners": selectors.report_cosigners_for(viewer=viewer, report=report),
        "attachments": attachments,
        **_scan_context(attachments),
        "duplicates": selectors.report_duplicates_for(viewer=viewer, report=report),
        "viewer_cosignature": selectors.report_viewer_cosignature(viewer=viewer, report=report),
        "can_cosign": can_cosign(viewer, report),
        "can_respond": can_respond_officially(viewer, report),
        "can_edit": can_edit_report(viewer, report),
        "can_triage": can_triage(viewer),
        "cosign_form": CoSignForm(),
        "response_form": OfficialResponseForm(),
    }


@public
@require_safe
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    return render(request, settings.REPORT_DETAIL_TEMPLATE, _detail_context(request, report))


@member_required
@require_POST
def report_cosign(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    if not can_cosign(request.user, report):
        messages.error(request, _("Your organisation cannot co-sign this report."))
        return redirect(report)
    form = CoSignForm(request.POST)
    if not form.is_valid():
        context = {**_detail_context(request, report), "cosign_form": form}
        return render(request, settings.REPORT_DETAIL_TEMPLATE, context, status=400)
    services.report_cosign(
        actor=request.user,
        report=report,
        impact=form.cleaned_data["impact"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(
        request,
        _("Your organisation now co-signs %(reference)s.") % {"reference": report.reference},
    )
    return redirect(report)


@member_required
@require_POST
def report_cosign_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    services.report_cosign_withdraw(actor=request.user, report=report)
    messages.success(request, _("Your organisation's co-signature has been withdrawn."))
    return redirect(report)


@official_required
@require_POST
def report_respond(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    if not can_respond_officially(request.user, report):
        messages.error(request, _("This report is not open to official responses."))
        return redirect(report)
    form = OfficialResponseForm(request.POST)
    if not form.is_valid():
        context = {**_detail_context(request, report), "response_form": form}
        return render(request, settings.REPORT_DETAIL_TEMPLATE, context, status=400)
    services.official_response_post(
        actor=request.user, report=report, body=form.cleaned_data["body"]
    )
    messages.success(request, _("Your official response has been posted."))
    return redirect(report)


@public
@require_safe
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """Evidence only as a download, never rendered by the browser, only to viewers who may
    see the report's evidence (selectors answer 404 otherwise), and only once the virus
    scanner has passed it (a page says the file is being checked, or quarantined)."""
    try:
        attachment = selectors.attachment_get_for(viewer=request.user, attachment_id=attachment_id)
    except selectors.AttachmentUnavailable as unavailable:
        return render(
            request,
            "submissions/attachment_unavailable.html",
            {"attachment": unavailable.attachment},
            status=409,
        )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Open data ------------------------------------------------------------------------------------


@public
@require_safe
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.csv_rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="barrier-reports.csv"'
    return response


@public
@require_safe
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.json_chunks(), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="barrier-reports.json"'
    return response


# --- Filing ---------------------------------------------------------------------------------------


def _step_url(report: BarrierReport, step: str) -> str:
    return reverse("submissions:draft_step", kwargs={"draft": report.public_id, "step": step})


def _check_url(report: BarrierReport) -> str:
    return reverse("submissions:draft_check", kwargs={"draft": report.public_id})


def _render_step(
    request: HttpRequest, report: BarrierReport | None, step: str, form: Any, status: int = 200
) -> HttpResponse:
    position = filing.STEP_SLUGS.index(step)
    previous = filing.previous_step(step)
    back_url = None
    if request.GET.get("from") == "check" and report is not None:
        back_url = _check_url(report)
    elif previous and report is not None:
        back_url = _step_url(report, previous)
    attachments = list(report.attachments.all()) if report is not None else []
    context = {
        "report": report,
        "step": filing.STEPS_BY_SLUG[step],
        "step_number": position + 1,
        "step_total": len(filing.STEPS),
        "form": form,
        "back_url": back_url,
        "from_check": request.GET.get("from") == "check",
        "attachments": attachments,
        **_scan_context(attachments),
    }
    return render(request, f"submissions/filing/step_{step}.html", context, status=status)


def _not_a_member(request: HttpRequest) -> HttpResponse:
    return render(request, "submissions/filing/not_member.html", status=403)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """The first step: a title and summary start a draft for the viewer's organisation."""
    if not can_file_reports(request.user):
        return _not_a_member(request)
    form = AboutStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = services.report_draft_create(
            actor=request.user,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            language=(request.LANGUAGE_CODE or "en")[:2],
        )
        return _after_about(request, report)
    return _render_step(request, None, "about", form, status=400 if form.errors else 200)


def _after_about(request: HttpRequest, report: BarrierReport) -> HttpResponse:
    if request.POST.get("action") == "later":
        messages.success(request, _("Your draft has been saved. Continue it from your reports."))
        return redirect("submissions:mine")
    if request.POST.get("from") == "check":
        return redirect(_check_url(report))
    if selectors.report_similar_for(
        viewer=request.user, title=report.title, summary=report.summary, exclude=report
    ):
        return redirect("submissions:draft_similar", draft=report.public_id)
    return redirect(_step_url(report, "market"))


def _after_step(request: HttpRequest, report: BarrierReport, step: str) -> HttpResponse:
    if request.POST.get("action") == "later":
        messages.success(request, _("Your draft has been saved. Continue it from your reports."))
        return redirect("submissions:mine")
    if step == "about":
        return _after_about(request, report)
    following = filing.next_step(step)
    if request.POST.get("from") == "check" or following is None:
        return redirect(_check_url(report))
    return redirect(_step_url(report, following))


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft_step(request: HttpRequest, draft: UUID, step: str) -> HttpResponse:
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    if step not in STEP_FORMS:
        raise Http404
    if step == "evidence":
        return _evidence_step(request, report)
    form_class = STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            services.report_draft_update(
                actor=request.user, report=report, changes=step_changes(step, form)
            )
            return _after_step(request, report, step)
        return _render_step(request, report, step, form, status=400)
    form = form_class(initial=step_initial(step, report))
    return _render_step(request, report, step, form)


def _evidence_step(request: HttpRequest, report: BarrierReport) -> HttpResponse:
    if request.method != "POST":
        form = EvidenceStepForm(initial=step_initial("evidence", report))
        return _render_step(request, report, "evidence", form)
    form = EvidenceStepForm(request.POST, request.FILES)
    valid = form.is_valid()
    for upload in form.cleaned_data.get("files", []):
        try:
            attachment = services.attachment_add(actor=request.user, report=report, upload=upload)
        except ValidationError as error:
            form.add_error("files", error)
            valid = False
            continue
        name = attachment.original_name
        messages.success(request, _("%(name)s has been attached.") % {"name": name})
        for note in files.name_notes(name_as_sent(upload), name):
            messages.warning(request, note)
    if "steps_taken" not in form.errors:
        services.report_draft_update(
            actor=request.user,
            report=report,
            changes={"steps_taken": form.cleaned_data.get("steps_taken", "")},
        )
    report = selectors.report_draft_get_for(viewer=request.user, public_id=report.public_id)
    if not valid:
        return _render_step(request, report, "evidence", form, status=400)
    if request.POST.get("action") == "upload":
        return redirect(
            _step_url(report, "evidence")
            + ("?from=check" if request.POST.get("from") == "check" else "")
        )
    return _after_step(request, report, "evidence")


@member_required
@require_POST
def attachment_remove(request: HttpRequest, draft: UUID, attachment_id: int) -> HttpResponse:
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    attachment = next((a for a in report.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404
    services.attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("%(name)s has been removed.") % {"name": attachment.original_name})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = _step_url(report, "evidence")
    return redirect(next_url)


@member_required
@require_safe
def draft_similar(request: HttpRequest, draft: UUID) -> HttpResponse:
    """Has this been reported already? Co-signing is quicker than filing again."""
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    similar = selectors.report_similar_for(
        viewer=request.user, title=report.title, summary=report.summary, exclude=report
    )
    if not similar:
        return redirect(_step_url(report, "market"))
    forms = [
        (candidate, CoSignForm(prefix=f"r{candidate.pk}"))
        if can_cosign(request.user, candidate)
        else (candidate, None)
        for candidate in similar
    ]
    return render(
        request,
        "submissions/filing/similar.html",
        {"report": report, "similar": forms, "next_url": _step_url(report, "market")},
    )


@member_required
@require_POST
def draft_cosign_instead(request: HttpRequest, draft: UUID, reference: str) -> HttpResponse:
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    original = selectors.report_get_for(viewer=request.user, reference=reference)
    if not can_cosign(request.user, original):
        messages.error(request, _("Your organisation cannot co-sign this report."))
        return redirect("submissions:draft_similar", draft=report.public_id)
    form = CoSignForm(request.POST, prefix=f"r{original.pk}")
    if not form.is_valid():
        similar = selectors.report_similar_for(
            viewer=request.user, title=report.title, summary=report.summary, exclude=report
        )
        forms = [
            (
                candidate,
                form if candidate.pk == original.pk else CoSignForm(prefix=f"r{candidate.pk}"),
            )
            if can_cosign(request.user, candidate)
            else (candidate, None)
            for candidate in similar
        ]
        return render(
            request,
            "submissions/filing/similar.html",
            {"report": report, "similar": forms, "next_url": _step_url(report, "market")},
            status=400,
        )
    services.report_cosign_instead_of_filing(
        actor=request.user,
        draft=report,
        report=original,
        impact=form.cleaned_data["impact"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(
        request,
        _("Your organisation now co-signs %(reference)s, and your draft has been discarded.")
        % {"reference": original.reference},
    )
    return redirect(original)


def _check_rows(report: BarrierReport) -> list[dict[str, Any]]:
    """What the check page lists: each step's answers with a link to change them."""
    return [
        {"step": step, "url": _step_url(report, step.slug) + "?from=check"} for step in filing.STEPS
    ]


def _render_check(
    request: HttpRequest, report: BarrierReport, errors: dict[str, Any] | None = None
) -> HttpResponse:
    missing = filing.missing_answers(report)
    context = {
        "report": report,
        "rows": _check_rows(report),
        "missing": [
            {
                "message": message,
                "url": _step_url(report, filing.step_for_field(field).slug) + "?from=check",
            }
            for field, message in missing.items()
        ],
        "show_errors": errors is not None,
        "last_change": report.status_changes.filter(
            to_status=BarrierReport.Status.CHANGES_REQUESTED
        )
        .order_by("-created_at")
        .first()
        if report.status == BarrierReport.Status.CHANGES_REQUESTED
        else None,
    }
    return render(request, "submissions/filing/check.html", context, status=400 if errors else 200)


@member_required
@require_safe
def draft_check(request: HttpRequest, draft: UUID) -> HttpResponse:
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    return _render_check(request, report)


@member_required
@require_POST
def draft_submit(request: HttpRequest, draft: UUID) -> HttpResponse:
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    try:
        report = services.report_submit(actor=request.user, report=report)
    except ValidationError as error:
        return _render_check(request, report, errors=error.message_dict)
    messages.success(
        request,
        _(
            "Your report %(reference)s has been sent to the moderators. We will email you when "
            "its status changes."
        )
        % {"reference": report.reference},
    )
    return redirect(report)


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft_delete(request: HttpRequest, draft: UUID) -> HttpResponse:
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    if report.status != BarrierReport.Status.DRAFT:
        raise Http404
    if request.method == "POST":
        services.report_draft_delete(actor=request.user, report=report)
        messages.success(request, _("Your draft has been deleted."))
        return redirect("submissions:mine")
    return render(request, "submissions/filing/delete.html", {"report": report})


# --- Moderation -----------------------------------------------------------------------------------


@moderator_required
@require_safe
def triage_queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    reports = selectors.report_queue_for(viewer=request.user, filters=form.filters())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "counts": [
            (status, BarrierReport.Status(status).label, total)
            for status, total in selectors.report_queue_counts(viewer=request.user).items()
        ],
        "current_status": form.filters()["status"],
    }
    return render(request, "submissions/moderation/queue.html", context)


def _render_triage(
    request: HttpRequest, report: BarrierReport, form: TriageForm, status: int = 200
) -> HttpResponse:
    context = {
        **_detail_context(request, report),
        "triage_form": form,
        "similar": selectors.report_similar_for(
            viewer=request.user, title=report.title, summary=report.summary, exclude=report
        ),
    }
    return render(request, "submissions/moderation/triage.html", context, status=status)


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def triage_report(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    allowed = moderator_transitions(request.user, report)
    if request.method != "POST":
        return _render_triage(request, report, TriageForm(allowed=allowed))
    form = TriageForm(request.POST, allowed=allowed)
    if not form.is_valid():
        return _render_triage(request, report, form, status=400)
    try:
        services.report_transition(
            actor=request.user,
            report=report,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"],
            duplicate_of=form.cleaned_data["duplicate_of"],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            form.add_error(None, error)
        return _render_triage(request, report, form, status=400)
    messages.success(
        request,
        _("%(reference)s is now %(status)s. The reporter has been told.")
        % {
            "reference": report.reference,
            "status": BarrierReport.Status(form.cleaned_data["to_status"]).label.lower(),
        },
    )
    return redirect("submissions_moderation:queue")
