"""Open data at scale: the complete files are built by a real worker into media storage (local
and S3) and served from there, never built in a web request and never twice at once; filtered
exports stop at their limit and say where every report is."""

import csv
import gzip
import io
import json

import pytest
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime

from portal.models import Country
from submissions import exports, opendata
from submissions.models import OpenDataFile
from submissions.tasks import opendata_build_all
from tests.submissions.factories import BarrierReportFactory, OfficialResponseFactory

CSV_URL = "/reports/open-data/barrier-reports.csv.gz"
JSONL_URL = "/reports/open-data/barrier-reports.jsonl.gz"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def reports(db):
    BarrierReportFactory(title="Public gateway barrier")
    BarrierReportFactory(title="Anonymised customs barrier", visibility="anonymised")
    BarrierReportFactory(title="Confidential licensing barrier", visibility="officials_only")
    BarrierReportFactory(title="Draft barrier", status="draft")


@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_complete_files_which_are_then_served_from_storage(
    client, reports, media_storage, celery_worker_process
):
    # Not built yet: the reader is told, and a second request queues no second build.
    first = client.get(CSV_URL)
    assert first.status_code == 202
    assert first["Refresh"] == "30"
    assert "Your file is being prepared" in first.content.decode()
    claim = OpenDataFile.objects.get(fmt="csv").building_since
    assert claim is not None
    assert client.get(CSV_URL).status_code == 202
    assert OpenDataFile.objects.get(fmt="csv").building_since == claim

    celery_worker_process.wait_for(
        lambda: OpenDataFile.objects.filter(fmt="csv", built_at__isnull=False).exists(),
        timeout=60,
        message="the CSV built",
    )
    built = OpenDataFile.objects.get(fmt="csv")
    assert built.building_since is None
    assert built.rows == 2
    assert media_storage.names("open-data") == [built.name]

    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert 'filename="barrier-reports.csv.gz"' in response["Content-Disposition"]
    text = gzip.decompress(_body(response)).decode("utf-8-sig")
    titles = sorted(row["title"] for row in csv.DictReader(io.StringIO(text)))
    assert titles == ["Anonymised customs barrier", "Public gateway barrier"]

    # The page says when each file was built and how large it is.
    page = client.get("/reports/open-data/").content.decode()
    assert "barrier-reports.csv.gz" in page
    assert filesizeformat(built.size) in page
    assert date_format(localtime(built.built_at), "DATETIME_FORMAT") in page
    assert "Not built yet" in page  # the JSON Lines file was never asked for


@pytest.mark.django_db(transaction=True)
def test_the_nightly_build_replaces_both_files_and_keeps_confidential_reports_out(
    client, reports, media_storage, celery_worker_process
):
    opendata_build_all.delay()
    celery_worker_process.wait_for(
        lambda: OpenDataFile.objects.filter(built_at__isnull=False).count() == 2,
        timeout=60,
        message="both files built",
    )
    first_names = set(OpenDataFile.objects.values_list("name", flat=True))
    lines = gzip.decompress(_body(client.get(JSONL_URL))).decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(record["title"] for record in records) == [
        "Anonymised customs barrier",
        "Public gateway barrier",
    ]
    anonymised = next(record for record in records if record["title"].startswith("Anonymised"))
    assert anonymised["organisation_named"] is False

    BarrierReportFactory(title="Published overnight")
    before = timezone.now()
    opendata_build_all.delay()
    celery_worker_process.wait_for(
        lambda: OpenDataFile.objects.filter(built_at__gt=before).count() == 2,
        timeout=60,
        message="both files rebuilt",
    )
    # The new files replaced the old ones in storage.
    names = set(OpenDataFile.objects.values_list("name", flat=True))
    assert media_storage.names("open-data") == sorted(names)
    assert not names & first_names
    lines = gzip.decompress(_body(client.get(JSONL_URL))).decode("utf-8").splitlines()
    assert len(lines) == 3


@pytest.mark.django_db
def test_a_build_is_queued_once_while_one_is_running(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert opendata.bulk_build_queue("csv") is True
        assert opendata.bulk_build_queue("csv") is False
        assert opendata.bulk_file_request("csv").is_ready is False
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_an_unknown_file_is_not_found(client):
    assert client.get("/reports/open-data/everything.zip").status_code == 404


@pytest.mark.django_db
def test_filtered_exports_stop_at_the_limit_and_say_where_every_report_is(client, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_ROW_LIMIT", 3)
    kenya = Country.objects.get(code="KE")
    for index in range(5):
        BarrierReportFactory(title=f"Kenyan barrier {index}", market=kenya)
    BarrierReportFactory(title="Peruvian barrier", market=Country.objects.get(code="PE"))

    response = client.get("/reports/export.csv?market=KE")
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(exports.COLUMNS)
    titles = [row[exports.COLUMNS.index("title")] for row in rows[1:-1]]
    assert titles == ["Kenyan barrier 4", "Kenyan barrier 3", "Kenyan barrier 2"]
    assert rows[-1][0].startswith("# This file stops at 3 reports")
    assert rows[-1][0].endswith("/reports/open-data/")

    document = json.loads(_body(client.get("/reports/export.json?market=KE")))
    assert [report["title"] for report in document["reports"]] == titles
    assert document["row_limit"] == 3
    assert document["truncated"] is True
    assert document["complete_data"].endswith("/reports/open-data/")

    # Below the limit: the file is whole and says so.
    whole = json.loads(_body(client.get("/reports/export.json?market=PE")))
    assert [report["title"] for report in whole["reports"]] == ["Peruvian barrier"]
    assert whole["truncated"] is False
    assert "complete_data" not in whole
    peru = list(
        csv.reader(
            io.StringIO(_body(client.get("/reports/export.csv?market=PE")).decode("utf-8-sig"))
        )
    )
    assert len(peru) == 2


# --- The bulk build: what the files hold and what it costs -----------------------------------


@pytest.fixture
def local_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _build(fmt: str) -> str:
    """Build the bulk file of `fmt` as a worker does; its text, uncompressed."""
    opendata.bulk_file_for(fmt)
    claim = opendata._claim(fmt)
    assert claim is not None
    built = opendata.bulk_file_build(fmt=fmt, claim=claim)
    assert built is not None
    with opendata.open_bulk_file(built) as stored:
        return gzip.decompress(stored.read()).decode("utf-8")


def _by_reference(records) -> dict[str, dict]:
    return {record["reference"]: record for record in records}


@pytest.mark.django_db
def test_the_bulk_files_hold_exactly_what_a_visitor_may_read_as_the_filtered_export_gives_it(
    client, local_storage
):
    public = BarrierReportFactory(
        title="Public gateway barrier",
        topics=["SME-02", "SME-01"],
        cosignature_count=2,
        first_encountered=timezone.now().date(),
        still_active=True,
    )
    public.hs_chapters.set(["61", "09"])
    OfficialResponseFactory.create_batch(2, report=public)
    BarrierReportFactory(
        title="Anonymised customs barrier",
        visibility="anonymised",
        reporter__organisation__name="Hidden Roasters",
        sector="textiles",
    )
    BarrierReportFactory(title="Resolved barrier", status="resolved_in_full", topics=[])
    BarrierReportFactory(title="Published long ago, date unknown", published_at=None)
    BarrierReportFactory(title="Confidential licensing barrier", visibility="officials_only")
    BarrierReportFactory(title="Draft barrier", status="draft")
    BarrierReportFactory(title="Submitted barrier", status="submitted")
    BarrierReportFactory(title="Rejected barrier", status="rejected")
    readable = {
        "Public gateway barrier",
        "Anonymised customs barrier",
        "Resolved barrier",
        "Published long ago, date unknown",
    }

    filtered_json = json.loads(_body(client.get("/reports/export.json")))["reports"]
    filtered_csv = list(
        csv.DictReader(io.StringIO(_body(client.get("/reports/export.csv")).decode("utf-8-sig")))
    )
    assert {record["title"] for record in filtered_json} == readable

    bulk_json = [json.loads(line) for line in _build("jsonl").splitlines()]
    bulk_csv = list(csv.DictReader(io.StringIO(_build("csv").lstrip("\ufeff"))))

    # The same reports with the same fields and values, oldest first (undated last).
    assert _by_reference(bulk_json) == _by_reference(filtered_json)
    assert _by_reference(bulk_csv) == _by_reference(filtered_csv)
    assert [tuple(record) for record in bulk_json] == [exports.COLUMNS] * len(readable)
    assert [record["title"] for record in bulk_json] == [record["title"] for record in bulk_csv]
    assert bulk_json[-1]["title"] == "Published long ago, date unknown"
    assert bulk_json[-1]["published_at"] is None
    published = [record["published_at"] for record in bulk_json[:-1]]
    assert published == sorted(published)

    record = _by_reference(bulk_json)[public.reference]
    assert record["topics"] == ["SME-01", "SME-02"]  # in the topics' own order
    assert record["hs_chapters"] == ["09", "61"]
    assert record["official_responses"] == 2
    assert record["cosignatures"] == 2
    assert record["url"].endswith(f"/reports/{public.reference}/")
    anonymised = next(row for row in bulk_csv if row["title"] == "Anonymised customs barrier")
    assert anonymised["organisation"].endswith(", textiles, clothing and footwear sector")
    assert anonymised["organisation_named"] == "false"
    assert "Hidden Roasters" not in _build("csv") + _build("jsonl")


def _reports_with_everything(count: int) -> None:
    for index in range(count):
        report = BarrierReportFactory(
            topics=["SME-01", "SME-02"], visibility=("public", "anonymised")[index % 2]
        )
        report.hs_chapters.set(["09", "61"])
        OfficialResponseFactory(report=report)


def _build_queries(fmt: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _build(fmt)
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_bulk_build_reads_each_batch_of_reports_in_the_same_few_queries(
    fmt, local_storage, monkeypatch
):
    # Whole batches: a batch of reports, then one query each for their topics, HS chapters and
    # official responses, however many reports and whatever they hold.
    _build(fmt)  # as every night: the format's row and a previous file exist
    _reports_with_everything(4)
    four_reports = _build_queries(fmt)
    _reports_with_everything(8)
    assert _build_queries(fmt) == four_reports

    # Batches of two: twelve more batches, four queries each.
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    twelve_reports = _build_queries(fmt)
    _reports_with_everything(24)
    assert _build_queries(fmt) - twelve_reports == 4 * (36 - 12) // 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("/reports/open-data/", "up to 10,000 reports"),
        ("/fr/reports/open-data/", "10\xa0000"),
        ("/reports/", "up to 10,000 reports per file"),
    ],
)
def test_the_row_limit_is_written_as_a_number_of_the_readers_language(client, path, written):
    assert written in client.get(path).content.decode()
