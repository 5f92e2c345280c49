"""The two-step sign-in's state between the steps, kept in the session.

After a member of staff passes step 1 (username and password) they are NOT signed in yet: the session
only remembers who is half-way and since when, and — while enrolling an authenticator — which enrolment code
they typed. Step 2 (the authenticator code) must follow within five minutes; after that the state is dropped
and they start again.
"""

import time
from base64 import b32encode
from typing import Any

import segno
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import User

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 5 * 60


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the server sees it (for counting failed sign-ins)."""
    return request.META.get("REMOTE_ADDR") or None


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` when it is a path on this site, else the home page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:home")


def remember_pending(request: HttpRequest, *, user: User, next_url: str, method: str = "password") -> None:
    """Step 1 passed for a member of staff (their password, or VNeID without an accepted assurance level):
    remember who, how, when and where to go after step 2."""
    request.session[PENDING_KEY] = {"user_id": user.pk, "at": int(time.time()), "next": next_url, "method": method}


def pending_user(request: HttpRequest) -> User | None:
    """The user half-way through signing in, or None when there is none or it is older than five minutes
    (an expired state is dropped)."""
    state: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not state:
        return None
    if int(time.time()) - int(state.get("at", 0)) > PENDING_SECONDS:
        forget_pending(request)
        return None
    return User.objects.filter(pk=int(state.get("user_id") or 0), is_active=True).first()


def pending_next(request: HttpRequest) -> str:
    state = request.session.get(PENDING_KEY) or {}
    return str(state.get("next") or "/")


def pending_method(request: HttpRequest) -> str:
    """How step 1 was passed ("password", "vneid"), for the sign-in's recorded method."""
    state = request.session.get(PENDING_KEY) or {}
    return str(state.get("method") or "password")


def forget_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def remember_enrolment(request: HttpRequest, *, enrolment_code_id: int) -> None:
    """The half-signed-in user typed a valid enrolment code: their next step is their new authenticator's code."""
    state = request.session.get(PENDING_KEY)
    if state:
        request.session[PENDING_KEY] = {**state, "enrolment_code": enrolment_code_id}


def pending_enrolment(request: HttpRequest) -> int | None:
    """The id of the enrolment code the half-signed-in user typed, if they are enrolling an authenticator."""
    state = request.session.get(PENDING_KEY) or {}
    value = state.get("enrolment_code")
    return int(value) if value else None


def forget_enrolment(request: HttpRequest) -> None:
    state = request.session.get(PENDING_KEY)
    if state:
        request.session[PENDING_KEY] = {key: value for key, value in state.items() if key != "enrolment_code"}


def enrolment_qr_svg(device: TOTPDevice, *, label: str) -> str:
    """The authenticator set-up link as an inline SVG QR code, labelled for screen readers."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return str(svg).replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1)


def grouped_secret(device: TOTPDevice) -> str:
    """The device's secret in base32, in groups of four letters, for typing into an authenticator app."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
