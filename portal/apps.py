from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import checks  # noqa: F401  (registers the deploy checks)


class PortalAdminConfig(AdminConfig):
    """The Django admin, behind allauth's login and MFA (see portal.admin_site)."""

    default_site = "portal.admin_site.PortalAdminSite"
