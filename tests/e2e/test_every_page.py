"""axe-core on every main page, for every role, on a 320 px phone and a 1280 px desktop.

Each role signs in as a person does (the moderator with their authenticator code) and walks
the pages that role uses; the pages hold real content (a published report with an official
answer and its timeline, a thread with replies, a compiled digest with figures and tables),
so wide tables, long references and forms are all on screen when axe looks."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dialogues import services as dialogue_services
from dialogues.digests import services as digest_services
from dialogues.digests.weeks import iso_week_bounds, last_complete_iso_week
from dialogues.models import Theme
from portal.models import Country
from portal.services import audit_record
from submissions.models import BarrierReport, StatusChange
from tests.e2e.helpers import assert_accessible, log_in
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory
from tests.submissions.factories import BarrierReportFactory, OfficialResponseFactory

WIDTHS = (320, 1280)

PUBLIC_PAGES = [
    "/",
    "/reports/",
    "/reports/{report}/",
    "/dialogues/",
    "/dialogues/{theme}/",
    "/dialogues/threads/{thread}/",
    "/dialogues/search/?q=gateways",
    "/digests/",
    "/digests/{week}/",
    "/organisations/{organisation}/",
    "/about/",
    "/code-of-conduct/",
    "/privacy/",
    "/accessibility/",
    "/fr/reports/{report}/",
    "/es/digests/{week}/",
]
SIGNED_IN_PAGES = [
    "/dashboard/",
    "/dashboard/your-data/",
    "/dashboard/delete-account/",
    "/dialogues/settings/",
]
PAGES = {
    "anonymous": [*PUBLIC_PAGES, "/accounts/login/", "/accounts/signup/"],
    "member": [
        *PUBLIC_PAGES,
        *SIGNED_IN_PAGES,
        "/reports/mine/",
        "/reports/new/",
        "/dialogues/{theme}/new/",
    ],
    "official": [*PUBLIC_PAGES, *SIGNED_IN_PAGES, "/digests/subscription/"],
    "moderator": [
        *PUBLIC_PAGES,
        "/dashboard/",
        "/moderation/",
        "/moderation/reports/",
        "/moderation/reports/{submitted}/",
        "/moderation/audit/",
        "/moderation/domains/",
        "/moderation/suspensions/",
        "/accounts/2fa/",
    ],
}


@pytest.fixture
def content(transactional_db, settings, tmp_path):
    """A small but complete portal: what every page shows when it is in use."""
    from django.apps import apps

    from dialogues.themes import create_themes

    create_themes(apps)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DIGEST_PRERENDER_LANGUAGES = []
    settings.DIALOGUES_PREMODERATED_FIRST_POSTS = 0

    member = MemberFactory(
        full_name="Wanjiru Kamau",
        is_organisation_admin=True,
        organisation__name="Nairobi Coffee Roasters",
    )
    official = OfficialFactory(full_name="Amina Odhiambo")
    moderator = ModeratorFactory(full_name="Moderator On Duty")

    week = last_complete_iso_week(timezone.now())
    published = iso_week_bounds(week)[0] + dt.timedelta(days=1, hours=10)
    report = BarrierReportFactory(
        reporter=member,
        title="Payment gateways refuse Kenyan merchants selling to the EU",
        market=Country.objects.get(code="DE"),
        published_at=published,
    )
    StatusChange.objects.create(
        report=report, from_status="submitted", to_status="published", created_at=published
    )
    OfficialResponseFactory(report=report, author=official, organisation=official.organisation)
    for number in range(3):
        BarrierReportFactory(
            title=f"Parcels held at customs for lack of paper certificate {number}",
            market=Country.objects.get(code=["KE", "PE", "AE"][number]),
            published_at=published,
        )
    submitted = BarrierReportFactory(
        reporter=member, status=BarrierReport.Status.SUBMITTED, published_at=None
    )
    theme = Theme.objects.get(topic_id="ECOM-10")
    thread = dialogue_services.thread_start(
        author=moderator,
        theme=theme,
        title="Payment gateways refuse Kenyan merchants",
        body="Which gateways have refused you, and in which markets?",
    )
    dialogue_services.post_create(author=member, thread=thread, body="Two gateways refused us.")
    dialogue_services.post_create(author=official, thread=thread, body="We are looking into it.")
    audit_record(actor=moderator, action="official.verify", target=official)
    digest_services.digest_compile_week(week=week)

    return {
        "people": {"member": member, "official": official, "moderator": moderator},
        "values": {
            "report": report.reference,
            "submitted": submitted.reference,
            "theme": theme.slug,
            "thread": thread.pk,
            "week": week,
            "organisation": member.organisation.slug,
        },
    }


@pytest.mark.parametrize("role", PAGES)
def test_every_main_page_passes_axe_for_every_role_on_phone_and_desktop(page, content, role):
    person = content["people"].get(role)
    if person is not None:
        log_in(page, email=person.email, user=person)

    for template in PAGES[role]:
        path = template.format(**content["values"])
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{role} at {path}: HTTP {response.status}"
        # One load per page, checked at each width: the layout reflows without reloading.
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            expect(page.locator("h1").first).to_be_visible()
            assert_accessible(page, context=f"{role}, {width} px, {path}")
