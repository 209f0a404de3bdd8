"""The home page and the report page, where dialogues meet barrier reports."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues import services
from tests.dialogues.conftest import make_report
from tests.factories import MemberFactory, OfficialFactory

pytestmark = pytest.mark.django_db


def test_home_shows_latest_reports_active_threads_and_week_figures(client, open_thread):
    make_report(reference="TB-2026-00101", title="Parcels held for weeks at the border")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Parcels held for weeks at the border" in html
    assert open_thread.title in html
    assert "The last seven days" in html
    assert "Barriers reported" in html


def test_home_keeps_officials_only_reports_for_officials(client):
    make_report(
        reference="TB-2026-00102", title="Secret licensing rule", visibility="officials_only"
    )
    assert "Secret licensing rule" not in client.get("/").content.decode()
    client.force_login(MemberFactory())
    assert "Secret licensing rule" not in client.get("/").content.decode()
    client.force_login(OfficialFactory())
    assert "Secret licensing rule" in client.get("/").content.decode()


def test_week_figures_count_only_what_the_viewer_may_read(client):
    from dialogues.selectors import week_figures_for

    make_report(reference="TB-2026-00103")
    make_report(reference="TB-2026-00104", visibility="officials_only")
    visitor = {f["label"]: f["current"] for f in week_figures_for(viewer=AnonymousUser())}
    official = {f["label"]: f["current"] for f in week_figures_for(viewer=OfficialFactory())}
    assert visitor["Barriers reported"] == 1
    assert official["Barriers reported"] == 2


def test_home_query_count_does_not_grow_with_content(client, open_thread, moderator):
    make_report(reference="TB-2026-00105")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    cache.clear()  # the week's figures are counted again
    for number in range(6, 30):
        make_report(reference=f"TB-2026-{number:05d}")
    for number in range(3):
        services.thread_start(
            author=moderator, theme=open_thread.theme, title=f"Thread {number}", body="Body"
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_week_figures_are_counted_once_per_reader_class_for_a_few_minutes(db):
    from dialogues.selectors import week_figures_for

    make_report(reference="TB-2026-00106")
    with CaptureQueriesContext(connection) as first:
        week_figures_for(viewer=AnonymousUser())
    make_report(reference="TB-2026-00107", visibility="officials_only")
    with CaptureQueriesContext(connection) as again:
        visitor = {f["label"]: f["current"] for f in week_figures_for(viewer=AnonymousUser())}
    assert len(first) == 5
    assert len(again) == 0
    assert visitor["Barriers reported"] == 1
    # An official reads other reports: counted for officials, not served the visitors' counts.
    official = {f["label"]: f["current"] for f in week_figures_for(viewer=OfficialFactory())}
    assert official["Barriers reported"] == 2


def test_report_page_links_the_dialogues_that_gather_it(client, moderator, theme):
    report = make_report(reference="TB-2026-00130", title="Card payments refused")
    thread = services.thread_start_from_report(
        moderator=moderator, report=report, theme=theme, title="Card payments", body="Let us talk."
    )
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Trade Dialogue" in html
    assert thread.get_absolute_url() in html


def test_an_officials_only_report_cannot_open_a_public_dialogue(client, moderator, theme):
    from dialogues.models import Thread

    report = make_report(
        reference="TB-2026-00131", title="Confidential licensing rule", visibility="officials_only"
    )
    client.force_login(moderator)
    url = f"/moderation/threads/from-report/{report.reference}/"
    assert client.get(url).status_code == 404
    post = {"theme": theme.pk, "title": "Leak", "body": report.summary}
    assert client.post(url, post).status_code == 404
    assert not Thread.objects.filter(title="Leak").exists()
    with pytest.raises(services.ModerationRefused):
        services.thread_start_from_report(
            moderator=moderator, report=report, theme=theme, title="Leak", body="x"
        )
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Open a dialogue on this report" not in html
