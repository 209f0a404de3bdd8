"""The sites framework's record, kept in line with SITE_URL and SITE_NAME.

allauth's emails and Django's Atom feeds take the portal's name and domain from the `Site`
row SITE_ID, which Django creates as "example.com". Here that row is derived from settings:
the domain is SITE_URL's host (and port), the name is SITE_NAME. A data migration sets it on
the first `migrate`, and a post_migrate hook (connected in PortalConfig.ready, so nothing is
queried at import) corrects it on every later `migrate`: deploy with a new SITE_URL, run
`migrate` as every deployment does, and the links follow.
"""

from typing import Any
from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.sites.models import SITE_CACHE
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections


def site_domain() -> str:
    """SITE_URL's host, with its port if it has one: "portal.example.org", "127.0.0.1:8000"."""
    return urlsplit(settings.SITE_URL).netloc.lower() or "localhost"


def site_sync(site_model: Any, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Create or correct the Site row SITE_ID from settings; True if it changed anything.

    `site_model` is the Site model, or its historical version inside a migration."""
    domain = site_domain()[:100]
    name = settings.SITE_NAME[:50]
    site = site_model.objects.using(using).filter(pk=settings.SITE_ID).first()
    if site is not None and (site.domain, site.name) == (domain, name):
        return False
    if site is None:
        site = site_model(pk=settings.SITE_ID)
    site.domain, site.name = domain, name
    site.save(using=using)
    if site.pk == settings.SITE_ID:
        # An explicit primary key leaves the sequence behind (as django.contrib.sites does).
        with connections[using].cursor() as cursor:
            for statement in connections[using].ops.sequence_reset_sql(no_style(), [site_model]):
                cursor.execute(statement)
    # The cache of Site rows is per process; a historical model's save sends no signal.
    SITE_CACHE.clear()
    return True


def site_sync_after_migrate(
    *, apps: Any = global_apps, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    """post_migrate receiver: keep the Site row in line with settings after every migrate
    (and after `flush`, which sends the signal without `apps`)."""
    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:
        return
    site_sync(site_model, using=using)
