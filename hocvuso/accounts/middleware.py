"""Who the session's user is, as far as a second factor goes, and how long the session lives.

`SecondFactorMiddleware` is django-otp's middleware (the request user's `otp_device`) whose `is_verified()` follows
the product's one rule (`sessions.session_passed_second_factor`): a session is verified when its sign-in verified a
second factor, whichever the path. `SessionExpiryMiddleware`: 12 hours from sign-in for everyone; staff sessions
also end after 30 minutes idle; a session signed in without a second factor ends as soon as its user needs one (a
staff role came into force)."""

import functools
import time
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user, logout
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from .access import assume_assignments_from_session, signs_in_with_second_factor
from .backends import LEGACY_BACKEND
from .models import User
from .sessions import (
    IS_STAFF_SESSION,
    LAST_SEEN_AT,
    ROLE_ASSIGNMENTS,
    SIGNED_IN_AT,
    session_passed_second_factor,
    signed_in_with_second_factor,
)

__all__ = [
    "IS_STAFF_SESSION",
    "LAST_SEEN_AT",
    "SIGNED_IN_AT",
    "AuthenticationMiddleware",
    "OneTimeCodeMiddleware",
    "SecondFactorMiddleware",
    "SessionExpiryMiddleware",
]


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the session's user loaded at once: every request needs it (SessionExpiryMiddleware reads
    it first thing), and the busiest pages read the user's attributes a few hundred times, each through the lazy
    proxy Django installs (and django-otp's around it) — a measurable share of a lesson page's time. The async
    accessor (`request.auser`) stays Django's."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(BACKEND_SESSION_KEY) == LEGACY_BACKEND:
            # signed in before the product's backend (the same checks, a faster read of the user): renamed, so
            # nobody is signed out by the change
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        request.user = get_user(request)


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware (in its place, after AuthenticationMiddleware): `request.user.otp_device` is
    the authenticator the session recorded, and `request.user.is_verified()` answers whether the session passed
    a second factor by the product's rule — so a session signed in through an identity provider with an accepted
    assurance level and no TOTP device is verified, and a password-only one never is. The access module, the
    admin site (django-otp's `OTPAdminSite`) and the API's session authentication all read this one answer."""

    def _install_lazy_accessors(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        super()._install_lazy_accessors(request)
        if user is not None and not self._is_async:
            # The user is needed on every request (SessionExpiryMiddleware reads it next): the request carries
            # the user itself (loaded by AuthenticationMiddleware below), not a lazy proxy.
            request.user = self._verify_user_sync(request, user)

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        return self._follow_the_rule(request, super()._verify_user_sync(request, user))

    async def _verify_user_async_via_auser(self, request: HttpRequest, auser: Any) -> Any:
        return self._follow_the_rule(request, await super()._verify_user_async_via_auser(request, auser))

    @staticmethod
    def _follow_the_rule(request: HttpRequest, user: Any) -> Any:
        if user.is_authenticated:
            user.is_verified = functools.partial(session_passed_second_factor, request.session, user)
        return user


class SessionExpiryMiddleware:
    """Ends a signed-in session past its absolute or idle limit, or one without a second factor whose user now
    needs one, and sends the user to sign in again.

    Every sign-in path ends in `complete_sign_in`, which starts the session clock. A signed-in session without
    a clock was made some other way (only `Client.force_login` in tests does that): it still ends 12 hours after
    its user's last sign-in (`last_login`), read without writing the session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            # A learner's session carries their role assignments from sign-in (`complete_sign_in`): their page
            # views make no query for roles. A staff user's session has no copy: read afresh on every request.
            role_copy = request.session.get(ROLE_ASSIGNMENTS)
            if isinstance(role_copy, list):
                assume_assignments_from_session(cast(User, request.user), role_copy)
        if request.user.is_authenticated and hasattr(request, "session") and self._ended(request):
            logout(request)
            if request.path.startswith("/api/"):
                return self.get_response(request)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _ended(self, request: HttpRequest) -> bool:
        session = request.session
        now = int(time.time())
        if SIGNED_IN_AT not in session:
            last_login = request.user.last_login  # type: ignore[union-attr]
            return last_login is None or now - last_login.timestamp() > settings.SESSION_ABSOLUTE_SECONDS
        started = int(session.get(SIGNED_IN_AT, 0))
        last_seen = int(session.get(LAST_SEEN_AT, started))
        if now - started > settings.SESSION_ABSOLUTE_SECONDS:
            return True
        if session.get(IS_STAFF_SESSION) and now - last_seen > settings.SESSION_STAFF_IDLE_SECONDS:
            return True
        # A session signed in without a second factor whose user now needs one — a staff role that came into
        # force since — must sign in again: staff powers never ride on a password-only session.
        if not signed_in_with_second_factor(session) and signs_in_with_second_factor(request.user):
            return True
        # Only staff sessions have an idle limit; a learner's session is not rewritten on every page.
        if session.get(IS_STAFF_SESSION) and now - last_seen >= 30:  # at most twice a minute
            session[LAST_SEEN_AT] = now
        return False


# Where a user signed in with a one-time code may go before choosing a password (URL names; static files too).
ONE_TIME_CODE_ALLOWS = ("accounts:set_password", "accounts:logout", "set_language", "javascript-catalog")


class OneTimeCodeMiddleware:
    """Sends a user who signed in with a one-time sign-in code (an officer's reset, a class's card) to choose their
    own password before anything else: until then every page but that one, signing out and the language switch
    redirects there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_set_password", False):
            allowed = {reverse(name) for name in ONE_TIME_CODE_ALLOWS}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL or "/static/"):
                return redirect("accounts:set_password")
        return self.get_response(request)
