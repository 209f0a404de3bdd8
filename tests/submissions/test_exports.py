"""Open data: streamed, published only, anonymisation applied, stable schema, safe CSV."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from submissions import exports
from submissions.models import BarrierReport
from tests.factories import MemberFactory
from tests.submissions.factories import BarrierReportFactory, OfficialResponseFactory

pytestmark = pytest.mark.django_db

# The published open-data schema, written out: renaming, dropping or moving a column breaks
# every user's script, so it must fail here, not follow the code's own list silently.
PUBLISHED_COLUMNS = (
    "reference", "url", "title", "summary", "description", "language", "status", "market",
    "market_name", "trade_direction", "delivery_mode", "topics", "ntm_chapter", "hs_chapters",
    "sector", "first_encountered", "still_active", "cost_band", "organisation",
    "organisation_named", "organisation_country", "organisation_size", "cosignatures",
    "official_responses", "published_at", "status_changed_at",
)  # fmt: skip


def download(client, name: str) -> tuple[StreamingHttpResponse, str]:
    response = client.get(reverse(f"submissions:{name}"))
    assert isinstance(response, StreamingHttpResponse)
    return response, b"".join(response.streaming_content).decode("utf-8")


def csv_rows(client) -> list[dict[str, str]]:
    _, text = download(client, "export_csv")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_has_the_documented_columns_in_order(client):
    BarrierReportFactory()
    response, text = download(client, "export_csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="barrier-reports.csv"'
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(header) == PUBLISHED_COLUMNS
    readme = Path(exports.__file__).resolve().parents[1] / "README.md"
    documented = readme.read_text(encoding="utf-8").split("## Open data", 1)[1]
    documented_columns = re.findall(r"^\| \d+ \| `(\w+)` \|", documented, flags=re.MULTILINE)
    assert tuple(documented_columns) == PUBLISHED_COLUMNS, "README documents every column in order"


def test_only_published_reports_a_visitor_may_read_are_exported(client):
    BarrierReportFactory(title="Public one")
    BarrierReportFactory(title="Resolved one", status="resolved_in_full")
    BarrierReportFactory(title="Officials one", visibility="officials_only")
    BarrierReportFactory(title="Submitted one", status="submitted")
    BarrierReportFactory(title="Draft one", status="draft")
    BarrierReportFactory(title="Rejected one", status="rejected")
    assert sorted(row["title"] for row in csv_rows(client)) == ["Public one", "Resolved one"]


def test_anonymised_reports_describe_their_organisation(client):
    reporter = MemberFactory(organisation__name="Hidden Roasters")
    BarrierReportFactory(reporter=reporter, visibility="anonymised", sector="agri_food")
    (row,) = csv_rows(client)
    assert row["organisation"] == "a micro enterprise in Kenya, agri-food sector"
    assert row["organisation_named"] == "false"
    assert "Hidden Roasters" not in json.dumps(row)
    _, text = download(client, "export_json")
    assert "Hidden Roasters" not in text


def test_spreadsheet_formulas_are_neutralised(client):
    BarrierReportFactory(
        title='=HYPERLINK("http://evil.example","click")',
        summary="+1+2",
        description="@SUM(A1)",
    )
    (row,) = csv_rows(client)
    assert row["title"].startswith("'=HYPERLINK")
    assert row["summary"] == "'+1+2"
    assert row["description"] == "'@SUM(A1)"


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@x", "\t=1", "\r=1"])
def test_every_formula_prefix_is_neutralised(value):
    assert exports.neutralise_formula(value) == "'" + value


def test_json_is_valid_and_typed(client):
    report = BarrierReportFactory(topics=["SME-01", "SME-02"], cosignature_count=3)
    report.hs_chapters.set(["09", "61"])
    OfficialResponseFactory(report=report)
    response, text = download(client, "export_json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(text)
    assert data["schema_version"] == exports.SCHEMA_VERSION
    (record,) = data["reports"]
    assert tuple(record) == PUBLISHED_COLUMNS
    assert record["topics"] == ["SME-01", "SME-02"]
    assert record["hs_chapters"] == ["09", "61"]
    assert record["cosignatures"] == 3
    assert record["official_responses"] == 1
    assert record["organisation_named"] is True
    assert record["url"].endswith(f"/reports/{report.reference}/")


def test_empty_export_is_still_valid(client):
    _, text = download(client, "export_json")
    assert json.loads(text)["reports"] == []
    assert len(csv_rows(client)) == 0


def test_export_queries_do_not_grow_with_the_number_of_reports(
    client, django_assert_max_num_queries
):
    BarrierReportFactory.create_batch(30, topics=["SME-01"])
    with django_assert_max_num_queries(8):
        download(client, "export_csv")
    assert BarrierReport.objects.count() == 30


def test_export_is_the_same_in_every_language(client):
    BarrierReportFactory(visibility="anonymised")
    english = client.get("/reports/export.json")
    french = client.get("/fr/reports/export.json")
    strip = lambda response: json.loads(b"".join(response.streaming_content))["reports"]  # noqa: E731
    assert strip(english) == strip(french)
