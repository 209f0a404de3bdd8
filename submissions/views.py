"""Pages for barrier reports: browse, file step by step, read, co-sign, answer, triage, export.

Views are thin: a form parses input, a selector loads what the viewer may see (404 otherwise),
one service writes. Every view works without JavaScript.
"""

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.models import Organisation, Sector
from portal.pagecache import (
    cached_for_people,
    cached_for_people_and,
    cached_for_visitors,
    row_generation_key,
)
from portal.pagination import (
    COUNT_CAP,
    FILTERED_COUNT_CAP,
    SEARCH_PAGES,
    CappedPaginator,
    query_without_page,
)
from portal.permissions import (
    login_required,
    member_required,
    moderator_required,
    official_required,
    public,
)
from portal.types import SignedInRequest
from portal.uploads import name_as_sent
from submissions import exports, files, filing, opendata, selectors, services
from submissions.forms import (
    STEP_FORMS,
    AboutStepForm,
    AlertForm,
    AlertFrequencyForm,
    CoSignForm,
    EvidenceStepForm,
    OfficialResponseForm,
    QueueFilterForm,
    ReportFilterForm,
    TriageForm,
    step_changes,
    step_initial,
)
from submissions.models import Attachment, BarrierReport, ReportAlert
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
@cached_for_visitors
@cached_for_people
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()

    def results() -> Page:
        reports = selectors.report_list_for(viewer=request.user, filters=filters)
        filtered = any(value for key, value in filters.items() if key != "sort")
        cap = FILTERED_COUNT_CAP if filtered else COUNT_CAP
        searched = SEARCH_PAGES if filters.get("q") else None
        paginator = CappedPaginator(reports, PAGE_SIZE, cap=cap, max_pages=searched)
        page = paginator.get_page(request.GET.get("page"))
        selectors.report_search_excerpts(list(page.object_list), filters.get("q") or "")
        return page

    context = {
        "form": form,
        # Read only when the page is not in the cache (the template's `report_list`
        # fragment, kept per reader class, language and query).
        "page": SimpleLazyObject(results),
        "reading_key": selectors.reading_key(request.user),
        "fragment_seconds": settings.PAGE_CACHE_SECONDS,
        "query": query_without_page(request),
        "can_file": can_file_reports(request.user),
        "searching": bool(request.GET.get("q")),
        # The search without paging or sorting, for the alert and the feed.
        "feed_query": _search_query(form),
        "row_limit": exports.EXPORT_ROW_LIMIT,
    }
    return render(request, "submissions/report_list.html", context)


SEARCH_KEYS = ("q", "market", "topic", "ntm_chapter", "sector")


def _search_query(form: ReportFilterForm) -> str:
    filters = form.filters()
    values = {key: getattr(filters.get(key), "pk", filters.get(key)) for key in SEARCH_KEYS}
    return urlencode({key: value for key, value in values.items() if value})


@member_required
@require_safe
def report_mine(request: SignedInRequest) -> HttpResponse:
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
        "viewer_follows": selectors.report_viewer_follows(viewer=viewer, report=report),
        "can_cosign": can_cosign(viewer, report),
        "can_respond": can_respond_officially(viewer, report),
        "can_edit": can_edit_report(viewer, report),
        "can_triage": can_triage(viewer),
        "cosign_form": CoSignForm(),
        "response_form": OfficialResponseForm(),
    }


@public
@cached_for_visitors
@require_safe
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    return render(request, settings.REPORT_DETAIL_TEMPLATE, _detail_context(request, report))


@login_required
@require_POST
def report_follow(request: SignedInRequest, reference: str) -> HttpResponse:
    """Follow (follow=1) or stop following (follow=0) a report on the notifications page."""
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    following = request.POST.get("follow") == "1"
    services.report_follow_set(actor=request.user, report=report, following=following)
    if following:
        messages.success(
            request, _("You follow this report: its news appears in your notifications.")
        )
    else:
        messages.success(request, _("You no longer follow this report."))
    return redirect(report)


@member_required
@require_POST
def report_cosign(request: SignedInRequest, reference: str) -> HttpResponse:
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
def report_cosign_withdraw(request: SignedInRequest, reference: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=request.user, reference=reference)
    services.report_cosign_withdraw(actor=request.user, report=report)
    messages.success(request, _("Your organisation's co-signature has been withdrawn."))
    return redirect(report)


@official_required
@require_POST
def report_respond(request: SignedInRequest, reference: str) -> HttpResponse:
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


# Exports take the report list's filters and stop at exports.EXPORT_ROW_LIMIT reports: a
# request must end before the web server's timeout. Every report: the bulk files below.


def _export_reports(request: HttpRequest):
    return exports.filtered_reports(ReportFilterForm(request.GET or None).filters())


@public
@require_safe
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_rows_limited(_export_reports(request), exports.EXPORT_ROW_LIMIT),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="barrier-reports.csv"'
    return response


@public
@require_safe
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.json_chunks(_export_reports(request), exports.EXPORT_ROW_LIMIT),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="barrier-reports.json"'
    return response


# How often the "being prepared" page asks again, in seconds.
OPEN_DATA_REFRESH_SECONDS = 30


@public
@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    """The complete open-data files, when each was last built and how large it is."""
    return render(
        request,
        "submissions/open_data.html",
        {
            "files": [
                {"file": file, "spec": opendata.BULK_FORMATS[file.fmt]}
                for file in opendata.bulk_files()
            ],
            "row_limit": exports.EXPORT_ROW_LIMIT,
        },
    )


@public
@require_safe
def open_data_download(request: HttpRequest, filename: str) -> HttpResponseBase:
    """A complete file from storage; one not built yet is queued (once) and the reader is told
    it is being prepared. Never built here."""
    fmt = next(
        (fmt for fmt, spec in opendata.BULK_FORMATS.items() if spec.filename == filename), None
    )
    if fmt is None:
        raise Http404
    file = opendata.bulk_file_request(fmt)
    if not file.is_ready or file.built_at is None:
        response: HttpResponseBase = render(
            request,
            "submissions/open_data_preparing.html",
            {"filename": filename, "refresh_seconds": OPEN_DATA_REFRESH_SECONDS},
            status=202,
        )
        response["Refresh"] = str(OPEN_DATA_REFRESH_SECONDS)
        response["Retry-After"] = str(OPEN_DATA_REFRESH_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(
        opendata.open_bulk_file(file),
        as_attachment=True,
        filename=filename,
        content_type="application/gzip",
    )
    if file.size is not None:
        response["Content-Length"] = str(file.size)
    response["Last-Modified"] = http_date(file.built_at.timestamp())
    response["Cache-Control"] = "public, max-age=3600"
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
def report_new(request: SignedInRequest) -> HttpResponse:
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
def draft_step(request: SignedInRequest, draft: UUID, step: str) -> HttpResponse:
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


def _evidence_step(request: SignedInRequest, report: BarrierReport) -> HttpResponse:
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
def attachment_remove(request: SignedInRequest, draft: UUID, attachment_id: int) -> HttpResponse:
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
# The page shows the draft's words and published reports (the visitors' generation): its
# copies are also checked against the draft's own row.
@cached_for_people_and(lambda draft: [row_generation_key("report", draft)])
@require_safe
def draft_similar(request: SignedInRequest, draft: UUID) -> HttpResponse:
    """Has this been reported already? Co-signing is quicker than filing again. Each hint is
    a short summary with one "This affects us too" button that opens its co-sign form."""
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    similar = selectors.report_similar_for(
        viewer=request.user, title=report.title, summary=report.summary, exclude=report
    )
    if not similar:
        return redirect(_step_url(report, "market"))
    hints = [(candidate, can_cosign(request.user, candidate)) for candidate in similar]
    return render(
        request,
        "submissions/filing/similar.html",
        {"report": report, "similar": hints, "next_url": _step_url(report, "market")},
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft_cosign_instead(request: SignedInRequest, draft: UUID, reference: str) -> HttpResponse:
    """ "This affects us too": the co-sign form for one hint; sending it co-signs the report
    and discards the draft."""
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    original = selectors.report_get_for(viewer=request.user, reference=reference)
    if not can_cosign(request.user, original):
        messages.error(request, _("Your organisation cannot co-sign this report."))
        return redirect("submissions:draft_similar", draft=report.public_id)
    posted = request.method == "POST"
    form = CoSignForm(request.POST if posted else None, prefix=f"r{original.pk}")
    if not posted or not form.is_valid():
        return render(
            request,
            "submissions/filing/cosign_instead.html",
            {
                "report": report,
                "original": original,
                "form": form,
                "back_url": reverse("submissions:draft_similar", kwargs={"draft": draft}),
                "next_url": _step_url(report, "market"),
            },
            status=400 if form.errors else 200,
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
def draft_check(request: SignedInRequest, draft: UUID) -> HttpResponse:
    report = selectors.report_draft_get_for(viewer=request.user, public_id=draft)
    return _render_check(request, report)


@member_required
@require_POST
def draft_submit(request: SignedInRequest, draft: UUID) -> HttpResponse:
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
def draft_delete(request: SignedInRequest, draft: UUID) -> HttpResponse:
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
def triage_queue(request: SignedInRequest) -> HttpResponse:
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
def triage_report(request: SignedInRequest, reference: str) -> HttpResponse:
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


# --- Alerts (saved searches) -------------------------------------------------------------------


def _alert_name_from(filters: dict[str, Any]) -> str:
    """A first name for an alert, from its search: "Kenya · Payments · courier"."""
    parts = [getattr(filters.get(key), "name", "") for key in ("market", "topic", "ntm_chapter")]
    if sector := filters.get("sector"):
        parts.append(str(Sector(sector).label))
    parts.append((filters.get("q") or "").strip())
    name = " · ".join(part for part in parts if part)
    return (name or _("All new reports"))[:100]


@login_required
@require_safe
def alert_list(request: SignedInRequest) -> HttpResponse:
    alerts = list(selectors.alert_list_for(viewer=request.user))
    items = [
        (alert, AlertFrequencyForm(prefix=f"a{alert.pk}", initial={"frequency": alert.frequency}))
        for alert in alerts
    ]
    return render(request, "submissions/alerts/list.html", {"items": items})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def alert_new(request: SignedInRequest) -> HttpResponse:
    """From the report list's "Save this search as an alert": the search comes filled in."""
    if request.method == "POST":
        form = AlertForm(request.POST)
        if form.is_valid():
            alert = services.alert_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Your alert “%(name)s” is saved.") % {"name": alert.name})
            return redirect("submissions:alert_list")
    else:
        search = ReportFilterForm(request.GET or None)
        filters = search.filters()
        initial = {key: filters.get(key) for key in ("q", "market", "topic", "ntm_chapter")}
        initial["sector"] = filters.get("sector") or ""
        initial["name"] = _alert_name_from(filters)
        form = AlertForm(initial=initial)
    return render(
        request,
        "submissions/alerts/form.html",
        {"form": form, "alert": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def alert_edit(request: SignedInRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    form = AlertForm(request.POST or None, instance=alert)
    if request.method == "POST" and form.is_valid():
        services.alert_update(actor=request.user, alert=alert, **form.cleaned_data)
        messages.success(request, _("Your alert “%(name)s” is saved.") % {"name": alert.name})
        return redirect("submissions:alert_list")
    return render(
        request,
        "submissions/alerts/form.html",
        {"form": form, "alert": alert},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def alert_frequency(request: SignedInRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    form = AlertFrequencyForm(request.POST, prefix=f"a{alert.pk}")
    if form.is_valid():
        services.alert_update(
            actor=request.user, alert=alert, frequency=form.cleaned_data["frequency"]
        )
        messages.success(request, _("Your alert “%(name)s” is saved.") % {"name": alert.name})
    return redirect("submissions:alert_list")


@login_required
@require_POST
def alert_delete(request: SignedInRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get_for(viewer=request.user, alert_id=alert_id)
    services.alert_delete(actor=request.user, alert=alert)
    messages.success(request, _("Your alert “%(name)s” is deleted.") % {"name": alert.name})
    return redirect("submissions:alert_list")


# The signed token authorises the change, not a session: mail clients' one-click unsubscribe
# (RFC 8058) POSTs without cookies or a CSRF token.
@csrf_exempt
@public
@require_http_methods(["GET", "HEAD", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST switches the alert off (link scanners only GET)."""
    try:
        alert = services.alert_unsubscribe_read(token)
    except (signing.BadSignature, ReportAlert.DoesNotExist, KeyError, TypeError, ValueError):
        return render(request, "submissions/alerts/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        alert = services.alert_unsubscribe(token=token)
        done = True
    return render(request, "submissions/alerts/unsubscribe.html", {"alert": alert, "done": done})


# --- Atom feeds ----------------------------------------------------------------------------------

FEED_SIZE = 50


class ReportsFeed(Feed):
    """Newly published public reports, as a visitor reads them (never officials-only ones)."""

    feed_type = Atom1Feed

    def __init__(self, *, reports: list[BarrierReport], title: str, link: str) -> None:
        super().__init__()
        self.reports = reports
        self.feed_title = title
        self.feed_link = link

    def title(self) -> str:
        return self.feed_title

    def subtitle(self) -> str:
        return _("Barrier reports published on the Trade Dialogues Portal.")

    def link(self) -> str:
        return self.feed_link

    def items(self) -> list[BarrierReport]:
        return self.reports

    def item_title(self, item: BarrierReport) -> str:
        return f"{item.reference}: {item.title}"

    def item_description(self, item: BarrierReport) -> str:
        return item.summary

    def item_link(self, item: BarrierReport) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: BarrierReport) -> str:
        return selectors.report_display_organisation(item, AnonymousUser())

    def item_pubdate(self, item: BarrierReport):
        return item.published_at

    def item_categories(self, item: BarrierReport) -> list[str]:
        return [topic.name for topic in item.topics.all()]


@public
@require_safe
def report_feed(request: HttpRequest) -> HttpResponse:
    """/reports/feed/?market=KE&topic=...: the report list's filters, as Atom."""
    form = ReportFilterForm(request.GET or None)
    filters = {key: value for key, value in form.filters().items() if key != "sort"}
    reports = selectors.report_feed_items(filters=filters, limit=FEED_SIZE)
    query = query_without_page(request)
    link = reverse("submissions:list") + (f"?{query}" if query else "")
    name = _alert_name_from(filters) if any(filters.values()) else ""
    title = _("Barrier reports: %(search)s") % {"search": name} if name else _("Barrier reports")
    return ReportsFeed(reports=reports, title=title, link=link)(request)


@public
@require_safe
def organisation_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's public reports (anonymised ones are not listed under its name)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    reports = selectors.organisation_feed_items(organisation=organisation, limit=FEED_SIZE)
    title = _("Barrier reports by %(organisation)s") % {"organisation": organisation.name}
    return ReportsFeed(reports=reports, title=title, link=organisation.get_absolute_url())(request)
