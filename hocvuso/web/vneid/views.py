"""Sign in with VNeID (or the configured OpenID Connect provider), link it to one's account, and the commune's
queue of registrations to confirm.

The flow's secrets (`state`, `nonce`, the PKCE verifier) live in the session between the redirect to the provider
and its callback, for 10 minutes, and are used once: the callback removes them before anything else, so a second
callback with the same code or state finds nothing. Every sign-in ends in `accounts.services.complete_sign_in`;
staff whose provider did not assert an accepted level go on to the TOTP step like a password sign-in.
"""

import logging
import secrets
import time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts.access import public, requires, signed_in, signs_in_with_second_factor
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission
from hocvuso.accounts.services import complete_sign_in
from hocvuso.accounts.sessions import SIGN_IN_METHOD
from hocvuso.core.errors import DomainError
from hocvuso.vneid import provider
from hocvuso.vneid.claims import AssertedIdentity, read_identity
from hocvuso.vneid.models import RegistrationStatus
from hocvuso.vneid.selectors import (
    provider_identity_of,
    registration_of,
    registration_to_decide,
    registrations_to_confirm,
)
from hocvuso.vneid.services import (
    choose_commune,
    confirm_registration,
    link_provider_account,
    reject_registration,
    sign_in_with_provider,
)

from .. import signin
from .forms import CommuneForm, ConfirmRegistrationForm, RejectRegistrationForm

log = logging.getLogger("hocvuso.vneid")
FLOW_KEY = "oidc_flow"
FLOW_SECONDS = 10 * 60
METHOD = "vneid"


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:vneid_callback"))


def _begin(request: HttpRequest, *, mode: str, next_url: str) -> HttpResponse:
    try:
        flow = provider.begin_authorization(redirect_uri=_callback_uri(request))
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("accounts:account" if mode == "link" else "accounts:login")
    request.session[FLOW_KEY] = {
        "state": flow.state,
        "nonce": flow.nonce,
        "verifier": flow.code_verifier,
        "next": next_url,
        "mode": mode,
        "user_id": request.user.pk if mode == "link" else None,
        "at": int(time.time()),
    }
    return redirect(flow.url)


@public
@require_POST
def vneid_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider to sign in (POST from the sign-in page's VNeID button)."""
    next_url = signin.safe_next(request, request.POST.get("next"))
    if not provider.is_configured():
        return redirect("accounts:login")
    if request.user.is_authenticated:
        return redirect(next_url)
    return _begin(request, mode="sign_in", next_url=next_url)


@signed_in
@require_POST
def vneid_link(request: HttpRequest) -> HttpResponse:
    """Send the signed-in user to the provider to link their VNeID to this account (from the account page)."""
    if not provider.is_configured():
        return redirect("accounts:account")
    return _begin(request, mode="link", next_url=reverse("accounts:account"))


def _fail(request: HttpRequest, message: str, *, mode: str, code: str = "flow") -> HttpResponse:
    # what was refused, for the operator (never a token, a code or a claim)
    log.warning("VNeID %s refused: %s", mode, code, extra={"refused": code})
    messages.error(request, message)
    return redirect("accounts:account" if mode == "link" and request.user.is_authenticated else "accounts:login")


def _assert_identity(request: HttpRequest, flow: dict[str, Any]) -> AssertedIdentity:
    """Trade the code, check the ID token (with the flow's nonce), read the claims (ID token and userinfo)."""
    tokens = provider.exchange_code(
        code=request.GET.get("code", ""), code_verifier=flow["verifier"], redirect_uri=_callback_uri(request)
    )
    claims = provider.validate_id_token(tokens["id_token"], nonce=flow["nonce"])
    userinfo = provider.fetch_userinfo(access_token=str(tokens.get("access_token") or ""), subject=str(claims["sub"]))
    merged = {**userinfo, **{key: value for key, value in claims.items() if key not in {"aud", "nonce"}}}
    return read_identity(merged, issuer=str(claims["iss"]))


@public
@require_GET
@never_cache
def vneid_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back: check `state` against the flow this browser started (then
    forget the flow), then the code, the ID token and the claims; sign in or link."""
    flow: dict[str, Any] | None = request.session.pop(FLOW_KEY, None)
    mode = flow.get("mode", "sign_in") if flow else "sign_in"
    state = request.GET.get("state", "")
    if (
        not flow
        or not state
        or not secrets.compare_digest(state.encode(), str(flow.get("state", "")).encode())
        or int(time.time()) - int(flow.get("at", 0)) > FLOW_SECONDS
    ):
        return _fail(request, _("Phiên đăng nhập VNeID không hợp lệ hoặc đã hết hạn. Hãy thử lại."), mode=mode)
    if "error" in request.GET or not request.GET.get("code"):
        return _fail(request, _("Bạn chưa đăng nhập được ở VNeID. Hãy thử lại."), mode=mode)
    if not provider.is_configured():
        return _fail(request, _("Đăng nhập bằng VNeID chưa được bật."), mode=mode)
    returned_issuer = request.GET.get("iss")
    if returned_issuer is not None and returned_issuer.rstrip("/") != provider.ProviderSettings.from_settings().issuer:
        # RFC 9207: the response names its issuer; another one is a mix-up attack
        return _fail(request, _("Phiên đăng nhập VNeID không hợp lệ hoặc đã hết hạn. Hãy thử lại."), mode=mode)
    try:
        asserted = _assert_identity(request, flow)
    except DomainError as error:
        return _fail(request, str(error.message), mode=mode, code=error.code)
    if mode == "link":
        return _finish_link(request, flow, asserted)
    return _finish_sign_in(request, flow, asserted)


def _finish_sign_in(request: HttpRequest, flow: dict[str, Any], asserted: AssertedIdentity) -> HttpResponse:
    try:
        outcome = sign_in_with_provider(asserted=asserted)
    except DomainError as error:
        return _fail(request, str(error.message), mode="sign_in", code=error.code)
    next_url = signin.safe_next(request, flow.get("next"))
    if signs_in_with_second_factor(outcome.user) and not outcome.second_factor:
        signin.remember_pending(request, user=outcome.user, next_url=next_url, method=METHOD)
        return redirect("accounts:second_factor")
    try:
        complete_sign_in(request, outcome.user, method=METHOD, second_factor_verified=outcome.second_factor)
    except DomainError as error:
        return _fail(request, str(error.message), mode="sign_in", code=error.code)
    registration = outcome.registration
    if registration is not None and registration.commune_id is None:
        messages.info(request, _("Bạn chưa có trong sổ dân cư. Hãy chọn xã, phường nơi bạn sống để được xác nhận."))
        return redirect("accounts:account")
    return redirect(next_url)


def _finish_link(request: HttpRequest, flow: dict[str, Any], asserted: AssertedIdentity) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or user.pk != flow.get("user_id"):
        return _fail(request, _("Phiên đăng nhập VNeID không hợp lệ hoặc đã hết hạn. Hãy thử lại."), mode="sign_in")
    try:
        link_provider_account(user=user, asserted=asserted)
    except DomainError as error:
        return _fail(request, str(error.message), mode="link", code=error.code)
    messages.success(request, _("Đã liên kết tài khoản VNeID với tài khoản của bạn."))
    return redirect("accounts:account")


def sign_out_redirect(request: HttpRequest) -> str | None:
    """Where to send the browser after the local sign-out of a session that began with the provider: its
    end-session endpoint (RP-initiated logout), when it offers one. Read before `logout` clears the session."""
    method = str(request.session.get(SIGN_IN_METHOD, ""))
    if not method.startswith(METHOD) or not provider.is_configured():
        return None
    return provider.end_session_url(post_logout_redirect_uri=request.build_absolute_uri(reverse("web:home")))


@signed_in
@require_http_methods(["GET", "POST"])
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """The user's account: their VNeID link (and the button to link one), and — for someone VNeID signed in who
    is not in the registry — their registration and the commune they live in."""
    user = request.user
    assert isinstance(user, User)
    registration = registration_of(user)
    form = CommuneForm(request.POST or None)
    if request.method == "POST" and registration is not None and form.is_valid():
        try:
            choose_commune(registration=registration, commune=form.cleaned_data["commune"], user=user)
        except DomainError as error:
            form.add_error("commune" if error.field == "commune" else None, str(error.message))
        else:
            messages.success(request, _("Đã gửi đăng ký tới UBND xã, phường để xác nhận."))
            return redirect("accounts:account")
    context = {
        "configured": provider.is_configured(),
        "provider_name": provider.provider_name(),
        "linked": provider_identity_of(user, issuer=provider.ProviderSettings.from_settings().issuer)
        if provider.is_configured()
        else None,
        "registration": registration,
        "form": form,
        "statuses": RegistrationStatus,
    }
    return render(request, "web/vneid/account.html", context)


@requires(Permission.MANAGE_PEOPLE)
@require_GET
def registrations(request: HttpRequest) -> HttpResponse:
    """The commune's queue: people who signed in with VNeID, are not in the registry and say they live here."""
    return render(
        request, "web/vneid/registrations.html", {"registrations": list(registrations_to_confirm(request.user)[:200])}
    )


@requires(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def registration_detail(request: HttpRequest, registration_id: int) -> HttpResponse:
    """One registration: confirm it (village, ethnicity) or reject it (reason)."""
    registration = registration_to_decide(request.user, registration_id)
    assert registration.commune is not None
    action = request.POST.get("action")
    confirm = ConfirmRegistrationForm(request.POST if action == "confirm" else None, commune=registration.commune)
    reject = RejectRegistrationForm(request.POST if action == "reject" else None)
    if registration.status == RegistrationStatus.PENDING:
        try:
            if action == "confirm" and confirm.is_valid():
                resident = confirm_registration(
                    registration=registration,
                    village=confirm.cleaned_data["village"],
                    ethnicity=confirm.cleaned_data["ethnicity"],
                    actor=request.user,
                )
                messages.success(request, _("Đã xác nhận và ghi vào sổ dân cư."))
                return redirect("web:resident", resident_id=resident.pk)
            if action == "reject" and reject.is_valid():
                reject_registration(registration=registration, reason=reject.cleaned_data["reason"], actor=request.user)
                messages.success(request, _("Đã từ chối đăng ký."))
                return redirect("web:vneid_registrations")
        except DomainError as error:
            (confirm if action == "confirm" else reject).add_error(None, str(error.message))
    context = {"registration": registration, "confirm": confirm, "reject": reject, "statuses": RegistrationStatus}
    return render(request, "web/vneid/registration.html", context)


__all__ = ["account", "registration_detail", "registrations", "vneid_callback", "vneid_link", "vneid_start"]
