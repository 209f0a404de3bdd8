from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from allauth.account.signals import authentication_step_completed

        from portal import (
            checks,  # noqa: F401 (registers the deployment checks)
            search,  # noqa: F401 (registers SQLite's accent folding)
        )
        from portal.adapters import password_login_counts_as_reauthentication
        from portal.pagecache import connect_person_page_signals
        from portal.sites import site_sync_after_migrate

        # After django.contrib.sites has made its "example.com" row (its app comes first).
        post_migrate.connect(site_sync_after_migrate, sender=self, dispatch_uid="portal.site_sync")
        authentication_step_completed.connect(
            password_login_counts_as_reauthentication, dispatch_uid="portal.password_reauth"
        )
        connect_person_page_signals()


class PortalAdminConfig(AdminConfig):
    """The Django admin, behind allauth's login and MFA (see portal.admin_site)."""

    default_site = "portal.admin_site.PortalAdminSite"
