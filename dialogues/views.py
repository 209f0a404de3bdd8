"""Trade Dialogue pages (themes, threads, posts, search, feeds, following) and moderation.

Writing views are marked `login_required` and then ask dialogues.permissions (members write;
moderators may answer without an organisation); moderation views are `moderator_required`.
"""

from typing import Any

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dialogues import conf, selectors, services
from dialogues.forms import (
    BulkModerationForm,
    FlagForm,
    MergeForm,
    MoveForm,
    NotificationSettingsForm,
    OfficialResponseForm,
    PostEditForm,
    PostForm,
    PostModerationForm,
    QueueFilterForm,
    ReasonForm,
    ReportReferenceForm,
    ReportUnlinkForm,
    RequiredReasonForm,
    SearchForm,
    SlowModeForm,
    SuspensionForm,
    ThreadForm,
    ThreadFromReportForm,
)
from dialogues.models import Post, Theme, Thread
from dialogues.permissions import (
    can_edit_post,
    can_flag,
    can_follow,
    can_mark_official_response,
    can_post,
    can_reply,
    can_see_thread,
    can_start_from_report,
)
from dialogues.rendering import plain_text
from portal import selectors as portal_selectors
from portal.forms import DecisionForm
from portal.models import Topic
from portal.pagecache import cached_for_visitors
from portal.pagination import CappedPaginator, query_without_page
from portal.permissions import (
    acts_as_moderator,
    has_moderator_role,
    login_required,
    moderator_required,
    public,
)
from portal.search import highlight
from portal.types import SignedInRequest


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _last_page(thread: Thread) -> int:
    return max(1, -(-thread.last_number // conf.POSTS_PER_PAGE))


def _post_url(post: Post) -> str:
    page = selectors.post_page_number(post)
    return f"{post.thread.get_absolute_url()}?page={page}#post-{post.pk}"


# --- Themes ------------------------------------------------------------------------------------

# The barriers firms name first, then the Agreement's articles, then what it left out.
THEME_GROUPS = {
    Topic.Kind.PRACTICAL: gettext_lazy("Practical barriers small sellers meet"),
    Topic.Kind.ARTICLE: gettext_lazy("Articles of the Agreement on Electronic Commerce"),
    Topic.Kind.EXTENSION: gettext_lazy("Negotiated, not in the Agreement"),
}


@public
@cached_for_visitors
@require_safe
def theme_list(request: HttpRequest) -> HttpResponse:
    themes = selectors.theme_list_for(viewer=request.user)
    groups: dict[str, list[Theme]] = {kind: [] for kind in THEME_GROUPS}
    for theme in themes:
        groups.setdefault(theme.topic.kind, []).append(theme)
    context = {
        "groups": [
            (THEME_GROUPS.get(Topic.Kind(kind), kind), kind, members)
            for kind, members in groups.items()
            if members
        ],
        "latest": selectors.latest_threads_for(viewer=request.user, limit=8),
        "search_form": SearchForm(),
    }
    return render(request, "dialogues/theme_list.html", context)


@public
@cached_for_visitors
@require_safe
def theme_detail(request: HttpRequest, theme: str) -> HttpResponse:
    theme_obj = selectors.theme_get(slug=theme)
    threads = selectors.thread_list_for(viewer=request.user, theme=theme_obj)
    page = Paginator(threads, conf.THREADS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "theme": theme_obj,
        "page": page,
        "can_start": can_post(request.user),
        "can_follow": can_follow(request.user),
        "following": selectors.is_following(viewer=request.user, theme=theme_obj),
    }
    return render(request, "dialogues/theme_detail.html", context)


# --- Threads -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def thread_create(request: SignedInRequest, theme: str) -> HttpResponse:
    theme_obj = selectors.theme_get(slug=theme)
    if not can_post(request.user):
        raise PermissionDenied
    form = ThreadForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                thread = services.thread_start(
                    author=request.user,
                    theme=theme_obj,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except services.PostRefused as refusal:
                form.add_error(None, refusal.message)
                status = refusal.status
            else:
                if thread.status == Thread.Status.PENDING:
                    messages.info(
                        request,
                        _(
                            "Your thread is waiting for a moderator. Until it is approved, only "
                            "you and the moderators can read it."
                        ),
                    )
                else:
                    messages.success(request, _("Your thread is published."))
                return redirect(thread)
        else:
            status = 400
    context = {
        "theme": theme_obj,
        "form": form,
        "suspension": selectors.suspension_active_for(request.user),
    }
    return render(request, "dialogues/thread_form.html", context, status=status)


def _thread_page(
    request: HttpRequest,
    thread: Thread,
    *,
    form: PostForm | None = None,
    page_number: Any = None,
    status: int = 200,
) -> HttpResponse:
    viewer = request.user
    posts = selectors.thread_posts_for(
        viewer=viewer, thread=thread, page_number=page_number or request.GET.get("page")
    )
    quoted = None
    if form is None:
        quoted = selectors.quotable_post_for(
            viewer=viewer, thread=thread, post_id=request.GET.get("quote")
        )
        form = PostForm(initial={"quote": quoted.pk if quoted else None})
    else:
        quoted = selectors.quotable_post_for(
            viewer=viewer, thread=thread, post_id=form.data.get("quote")
        )
    official_responses, more_official_responses = selectors.official_responses_for(
        viewer=viewer, thread=thread
    )
    context = {
        "thread": thread,
        "page": posts.page,
        "unpublished": posts.unpublished,
        "form": form,
        "quoted": quoted,
        "can_reply": can_reply(viewer, thread),
        "can_follow": can_follow(viewer),
        "following": selectors.is_following(viewer=viewer, thread=thread),
        "suspension": selectors.suspension_active_for(viewer),
        "reports": selectors.reports_for_thread(viewer=viewer, thread=thread),
        "official_responses": official_responses,
        "more_official_responses": more_official_responses,
        "is_moderator": acts_as_moderator(viewer),
        "last_page": _last_page(thread),
    }
    return render(request, "dialogues/thread_detail.html", context, status=status)


@public
@cached_for_visitors
@require_safe
def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = selectors.thread_get_for(viewer=request.user, thread_id=thread_id)
    if thread.status == Thread.Status.MERGED:
        destination = selectors.thread_final_destination(thread)
        if destination.status == Thread.Status.MERGED or not can_see_thread(
            request.user, destination
        ):
            raise Http404
        return redirect(destination, permanent=True)
    return _thread_page(request, thread)


@login_required
@require_POST
def post_create(request: SignedInRequest, thread_id: int) -> HttpResponse:
    thread = selectors.thread_get_for(viewer=request.user, thread_id=thread_id)
    if not can_reply(request.user, thread):
        raise PermissionDenied
    form = PostForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, thread, form=form, page_number=_last_page(thread), status=400)
    quote = selectors.quotable_post_for(
        viewer=request.user, thread=thread, post_id=form.cleaned_data.get("quote")
    )
    try:
        post = services.post_create(
            author=request.user, thread=thread, body=form.cleaned_data["body"], quote=quote
        )
    except services.PostRefused as refusal:
        form.add_error(None, refusal.message)
        return _thread_page(
            request,
            thread,
            form=form,
            page_number=_last_page(thread),
            status=refusal.status,
        )
    if post.status == Post.Status.PENDING:
        messages.info(
            request,
            _(
                "Your post is waiting for a moderator. Until it is approved, only you and the "
                "moderators can read it."
            ),
        )
    else:
        messages.success(request, _("Your reply is published."))
    post.thread = Thread.objects.get(pk=thread.pk)
    return HttpResponseRedirect(_post_url(post))


# --- Posts -------------------------------------------------------------------------------------


@public
@require_safe
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    """A post's permanent address: the page of its thread where it is, at its anchor."""
    post = selectors.post_get_for(viewer=request.user, post_id=post_id)
    return HttpResponseRedirect(_post_url(post))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_edit(request: SignedInRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for(viewer=request.user, post_id=post_id)
    if not can_edit_post(request.user, post):
        raise PermissionDenied
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                edited = services.post_edit(
                    editor=request.user, post=post, body=form.cleaned_data["body"]
                )
            except services.PostRefused as refusal:
                form.add_error(None, refusal.message)
                status = refusal.status
            else:
                if edited.status == Post.Status.PENDING and post.status != Post.Status.PENDING:
                    messages.info(
                        request,
                        _("Your change is saved and waits for a moderator before others see it."),
                    )
                else:
                    messages.success(request, _("Your change is saved."))
                edited.thread = post.thread
                return HttpResponseRedirect(_post_url(edited))
        else:
            status = 400
    context = {
        "post": post,
        "form": form,
        "suspension": selectors.suspension_active_for(request.user),
    }
    return render(request, "dialogues/post_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_flag(request: SignedInRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for(viewer=request.user, post_id=post_id)
    if not can_flag(request.user, post):
        raise PermissionDenied
    already = post.flags.filter(flagger=request.user).exists()
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and not already:
        if form.is_valid():
            try:
                services.post_flag(
                    flagger=request.user,
                    post=post,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except services.PostRefused as refusal:
                form.add_error(None, refusal.message)
                status = 403
            else:
                messages.success(request, _("Thank you. A moderator will look at this post."))
                return HttpResponseRedirect(_post_url(post))
        else:
            status = 400
    context = {
        "post": post,
        "form": form,
        "already": already,
        "flags_to_hold": conf.flags_to_hold(),
    }
    return render(request, "dialogues/post_flag.html", context, status=status)


@login_required
@require_POST
def post_official_response(request: SignedInRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for(viewer=request.user, post_id=post_id)
    if not can_mark_official_response(request.user, post):
        raise PermissionDenied
    form = OfficialResponseForm(request.POST)
    is_response = form.is_valid() and form.cleaned_data["is_response"]
    services.post_mark_official_response(actor=request.user, post=post, is_response=is_response)
    if is_response:
        messages.success(request, _("The post is marked as an official response."))
    else:
        messages.success(request, _("The post is no longer marked as an official response."))
    return HttpResponseRedirect(_post_url(post))


# --- Following, notifications, unsubscribing ---------------------------------------------------


def _follow_message(request: HttpRequest, following: bool, name: str) -> None:
    if following:
        messages.success(request, _("You now follow %(name)s.") % {"name": name})
    else:
        messages.success(request, _("You no longer follow %(name)s.") % {"name": name})


@login_required
@require_POST
def thread_follow(request: SignedInRequest, thread_id: int) -> HttpResponse:
    thread = selectors.thread_get_for(viewer=request.user, thread_id=thread_id)
    if not can_follow(request.user) or thread.status == Thread.Status.MERGED:
        raise PermissionDenied
    following = request.POST.get("follow") == "1"
    services.follow_set(user=request.user, thread=thread, following=following)
    _follow_message(request, following, thread.title)
    return redirect(_safe_next(request, thread.get_absolute_url()))


@login_required
@require_POST
def theme_follow(request: SignedInRequest, theme: str) -> HttpResponse:
    theme_obj = selectors.theme_get(slug=theme)
    if not can_follow(request.user):
        raise PermissionDenied
    following = request.POST.get("follow") == "1"
    services.follow_set(user=request.user, theme=theme_obj, following=following)
    _follow_message(request, following, theme_obj.name)
    return redirect(_safe_next(request, theme_obj.get_absolute_url()))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: SignedInRequest) -> HttpResponse:
    if not can_follow(request.user):
        raise PermissionDenied
    current = selectors.notification_frequency_for(request.user)
    form = NotificationSettingsForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        services.notification_preference_set(
            user=request.user, frequency=form.cleaned_data["frequency"]
        )
        messages.success(request, _("Your email settings are saved."))
        return redirect("dialogues:notification_settings")
    context = {"form": form, "follows": selectors.follows_for(viewer=request.user)}
    return render(
        request, "dialogues/notification_settings.html", context, status=400 if form.errors else 200
    )


# The signed token in the address is what authorises the change, not a session: mail
# clients' one-click unsubscribe (RFC 8058) POSTs `List-Unsubscribe=One-Click` with no cookie
# and no CSRF token. A forged POST would need the member's token, which only their email has.
@csrf_exempt
@public
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From an email link or a mail client's unsubscribe button, logged in or not: GET asks,
    POST unsubscribes (so mail scanners that open links do not unsubscribe anyone)."""
    try:
        _member, scope = services.unsubscribe_read(token)
    except (signing.BadSignature, ObjectDoesNotExist, LookupError, TypeError, ValueError):
        return render(request, "dialogues/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.unsubscribe_apply(token=token)
        done = True
    context = {
        "scope": scope,
        "scope_is_thread": isinstance(scope, Thread),
        "scope_is_theme": isinstance(scope, Theme),
        "scope_is_digest": scope == services.UNSUBSCRIBE_DIGEST,
        "done": done,
    }
    return render(request, "dialogues/unsubscribe.html", context)


# --- Search and feeds --------------------------------------------------------------------------


@public
@cached_for_visitors
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    threads = selectors.search_threads_for(viewer=request.user, text=text) if text else []
    posts = selectors.search_posts_for(viewer=request.user, text=text)
    page = CappedPaginator(
        posts, conf.SEARCH_RESULTS_PER_PAGE, cap=selectors.SEARCH_POST_CANDIDATES
    ).get_page(request.GET.get("page"))
    results = [(post, highlight(plain_text(post.body_html), text)) for post in page.object_list]
    context = {
        "form": form,
        "text": text,
        "threads": threads,
        "page": page,
        "results": results,
        "query": urlencode({"q": text}),
    }
    return render(request, "dialogues/search.html", context)


class LatestPostsFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Trade Dialogues: latest posts")
    subtitle = gettext_lazy("New posts in the Trade Dialogues Portal's public threads.")

    def __init__(self, theme: Theme | None = None) -> None:
        super().__init__()
        self.theme = theme

    def link(self) -> str:
        if self.theme is not None:
            return self.theme.get_absolute_url()
        return reverse("dialogues:theme_list")

    def items(self) -> list[Post]:
        return selectors.feed_posts(theme=self.theme)

    def item_title(self, item: Post) -> str:
        return item.thread.title

    def item_description(self, item: Post) -> str:
        return item.body_html

    def item_link(self, item: Post) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Post) -> str:
        return item.author.display_name

    def item_pubdate(self, item: Post):
        return item.published_at


@public
@require_safe
def feed_latest(request: HttpRequest) -> HttpResponse:
    return LatestPostsFeed()(request)


@public
@require_safe
def feed_theme(request: HttpRequest, theme: str) -> HttpResponse:
    return LatestPostsFeed(theme=selectors.theme_get(slug=theme))(request)


# --- Moderation: the queue ---------------------------------------------------------------------


def _queue_page(
    request: HttpRequest, *, bulk_form: BulkModerationForm | None = None, status: int = 200
) -> HttpResponse:
    viewer = request.user
    filters_form = QueueFilterForm(request.GET or None)
    filters = filters_form.cleaned_data if filters_form.is_valid() else {}
    queue = filters.get("queue") or QueueFilterForm.ALL
    theme = filters.get("theme")
    reason = filters.get("reason") or ""
    counts = selectors.queue_counts_for(viewer=viewer)
    triage_total, triage_reports = selectors.reports_awaiting_triage_for(viewer=viewer)
    officials = list(portal_selectors.officials_awaiting_verification(viewer=viewer))
    join_requests = list(portal_selectors.join_requests_awaiting_moderator(viewer=viewer))
    size = conf.QUEUE_PAGE_SIZE if queue != QueueFilterForm.ALL else 10
    page_number = request.GET.get("page") if queue != QueueFilterForm.ALL else 1
    pending = Paginator(selectors.pending_posts_for(viewer=viewer, theme=theme), size).get_page(
        page_number if queue == QueueFilterForm.PENDING else 1
    )
    flagged = Paginator(
        selectors.flagged_posts_for(viewer=viewer, theme=theme, reason=reason), size
    ).get_page(page_number if queue == QueueFilterForm.FLAGGED else 1)
    selected = set(request.POST.getlist("bulk-posts")) if bulk_form else set()
    context = {
        "filters_form": filters_form,
        "queue": queue,
        "counts": {
            **counts,
            "reports": triage_total,
            "people": len(officials) + len(join_requests),
        },
        "pending": pending,
        "flagged": flagged,
        "pending_items": [
            (post, PostModerationForm(prefix=f"post-{post.pk}")) for post in pending.object_list
        ],
        "flagged_items": [
            (post, PostModerationForm(prefix=f"post-{post.pk}")) for post in flagged.object_list
        ],
        "bulk_form": bulk_form or BulkModerationForm(prefix="bulk"),
        "selected": selected,
        "triage_total": triage_total,
        "triage_reports": triage_reports,
        "officials": [(person, DecisionForm(prefix=f"person-{person.pk}")) for person in officials],
        "join_requests": [
            (person, DecisionForm(prefix=f"person-{person.pk}")) for person in join_requests
        ],
        "query": query_without_page(request),
        "here": request.get_full_path(),
    }
    return render(request, "dialogues/moderation/queue.html", context, status=status)


@moderator_required
@require_safe
def moderation_queue(request: SignedInRequest) -> HttpResponse:
    """One work list: pending posts, flagged posts, reports to triage, people to verify."""
    return _queue_page(request)


@moderator_required
@require_POST
def moderation_bulk(request: SignedInRequest) -> HttpResponse:
    submitted = [value for value in request.POST.getlist("bulk-posts") if value.isdigit()]
    candidates = list(Post.objects.filter(pk__in=submitted).values_list("pk", flat=True))
    form = BulkModerationForm(request.POST, prefix="bulk", post_ids=candidates)
    if not form.is_valid():
        return _queue_page(request, bulk_form=form, status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    posts = Post.objects.filter(pk__in=form.cleaned_data["posts"])
    done = len(
        services.post_moderate_bulk(
            moderator=request.user, posts=posts, action=action, reason=reason
        )
    )
    messages.success(
        request,
        ngettext(
            "Your decision was applied to %(count)d post.",
            "Your decision was applied to %(count)d posts.",
            done,
        )
        % {"count": done},
    )
    query = request.GET.urlencode()
    return redirect(reverse("portal:moderation_home") + (f"?{query}" if query else ""))


# --- Moderation: one post ----------------------------------------------------------------------

POST_DECISION_MESSAGES = {
    PostModerationForm.APPROVE: gettext_lazy("The post is approved."),
    PostModerationForm.HIDE: gettext_lazy("The post is hidden; its author has been told why."),
    PostModerationForm.REMOVE: gettext_lazy("The post is removed; its author has been told why."),
}


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_moderate(request: SignedInRequest, post_id: int) -> HttpResponse:
    """A post with its flags and earlier versions, and the decision form."""
    post = selectors.post_get_for_moderation(viewer=request.user, post_id=post_id)
    form = PostModerationForm(request.POST or None, prefix=f"post-{post.pk}")
    if request.method == "POST" and form.is_valid():
        services.post_moderate(
            moderator=request.user,
            post=post,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, str(POST_DECISION_MESSAGES[form.cleaned_data["action"]]))
        return redirect(_safe_next(request, reverse("portal:moderation_home")))
    context = {
        "post": post,
        "form": form,
        "flags": selectors.post_flags_for(viewer=request.user, post=post),
        "revisions": selectors.post_revisions_for(viewer=request.user, post=post),
        "next": _safe_next(request, ""),
    }
    return render(
        request, "dialogues/moderation/post.html", context, status=400 if form.errors else 200
    )


# --- Moderation: threads -----------------------------------------------------------------------


def _link_report(moderator, thread: Thread, form, *, link: bool) -> None:
    from submissions.selectors import report_get_for

    try:
        report = report_get_for(viewer=moderator, reference=form.cleaned_data["reference"])
    except Http404:
        report = None
    if report is None or not report.is_published:
        form.add_error("reference", _("There is no published report with this reference."))
        return
    if link:
        services.thread_link_report(
            moderator=moderator, thread=thread, report=report, reason=form.cleaned_data["reason"]
        )
    else:
        services.thread_unlink_report(
            moderator=moderator, thread=thread, report=report, reason=form.cleaned_data["reason"]
        )


def _act(action: str, moderator, thread: Thread, form) -> None:
    reason = form.cleaned_data.get("reason", "")
    if action in ("lock", "unlock"):
        services.thread_lock(
            moderator=moderator, thread=thread, locked=action == "lock", reason=reason
        )
    elif action in ("pin", "unpin"):
        services.thread_pin(
            moderator=moderator, thread=thread, pinned=action == "pin", reason=reason
        )
    elif action in ("premoderate", "unpremoderate"):
        services.thread_set_premoderation(
            moderator=moderator, thread=thread, enabled=action == "premoderate", reason=reason
        )
    elif action == "slow_mode":
        services.thread_set_slow_mode(
            moderator=moderator, thread=thread, seconds=form.cleaned_data["seconds"], reason=reason
        )
    elif action == "move":
        services.thread_move(
            moderator=moderator, thread=thread, theme=form.cleaned_data["theme"], reason=reason
        )
    elif action == "merge":
        services.thread_merge(
            moderator=moderator, source=thread, target=form.cleaned_data["target"], reason=reason
        )
    elif action == "remove":
        services.thread_remove(moderator=moderator, thread=thread, reason=reason)
    elif action in ("link_report", "unlink_report"):
        _link_report(moderator, thread, form, link=action == "link_report")


THREAD_ACTIONS: dict[str, tuple[type, Any]] = {
    "lock": (RequiredReasonForm, gettext_lazy("The thread is locked.")),
    "unlock": (ReasonForm, gettext_lazy("The thread is open for replies again.")),
    "pin": (ReasonForm, gettext_lazy("The thread is pinned to the top of its theme.")),
    "unpin": (ReasonForm, gettext_lazy("The thread is no longer pinned.")),
    "premoderate": (ReasonForm, gettext_lazy("New posts in this thread now wait for approval.")),
    "unpremoderate": (ReasonForm, gettext_lazy("New posts in this thread no longer wait.")),
    "slow_mode": (SlowModeForm, gettext_lazy("Slow mode is saved.")),
    "move": (MoveForm, gettext_lazy("The thread has moved.")),
    "merge": (MergeForm, gettext_lazy("The threads are merged.")),
    "remove": (RequiredReasonForm, gettext_lazy("The thread is removed.")),
    "link_report": (ReportReferenceForm, gettext_lazy("The report is linked to the thread.")),
    "unlink_report": (ReportUnlinkForm, gettext_lazy("The report is no longer linked.")),
}


def _thread_form(action: str, thread: Thread, data=None):
    form_class = THREAD_ACTIONS[action][0]
    kwargs: dict[str, Any] = {"prefix": action}
    if form_class in (MoveForm, MergeForm, ReportUnlinkForm):
        kwargs["thread"] = thread
    if form_class is SlowModeForm and data is None:
        kwargs["initial"] = {"seconds": thread.slow_mode_seconds}
    return form_class(data, **kwargs)


def _thread_moderation_page(
    request: HttpRequest, thread: Thread, *, bound: Any = None, status: int = 200
) -> HttpResponse:
    forms = {action: _thread_form(action, thread) for action in THREAD_ACTIONS}
    if bound is not None:
        forms[bound[0]] = bound[1]
    context = {
        "thread": thread,
        "forms": forms,
        "reports": selectors.reports_for_thread(viewer=request.user, thread=thread),
    }
    return render(request, "dialogues/moderation/thread.html", context, status=status)


@moderator_required
@require_safe
def thread_moderation(request: SignedInRequest, thread_id: int) -> HttpResponse:
    thread = selectors.thread_get_for_moderation(viewer=request.user, thread_id=thread_id)
    return _thread_moderation_page(request, thread)


@moderator_required
@require_POST
def thread_moderate(request: SignedInRequest, thread_id: int, action: str) -> HttpResponse:
    thread = selectors.thread_get_for_moderation(viewer=request.user, thread_id=thread_id)
    if action not in THREAD_ACTIONS:
        raise Http404
    form = _thread_form(action, thread, request.POST)
    if form.is_valid():
        try:
            _act(action, request.user, thread, form)
        except services.ModerationRefused as refusal:
            form.add_error(None, refusal.message)
    if form.is_valid() and not form.errors:
        messages.success(request, str(THREAD_ACTIONS[action][1]))
        if action == "merge":
            return redirect(form.cleaned_data["target"])
        return redirect("dialogues:thread_moderation", thread_id=thread.pk)
    return _thread_moderation_page(request, thread, bound=(action, form), status=400)


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def thread_from_report(request: SignedInRequest, reference: str) -> HttpResponse:
    """Open a dialogue on a published report (the report and the thread link to each other)."""
    from submissions.selectors import report_get_for

    report = report_get_for(viewer=request.user, reference=reference)
    if not can_start_from_report(request.user, report):
        raise Http404
    theme = selectors.theme_for_report(report)
    initial = {
        "theme": theme,
        "title": report.title,
        "body": _(
            "This dialogue is about barrier report %(reference)s: %(title)s.\n\n%(summary)s\n\n"
            "Have you met this barrier too? Officials: what is the rule, and can it change?"
        )
        % {"reference": report.reference, "title": report.title, "summary": report.summary},
    }
    form = ThreadFromReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        thread = services.thread_start_from_report(
            moderator=request.user,
            report=report,
            theme=form.cleaned_data["theme"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("The dialogue is open and linked to the report."))
        return redirect(thread)
    context = {
        "report": report,
        "form": form,
        "existing": selectors.threads_for_report(viewer=request.user, report=report),
    }
    return render(
        request,
        "dialogues/moderation/thread_from_report.html",
        context,
        status=400 if form.errors else 200,
    )


# --- Moderation: members -----------------------------------------------------------------------


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_suspend(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get_for_moderation(viewer=request.user, member_id=member_id)
    can_suspend = not has_moderator_role(member)
    if request.method == "POST" and not can_suspend:
        raise PermissionDenied
    form = SuspensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.member_suspend(
            moderator=request.user,
            member=member,
            ends=form.ends,
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request, _("%(name)s is suspended; they have been told why.") % {"name": member}
        )
        return redirect("dialogues:suspension_list")
    context = {
        "member": member,
        "form": form,
        "can_suspend": can_suspend,
        "current": selectors.suspension_active_for(member),
        "history": selectors.member_history_for(viewer=request.user, member=member),
        "recent_posts": selectors.member_recent_posts_for(viewer=request.user, member=member),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "dialogues/moderation/suspend.html", context, status=status)


@moderator_required
@require_safe
def suspension_list(request: SignedInRequest) -> HttpResponse:
    suspensions = selectors.suspensions_for(viewer=request.user)
    context = {
        "suspensions": [
            (suspension, ReasonForm(prefix=f"lift-{suspension.pk}")) for suspension in suspensions
        ]
    }
    return render(request, "dialogues/moderation/suspensions.html", context)


@moderator_required
@require_POST
def suspension_lift(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get_for_moderation(viewer=request.user, member_id=member_id)
    suspension = selectors.suspension_active_for(member)
    form = ReasonForm(request.POST, prefix=f"lift-{suspension.pk}" if suspension else None)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if services.suspension_lift(moderator=request.user, member=member, reason=reason):
        messages.success(request, _("%(name)s can post again.") % {"name": member})
    return redirect("dialogues:suspension_list")
