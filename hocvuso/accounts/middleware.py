"""Session lifetime: 12 hours from sign-in for everyone; staff sessions also end after 30 minutes idle."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
IS_STAFF_SESSION = "is_staff_session"


def start_session_clock(request: HttpRequest, *, is_staff: bool) -> None:
    """Called at sign-in: remember when the session began and whether staff limits apply."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session[IS_STAFF_SESSION] = is_staff


class SessionExpiryMiddleware:
    """Ends a signed-in session past its absolute or idle limit and sends the user to sign in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session") and SIGNED_IN_AT in request.session:
            now = int(time.time())
            started = int(request.session.get(SIGNED_IN_AT, 0))
            last_seen = int(request.session.get(LAST_SEEN_AT, started))
            too_old = now - started > settings.SESSION_ABSOLUTE_SECONDS
            idle = request.session.get(IS_STAFF_SESSION) and now - last_seen > settings.SESSION_STAFF_IDLE_SECONDS
            if too_old or idle:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            # Only staff sessions have an idle limit; a learner's session is not rewritten on every page.
            if request.session.get(IS_STAFF_SESSION) and now - last_seen >= 30:  # at most twice a minute
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)
