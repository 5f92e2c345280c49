"""What a signed-in session remembers about its sign-in, and whether it passed a second factor.

`complete_sign_in` (services.py) starts the clock; `SessionExpiryMiddleware` (middleware.py) reads it on every
request to end sessions past their limits, and to end a session signed in without a second factor once its
user needs one. Whether a session passed the second factor is ONE rule, `session_passed_second_factor`:
`SecondFactorMiddleware` installs it as the request user's `is_verified()`, which the access module reads.
"""

import time
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
IS_STAFF_SESSION = "is_staff_session"
SECOND_FACTOR = "second_factor"
SIGN_IN_METHOD = "sign_in_method"
# The role assignments of a user who holds no staff role, copied at sign-in (accounts.access.assignments_for_session)
ROLE_ASSIGNMENTS = "role_assignments"


def signed_in_with_second_factor(session: SessionBase) -> bool:
    """Whether the sign-in that started this session (`complete_sign_in`) verified a second factor: the TOTP
    code, or another path's own (an identity provider's accepted assurance level). Sessions started before the
    flag existed recorded only whether staff limits applied, which then meant the same."""
    return bool(session.get(SECOND_FACTOR, session.get(IS_STAFF_SESSION)))


def session_passed_second_factor(session: SessionBase, user: Any) -> bool:
    """True when the session passed a second factor: its sign-in verified one (`signed_in_with_second_factor`),
    whether or not the user has a TOTP device. A password-only sign-in never does. A session made without
    `complete_sign_in` (only `Client.force_login` in tests does that) passed one when django-otp holds a
    verified device for it (`user.otp_device`, set by django-otp's middleware)."""
    if SIGNED_IN_AT in session:
        return signed_in_with_second_factor(session)
    return getattr(user, "otp_device", None) is not None


def start_session_clock(request: HttpRequest, *, is_staff: bool, second_factor: bool, method: str) -> None:
    """Remember when the session began, whether staff limits apply (30 min idle), whether the sign-in
    verified a second factor, and how the user signed in."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session[IS_STAFF_SESSION] = is_staff
    request.session[SECOND_FACTOR] = second_factor
    request.session[SIGN_IN_METHOD] = method[:40]
