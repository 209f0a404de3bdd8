"""Pages and open data travel gzip-compressed to clients that accept it; files that are
compressed already (PDF, spreadsheets, images) are sent as they are."""

import gzip

import pytest
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from portal.pagecache import PortalGZipMiddleware
from tests.submissions.factories import BarrierReportFactory

pytestmark = pytest.mark.django_db


def test_html_is_compressed_for_a_client_that_accepts_gzip(client):
    BarrierReportFactory.create_batch(5)
    compressed = client.get("/reports/", headers={"accept-encoding": "gzip, br"})
    plain = client.get("/reports/")

    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert "Accept-Encoding" in plain["Vary"], "shared caches keep the two apart"
    assert "Content-Encoding" not in plain
    page = gzip.decompress(compressed.content).decode()
    assert "<h1" in page
    assert len(compressed.content) * 3 < len(plain.content)
    assert int(compressed["Content-Length"]) == len(compressed.content)


def test_the_open_data_export_streams_compressed(client):
    BarrierReportFactory.create_batch(3)
    response = client.get(reverse("submissions:export_csv"), headers={"accept-encoding": "gzip"})
    assert response.streaming
    assert response["Content-Encoding"] == "gzip"
    text = gzip.decompress(b"".join(response.streaming_content)).decode("utf-8")
    assert text.lstrip("\ufeff").startswith("reference,")


def test_files_compressed_already_are_sent_as_they_are(tmp_path):
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 5000)
    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    middleware = PortalGZipMiddleware(lambda request: HttpResponse())

    response = middleware.process_response(request, FileResponse(pdf.open("rb")))
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.7")

    text = middleware.process_response(request, HttpResponse("word " * 1000))
    assert text["Content-Encoding"] == "gzip"
