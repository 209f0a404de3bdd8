"""Weekly digest pages: the archive, one week's edition, its downloads, subscriptions."""

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

from dialogues import digests
from dialogues.digest_forms import DigestSubscriptionForm
from dialogues.digest_render import EDITION_LABELS, FORMATS, digest_context, digest_filename, label
from portal.permissions import is_official, official_required, public

ARCHIVE_PAGE_SIZE = 52


def _language() -> str:
    return (translation.get_language() or "en")[:2]


@public
@require_safe
def digest_list(request: HttpRequest) -> HttpResponse:
    archive = digests.digest_archive_for(viewer=request.user)
    page = Paginator(archive, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dialogues/digests/digest_list.html",
        {
            "page": page,
            "officials_edition": digests.can_read_officials_edition(request.user),
            "can_subscribe": is_official(request.user),
            "subscription": digests.subscription_for(viewer=request.user)
            if request.user.is_authenticated
            else None,
        },
    )


# Editions for signed-in readers only: a link to one (the announcement email's, a colleague's)
# followed while signed out leads to the sign-in page and back, where a visitor would
# otherwise meet a 404. A signed-in reader who may not read the edition still gets 404.
SIGNED_IN_EDITIONS = (digests.Edition.OFFICIALS, digests.Edition.PERSONAL)


def _sign_in_first(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return None
    if request.GET.get("edition", "") not in SIGNED_IN_EDITIONS:
        return None
    return redirect_to_login(request.get_full_path())


def _edition_query(digest) -> str:
    if digest.edition == digests.Edition.PUBLIC:
        return ""
    return "?" + urlencode({"edition": digest.edition})


@public
@require_safe
def digest_detail(request: HttpRequest, week: str) -> HttpResponse:
    if sign_in := _sign_in_first(request):
        return sign_in
    digest = digests.digest_get_for(
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
    context = digest_context(digest.snapshot, language=language)
    context["downloads"] = downloads
    context["editions"] = [
        {
            "code": edition,
            "label": label(EDITION_LABELS, edition),
            "url": reverse("dialogues:digest_detail", kwargs={"week": week})
            + ("" if edition == digests.Edition.PUBLIC else "?" + urlencode({"edition": edition})),
            "current": edition == digest.edition,
        }
        for edition in digests.digest_editions_for(viewer=request.user, week=week)
    ]
    return render(request, "dialogues/digests/digest_page.html", context)


@public
@require_safe
def digest_download(request: HttpRequest, week: str, fmt: str) -> HttpResponseBase:
    if sign_in := _sign_in_first(request):
        return sign_in
    digest = digests.digest_get_for(
        viewer=request.user, week=week, edition=request.GET.get("edition", "")
    )
    language = _language()
    path = digests.digest_file_for(digest, fmt, language)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=digest_filename(week, fmt, edition=digest.edition, language=language),
        content_type=FORMATS[fmt].content_type,
    )
    # Editions differ by reader: never let a shared cache hand one to someone else.
    response["Cache-Control"] = (
        "private, max-age=0" if digest.edition != "public" else "public, max-age=3600"
    )
    return response


@official_required
@require_http_methods(["GET", "HEAD", "POST"])
def digest_subscription(request: HttpRequest) -> HttpResponse:
    subscription = digests.subscription_for(viewer=request.user)
    initial = {"email": True}
    if subscription is not None:
        initial = {
            "markets": list(subscription.markets.all()),
            "topics": list(subscription.topics.all()),
            "email": subscription.email,
        }
    form = DigestSubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        digests.digest_subscription_set(
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
