"""Site pages, organisation profiles, official verification, the audit log, and a person's
own data (export and account deletion)."""

from typing import Any
from urllib.parse import urlsplit

from allauth.account.decorators import reauthentication_required
from allauth.account.views import email as allauth_email_view
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sitemaps import views as sitemap_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal import notices, privacy, ratelimits, selectors, seo, services, sitemaps
from portal.emails import localised_path
from portal.forms import (
    AccountDeleteForm,
    AuditFilterForm,
    DecisionForm,
    ProfileForm,
    VerifiedDomainForm,
)
from portal.health import health_report
from portal.pagecache import cached_for_people, cached_for_visitors, public_pages_changed
from portal.pagination import query_without_page
from portal.permissions import (
    can_manage_members,
    is_member,
    login_required,
    moderator_required,
    public,
)
from portal.types import SignedInRequest


@public
@cached_for_visitors
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # HOME_TEMPLATE lets the top layer add its sections without portal importing it.
    return render(request, settings.HOME_TEMPLATE)


@public
@cached_for_visitors
@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/about.html")


@public
@cached_for_visitors
@require_safe
def code_of_conduct(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/code_of_conduct.html")


@public
@cached_for_visitors
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )


@public
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(seo.robots_txt(), content_type="text/plain; charset=utf-8")


@public
@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(request, sitemaps.sitemaps(), sitemap_url_name="sitemap_section")


@public
@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, sitemaps.sitemaps(), section=section)


@public
@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    context = {
        "controller": settings.PRIVACY_CONTROLLER,
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "authority": settings.PRIVACY_SUPERVISORY_AUTHORITY,
        "authority_url": settings.PRIVACY_SUPERVISORY_AUTHORITY_URL,
        "session_days": settings.SESSION_COOKIE_AGE // 86400,
        "log_days": settings.PRIVACY_LOG_RETENTION_DAYS,
        "email_days": settings.PRIVACY_EMAIL_RETENTION_DAYS,
        "notice_days": settings.NOTICE_RETENTION_DAYS,
    }
    return render(request, "portal/privacy.html", context)


@public
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher, able to translate a page address that has a /fr/ or /es/
    prefix: the address is read in its own language, not in the site's default."""
    next_path = urlsplit(request.POST.get("next", "")).path
    language = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    with translation.override(language):
        return i18n.set_language(request)


@public
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@login_required
@cached_for_people
@require_http_methods(["GET", "HEAD", "POST"])
def dashboard(request: SignedInRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        public_pages_changed()  # the name is shown beside the person's posts
        messages.success(request, _("Your profile has been saved."))
        return redirect("portal:dashboard")
    # The page's pieces are kept for PAGE_CACHE_SECONDS, keyed by what they show.
    context = {"form": form, "fragment_seconds": settings.PAGE_CACHE_SECONDS}
    return render(request, "portal/dashboard.html", context)


NOTICES_PER_PAGE = 20


@login_required
@never_cache
@require_safe
def notifications(request: SignedInRequest) -> HttpResponse:
    """Newest first; what this page shows unread is marked read once shown (and keeps a
    "New" mark this once)."""
    page = Paginator(notices.notices_for(viewer=request.user), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    shown = list(page.object_list)
    items: list[dict[str, Any]] = [
        {
            "notice": notice,
            "sentence": notices.notice_sentence(notice),
            "url": localised_path(notice.path, language),
            "is_new": notice.read_at is None,
        }
        for notice in shown
    ]
    notices.notices_mark_read(
        viewer=request.user, notice_ids=[notice.pk for notice in shown if notice.read_at is None]
    )
    return render(request, "portal/notifications.html", {"page": page, "items": items})


@login_required
@require_POST
def notifications_read_all(request: SignedInRequest) -> HttpResponse:
    notices.notices_mark_all_read(viewer=request.user)
    messages.success(request, _("Every notification is marked as read."))
    return redirect("portal:notifications")


@login_required
@require_safe
def welcome(request: SignedInRequest) -> HttpResponse:
    """Where a new person lands after confirming their email: what to do first."""
    can_file = is_member(request.user) and request.user.organisation_id is not None
    return render(request, "portal/welcome.html", {"can_file": can_file})


@login_required
@require_safe
def personal_data(request: SignedInRequest) -> HttpResponse:
    return render(request, "portal/personal_data.html", {"sections": privacy.sections()})


@login_required
@never_cache
@require_safe
def personal_data_download(request: SignedInRequest) -> StreamingHttpResponse:
    export = selectors.personal_data_export_for(viewer=request.user)
    response = StreamingHttpResponse(
        privacy.export_json_chunks(export), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{privacy.export_filename(export)}"'
    return response


def _deletion_confirmed(request: HttpRequest) -> bool:
    return AccountDeleteForm(request.POST).is_valid()


@login_required
@reauthentication_required(allow_get=True, enabled=_deletion_confirmed)
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: SignedInRequest) -> HttpResponse:
    """Once the person has confirmed, allauth asks for the password again (reauthentication)
    and replays the confirmed request; a form with an error is shown again at once."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    blockers = selectors.account_deletion_blockers_for(viewer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(actor=request.user, person=request.user)
        except services.AccountDeletionRefused as refused:
            blockers, status = refused.blockers, 409
        else:
            logout(request)
            messages.success(
                request, _("Your account has been deleted. Thank you for taking part.")
            )
            return redirect("portal:home")
    if form.errors:
        status = 400
    context = {"form": form, "blockers": blockers}
    return render(request, "portal/account_delete.html", context, status=status)


def _decision_forms(
    people, form: DecisionForm | None, invalid_member_id: int | None
) -> list[tuple[object, DecisionForm]]:
    """One decision form per person, each with its own prefix so field ids stay unique."""
    return [
        (
            person,
            form
            if form is not None and person.pk == invalid_member_id
            else DecisionForm(prefix=f"person-{person.pk}"),
        )
        for person in people
    ]


def _organisation_page(
    request: HttpRequest,
    organisation,
    form: DecisionForm | None = None,
    invalid_member_id: int | None = None,
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "members": selectors.organisation_members_for(
            viewer=request.user, organisation=organisation
        ),
        "requests": _decision_forms(
            selectors.membership_requests_for(viewer=request.user, organisation=organisation),
            form,
            invalid_member_id,
        ),
        "can_manage": can_manage_members(request.user, organisation),
    }
    status = 400 if invalid_member_id else 200
    return render(request, "portal/organisation_detail.html", context, status=status)


@public
@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.user, slug=slug)
    return _organisation_page(request, organisation)


@login_required
@require_POST
def membership_decide(request: SignedInRequest, slug: str, member_id: int) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.user, slug=slug)
    member = selectors.membership_request_get(
        viewer=request.user, organisation=organisation, member_id=member_id
    )
    form = DecisionForm(request.POST, prefix=f"person-{member.pk}")
    if not form.is_valid():
        return _organisation_page(request, organisation, form, member.pk)
    services.membership_decide(
        actor=request.user,
        member=member,
        approve=form.approved,
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Your decision on %(name)s has been saved.") % {"name": member})
    return redirect(organisation)


def _moderation_home(
    request: HttpRequest, form: DecisionForm | None = None, invalid_member_id: int | None = None
) -> HttpResponse:
    """The verification decisions again, with the error, when a decision cannot be saved.
    The moderation queue itself (GET /moderation/) is served by dialogues, the top layer."""
    context = {
        "officials": _decision_forms(
            selectors.officials_awaiting_verification(viewer=request.user),
            form,
            invalid_member_id,
        ),
        "join_requests": _decision_forms(
            selectors.join_requests_awaiting_moderator(viewer=request.user),
            form,
            invalid_member_id,
        ),
    }
    status = 400 if invalid_member_id else 200
    return render(request, "portal/moderation/home.html", context, status=status)


@login_required
@require_POST
def organisation_admin_grant(request: SignedInRequest, slug: str, member_id: int) -> HttpResponse:
    organisation = selectors.organisation_get(viewer=request.user, slug=slug)
    member = selectors.organisation_member_get(
        viewer=request.user, organisation=organisation, member_id=member_id
    )
    try:
        services.organisation_admin_grant(actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now an administrator of %(organisation)s.")
            % {"name": member.display_name, "organisation": organisation.name},
        )
    return redirect(organisation.get_absolute_url() + "#members-heading")


@moderator_required
@require_POST
def official_decide(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = selectors.official_get_for_verification(viewer=request.user, member_id=member_id)
    form = DecisionForm(request.POST, prefix=f"person-{member.pk}")
    if not form.is_valid():
        return _moderation_home(request, form, member.pk)
    services.member_verify_official(
        actor=request.user,
        member=member,
        approve=form.approved,
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Your decision on %(name)s has been saved.") % {"name": member})
    return redirect("portal:moderation_home")


@moderator_required
@require_POST
def join_request_decide(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = selectors.join_request_get_for_moderator(viewer=request.user, member_id=member_id)
    form = DecisionForm(request.POST, prefix=f"person-{member.pk}")
    if not form.is_valid():
        return _moderation_home(request, form, member.pk)
    services.membership_decide(
        actor=request.user,
        member=member,
        approve=form.approved,
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Your decision on %(name)s has been saved.") % {"name": member})
    return redirect("portal:moderation_home")


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def verified_domains(request: SignedInRequest) -> HttpResponse:
    form = VerifiedDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        domain = services.verified_domain_add(
            actor=request.user,
            domain=form.cleaned_data["domain"],
            organisation_name=form.cleaned_data["organisation_name"],
        )
        messages.success(request, _("%(domain)s is now a verified domain.") % {"domain": domain})
        return redirect("portal:verified_domains")
    context = {"form": form, "domains": selectors.verified_domains_for(viewer=request.user)}
    status = 400 if form.errors else 200
    return render(request, "portal/moderation/domains.html", context, status=status)


@moderator_required
@require_POST
def verified_domain_remove(request: SignedInRequest, domain_id: int) -> HttpResponse:
    domain = selectors.verified_domains_for(viewer=request.user).filter(pk=domain_id).first()
    if domain is not None:
        services.verified_domain_remove(actor=request.user, domain=domain)
        messages.success(request, _("%(domain)s has been removed.") % {"domain": domain.domain})
    return redirect("portal:verified_domains")


@moderator_required
@require_safe
def audit_log(request: SignedInRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_for(
        viewer=request.user,
        actor_id=filters["actor"].pk if filters.get("actor") else None,
        action=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, "portal/moderation/audit_log.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_addresses(request: SignedInRequest) -> HttpResponse:
    """allauth's page for a member's email addresses. Asking again too soon for a confirmation
    email answers with the portal's 429 page, where allauth would skip the email in silence."""
    if (
        request.method == "POST"
        and "action_send" in request.POST
        and ratelimits.is_used_up(
            request, action="confirm_email", key=request.POST.get("email", "")
        )
    ):
        return ratelimits.refused(request)
    return allauth_email_view(request)
