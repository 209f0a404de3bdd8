"""An official subscribes to a digest, reads the compiled edition and downloads each format
(each prepared by a worker on first request, while the page says so); a signed-out official
follows the emailed link, signs in and lands on their edition."""

import csv
import datetime as dt
import re
import subprocess
from urllib.parse import urlsplit

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from dialogues.digests import services
from dialogues.digests.weeks import iso_week_bounds, last_complete_iso_week
from portal.models import Country
from tests.e2e.helpers import assert_accessible, link_in_email, log_in
from tests.factories import PASSWORD, OfficialFactory
from tests.submissions.factories import BarrierReportFactory


def test_official_subscribes_reads_the_digest_and_downloads_each_format(
    page, live_server, settings, tmp_path, mailoutbox, needs_pdftotext
):
    settings.MEDIA_ROOT = tmp_path / "media"
    week = last_complete_iso_week(timezone.now())
    published = iso_week_bounds(week)[0] + dt.timedelta(days=1, hours=10)
    BarrierReportFactory(
        title="Mobile-money checkout refused for foreign shops",
        market=Country.objects.get(code="KE"),
        topics=["SME-01"],
        published_at=published,
    )
    BarrierReportFactory(
        title="Knitwear parcels held over the de minimis threshold",
        market=Country.objects.get(code="PE"),
        topics=["SME-01"],
        published_at=published,
    )
    official = OfficialFactory(full_name="Amina Odhiambo", language="en")

    log_in(page, email=official.email)
    page.goto("/digests/")
    assert_accessible(page, context="digest archive, nothing compiled yet")
    page.get_by_role("link", name="Subscribe to a personalised digest").click()
    assert_accessible(page, context="digest subscription form")
    page.get_by_label("Markets").select_option(["KE"])
    page.get_by_label("Low-value shipments and de minimis thresholds").check()
    page.get_by_label("Email me a link when my weekly digest is ready").check()
    page.get_by_role("button", name="Save subscription").click()
    page.get_by_text("Your digest subscription is saved.").wait_for()
    assert_accessible(page, context="digest subscription saved")

    services.digest_compile_week(week=week)

    page.goto("/digests/")
    assert_accessible(page, context="digest archive")
    page.get_by_role("link", name=week).click()
    page.get_by_role("heading", level=1).wait_for()
    assert "Edition for officials" in page.content()
    assert_accessible(page, context="officials edition")
    page.get_by_role("link", name="Your personalised edition").click()
    page.get_by_text("Mobile-money checkout refused for foreign shops").first.wait_for()
    assert "Knitwear parcels" not in page.content()
    assert_accessible(page, context="personalised edition")

    edition_url = page.url
    files = {}
    for fmt, link_name in (
        ("pdf", "PDF, for reading and printing"),
        ("csv", "CSV, one table"),
        ("xlsx", "Excel workbook (XLSX), one sheet per section"),
    ):
        page.goto(edition_url)
        # Nobody has asked for this file yet: a worker prepares it while the page says so
        # and refreshes itself (no JavaScript), and the download starts once it is ready.
        with page.expect_download(timeout=30_000) as download_info:
            page.get_by_role("link", name=link_name).click()
            page.get_by_role("heading", name="Your file is being prepared").wait_for()
            assert_accessible(page, context=f"{fmt} being prepared")
        download = download_info.value
        assert download.suggested_filename == f"trade-digest-{week}-personal-en.{fmt}"
        files[fmt] = tmp_path / download.suggested_filename
        download.save_as(files[fmt])

    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "20",
            "-f",
            "1",
            "-l",
            "1",
            str(files["pdf"]),
            str(tmp_path / "p"),
        ],
        check=True,
        timeout=60,
    )
    with files["csv"].open(encoding="utf-8-sig", newline="") as handle:
        titles = {row["title"] for row in csv.DictReader(handle)}
    assert "Mobile-money checkout refused for foreign shops" in titles
    assert "Knitwear parcels held over the de minimis threshold" not in titles
    workbook = load_workbook(files["xlsx"])
    assert workbook.sheetnames[:2] == ["Notes", "Figures"]
    assert workbook["Figures"]["A2"].value == "new_reports"


def test_a_signed_out_official_follows_the_emailed_link_signs_in_and_reads_their_edition(
    page, live_server, settings, tmp_path, mailoutbox
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DIGEST_PRERENDER_LANGUAGES = []
    week = last_complete_iso_week(timezone.now())
    BarrierReportFactory(
        title="Marketplace seller registration demands a local agent",
        market=Country.objects.get(code="KE"),
        published_at=iso_week_bounds(week)[0] + dt.timedelta(days=2),
    )
    official = OfficialFactory(full_name="Amina Odhiambo", language="en")
    services.digest_subscription_set(user=official, markets=[], topics=[], email=True)

    services.digest_compile_week(week=week)

    link = urlsplit(link_in_email(mailoutbox, to=official.email, containing="edition=personal"))
    page.goto(f"{link.path}?{link.query}")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert_accessible(page, context="sign-in page reached from a digest link")
    page.get_by_label("Email", exact=True).fill(official.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^(Sign in|Log in)$", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(rf"/digests/{week}/\?edition=personal$"))
    expect(
        page.get_by_text("Marketplace seller registration demands a local agent").first
    ).to_be_visible()
    assert "Your personalised edition" in page.content()
    assert_accessible(page, context="personalised edition after signing in")
