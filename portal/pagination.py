"""Pagination helpers shared by every list page."""

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest

# Lists count their rows up to this many and then say "more than 10,000": counting every
# matching row of a large table would cost more than the page itself.
COUNT_CAP = 10_000
# Searched and filtered lists count up to this many: their rows are found through the
# search or filter first, so each counted row costs a table read.
FILTERED_COUNT_CAP = 1_000
# Pages starting after this many rows read their ids first (see CappedPaginator.page).
DEFERRED_JOIN_OFFSET = 200
# A text search offers its first 10 pages (its 200 newest matches, as many as dialogue
# search ranks). Each later page means testing the text of thousands more reports one by one
# (page 20 of "refund": 139 ms, page 50 of "payment gateway": 287 ms); the reader is asked to
# narrow the search instead.
SEARCH_PAGES = 10


def query_without_page(request: HttpRequest) -> str:
    """The page's query string without `page`, for pagination links that keep the filters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` + 1 (one `COUNT(*)` over `LIMIT cap + 1`), so
    the pager's cost does not grow with the table; pages past the cap are not offered.
    Templates read `count_is_capped` to say "more than {cap}"."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        cap: int | None = None,
        max_pages: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.max_pages = max_pages

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

    def page(self, number) -> Page:
        """The page, read so that its cost does not grow with the table.

        - When more rows match than the cap, through the sort order's index: PostgreSQL
          guesses how many rows a text search matches from word frequencies, and for a
          common phrase ("payment gateway": 10,000 of 500,000 reports) guesses a few hundred;
          it then fetches every match and sorts them (380 ms) where reading the newest-first
          index until a page is full takes 4 ms. The capped count has just told us the
          matches are many, so the page is read with bitmap scans off.
        - Past DEFERRED_JOIN_OFFSET rows, the page's ids first and then their rows: the
          rows skipped are then read from the index alone, not joined to their market and
          organisation (page 500: 139 ms to 10 ms)."""
        page = super().page(number)
        rows, every_row = page.object_list, self.object_list
        if not (isinstance(rows, QuerySet) and isinstance(every_row, QuerySet)):
            return page
        connection = connections[rows.db]
        if connection.vendor != "postgresql":
            return page
        deep = page.start_index() > DEFERRED_JOIN_OFFSET
        if not (self.count_is_capped or deep):
            return page
        with transaction.atomic(using=rows.db, savepoint=False), connection.cursor() as cursor:
            if self.count_is_capped:
                # Sorts off too: with the match count underestimated, a page past the first
                # few would otherwise be read by scanning every published report and sorting
                # the matches (page 10 of "payment gateway": a parallel sequential scan, or
                # any other index of published reports, then a sort, 1,033-1,286 ms; walking
                # the sort order's index, 26-49 ms).
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
            if deep:
                ids = list(rows.values_list("pk", flat=True))
                # Unordered: the ids give the order, and their rows come by primary key.
                found = {row.pk: row for row in every_row.filter(pk__in=ids).order_by()}
                page.object_list = [found[pk] for pk in ids if pk in found]
            else:
                page.object_list = list(rows)
            if self.count_is_capped:
                cursor.execute("SET LOCAL enable_bitmapscan = on")
                cursor.execute("SET LOCAL enable_sort = on")
        return page

    @cached_property
    def num_pages(self) -> int:
        pages = max(1, self.cap // self.per_page) if self.count_is_capped else super().num_pages
        return pages if self.max_pages is None else min(pages, self.max_pages)

    @property
    def pages_are_limited(self) -> bool:
        """Whether `max_pages` leaves rows out that match."""
        return self.max_pages is not None and self.count > self.max_pages * self.per_page

    @property
    def rows_offered(self) -> int:
        return self.num_pages * self.per_page


class KeyRangePaginator(Paginator):
    """Pages of a queryset by ranges of its primary key, for lists read by machines (the
    sitemap): page n holds the rows whose key is in ((n - 1) * per_page, n * per_page],
    in key order. A page reads one range of the primary key's index however deep it is,
    where OFFSET reads every row before it (page 200 of the reports' sitemap: 716 ms). A page
    may hold fewer than per_page rows (keys of rows the list leaves out), and a row keeps its
    page as rows are added after it. `count` is the highest key, not the number of rows."""

    object_list: QuerySet

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().aggregate(highest=Max("pk"))["highest"] or 0

    def page(self, number) -> Page:
        number = self.validate_number(number)
        above = (number - 1) * self.per_page
        rows = self.object_list.filter(pk__gt=above, pk__lte=above + self.per_page).order_by("pk")
        return Page(rows, number, self)
