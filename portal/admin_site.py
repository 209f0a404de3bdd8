"""The Django admin behind allauth's login (rate-limited) and two-factor authentication."""

from functools import update_wrapper

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.pagecache import public_pages_changed
from portal.permissions import can_use_admin, has_mfa


class PortalAdminSite(admin.AdminSite):
    site_header = "Trade Dialogues Portal"
    site_title = "Trade Dialogues Portal"

    def has_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def changing(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = protected(request, *args, **kwargs)
            # An admin form or action may change anything visitors read (a theme renamed, a
            # report corrected) without the services: once it has committed, stored visitor
            # pages are retired.
            if request.method == "POST":
                public_pages_changed()
            return response

        return update_wrapper(changing, protected)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not has_mfa(user):
            return redirect("mfa_activate_totp")
        return secure_admin_login(super().login)(request, extra_context)
