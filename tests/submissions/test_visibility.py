"""Every role x every visibility x every surface: who sees a published report, and whether
its organisation (and its co-signers) are named or described.

"moderator_no_mfa" and "admin_no_mfa" hold a moderator's role (or are superusers) without an
organisation and without two-factor authentication: they read what "no_organisation" reads.
"moderator_no_mfa_colleague" is a moderator without two-factor authentication in the
reporting organisation: they read what "colleague" reads."""

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
ROLES = [
    "visitor",
    "no_organisation",
    "member",
    "official",
    "moderator",
    "colleague",
    "moderator_no_mfa",
    "moderator_no_mfa_colleague",
    "admin_no_mfa",
]
REPORTER_NAME = "Unmistakable Roasters Ltd"
COSIGNER_NAME = "Cosigning Weavers Cooperative"
ANONYMISED_LABEL = "a micro enterprise in Kenya, agri-food sector"
TITLE = "Zanzibarite parcels stopped at the border"


def expected_visible(role: str, visibility: str) -> bool:
    if visibility == Visibility.OFFICIALS_ONLY:
        return role in {"official", "moderator", "colleague", "moderator_no_mfa_colleague"}
    return True


def expected_named(role: str, visibility: str) -> bool:
    return visibility != Visibility.ANONYMISED or role in {
        "moderator",
        "colleague",
        "moderator_no_mfa_colleague",
    }


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
# (Staff without two-factor authentication do not reach the admin at all: see below.)


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


# --- Evidence files -------------------------------------------------------------------------

EVIDENCE = b"%PDF-1.4\n% Refusal letter naming Unmistakable Roasters Ltd\n%%EOF\n"
# Who downloads a report's evidence, by status and visibility (literal, per role).
EVIDENCE_READERS = {
    ("published", Visibility.PUBLIC): set(ROLES),
    ("published", Visibility.ANONYMISED): {
        "official",
        "moderator",
        "colleague",
        "moderator_no_mfa_colleague",
    },
    ("published", Visibility.OFFICIALS_ONLY): {
        "official",
        "moderator",
        "colleague",
        "moderator_no_mfa_colleague",
    },
    ("submitted", Visibility.PUBLIC): {"moderator", "colleague", "moderator_no_mfa_colleague"},
    ("rejected", Visibility.ANONYMISED): {"moderator", "colleague", "moderator_no_mfa_colleague"},
}


@pytest.mark.parametrize(("status", "visibility"), list(EVIDENCE_READERS))
@pytest.mark.parametrize("role", ROLES)
def test_evidence_downloads_follow_the_report_rule(client, world, role, status, visibility):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from submissions.models import Attachment

    report = BarrierReportFactory(reporter=world.reporter, status=status, visibility=visibility)
    attachment = Attachment(
        report=report,
        original_name="Refusal letter.pdf",
        content_type="application/pdf",
        size=len(EVIDENCE),
        sha256="0" * 64,
        uploaded_by=world.reporter,
    )
    attachment.file.save("evidence.pdf", SimpleUploadedFile("evidence.pdf", EVIDENCE), save=True)
    response = page(client, role, world, attachment.get_absolute_url())
    if role in EVIDENCE_READERS[(status, visibility)]:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == EVIDENCE
    else:
        assert response.status_code == 404
    detail = page(client, role, world, report.get_absolute_url())
    if detail.status_code == 200:
        listed = attachment.get_absolute_url() in detail.content.decode()
        assert listed is (role in EVIDENCE_READERS[(status, visibility)])


# --- Timelines ------------------------------------------------------------------------------

MODERATOR_NAME = "Moana Moderator-Tuilagi"
CHANGES_NOTE = "Please attach the customs notice you were sent."
# Everyone who may read the report sees its public milestones; the notes written to the
# reporter are for the reporting organisation and moderators; who decided, for moderators.
TIMELINE_NOTES = {"colleague", "moderator", "moderator_no_mfa_colleague"}
TIMELINE_ACTORS = {"moderator"}


@pytest.mark.parametrize("role", ROLES)
def test_timeline_notes_and_deciders_follow_the_role_and_two_factor(client, world, role):
    from submissions.models import StatusChange

    decider = UserFactory(full_name=MODERATOR_NAME)
    report = BarrierReportFactory(reporter=world.reporter, visibility=Visibility.PUBLIC)
    for to_status, actor, note in [
        ("submitted", world.reporter, ""),
        ("changes_requested", decider, CHANGES_NOTE),
        ("submitted", world.reporter, ""),
        ("published", decider, "Thank you."),
    ]:
        StatusChange.objects.create(report=report, to_status=to_status, actor=actor, note=note)
    html = page(client, role, world, report.get_absolute_url()).content.decode()
    assert "Published" in html
    assert (CHANGES_NOTE in html) is (role in TIMELINE_NOTES)
    assert (MODERATOR_NAME in html) is (role in TIMELINE_ACTORS)


# --- Admin lists ----------------------------------------------------------------------------

ADMIN_LISTS = [
    "admin:submissions_barrierreport_changelist",
    "admin:submissions_attachment_changelist",
    "admin:submissions_statuschange_changelist",
    "admin:submissions_cosignature_changelist",
]


@pytest.mark.parametrize("role", ["moderator_no_mfa", "moderator_no_mfa_colleague", "admin_no_mfa"])
def test_admin_lists_are_closed_to_staff_without_two_factor_authentication(
    client, world, scene, role
):
    scene(Visibility.OFFICIALS_ONLY)
    staff = world.role(role)
    staff.is_staff = True
    staff.save()
    for codename in ("view_barrierreport", "view_attachment", "view_statuschange"):
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(staff)
    for name in ADMIN_LISTS:
        response = client.get(reverse(name), follow=True)
        visited = [url.split("?")[0] for url, _status in response.redirect_chain]
        assert reverse("mfa_activate_totp") in visited, (name, visited)
        assert response.request["PATH_INFO"] != reverse(name)
        assert TITLE not in response.content.decode()


def test_a_superuser_without_two_factor_authentication_gets_a_members_admin_rows(world, scene):
    """Behind the admin site's own gate, the report ModelAdmins hold the same rule: every row
    (and the search by organisation) only for a superuser acting with two factors."""
    from django.contrib import admin
    from django.test import RequestFactory

    scene(Visibility.OFFICIALS_ONLY)
    BarrierReportFactory(reporter=world.reporter, status="submitted", title="Pending Quokka")
    BarrierReportFactory(reporter=world.reporter, title="Public Numbat barrier")
    model_admin = admin.site._registry[BarrierReport]
    request = RequestFactory().get("/admin/submissions/barrierreport/")
    request.user = world.admin_no_mfa
    titles = set(model_admin.get_queryset(request).values_list("title", flat=True))
    assert titles == {"Public Numbat barrier"}
    assert model_admin.get_search_fields(request) == ["reference", "title", "summary"]
    request.user = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(request.user, generate_totp_secret())
    titles = set(model_admin.get_queryset(request).values_list("title", flat=True))
    assert titles == {TITLE, "Pending Quokka", "Public Numbat barrier"}
    assert "organisation__name" in model_admin.get_search_fields(request)


# --- Emails ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("with_mfa", "told"),
    [(False, "organisation administrator"), (True, "former reporter")],
)
def test_status_emails_reach_a_former_reporter_who_moderates_only_with_two_factor(
    world, run_on_commit, mailoutbox, with_mfa, told
):
    """A reporter who left the organisation is emailed about a rejected report only if they
    may still read it: as a moderator acting with two factors, not on the role alone."""
    from submissions import services
    from tests.factories import make_moderator

    report = BarrierReportFactory(reporter=world.reporter, status="submitted")
    administrator = MemberFactory(
        organisation=world.reporter.organisation, is_organisation_admin=True
    )
    world.reporter.membership_status = "declined"
    world.reporter.save()
    make_moderator(world.reporter, with_mfa=with_mfa)
    with run_on_commit():
        services.report_transition(
            actor=world.moderator,
            report=BarrierReport.objects.get(pk=report.pk),
            to_status="rejected",
            note="Out of scope.",
        )
    recipients = {"organisation administrator": administrator.email}
    recipients["former reporter"] = world.reporter.email
    assert [message.to for message in mailoutbox] == [[recipients[told]]]
