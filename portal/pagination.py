"""Pagination helpers shared by every list page."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The page's query string without `page`, for pagination links that keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
