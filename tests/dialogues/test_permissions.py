"""Every Trade Dialogues action against every role, through the real pages.

Roles: a visitor, a signed-in person without an active membership, a member, a verified
official, a suspended member, a moderator without two-factor authentication and a moderator.
Outcomes: "ok" (the page or the action works), "login" (sent to log in), "mfa" (sent to set up
two-factor authentication), 403 (refused), 404 (hidden).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues import services
from dialogues.models import Flag, Post, Suspension
from tests.dialogues.conftest import make_report, reply, trust
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "no_org", "member", "official", "suspended", "moderator_no_mfa", "moderator"]
MODERATORS_ONLY = {
    "visitor": "login",
    "no_org": 403,
    "member": 403,
    "official": 403,
    "suspended": 403,
    "moderator_no_mfa": "mfa",
    "moderator": "ok",
}
EVERYONE = dict.fromkeys(ROLES, "ok")
WRITERS = {
    "visitor": "login",
    "no_org": 403,
    "member": "ok",
    "official": "ok",
    "suspended": 403,
    # Until two-factor set-up a moderator is what they otherwise are: here, a person without
    # an organisation.
    "moderator_no_mfa": 403,
    "moderator": "ok",
}


@pytest.fixture
def world(db, theme, other_theme):
    """A thread with posts by others, a pending post, a flagged post and a report."""
    starter = ModeratorFactory()
    thread = services.thread_start(author=starter, theme=theme, title="Gateways", body="Opening")
    other_member = MemberFactory()
    trust(other_member)
    published = reply(other_member, thread, "A published post")
    other_official = OfficialFactory()
    official_post = reply(other_official, thread, "An official answer")
    newcomer = MemberFactory()
    pending = reply(newcomer, thread, "A pending post")
    second = services.thread_start(author=starter, theme=theme, title="Second", body="Other")
    make_report(reference="TB-2026-00099")
    return {
        "thread": thread,
        "second": second,
        "published": published,
        "official_post": official_post,
        "pending": pending,
        "other_member": other_member,
        "theme": theme,
        "other_theme": other_theme,
    }


def _user(role: str):
    if role == "visitor":
        return None
    if role == "no_org":
        return UserFactory()
    if role == "member":
        return MemberFactory()
    if role == "official":
        return OfficialFactory()
    if role == "suspended":
        member = MemberFactory()
        Suspension.objects.create(
            member=member,
            ends=timezone.now() + timedelta(days=1),
            reason="Test",
            moderator=ModeratorFactory(),
        )
        return member
    if role == "moderator_no_mfa":
        return ModeratorFactory(moderator=False)
    return ModeratorFactory()


def _thread_action(action: str, data: dict):
    def build(w):
        return (
            "post",
            reverse(
                "dialogues:thread_moderate",
                kwargs={"thread_id": w["thread"].pk, "action": action},
            ),
            {f"{action}-{key}": value for key, value in data.items()},
        )

    return build


ACTIONS = {
    "theme list": (lambda w: ("get", reverse("dialogues:theme_list"), None), EVERYONE),
    "theme page": (lambda w: ("get", w["theme"].get_absolute_url(), None), EVERYONE),
    "thread page": (lambda w: ("get", w["thread"].get_absolute_url(), None), EVERYONE),
    "search": (lambda w: ("get", reverse("dialogues:search") + "?q=post", None), EVERYONE),
    "feed": (lambda w: ("get", reverse("dialogues:feed"), None), EVERYONE),
    "post permalink": (lambda w: ("get", w["published"].get_absolute_url(), None), EVERYONE),
    "pending post permalink": (
        lambda w: ("get", w["pending"].get_absolute_url(), None),
        {**dict.fromkeys(ROLES, 404), "moderator": "ok"},
    ),
    "new thread form": (
        lambda w: ("get", reverse("dialogues:thread_create", args=[w["theme"].slug]), None),
        {**WRITERS, "suspended": "ok"},
    ),
    "start thread": (
        lambda w: (
            "post",
            reverse("dialogues:thread_create", args=[w["theme"].slug]),
            {"title": "New", "body": "Text"},
        ),
        WRITERS,
    ),
    "reply": (
        lambda w: (
            "post",
            reverse("dialogues:post_create", args=[w["thread"].pk]),
            {"body": "My reply"},
        ),
        WRITERS,
    ),
    "edit someone else's post": (
        lambda w: ("get", reverse("dialogues:post_edit", args=[w["published"].pk]), None),
        {**dict.fromkeys(ROLES, 403), "visitor": "login"},
    ),
    "flag a post": (
        lambda w: (
            "post",
            reverse("dialogues:post_flag", args=[w["published"].pk]),
            {"reason": Flag.Reason.SPAM},
        ),
        {**WRITERS, "moderator_no_mfa": 403, "moderator": 403},
    ),
    "mark another official's post as official response": (
        lambda w: (
            "post",
            reverse("dialogues:post_official_response", args=[w["official_post"].pk]),
            {"is_response": "on"},
        ),
        {**MODERATORS_ONLY, "moderator_no_mfa": 403},
    ),
    "follow a thread": (
        lambda w: (
            "post",
            reverse("dialogues:thread_follow", args=[w["thread"].pk]),
            {"follow": "1"},
        ),
        {**WRITERS, "suspended": "ok"},
    ),
    "follow a theme": (
        lambda w: (
            "post",
            reverse("dialogues:theme_follow", args=[w["theme"].slug]),
            {"follow": "1"},
        ),
        {**WRITERS, "suspended": "ok"},
    ),
    "email settings": (
        lambda w: ("get", reverse("dialogues:notification_settings"), None),
        {**WRITERS, "suspended": "ok"},
    ),
    "moderation queue": (
        lambda w: ("get", reverse("portal:moderation_home"), None),
        MODERATORS_ONLY,
    ),
    "moderate a post (page)": (
        lambda w: ("get", reverse("dialogues:post_moderate", args=[w["pending"].pk]), None),
        MODERATORS_ONLY,
    ),
    "approve a post": (
        lambda w: (
            "post",
            reverse("dialogues:post_moderate", args=[w["pending"].pk]),
            {f"post-{w['pending'].pk}-action": "approve"},
        ),
        MODERATORS_ONLY,
    ),
    "hide a post": (
        lambda w: (
            "post",
            reverse("dialogues:post_moderate", args=[w["published"].pk]),
            {f"post-{w['published'].pk}-action": "hide", f"post-{w['published'].pk}-reason": "x"},
        ),
        MODERATORS_ONLY,
    ),
    "remove a post": (
        lambda w: (
            "post",
            reverse("dialogues:post_moderate", args=[w["published"].pk]),
            {
                f"post-{w['published'].pk}-action": "remove",
                f"post-{w['published'].pk}-reason": "x",
            },
        ),
        MODERATORS_ONLY,
    ),
    "bulk approve": (
        lambda w: (
            "post",
            reverse("dialogues:moderation_bulk"),
            {"bulk-action": "approve", "bulk-posts": [w["pending"].pk]},
        ),
        MODERATORS_ONLY,
    ),
    "thread moderation page": (
        lambda w: ("get", reverse("dialogues:thread_moderation", args=[w["thread"].pk]), None),
        MODERATORS_ONLY,
    ),
    "lock": (_thread_action("lock", {"reason": "Done"}), MODERATORS_ONLY),
    "unlock": (_thread_action("unlock", {"reason": ""}), MODERATORS_ONLY),
    "pin": (_thread_action("pin", {"reason": ""}), MODERATORS_ONLY),
    "unpin": (_thread_action("unpin", {}), MODERATORS_ONLY),
    "pre-moderate": (_thread_action("premoderate", {}), MODERATORS_ONLY),
    "slow mode": (_thread_action("slow_mode", {"seconds": "60"}), MODERATORS_ONLY),
    "move": (
        lambda w: _thread_action("move", {"theme": w["other_theme"].pk, "reason": "Fits"})(w),
        MODERATORS_ONLY,
    ),
    "merge": (
        lambda w: _thread_action("merge", {"target": w["second"].pk, "reason": "Dup"})(w),
        MODERATORS_ONLY,
    ),
    "remove thread": (_thread_action("remove", {"reason": "Spam"}), MODERATORS_ONLY),
    "link report": (
        _thread_action("link_report", {"reference": "TB-2026-00099"}),
        MODERATORS_ONLY,
    ),
    "dialogue from report": (
        lambda w: ("get", reverse("dialogues:thread_from_report", args=["TB-2026-00099"]), None),
        MODERATORS_ONLY,
    ),
    "suspension list": (
        lambda w: ("get", reverse("dialogues:suspension_list"), None),
        MODERATORS_ONLY,
    ),
    "suspend a member": (
        lambda w: (
            "post",
            reverse("dialogues:member_suspend", args=[w["other_member"].pk]),
            {"days": "7", "reason": "Spam"},
        ),
        MODERATORS_ONLY,
    ),
    "lift a suspension": (
        lambda w: (
            "post",
            reverse("dialogues:suspension_lift", args=[w["other_member"].pk]),
            {},
        ),
        MODERATORS_ONLY,
    ),
}


def _outcome(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("account_login")):
            return "login"
        if location.startswith(reverse("mfa_activate_totp")):
            return "mfa"
        return "ok"
    if response.status_code in (200, 201):
        return "ok"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_is_allowed_to_the_right_roles_only(client, world, action, role):
    build, expected = ACTIONS[action]
    user = _user(role)
    if user is not None:
        client.force_login(user)
    method, url, data = build(world)
    response = getattr(client, method)(url, data or {})
    assert _outcome(response) == expected[role], (action, role, response.status_code)


def test_authors_may_edit_their_own_posts(client, world):
    author = world["other_member"]
    client.force_login(author)
    post = world["published"]
    response = client.post(reverse("dialogues:post_edit", args=[post.pk]), {"body": "Changed"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Changed"


def test_officials_may_mark_their_own_posts_only(client, world):
    post = world["official_post"]
    client.force_login(post.author)
    response = client.post(
        reverse("dialogues:post_official_response", args=[post.pk]), {"is_response": "on"}
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).is_official_response


def test_a_suspended_member_cannot_post_and_sees_why(client, world):
    member = _user("suspended")
    client.force_login(member)
    response = client.post(
        reverse("dialogues:post_create", args=[world["thread"].pk]), {"body": "Let me in"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "suspended" in html
    assert "Let me in" in html, "the refused text is kept"
    assert not Post.objects.filter(body="Let me in").exists()


def test_moderators_are_not_asked_to_moderate_themselves(client, world):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    target = ModeratorFactory()
    response = client.post(
        reverse("dialogues:member_suspend", args=[target.pk]), {"days": "7", "reason": "x"}
    )
    assert response.status_code == 403
    assert not Suspension.objects.filter(member=target).exists()


# What a thread page shows each role beyond the published conversation (literal, per role).
SEES_PENDING_POSTS_OF_OTHERS = {"moderator"}
SEES_MODERATION_LINKS = {"moderator"}


@pytest.mark.parametrize("role", ROLES)
def test_thread_page_shows_moderators_material_only_with_two_factor(client, world, role):
    user = _user(role)
    if user is not None:
        client.force_login(user)
    html = client.get(world["thread"].get_absolute_url()).content.decode()
    assert "A published post" in html
    assert ("A pending post" in html) is (role in SEES_PENDING_POSTS_OF_OTHERS)
    assert ("Moderate this thread" in html) is (role in SEES_MODERATION_LINKS)
    moderate_link = reverse("dialogues:post_moderate", args=[world["published"].pk])
    assert (moderate_link in html) is (role in SEES_MODERATION_LINKS)


@pytest.mark.parametrize("role", ROLES)
def test_dialogue_search_never_shows_a_pending_post_whatever_the_role(client, world, role):
    user = _user(role)
    if user is not None:
        client.force_login(user)
    html = client.get(reverse("dialogues:search") + "?q=pending").content.decode()
    assert "A pending post" not in html
