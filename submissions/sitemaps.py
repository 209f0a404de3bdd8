"""Sitemap sections for barrier reports (portal/sitemaps.py explains the whole)."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import translation

from portal.pagination import KeyRangePaginator
from portal.sitemaps import PageSitemap, PortalSitemap
from submissions.models import PUBLISHED_STATUSES, BarrierReport
from submissions.selectors import reports_visible_to

_PLACEHOLDER = "TB-0000-00000"


def _published_for_visitors() -> QuerySet[BarrierReport]:
    """What an anonymous visitor may read: published, public or anonymised."""
    return reports_visible_to(AnonymousUser()).filter(status__in=PUBLISHED_STATUSES)


class ReportListSitemap(PageSitemap):
    changefreq = "daily"
    names = ("submissions:list",)


class ReportSitemap(PortalSitemap):
    """Published reports a visitor may read, a page per range of their ids: each page reads one
    range of the primary key however deep it is, and a page keeps its reports as new ones are
    filed, so search engines find the pages as they saw them."""

    changefreq = "weekly"
    _paths: dict[str, str] = {}

    def items(self) -> QuerySet[BarrierReport]:
        return _published_for_visitors().only("id", "reference", "status", "updated_at")

    @property
    def paginator(self) -> KeyRangePaginator:
        return KeyRangePaginator(self.items(), self.limit)

    def location(self, item: BarrierReport) -> str:
        # One reverse() per language, not one per report and language (20,000 a page).
        language = translation.get_language()
        path = self._paths.get(language)
        if path is None:
            path = self._paths[language] = reverse(
                "submissions:detail", kwargs={"reference": _PLACEHOLDER}
            )
        return path.replace(_PLACEHOLDER, item.reference or "")

    def lastmod(self, item: BarrierReport) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> Any:
        # One aggregate, not a walk over every report (Sitemap's default).
        return _published_for_visitors().aggregate(latest=Max("updated_at"))["latest"]
