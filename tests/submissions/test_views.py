"""Finding, reading, co-signing, answering and triaging reports through their pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from portal.models import AuditEvent, Topic
from submissions.models import BarrierReport, StatusChange
from tests.factories import MemberFactory, ModeratorFactory, OrganisationFactory
from tests.submissions.factories import (
    BarrierReportFactory,
    CoSignatureFactory,
    OfficialResponseFactory,
)

pytestmark = pytest.mark.django_db

Status = BarrierReport.Status


def test_every_report_view_declares_who_may_use_it():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    views = [
        (route, callback)
        for route, callback in walk(get_resolver().url_patterns)
        if callback.__module__ == "submissions.views"
    ]
    assert len(views) >= 19
    assert [route for route, callback in views if not hasattr(callback, "portal_access")] == []


# --- Finding reports -----------------------------------------------------------------------------


def titles(response) -> list[str]:
    return [report.title for report in response.context["page"].object_list]


def test_list_filters_by_market_topic_chapter_sector_and_status(client):
    wanted = BarrierReportFactory(
        title="Wanted", sector="textiles", status=Status.RESOLVED_IN_PART, topics=["SME-04"]
    )
    wanted.ntm_chapter_id = "B"
    wanted.market_id = "MX"
    wanted.save()
    BarrierReportFactory(title="Other market")
    BarrierReportFactory(title="Other topic", topics=["SME-02"])
    query = "?market=MX&topic=SME-04&ntm_chapter=B&sector=textiles&status=resolved_in_part"
    assert titles(client.get(reverse("submissions:list") + query)) == ["Wanted"]


def test_list_sorts_by_newest_or_most_cosigned(client):
    now = timezone.now()
    older = BarrierReportFactory(title="Older", cosignature_count=5)
    newer = BarrierReportFactory(title="Newer", cosignature_count=1)
    BarrierReport.objects.filter(pk=older.pk).update(published_at=now - timezone.timedelta(days=3))
    BarrierReport.objects.filter(pk=newer.pk).update(published_at=now)
    url = reverse("submissions:list")
    assert titles(client.get(url)) == ["Newer", "Older"]
    assert titles(client.get(url + "?sort=cosigned")) == ["Older", "Newer"]


def test_text_search_matches_title_summary_and_description(client):
    BarrierReportFactory(title="Parcels held", summary="Nothing", description="x")
    BarrierReportFactory(title="Other", summary="Parcels held as well", description="x")
    BarrierReportFactory(title="Third", summary="x", description="The parcels were held.")
    BarrierReportFactory(title="Unrelated", summary="x", description="x")
    found = titles(client.get(reverse("submissions:list") + "?q=parcels+held"))
    assert sorted(found) == ["Other", "Parcels held", "Third"]


def test_list_is_paginated_and_keeps_the_filters(client):
    for _ in range(23):
        BarrierReportFactory(topics=["SME-02"])
    response = client.get(reverse("submissions:list") + "?topic=SME-02&page=2")
    assert len(response.context["page"].object_list) == 3
    assert "?topic=SME-02&amp;page=1" in response.content.decode()


def test_unknown_filter_values_show_an_error_not_a_crash(client):
    response = client.get(reverse("submissions:list") + "?market=ZZ&sort=random")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_page_queries_do_not_grow_with_the_number_of_reports(client, world):
    client.force_login(world.member)
    BarrierReportFactory.create_batch(3, topics=["SME-01", "SME-02"])
    client.get(reverse("portal:home"))  # the header's unread count, cached per person
    client.get(reverse("submissions:list"))  # renders the filters once; then they are cached
    few = count_queries(client, reverse("submissions:list"))
    BarrierReportFactory.create_batch(17, topics=["SME-01", "SME-02"], reporter=MemberFactory())
    many = count_queries(client, reverse("submissions:list"))
    assert few == many
    assert many <= 6


def test_detail_page_queries_do_not_grow_with_cosigners_or_responses(client, world):
    client.force_login(world.official)
    report = BarrierReportFactory(topics=["SME-01", "SME-02"])
    CoSignatureFactory(report=report)
    OfficialResponseFactory(report=report)
    client.get(reverse("portal:home"))  # the header's unread count, cached per person
    few = count_queries(client, report.get_absolute_url())
    CoSignatureFactory.create_batch(10, report=report)
    OfficialResponseFactory.create_batch(5, report=report)
    for status in ("published", "resolved_in_part", "published"):
        StatusChange.objects.create(report=report, to_status=status)
    many = count_queries(client, report.get_absolute_url())
    assert few == many
    assert many <= 14


def test_mine_lists_every_report_of_the_organisation_including_drafts(client, world):
    BarrierReportFactory(reporter=world.colleague, status=Status.DRAFT, title="Colleague draft")
    BarrierReportFactory(reporter=world.reporter, status=Status.REJECTED, title="Rejected one")
    BarrierReportFactory(reporter=world.member, title="Someone else")
    client.force_login(world.reporter)
    html = client.get(reverse("submissions:mine")).content.decode()
    assert "Colleague draft" in html
    assert "Rejected one" in html
    assert "Someone else" not in html


def test_mine_needs_membership(client, world):
    client.force_login(world.no_organisation)
    assert client.get(reverse("submissions:mine")).status_code == 403


# --- Reading a report -----------------------------------------------------------------------------


def test_detail_reads_like_a_case_file(client, world):
    report = BarrierReportFactory(reporter=world.reporter, language="fr", title="Colis bloqués")
    OfficialResponseFactory(report=report, body="Nous examinons la question.")
    StatusChange.objects.create(report=report, to_status=Status.SUBMITTED, note="private")
    StatusChange.objects.create(report=report, to_status=Status.PUBLISHED, note="Well done")
    html = client.get(report.get_absolute_url()).content.decode()
    assert f'Barrier report <span class="reference">{report.reference}</span>' in html
    assert '<h1 lang="fr">Colis bloqués</h1>' in html
    assert "Nous examinons la question." in html
    assert 'class="badge badge--official"' in html
    assert "Low-value shipments" in html
    assert ">Published</strong>" in html
    assert ">Submitted</strong>" not in html, "visitors see public milestones only"
    assert "Well done" not in html, "moderators' notes are for the reporter"


def test_reporter_sees_the_whole_timeline_with_notes(client, world):
    report = BarrierReportFactory(reporter=world.reporter, status=Status.CHANGES_REQUESTED)
    StatusChange.objects.create(report=report, to_status=Status.SUBMITTED)
    StatusChange.objects.create(
        report=report, to_status=Status.CHANGES_REQUESTED, note="Name the rule, please."
    )
    client.force_login(world.colleague)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Name the rule, please." in html
    assert "Make the changes" in html


def test_missing_and_forbidden_reports_both_answer_404(client, world):
    secret = BarrierReportFactory(visibility="officials_only")
    assert client.get(secret.get_absolute_url()).status_code == 404
    assert client.get("/reports/TB-2026-99999/").status_code == 404


def test_report_pages_work_in_french_and_spanish(client):
    path = f"/reports/{BarrierReportFactory().reference}/"
    for prefix in ("/fr", "/es"):
        response = client.get(prefix + path)
        assert response.status_code == 200
        assert f'<html lang="{prefix[1:]}">' in response.content.decode()


# --- Co-signing and answering ---------------------------------------------------------------------


def test_member_cosigns_with_an_impact_band_once(client, world):
    report = BarrierReportFactory(reporter=world.reporter)
    client.force_login(world.member)
    url = reverse("submissions:cosign", kwargs={"reference": report.reference})
    response = client.post(url, {"comment": "Us too"})
    assert response.status_code == 400
    assert "Say how much the barrier affects you." in response.content.decode()
    assert "Us too" in response.content.decode()
    client.post(url, {"impact": "severe", "comment": "Us too"})
    client.post(url, {"impact": "minor"})
    report.refresh_from_db()
    assert report.cosignature_count == 1
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Your organisation co-signs this report." in html
    client.post(reverse("submissions:cosign_withdraw", kwargs={"reference": report.reference}))
    report.refresh_from_db()
    assert report.cosignature_count == 0


def test_reporters_organisation_is_not_offered_cosigning(client, world):
    report = BarrierReportFactory(reporter=world.reporter)
    client.force_login(world.colleague)
    assert "Co-sign this report" not in client.get(report.get_absolute_url()).content.decode()
    client.post(
        reverse("submissions:cosign", kwargs={"reference": report.reference}), {"impact": "minor"}
    )
    assert not report.cosignatures.exists()


def test_official_posts_a_response_with_the_official_badge(client, world, run_on_commit):
    report = BarrierReportFactory(reporter=world.reporter)
    url = reverse("submissions:respond", kwargs={"reference": report.reference})
    client.force_login(world.member)
    assert client.post(url, {"body": "Not an official"}).status_code == 403
    client.force_login(world.official)
    assert "Post official response" in client.get(report.get_absolute_url()).content.decode()
    assert client.post(url, {"body": ""}).status_code == 400
    with run_on_commit():
        client.post(url, {"body": "We have raised this with customs."})
    html = client.get(report.get_absolute_url()).content.decode()
    assert "We have raised this with customs." in html
    assert world.official.full_name in html


# --- Triage ---------------------------------------------------------------------------------------


def test_queue_is_for_moderators_with_two_factor_authentication(client, world):
    url = reverse("submissions_moderation:queue")
    client.force_login(world.official)
    assert client.get(url).status_code == 403
    client.force_login(ModeratorFactory(moderator=False))
    assert "/accounts/2fa/totp/activate" in client.get(url)["Location"]
    client.force_login(world.moderator)
    assert client.get(url).status_code == 200


def test_queue_lists_oldest_submission_first_with_counts_and_filters(client, world):
    now = timezone.now()
    newer = BarrierReportFactory(status=Status.SUBMITTED, title="Newer", submitted_at=now)
    older = BarrierReportFactory(
        status=Status.SUBMITTED, title="Older", submitted_at=now - timezone.timedelta(days=9)
    )
    BarrierReportFactory(status=Status.PUBLISHED, title="Done")
    client.force_login(world.moderator)
    response = client.get(reverse("submissions_moderation:queue"))
    assert [report.title for report in response.context["page"].object_list] == ["Older", "Newer"]
    assert ("submitted", "Submitted", 2) in response.context["counts"]
    assert "Barrier reports" in response.content.decode()
    filtered = client.get(reverse("submissions_moderation:queue") + "?status=published")
    assert [report.title for report in filtered.context["page"].object_list] == ["Done"]
    assert older.pk != newer.pk


def test_moderator_publishes_from_the_triage_page(client, world, mailoutbox, run_on_commit):
    report = BarrierReportFactory(reporter=world.reporter, status=Status.SUBMITTED)
    url = reverse("submissions_moderation:triage", kwargs={"reference": report.reference})
    client.force_login(world.moderator)
    html = client.get(url).content.decode()
    assert "Your decision" in html
    assert 'value="published"' in html
    assert 'value="archived"' not in html
    with run_on_commit():
        response = client.post(url, {"to_status": "published"})
    assert response["Location"] == reverse("submissions_moderation:queue")
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert AuditEvent.objects.filter(action="report.published", actor=world.moderator).exists()
    assert mailoutbox[-1].to == [world.reporter.email]


def test_triage_errors_keep_the_moderators_note(client, world):
    report = BarrierReportFactory(status=Status.SUBMITTED)
    url = reverse("submissions_moderation:triage", kwargs={"reference": report.reference})
    client.force_login(world.moderator)
    response = client.post(url, {"to_status": "duplicate", "note": "Same as another"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the reference of the original report." in html
    assert "Same as another" in html
    response = client.post(url, {"to_status": "duplicate", "duplicate_of": "TB-2026-12345"})
    assert "There is no report TB-2026-12345." in response.content.decode()
    assert "Tell the reporter why" in response.content.decode()


def test_moderator_closes_a_duplicate_with_the_originals_reference(client, world):
    original = BarrierReportFactory()
    report = BarrierReportFactory(status=Status.SUBMITTED)
    client.force_login(world.moderator)
    client.post(
        reverse("submissions_moderation:triage", kwargs={"reference": report.reference}),
        {
            "to_status": "duplicate",
            "note": "Already reported.",
            "duplicate_of": original.reference.lower(),
        },
    )
    report.refresh_from_db()
    assert (report.status, report.duplicate_of) == (Status.DUPLICATE, original)
    html = client.get(original.get_absolute_url()).content.decode()
    assert report.reference in html, "moderators see the duplicates of a report"


def test_moderation_nav_links_to_the_report_queue(client, world):
    client.force_login(world.moderator)
    html = client.get(reverse("portal:moderation_home")).content.decode()
    assert reverse("submissions_moderation:queue") in html


def test_moderators_see_drafts_only_of_their_own_organisation(client, world):
    moderator = ModeratorFactory()
    moderator.organisation = OrganisationFactory()
    moderator.membership_status = "active"
    moderator.save()
    draft = BarrierReportFactory(status=Status.DRAFT, reporter=world.reporter)
    client.force_login(moderator)
    response = client.get(reverse("submissions_moderation:queue") + "?status=draft")
    assert draft not in list(response.context["page"].object_list)


def test_topic_links_on_a_report_filter_the_list(client):
    report = BarrierReportFactory(topics=["SME-05"])
    html = client.get(report.get_absolute_url()).content.decode()
    assert f"{reverse('submissions:list')}?topic=SME-05" in html
    assert Topic.objects.get(code="SME-05").name_en in html


def test_latest_reports_section_lists_what_the_viewer_may_read(rf, world):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    BarrierReportFactory(title="Visible to all")
    BarrierReportFactory(title="For officials", visibility="officials_only")
    request = rf.get("/")
    request.user = AnonymousUser()
    html = Template("{% load submissions_tags %}{% latest_reports 5 %}").render(
        Context({"request": request})
    )
    assert "Latest published reports" in html
    assert "Visible to all" in html
    assert "For officials" not in html


def test_status_changes_for_a_digest_respect_visibility(world):
    from datetime import timedelta

    from django.contrib.auth.models import AnonymousUser

    from submissions.selectors import report_status_changes_for

    public = BarrierReportFactory(title="Public")
    secret = BarrierReportFactory(title="Secret", visibility="officials_only")
    for report in (public, secret):
        StatusChange.objects.create(report=report, to_status=Status.SUBMITTED)
        StatusChange.objects.create(report=report, to_status=Status.PUBLISHED)
    since, until = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    visitor = report_status_changes_for(viewer=AnonymousUser(), since=since, until=until)
    assert [(c.report.title, c.to_status) for c in visitor] == [("Public", "published")]
    official = report_status_changes_for(viewer=world.official, since=since, until=until)
    assert {c.report.title for c in official} == {"Public", "Secret"}
