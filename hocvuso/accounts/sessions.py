"""What a signed-in session remembers about its sign-in, and who must sign in with a second factor.

`complete_sign_in` (services.py) starts the clock; `SessionExpiryMiddleware` (middleware.py) reads it on every
request to end sessions past their limits, and to end a session signed in without a second factor once its
user needs one.
"""

import time

from django.http import HttpRequest

from .access import AnyUser, is_staff_user

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
IS_STAFF_SESSION = "is_staff_session"
SECOND_FACTOR = "second_factor"
SIGN_IN_METHOD = "sign_in_method"


def needs_second_factor(user: AnyUser) -> bool:
    """True when the user must sign in with a second factor: anyone holding a staff role today, and anyone the
    admin site lets in (`is_staff`, superusers)."""
    return is_staff_user(user) or bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def second_factor_verified(request: HttpRequest) -> bool:
    """True when the request's session was signed in with a verified second factor: by `complete_sign_in` (the
    TOTP code, or another path's own second factor such as an identity provider's), or — for a session made
    otherwise, as in tests — when django-otp holds a verified device for it."""
    if SIGNED_IN_AT in request.session:
        return bool(request.session.get(SECOND_FACTOR, request.session.get(IS_STAFF_SESSION)))
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def start_session_clock(request: HttpRequest, *, is_staff: bool, second_factor: bool, method: str) -> None:
    """Remember when the session began, whether staff limits apply (30 min idle), whether the sign-in
    verified a second factor, and how the user signed in."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session[IS_STAFF_SESSION] = is_staff
    request.session[SECOND_FACTOR] = second_factor
    request.session[SIGN_IN_METHOD] = method[:40]
