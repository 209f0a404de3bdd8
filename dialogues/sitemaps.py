"""Sitemap sections for themes, threads and the public digest (portal/sitemaps.py explains
the whole)."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, QuerySet

from dialogues.digests.models import Digest
from dialogues.digests.selectors import digest_archive_for
from dialogues.models import Theme, Thread
from dialogues.selectors import visible_threads_q
from portal.sitemaps import PageSitemap, PortalSitemap


class DialoguePageSitemap(PageSitemap):
    changefreq = "daily"
    names = ("dialogues:theme_list", "dialogues:digest_list")


class ThemeSitemap(PortalSitemap):
    changefreq = "daily"

    def items(self) -> QuerySet[Theme]:
        return Theme.objects.order_by("position", "id")


def _threads_for_visitors() -> QuerySet[Thread]:
    return Thread.objects.filter(visible_threads_q(AnonymousUser()))


class ThreadSitemap(PortalSitemap):
    """Open threads; ordered by the (status, -last_post_at) index."""

    changefreq = "daily"

    def items(self) -> QuerySet[Thread]:
        return _threads_for_visitors().order_by("last_post_at", "id").only("id", "last_post_at")

    def lastmod(self, item: Thread) -> datetime:
        return item.last_post_at

    def get_latest_lastmod(self) -> Any:
        return _threads_for_visitors().aggregate(latest=Max("last_post_at"))["latest"]


class DigestSitemap(PortalSitemap):
    """The public edition of every compiled week."""

    changefreq = "never"

    def items(self) -> QuerySet[Digest]:
        return digest_archive_for(viewer=AnonymousUser()).order_by("week_start")

    def lastmod(self, item: Digest) -> datetime | None:
        return item.compiled_at

    def get_latest_lastmod(self) -> Any:
        return digest_archive_for(viewer=AnonymousUser()).aggregate(latest=Max("compiled_at"))[
            "latest"
        ]
