"""Alerts: a saved report search that emails its owner the new reports they may read, daily
or weekly, never the same report twice, with a one-click way out."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import Country, Notice, OutboxEmail
from submissions import services, tasks
from submissions.models import BarrierReport, ReportAlert
from tests.factories import MemberFactory, OfficialFactory
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db

Visibility = BarrierReport.Visibility


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


def kenyan(**fields) -> BarrierReport:
    """A report about Kenya, published a few minutes ago unless told otherwise."""
    fields.setdefault("published_at", ago(minutes=5))
    return BarrierReportFactory(market=Country.objects.get(code="KE"), **fields)


def due_alert(user, **fields) -> ReportAlert:
    """An alert saved an hour ago, due now."""
    alert = services.alert_create(
        actor=user, name=fields.pop("name", "Kenya"), frequency="daily", **fields
    )
    ReportAlert.objects.filter(pk=alert.pk).update(
        last_published_at=ago(hours=1), next_run_at=ago(minutes=1)
    )
    return ReportAlert.objects.get(pk=alert.pk)


def alert_emails(to: str) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(recipient=to, template="report_alert").order_by("pk"))


# --- Saving a search ---------------------------------------------------------------------------


def test_the_report_list_offers_to_save_its_search_as_an_alert(client):
    html = client.get("/reports/?market=KE&topic=SME-01&q=parcels&page=2").content.decode()

    assert 'href="/reports/alerts/new/?q=parcels&amp;market=KE&amp;topic=SME-01"' in html
    assert "Save this search as an alert" in html


def test_a_member_saves_a_search_and_sees_it_in_their_alerts(client):
    member = MemberFactory()
    client.force_login(member)

    form = client.get("/reports/alerts/new/?market=KE&topic=SME-01").content.decode()
    assert '<option value="KE" selected>' in form
    assert re.search(r'name="name"[^>]*value="Kenya', form), "named after the search"

    response = client.post(
        "/reports/alerts/new/",
        {"name": "Kenya parcels", "market": "KE", "topic": "SME-01", "frequency": "weekly"},
    )
    assert response["Location"] == reverse("submissions:alert_list")
    alert = ReportAlert.objects.get(user=member)
    assert (alert.market_id, alert.topic_id, alert.frequency) == ("KE", "SME-01", "weekly")
    listing = client.get("/reports/alerts/").content.decode()
    assert "Kenya parcels" in listing
    assert "Kenya;" in listing


def test_an_alert_without_a_name_is_refused_and_the_search_is_kept(client):
    client.force_login(MemberFactory())

    response = client.post("/reports/alerts/new/", {"market": "KE", "frequency": "daily"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the alert a name." in html
    assert '<option value="KE" selected>' in html
    assert not ReportAlert.objects.exists()


def test_visitors_are_asked_to_log_in_before_saving_a_search(client):
    response = client.get("/reports/alerts/new/?market=KE")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_someone_elses_alert_is_not_found(client):
    alert = due_alert(MemberFactory())
    client.force_login(MemberFactory())

    assert client.get(f"/reports/alerts/{alert.pk}/").status_code == 404
    assert client.post(f"/reports/alerts/{alert.pk}/delete/").status_code == 404
    assert ReportAlert.objects.filter(pk=alert.pk).exists()


def test_the_owner_changes_the_frequency_and_deletes_an_alert(client):
    member = MemberFactory()
    alert = due_alert(member)
    client.force_login(member)

    client.post(f"/reports/alerts/{alert.pk}/frequency/", {f"a{alert.pk}-frequency": "off"})
    alert.refresh_from_db()
    assert alert.frequency == "off"

    client.post(f"/reports/alerts/{alert.pk}/delete/")
    assert not ReportAlert.objects.filter(pk=alert.pk).exists()


# --- Sending -------------------------------------------------------------------------------------


def test_an_alert_emails_new_matching_reports_the_owner_may_read(run_on_commit):
    member = MemberFactory(language="en")
    alert = due_alert(member, market=Country.objects.get(code="KE"))
    public = kenyan(title="Mobile money fees for exporters")
    kenyan(title="Confidential customs ruling", visibility=Visibility.OFFICIALS_ONLY)
    BarrierReportFactory(title="Somewhere else entirely", published_at=ago(minutes=5))
    kenyan(title="Published before the alert was last sent", published_at=ago(hours=2))

    with run_on_commit():
        assert services.alert_send(alert_id=alert.pk) == 1

    [email] = alert_emails(member.email)
    assert "1 new report for your alert “Kenya”" in email.subject
    assert public.title in email.body_text
    assert f"/reports/{public.reference}/" in email.body_text
    for absent in ("Confidential", "Somewhere else", "before the alert"):
        assert absent not in email.body_text
    assert "/reports/?market=KE" in email.body_text
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notice.objects.get(recipient=member, kind="alert").data == {"count": 1}


def test_an_officials_alert_includes_officials_only_reports():
    official = OfficialFactory()
    alert = due_alert(official, market=Country.objects.get(code="KE"))
    kenyan(title="Confidential customs ruling", visibility=Visibility.OFFICIALS_ONLY)

    assert services.alert_send(alert_id=alert.pk) == 1
    assert "Confidential customs ruling" in alert_emails(official.email)[0].body_text


def test_a_rerun_never_sends_a_report_twice_and_the_next_run_sends_only_newer_reports():
    member = MemberFactory()
    alert = due_alert(member, q="coffee")
    kenyan(title="Coffee parcels need a broker")

    assert services.alert_send(alert_id=alert.pk) == 1
    assert services.alert_send(alert_id=alert.pk) == 0, "not due again until tomorrow"
    ReportAlert.objects.filter(pk=alert.pk).update(next_run_at=ago(seconds=1))
    assert services.alert_send(alert_id=alert.pk) == 0, "due, but nothing new"
    newer = kenyan(title="Coffee samples held at the border", published_at=timezone.now())
    ReportAlert.objects.filter(pk=alert.pk).update(next_run_at=ago(seconds=1))
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert services.alert_send(alert_id=alert.pk, now=tomorrow) == 1

    first, second = alert_emails(member.email)
    assert "Coffee parcels" in first.body_text
    assert newer.title in second.body_text
    assert "Coffee parcels" not in second.body_text


def test_a_report_published_in_the_last_minute_waits_for_the_next_run():
    member = MemberFactory()
    alert = due_alert(member)
    just_now = kenyan(title="Published a moment ago", published_at=timezone.now())

    assert services.alert_send(alert_id=alert.pk) == 0
    ReportAlert.objects.filter(pk=alert.pk).update(next_run_at=ago(seconds=1))
    later = timezone.now() + dt.timedelta(minutes=2)
    assert services.alert_send(alert_id=alert.pk, now=later) == 1
    assert just_now.title in alert_emails(member.email)[0].body_text


def test_an_email_lists_the_newest_reports_and_links_to_the_rest(settings):
    settings.ALERT_EMAIL_MAX_REPORTS = 3
    member = MemberFactory()
    alert = due_alert(member)
    for minutes in range(5, 10):
        kenyan(title=f"Barrier {minutes} minutes old", published_at=ago(minutes=minutes))

    assert services.alert_send(alert_id=alert.pk) == 5

    [email] = alert_emails(member.email)
    assert "5 new reports" in email.subject
    assert [f"Barrier {m} minutes old" in email.body_text for m in range(5, 10)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert "And 2 more:" in email.body_text


def test_an_alert_email_is_written_in_the_owners_language():
    member = MemberFactory(language="fr")
    alert = due_alert(member, name="Kenya")
    kenyan()

    services.alert_send(alert_id=alert.pk)

    [email] = alert_emails(member.email)
    assert "nouveau signalement" in email.subject
    assert "/fr/reports/TB-" in email.body_text
    assert 'lang="fr"' in email.body_html


def test_switched_off_and_weekly_alerts_wait_their_turn():
    member = MemberFactory()
    off = due_alert(member, name="Off")
    ReportAlert.objects.filter(pk=off.pk).update(frequency="off")
    weekly = due_alert(member, name="Weekly")
    ReportAlert.objects.filter(pk=weekly.pk).update(frequency="weekly")
    kenyan()

    assert tasks.alerts_send_due() == 1  # CELERY_TASK_ALWAYS_EAGER under pytest

    weekly.refresh_from_db()
    assert len(alert_emails(member.email)) == 1
    assert weekly.next_run_at > timezone.now() + dt.timedelta(days=6)


def test_a_deleted_account_gets_no_alert_email():
    member = MemberFactory()
    alert = due_alert(member)
    kenyan()
    member.deleted_at = timezone.now()
    member.save(update_fields=["deleted_at"])

    assert services.alert_send(alert_id=alert.pk) == 0
    assert not OutboxEmail.objects.filter(template="report_alert").exists()


# --- One-click unsubscribe -----------------------------------------------------------------------


def test_one_click_unsubscribe_switches_the_alert_off_without_logging_in(client):
    member = MemberFactory()
    alert = due_alert(member)
    kenyan()
    services.alert_send(alert_id=alert.pk)
    url = alert_emails(member.email)[0].headers["List-Unsubscribe"].strip("<>")
    path = url.split("127.0.0.1:8000", 1)[-1]

    page = client.get(path)
    assert page.status_code == 200
    assert "Stop the emails for the alert “Kenya”?" in page.content.decode()
    alert.refresh_from_db()
    assert alert.frequency == "daily", "opening the link changes nothing"

    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.frequency == "off"
    assert client.post(path).status_code == 200, "a repeat is harmless"


def test_a_forged_unsubscribe_link_is_refused(client):
    response = client.post("/reports/alerts/unsubscribe/not-a-token/")
    assert response.status_code == 400
    assert mail.outbox == []


# --- At scale ------------------------------------------------------------------------------------


def explain(queryset) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_alert_query_reads_only_reports_published_since_the_watermark(needs_postgres):
    """With 500,000 reports an alert must not scan them all: its range on published_at is
    served by an index (EXPLAIN, sequential scans discouraged as on a large table)."""
    from submissions import selectors

    alert = due_alert(MemberFactory(), market=Country.objects.get(code="KE"))
    kenyan()

    plan = explain(selectors.alert_new_reports(alert=alert, until=timezone.now()))

    # A published-reports index ordered by published_at (report_market_newest when the
    # alert names a market).
    served_by = ("report_newest", "report_market_newest")
    assert any(f"using {index} on submissions_barrierreport" in plan for index in served_by), plan
    assert "Seq Scan on submissions_barrierreport" not in plan, plan


def test_due_alerts_are_found_by_their_index(needs_postgres):
    from submissions import selectors

    due_alert(MemberFactory())
    queryset = (
        ReportAlert.objects.exclude(frequency=ReportAlert.Frequency.OFF)
        .filter(next_run_at__lte=timezone.now())
        .order_by("next_run_at", "pk")
    )

    assert "report_alert_due" in explain(queryset)
    assert selectors.alert_ids_due(now=timezone.now(), limit=10)
