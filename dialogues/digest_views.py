"""Weekly digest pages: the archive, one week's edition, its downloads, subscriptions.

An edition's page shows its stored summary, a few kilobytes whatever the week's size; the
week's full list of reports is on a paginated page and in the files. Downloads only stream
finished files from storage; a file not rendered yet is queued for a
worker and the reader gets a "being prepared" page that refreshes itself.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from dialogues.digests import selectors, services, storage
from dialogues.digests.forms import DigestReportsFilterForm, DigestSubscriptionForm
from dialogues.digests.models import Digest
from dialogues.digests.page import digest_page_context
from dialogues.digests.permissions import can_read_officials_edition
from dialogues.digests.render import FORMATS, digest_filename
from dialogues.digests.render.labels import EDITION_LABELS, label
from portal.permissions import is_official, official_required, public
from portal.types import SignedInRequest
from submissions.selectors import report_display_organisation

# How often the "being prepared" page asks again, in seconds.
PREPARING_REFRESH_SECONDS = 5

ARCHIVE_PAGE_SIZE = 52
REPORTS_PAGE_SIZE = 50


def _language() -> str:
    return (translation.get_language() or "en")[:2]


@public
@require_safe
def digest_list(request: HttpRequest) -> HttpResponse:
    archive = selectors.digest_archive_for(viewer=request.user)
    page = Paginator(archive, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dialogues/digests/digest_list.html",
        {
            "page": page,
            "officials_edition": can_read_officials_edition(request.user),
            "can_subscribe": is_official(request.user),
            "subscription": selectors.subscription_for(viewer=request.user),
        },
    )


# Editions for signed-in readers only: a link to one (the announcement email's, a colleague's)
# followed while signed out leads to the sign-in page and back, where a visitor would
# otherwise meet a 404. A signed-in reader who may not read the edition still gets 404.
SIGNED_IN_EDITIONS = (Digest.Edition.OFFICIALS, Digest.Edition.PERSONAL)


def _sign_in_first(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return None
    if request.GET.get("edition", "") not in SIGNED_IN_EDITIONS:
        return None
    return redirect_to_login(request.get_full_path())


def _edition_query(digest) -> str:
    if digest.edition == Digest.Edition.PUBLIC:
        return ""
    return "?" + urlencode({"edition": digest.edition})


@public
@require_safe
def digest_detail(request: HttpRequest, week: str) -> HttpResponse:
    if sign_in := _sign_in_first(request):
        return sign_in
    digest = selectors.digest_get_for(
        viewer=request.user, week=week, edition=request.GET.get("edition", "")
    )
    language = _language()
    query = _edition_query(digest)
    downloads = [
        {
            "url": reverse("dialogues:digest_download", kwargs={"week": week, "fmt": fmt}) + query,
            "filename": digest_filename(week, fmt, edition=digest.edition, language=language),
            "label": str(spec.label),
        }
        for fmt, spec in FORMATS.items()
    ]
    context = digest_page_context(services.digest_summary_for(digest), language=language)
    context["downloads"] = downloads
    context["reports_url"] = reverse("dialogues:digest_reports", kwargs={"week": week}) + query
    context["editions"] = [
        {
            "code": edition,
            "label": label(EDITION_LABELS, edition),
            "url": reverse("dialogues:digest_detail", kwargs={"week": week})
            + ("" if edition == Digest.Edition.PUBLIC else "?" + urlencode({"edition": edition})),
            "current": edition == digest.edition,
        }
        for edition in selectors.digest_editions_for(viewer=request.user, week=week)
    ]
    return render(request, "dialogues/digests/digest_page.html", context)


@public
@require_safe
def digest_reports(request: HttpRequest, week: str) -> HttpResponse:
    """The week's new reports, page by page: the full list the digest page summarises."""
    if sign_in := _sign_in_first(request):
        return sign_in
    digest = selectors.digest_get_for(
        viewer=request.user, week=week, edition=request.GET.get("edition", "")
    )
    services.digest_summary_for(digest)  # digest_reports_for reads its edition
    form = DigestReportsFilterForm(request.GET or None)
    choice = form.cleaned_data if form.is_valid() else {}
    market, topic = choice.get("market"), choice.get("topic")
    reports = selectors.digest_reports_for(
        digest=digest,
        market=market.pk if market else "",
        topic=topic.pk if topic else "",
    )
    page = Paginator(reports, REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    audience = selectors.digest_audience(digest)
    rows = [
        {"report": report, "organisation": report_display_organisation(report, audience)}
        for report in page.object_list
    ]
    filter_query = urlencode(
        {
            key: value
            for key, value in (
                ("edition", "" if digest.edition == Digest.Edition.PUBLIC else digest.edition),
                ("market", market.pk if market else ""),
                ("topic", topic.pk if topic else ""),
            )
            if value
        }
    )
    return render(
        request,
        "dialogues/digests/digest_reports.html",
        {
            "digest": digest,
            "edition_label": label(EDITION_LABELS, digest.edition),
            "form": form,
            "page": page,
            "rows": rows,
            "filter_query": filter_query,
            "digest_url": reverse("dialogues:digest_detail", kwargs={"week": week})
            + _edition_query(digest),
            "downloads": [
                {
                    "url": reverse("dialogues:digest_download", kwargs={"week": week, "fmt": fmt})
                    + _edition_query(digest),
                    "label": str(FORMATS[fmt].label),
                }
                for fmt in ("csv", "xlsx")
            ],
        },
    )


@public
@require_safe
def digest_download(request: HttpRequest, week: str, fmt: str) -> HttpResponseBase:
    if sign_in := _sign_in_first(request):
        return sign_in
    digest = selectors.digest_get_for(
        viewer=request.user, week=week, edition=request.GET.get("edition", "")
    )
    language = _language()
    file = services.digest_file_request(
        viewer=request.user, digest=digest, fmt=fmt, language=language
    )
    filename = digest_filename(week, fmt, edition=digest.edition, language=language)
    if not file.is_ready:
        # Rendering is a worker's job: say so, and ask again shortly (the Refresh header
        # works without JavaScript; the page also links to the same address).
        response: HttpResponseBase = render(
            request,
            "dialogues/digests/digest_preparing.html",
            {
                "digest": digest,
                "filename": filename,
                "format_name": FORMATS[fmt].extension.upper(),
                "failed": bool(file.error),  # an earlier attempt failed; trying again
                "retry_url": request.get_full_path(),
                "edition_url": reverse("dialogues:digest_detail", kwargs={"week": week})
                + _edition_query(digest),
                "refresh_seconds": PREPARING_REFRESH_SECONDS,
            },
            status=202,
        )
        response["Refresh"] = str(PREPARING_REFRESH_SECONDS)
        response["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(
        storage.open_file(file.name),
        as_attachment=True,
        filename=filename,
        content_type=FORMATS[fmt].content_type,
    )
    if file.size is not None:
        response["Content-Length"] = str(file.size)
    # Editions differ by reader: never let a shared cache hand one to someone else.
    response["Cache-Control"] = (
        "private, max-age=0" if digest.edition != "public" else "public, max-age=3600"
    )
    return response


@official_required
@require_http_methods(["GET", "HEAD", "POST"])
def digest_subscription(request: SignedInRequest) -> HttpResponse:
    subscription = selectors.subscription_for(viewer=request.user)
    initial: dict[str, Any] = {"email": True}
    if subscription is not None:
        initial = {
            "markets": list(subscription.markets.all()),
            "topics": list(subscription.topics.all()),
            "email": subscription.email,
        }
    form = DigestSubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.digest_subscription_set(
            user=request.user,
            markets=form.cleaned_data["markets"],
            topics=form.cleaned_data["topics"],
            email=form.cleaned_data["email"],
        )
        messages.success(
            request,
            _("Your digest subscription is saved. It applies from the next weekly digest."),
        )
        return redirect("dialogues:digest_subscription")
    return render(
        request,
        "dialogues/digests/digest_subscription.html",
        {"form": form, "subscription": subscription},
    )
