"""Every role x every visibility x every surface: who sees a published report, and whether
its organisation (and its co-signers) are named or described."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.urls import reverse

from submissions.models import BarrierReport
from submissions.selectors import report_display_organisation, report_similar_for
from tests.factories import MemberFactory, OrganisationFactory, UserFactory
from tests.submissions.conftest import log_in
from tests.submissions.factories import BarrierReportFactory, CoSignatureFactory

pytestmark = pytest.mark.django_db

Visibility = BarrierReport.Visibility
ROLES = ["visitor", "no_organisation", "member", "official", "moderator", "colleague"]
REPORTER_NAME = "Unmistakable Roasters Ltd"
COSIGNER_NAME = "Cosigning Weavers Cooperative"
ANONYMISED_LABEL = "a micro enterprise in Kenya, agri-food sector"
TITLE = "Zanzibarite parcels stopped at the border"


def expected_visible(role: str, visibility: str) -> bool:
    if visibility == Visibility.OFFICIALS_ONLY:
        return role in {"official", "moderator", "colleague"}
    return True


def expected_named(role: str, visibility: str) -> bool:
    return visibility != Visibility.ANONYMISED or role in {"moderator", "colleague"}


@pytest.fixture
def scene(world):
    organisation = world.reporter.organisation
    organisation.name = REPORTER_NAME
    organisation.save()

    def build(visibility: str) -> BarrierReport:
        report = BarrierReportFactory(
            reporter=world.reporter, title=TITLE, visibility=visibility, sector="agri_food"
        )
        cosigner = MemberFactory(organisation=OrganisationFactory(name=COSIGNER_NAME))
        CoSignatureFactory(report=report, signed_by=cosigner)
        return report

    return build


def page(client, role, world, url):
    log_in(client, world.role(role))
    return client.get(url)


def seen_on(html: str) -> tuple[bool, bool]:
    """(report shown, organisation named) as a reader of this HTML would tell."""
    shown = TITLE in html
    named = REPORTER_NAME in html
    if shown and not named:
        assert ANONYMISED_LABEL in html, "an unnamed organisation is still described"
    return shown, named


def surface_list(client, role, world, report):
    return seen_on(page(client, role, world, reverse("submissions:list")).content.decode())


def surface_search(client, role, world, report):
    url = reverse("submissions:list") + "?q=zanzibarite"
    return seen_on(page(client, role, world, url).content.decode())


def surface_detail(client, role, world, report):
    response = page(client, role, world, report.get_absolute_url())
    if response.status_code == 404:
        return False, False
    assert response.status_code == 200
    return seen_on(response.content.decode())


def surface_duplicate_hints(client, role, world, report):
    viewer = world.role(role)
    hints = report_similar_for(viewer=viewer, title="Zanzibarite parcels stopped at customs")
    if report not in hints:
        return False, False
    return True, report_display_organisation(report, viewer) == REPORTER_NAME


def surface_home_latest(client, role, world, report):
    from submissions.selectors import report_latest_for

    viewer = world.role(role)
    latest = report_latest_for(viewer, 5)
    if report not in latest:
        return False, False
    return True, report_display_organisation(report, viewer) == REPORTER_NAME


def _export_rows(client, role, world, name):
    response = page(client, role, world, reverse(f"submissions:{name}"))
    return b"".join(response.streaming_content).decode("utf-8-sig")


def surface_export_csv(client, role, world, report):
    text = _export_rows(client, role, world, "export_csv")
    return TITLE in text, REPORTER_NAME in text


def surface_export_json(client, role, world, report):
    data = json.loads(_export_rows(client, role, world, "export_json"))
    rows = [row for row in data["reports"] if row["reference"] == report.reference]
    if not rows:
        return False, False
    assert rows[0]["organisation"] in {REPORTER_NAME, ANONYMISED_LABEL}
    return True, rows[0]["organisation"] == REPORTER_NAME


SURFACES = {
    "list": surface_list,
    "search": surface_search,
    "detail": surface_detail,
    "duplicate_hints": surface_duplicate_hints,
    "home_latest": surface_home_latest,
}
# Open data is the same file for everyone: what a visitor may read.
OPEN_DATA_SURFACES = {"export_csv": surface_export_csv, "export_json": surface_export_json}


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("visibility", Visibility.values)
@pytest.mark.parametrize("role", ROLES)
def test_report_shows_as_its_visibility_allows(client, world, scene, role, visibility, surface):
    report = scene(visibility)
    shown, named = SURFACES[surface](client, role, world, report)
    assert shown is expected_visible(role, visibility)
    if shown:
        assert named is expected_named(role, visibility)


@pytest.mark.parametrize("surface", list(OPEN_DATA_SURFACES))
@pytest.mark.parametrize("visibility", Visibility.values)
@pytest.mark.parametrize("role", ROLES)
def test_open_data_holds_what_a_visitor_reads_whoever_downloads(
    client, world, scene, role, visibility, surface
):
    report = scene(visibility)
    shown, named = OPEN_DATA_SURFACES[surface](client, role, world, report)
    assert shown is expected_visible("visitor", visibility)
    if shown:
        assert named is expected_named("visitor", visibility)


@pytest.mark.parametrize("visibility", Visibility.values)
@pytest.mark.parametrize("role", ROLES)
def test_cosigners_are_shown_as_the_report_shows_its_reporter(
    client, world, scene, role, visibility
):
    report = scene(visibility)
    response = page(client, role, world, report.get_absolute_url())
    if not expected_visible(role, visibility):
        assert response.status_code == 404
        return
    html = response.content.decode()
    cosigner_named = visibility != Visibility.ANONYMISED or role == "moderator"
    assert (COSIGNER_NAME in html) is cosigner_named
    if not cosigner_named:
        assert "Co-signed by 1 organisation" in html


STAFF_ROLES = ["no_organisation", "member", "official", "moderator", "colleague"]


@pytest.mark.parametrize("visibility", Visibility.values)
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_admin_list_applies_the_same_rule_to_staff_who_are_not_superusers(
    client, world, scene, role, visibility
):
    report = scene(visibility)
    BarrierReportFactory(
        reporter=world.reporter, status="submitted", title="Pending Quokka barrier"
    )
    staff = world.role(role)
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_barrierreport"))
    if not Authenticator.objects.filter(user=staff).exists():
        TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    response = client.get(reverse("admin:submissions_barrierreport_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (TITLE in html) is expected_visible(role, visibility)
    if TITLE in html:
        assert (REPORTER_NAME in html) is expected_named(role, visibility)
    assert ("Pending Quokka barrier" in html) is (role in {"moderator", "colleague"})
    assert report.reference  # the report under test exists whatever the outcome


def test_superuser_admin_list_shows_every_report(client, world, scene):
    scene(Visibility.OFFICIALS_ONLY)
    BarrierReportFactory(reporter=world.reporter, status="draft", title="Secret draft")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(superuser, generate_totp_secret())
    client.force_login(superuser)
    html = client.get(reverse("admin:submissions_barrierreport_changelist")).content.decode()
    assert TITLE in html
    assert "Secret draft" in html


@pytest.mark.parametrize("role", ROLES)
def test_drafts_and_unpublished_reports_are_never_listed(client, world, role):
    BarrierReportFactory(reporter=world.reporter, status="draft", title="Draft Wombat")
    BarrierReportFactory(reporter=world.reporter, status="submitted", title="Submitted Wombat")
    BarrierReportFactory(reporter=world.reporter, status="rejected", title="Rejected Wombat")
    html = page(client, role, world, reverse("submissions:list")).content.decode()
    assert "Wombat" not in html
