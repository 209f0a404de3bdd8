"""Sitemap sections for barrier reports (portal/sitemaps.py explains the whole)."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, QuerySet

from portal.sitemaps import PageSitemap, PortalSitemap
from submissions.models import PUBLISHED_STATUSES, BarrierReport
from submissions.selectors import reports_visible_to


def _published_for_visitors() -> QuerySet[BarrierReport]:
    """What an anonymous visitor may read: published, public or anonymised."""
    return reports_visible_to(AnonymousUser()).filter(status__in=PUBLISHED_STATUSES)


class ReportListSitemap(PageSitemap):
    changefreq = "daily"
    names = ("submissions:list",)


class ReportSitemap(PortalSitemap):
    """Published reports a visitor may read, oldest first so that a new report lands on the
    last page and the earlier pages stay as search engines saw them."""

    changefreq = "weekly"

    def items(self) -> QuerySet[BarrierReport]:
        # Ordered by the (status, visibility, -published_at) index; the pk breaks ties.
        return (
            _published_for_visitors()
            .order_by("published_at", "id")
            .only("id", "reference", "status", "updated_at")
        )

    def lastmod(self, item: BarrierReport) -> datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> Any:
        # One aggregate, not a walk over every report (Sitemap's default).
        return _published_for_visitors().aggregate(latest=Max("updated_at"))["latest"]
