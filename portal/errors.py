"""Error pages that keep the site's look and language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template

from portal import ratelimits


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: whatever broke may be what they need.
    return HttpResponse(get_template("500.html").render(), status=500)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's answer when one of its rate limits refuses a request (`handler429`)."""
    return ratelimits.refused(request)
