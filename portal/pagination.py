"""Pagination helpers shared by every list page."""

from functools import cached_property

from django.core.paginator import Paginator
from django.http import HttpRequest

# Lists count their rows up to this many and then say "more than 10,000": counting every
# matching row of a large table would cost more than the page itself.
COUNT_CAP = 10_000


def query_without_page(request: HttpRequest) -> str:
    """The page's query string without `page`, for pagination links that keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` + 1 (one `COUNT(*)` over `LIMIT cap + 1`), so
    the pager's cost does not grow with the table; pages past the cap are not offered.
    Templates read `count_is_capped` to say "more than {cap}"."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "order_by"):
            # The order changes nothing to a count, and dropping it frees the planner.
            return object_list.order_by()[: self.cap + 1].count()
        return min(len(object_list), self.cap + 1)

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.count_is_capped:
            return max(1, self.cap // self.per_page)
        return super().num_pages
