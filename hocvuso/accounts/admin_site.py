"""The admin site signs in only through the product's own sign-in.

Django's admin has a login form of its own; it would be a second sign-in path with none of the product's guards
(failure limit, second factor, session clock). Here its login page sends the visitor to the product's sign-in
and back to the admin afterwards, and the site itself keeps django-otp's rule: only a session verified with a
second factor enters.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class ProductSignInAdminSite(OTPAdminSite):
    """django-otp's admin site whose login page is the product's sign-in (`settings.LOGIN_URL`)."""

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Never shows a form and never reads a password. Anonymous visitors (GET or POST) are sent to the
        product's sign-in, coming back to the admin page they asked for. A signed-in admin-site user whose
        session did not pass the second factor signs in again (step up); anyone else signed in gets a 404."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if not (request.user.is_active and request.user.is_staff):
                raise Http404
            logout(request)
        return redirect_to_login(next_url, settings.LOGIN_URL)
