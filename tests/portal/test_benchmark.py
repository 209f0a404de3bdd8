"""The Server-Timing header `make bench` reads its server-side figures from."""

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from portal.benchmark import ServerTimingMiddleware, baseline
from portal.models import Country

pytestmark = pytest.mark.django_db


def test_server_timing_counts_the_queries_a_page_makes():
    def page(request):
        list(Country.objects.all()[:1])
        list(Country.objects.filter(code="KE"))
        return HttpResponse("ok")

    response = ServerTimingMiddleware(page)(RequestFactory().get("/"))
    header = response["Server-Timing"]
    assert 'queries;desc="2"' in header
    assert float(re.search(r"app;dur=([\d.]+)", header).group(1)) > 0


def test_baseline_answers_without_the_database():
    response = ServerTimingMiddleware(baseline)(RequestFactory().get("/bench/baseline"))
    assert response.status_code == 200
    assert 'queries;desc="0"' in response["Server-Timing"]


def test_baseline_is_not_routed_outside_benchmarks(client):
    assert client.get("/bench/baseline").status_code == 404
