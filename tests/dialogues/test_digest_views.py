"""Digest pages: the archive, an edition per reader, downloads, the subscription page."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dialogues.digests import services
from dialogues.digests.models import Digest, DigestFile
from dialogues.digests.weeks import iso_week_bounds
from portal.models import Country, Topic
from submissions.models import BarrierReport
from tests.factories import MemberFactory, ModeratorFactory, OfficialFactory
from tests.submissions.factories import BarrierReportFactory

WEEK = "2025-W48"
START, _END = iso_week_bounds(WEEK)
SECRET = "Confidential customs valuation dispute"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Files are rendered when first downloaded, so only the tests that download pay for them.
    settings.DIGEST_PRERENDER_LANGUAGES = []


@pytest.fixture
def compiled_week(db):
    published = START + dt.timedelta(days=1)
    BarrierReportFactory(
        title="Payment gateways refuse foreign merchants",
        market=Country.objects.get(code="KE"),
        published_at=published,
    )
    BarrierReportFactory(
        title=SECRET,
        visibility=BarrierReport.Visibility.OFFICIALS_ONLY,
        published_at=published,
    )
    services.digest_compile_week(week=WEEK)
    return WEEK


def test_archive_lists_every_compiled_week(client, compiled_week):
    services.digest_compile_week(week="2025-W47")
    response = client.get(reverse("dialogues:digest_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("2025-W48") < body.index("2025-W47")
    assert f'href="/digests/{WEEK}/"' in body


def test_visitor_and_member_read_the_public_edition(client, compiled_week):
    for viewer in (None, MemberFactory()):
        if viewer:
            client.force_login(viewer)
        response = client.get(f"/digests/{WEEK}/")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Public edition" in body
        assert "Payment gateways refuse foreign merchants" in body
        assert SECRET not in body
    # Signed in without the right, the other editions do not exist (a visitor is asked to
    # sign in first: see the tests below).
    assert client.get(f"/digests/{WEEK}/?edition=officials").status_code == 404
    assert client.get(f"/digests/{WEEK}/?edition=personal").status_code == 404


def test_officials_and_moderators_read_the_officials_edition(client, compiled_week):
    for viewer in (OfficialFactory(), ModeratorFactory()):
        client.force_login(viewer)
        body = client.get(f"/digests/{WEEK}/").content.decode()
        assert "Edition for officials" in body
        assert SECRET in body
        public = client.get(f"/digests/{WEEK}/?edition=public").content.decode()
        assert SECRET not in public


def test_digest_page_has_charts_downloads_and_no_inline_styles(client, compiled_week):
    body = client.get(f"/digests/{WEEK}/").content.decode()
    # Topics and the 12-week trend as charts; markets ranked in a table.
    assert body.count('role="img"') == 2
    assert "Markets with the most new reports" in body
    for fmt in ("pdf", "csv", "xlsx"):
        assert f'href="/digests/{WEEK}.{fmt}"' in body
    assert "style=" not in body
    assert "<script>" not in body


def test_unknown_or_uncompiled_weeks_answer_404(client, compiled_week):
    assert client.get("/digests/2025-W47/").status_code == 404
    assert client.get("/digests/2025-W60/").status_code == 404
    assert client.get("/digests/2025-W47.pdf").status_code == 404


def fetch(client, url: str, capture):
    """Ask for a download; a file not ready yet is queued, so run what the request queued on
    commit (eagerly, as a worker would) and ask again."""
    with capture(execute=True):
        first = client.get(url)
    if first.status_code != 202:
        return first
    return client.get(url)


def test_first_download_answers_being_prepared_and_queues_one_render(
    client, compiled_week, django_capture_on_commit_callbacks
):
    url = f"/fr/digests/{WEEK}.pdf"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(url)
        again = client.get(url)
    assert response.status_code == again.status_code == 202
    assert response["Refresh"] == "5"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "Votre fichier est en cours de préparation" in body
    assert f'href="{url}"' in body
    assert "<script>" not in body  # no inline script: the refresh is an HTTP header
    # Two requests for a file that is being prepared: one row, one render queued.
    assert len(callbacks) == 1
    assert DigestFile.objects.filter(fmt="pdf", language="fr").count() == 1
    assert DigestFile.objects.get(fmt="pdf", language="fr").status == "queued"

    for callback in callbacks:
        callback()  # the worker renders it
    ready = client.get(url)
    assert ready.status_code == 200
    assert b"".join(ready.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("pdf", "application/pdf"),
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_downloads_have_file_names_and_content_types(
    client, compiled_week, fmt, content_type, django_capture_on_commit_callbacks
):
    response = fetch(client, f"/digests/{WEEK}.{fmt}", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="trade-digest-{WEEK}-public-en.{fmt}"'
    )
    content = b"".join(response.streaming_content)
    assert SECRET.encode() not in content


def test_downloads_follow_the_edition_and_language(
    client, compiled_week, django_capture_on_commit_callbacks
):
    client.force_login(OfficialFactory())
    response = fetch(client, f"/fr/digests/{WEEK}.csv", django_capture_on_commit_callbacks)
    assert 'filename="trade-digest-2025-W48-officials-fr.csv"' in response["Content-Disposition"]
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert any(row["title"] == SECRET for row in rows)
    response = fetch(
        client, f"/digests/{WEEK}.xlsx?edition=public", django_capture_on_commit_callbacks
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert all(
        cell.value != SECRET
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )


def test_a_member_cannot_fetch_the_officials_file_an_official_has_had_prepared(
    client, compiled_week, django_capture_on_commit_callbacks
):
    client.force_login(OfficialFactory())
    response = fetch(client, f"/digests/{WEEK}.csv", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert SECRET in b"".join(response.streaming_content).decode("utf-8-sig")
    client.force_login(MemberFactory())
    assert client.get(f"/digests/{WEEK}.csv?edition=officials").status_code == 404
    public = fetch(client, f"/digests/{WEEK}.csv", django_capture_on_commit_callbacks)
    assert SECRET not in b"".join(public.streaming_content).decode("utf-8-sig")


def test_subscription_page_is_for_officials(client, db):
    url = reverse("dialogues:digest_subscription")
    assert client.get(url).status_code == 302
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 403


def test_official_subscribes_to_markets_and_topics(client, db):
    official = OfficialFactory()
    client.force_login(official)
    url = reverse("dialogues:digest_subscription")
    assert client.get(url).status_code == 200
    response = client.post(url, {"markets": ["KE", "PE"], "topics": ["SME-01"], "email": "on"})
    assert response.status_code == 302
    subscription = official.digest_subscription
    assert sorted(subscription.markets.values_list("code", flat=True)) == ["KE", "PE"]
    assert list(subscription.topics.values_list("code", flat=True)) == ["SME-01"]
    assert subscription.email is True
    page = client.get(url).content.decode()
    # The form shows the answers just saved, and no others.
    assert re.findall(r'<option value="([\w-]+)"[^>]*\bselected\b', page) == ["KE", "PE"]


def test_subscriber_reads_their_personalised_edition(
    client, compiled_week, django_capture_on_commit_callbacks
):
    official = OfficialFactory()
    services.digest_subscription_set(
        user=official,
        markets=[Country.objects.get(code="PE")],
        topics=[Topic.objects.get(code="SME-01")],
        email=False,
    )
    services.digest_compile_week(week=WEEK)
    client.force_login(official)
    body = client.get(f"/digests/{WEEK}/?edition=personal").content.decode()
    assert "Your personalised edition" in body
    assert "Payment gateways refuse foreign merchants" not in body  # a Kenyan report
    response = fetch(
        client, f"/digests/{WEEK}.pdf?edition=personal", django_capture_on_commit_callbacks
    )
    assert "trade-digest-2025-W48-personal-en.pdf" in response["Content-Disposition"]
    other = OfficialFactory()
    client.force_login(other)
    assert client.get(f"/digests/{WEEK}/?edition=personal").status_code == 404


def test_archive_and_edition_queries_do_not_grow_with_weeks(
    client, compiled_week, django_assert_max_num_queries
):
    for week in ("2025-W45", "2025-W46", "2025-W47"):
        services.digest_compile_week(week=week, personal=False)
    with django_assert_max_num_queries(6):
        client.get("/digests/")
    assert Digest.objects.filter(edition="public").count() == 4


def test_edition_page_reads_one_row_whatever_the_number_of_reports(
    client, compiled_week, django_assert_max_num_queries
):
    """The page renders the stored snapshot: no query per report, thread or chart."""
    official = OfficialFactory()
    client.force_login(official)
    with django_assert_max_num_queries(8):
        response = client.get(f"/digests/{WEEK}/")
    assert response.status_code == 200


def test_an_official_who_also_moderates_is_offered_a_subscription(client, db):
    from tests.factories import make_moderator

    official = make_moderator(OfficialFactory())
    client.force_login(official)
    html = client.get("/digests/").content.decode()
    assert "Subscribe to a personalised digest" in html


# --- Who reads which edition: moderators only with two-factor authentication ------------------

READERS = [
    "visitor",
    "member",
    "official",
    "moderator",
    "moderator_no_mfa",
    "moderator_no_mfa_member",
    "admin_no_mfa",
]
# Until they set up two-factor authentication, moderators (and superusers) read what they
# otherwise are: a signed-in person without an organisation, or a member.
READS_OFFICIALS_EDITION = {"official", "moderator"}


def _reader(role: str):
    from tests.factories import UserFactory, make_moderator

    return {
        "visitor": lambda: None,
        "member": MemberFactory,
        "official": OfficialFactory,
        "moderator": ModeratorFactory,
        "moderator_no_mfa": lambda: ModeratorFactory(moderator=False),
        "moderator_no_mfa_member": lambda: make_moderator(MemberFactory(), with_mfa=False),
        "admin_no_mfa": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[role]()


@pytest.fixture
def text_tools(request, fmt) -> None:
    """A PDF is read with pdftotext: required before the week is compiled, not found missing
    once the file is rendered."""
    if fmt == "pdf":
        request.getfixturevalue("needs_pdftotext")


def _file_text(fmt: str, content: bytes, tmp_path) -> str:
    import subprocess

    if fmt == "csv":
        return content.decode("utf-8-sig")
    if fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(content))
        return "\n".join(
            str(cell.value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    path = tmp_path / "edition.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("role", READERS)
def test_each_reader_gets_the_edition_their_role_and_two_factor_allow(client, compiled_week, role):
    reader = _reader(role)
    if reader is not None:
        client.force_login(reader)
    reads_officials = role in READS_OFFICIALS_EDITION

    archive = client.get("/digests/").content.decode()
    assert ("you read the edition for officials" in archive) is reads_officials
    page = client.get(f"/digests/{WEEK}/").content.decode()
    assert "Payment gateways refuse foreign merchants" in page
    assert (SECRET in page) is reads_officials
    assert ("Edition for officials" in page) is reads_officials

    officials = client.get(f"/digests/{WEEK}/?edition=officials")
    if reads_officials:
        assert officials.status_code == 200
        assert SECRET in officials.content.decode()
    elif reader is None:
        assert officials.status_code == 302
    else:
        assert officials.status_code == 404
    # Nobody here subscribed: the personalised edition is no one's to read.
    personal = client.get(f"/digests/{WEEK}/?edition=personal")
    assert personal.status_code == (302 if reader is None else 404)


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx"])
@pytest.mark.parametrize("role", ["moderator_no_mfa", "admin_no_mfa", "moderator", "official"])
def test_digest_files_hold_officials_only_reports_for_officials_and_enrolled_moderators(
    text_tools, client, compiled_week, tmp_path, role, fmt, django_capture_on_commit_callbacks
):
    client.force_login(_reader(role))
    response = fetch(client, f"/digests/{WEEK}.{fmt}", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    edition = "officials" if role in READS_OFFICIALS_EDITION else "public"
    assert f'filename="trade-digest-{WEEK}-{edition}-en.{fmt}"' in response["Content-Disposition"]
    text = _file_text(fmt, b"".join(response.streaming_content), tmp_path)
    assert "Payment gateways refuse foreign merchants" in text
    assert (SECRET in text) is (role in READS_OFFICIALS_EDITION)
    asked = client.get(f"/digests/{WEEK}.{fmt}?edition=officials")
    assert asked.status_code == (200 if role in READS_OFFICIALS_EDITION else 404)
    assert asked.status_code != 202  # the officials file is the one just rendered


# --- A link to an edition for signed-in readers, followed while signed out --------------------


def _sign_in(client, login_url: str, user) -> str:
    """Sign in on the page a link sent us to; where the portal sends us next."""
    from tests.factories import PASSWORD

    response = client.post(login_url, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.mark.parametrize("edition", ["officials", "personal"])
def test_a_signed_out_official_is_asked_to_sign_in_and_lands_on_the_edition(
    client, compiled_week, edition
):
    official = OfficialFactory()
    services.digest_subscription_set(user=official, markets=[], topics=[], email=False)
    services.digest_compile_week(week=WEEK)
    link = f"/digests/{WEEK}/?edition={edition}"

    response = client.get(link)

    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url == f"/accounts/login/?next=/digests/{WEEK}/%3Fedition%3D{edition}"
    assert client.get(login_url).status_code == 200
    assert _sign_in(client, login_url, official) == link
    page = client.get(link)
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    expected_label = {"officials": "Edition for officials", "personal": "Your personalised edition"}
    assert expected_label[edition] in page.content.decode()


def test_a_signed_out_download_of_an_officials_file_asks_to_sign_in(client, compiled_week):
    response = client.get(f"/digests/{WEEK}.xlsx?edition=officials")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/login/?next=/digests/{WEEK}.xlsx%3Fedition%3Dofficials"
    )


def test_the_sign_in_page_and_the_way_back_keep_the_readers_language(client, compiled_week):
    response = client.get(f"/fr/digests/{WEEK}/?edition=officials")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/fr/accounts/login/?next=/fr/digests/{WEEK}/%3Fedition%3Dofficials"
    )


def test_a_signed_in_reader_without_the_right_still_gets_404_not_a_sign_in_page(
    client, compiled_week
):
    client.force_login(MemberFactory())
    for link in (f"/digests/{WEEK}/?edition=officials", f"/digests/{WEEK}.pdf?edition=personal"):
        assert client.get(link).status_code == 404


def test_a_member_who_signs_in_from_an_officials_link_meets_404(client, compiled_week):
    member = MemberFactory()
    link = f"/digests/{WEEK}/?edition=officials"
    login_url = client.get(link)["Location"]
    assert _sign_in(client, login_url, member) == link
    assert client.get(link).status_code == 404


def test_signed_out_public_and_unknown_editions_are_answered_as_before(client, compiled_week):
    assert client.get(f"/digests/{WEEK}/?edition=public").status_code == 200
    assert client.get(f"/digests/{WEEK}/?edition=nonsense").status_code == 404


def test_a_download_reads_two_rows_whatever_the_size_of_the_week(
    client, compiled_week, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The edition's row and the file's row; the file itself comes from storage."""
    fetch(client, f"/digests/{WEEK}.csv", django_capture_on_commit_callbacks)
    with django_assert_num_queries(2):
        response = client.get(f"/digests/{WEEK}.csv")
    assert response.status_code == 200
