"""One rule for "this session passed a second factor", whatever the sign-in path: the flag `complete_sign_in`
records (sessions.session_passed_second_factor), which SecondFactorMiddleware installs as the request user's
`is_verified()` and the access module reads. A path with its own second factor and no TOTP device (a future VNeID
sign-in with an accepted assurance level) counts as verified; a password-only sign-in never does."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.access import has_permission, is_verified, needs_second_factor
from hocvuso.accounts.middleware import SecondFactorMiddleware
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission, Role
from hocvuso.accounts.services import assign_role, complete_sign_in


def signed_in_request(user, *, method: str, second_factor_verified: bool):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    complete_sign_in(request, user, method=method, second_factor_verified=second_factor_verified)
    request.session.save()
    return request


def as_the_middleware_sees_it(request):
    """The request's user after SecondFactorMiddleware (a fresh copy of the user, as a new request would load)."""
    seen = {}

    def view(request):
        seen["user"] = request.user
        seen["verified"] = is_verified(request.user)
        seen["counts"] = has_permission(request.user, Permission.VIEW_PEOPLE)
        return HttpResponse()

    request.user = User.objects.get(pk=request.session[SESSION_KEY])
    SecondFactorMiddleware(view)(request)
    return seen


def client_of(request) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return client


def test_a_sign_in_with_its_own_second_factor_and_no_totp_device_counts_as_verified(make_user, territory):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    assert not TOTPDevice.objects.filter(user=officer).exists()

    request = signed_in_request(officer, method="vneid", second_factor_verified=True)
    seen = as_the_middleware_sees_it(request)

    assert seen["verified"] is True
    assert seen["counts"] is True  # the officer's staff role counts in this session
    assert not needs_second_factor(seen["user"])
    response = client_of(request).get("/nguoi-dan/")
    assert response.status_code == 200  # a page that needs VIEW_PEOPLE


def test_a_sign_in_with_a_totp_code_counts_as_verified(make_user, territory):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)

    request = signed_in_request(officer, method="password+totp", second_factor_verified=True)

    assert as_the_middleware_sees_it(request)["verified"] is True
    assert client_of(request).get("/nguoi-dan/").status_code == 200


def test_a_password_only_session_never_counts_even_with_a_totp_device(make_user, territory, province_admin):
    learner = make_user(Role.LEARNER)
    TOTPDevice.objects.create(user=learner, name="phone", confirmed=True)  # enrolled, but not used to sign in
    request = signed_in_request(learner, method="password", second_factor_verified=False)

    assert as_the_middleware_sees_it(request)["verified"] is False

    assign_role(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, assigned_by=province_admin)
    learner.refresh_from_db()
    seen = as_the_middleware_sees_it(request)
    assert (seen["verified"], seen["counts"]) == (False, False)  # the new staff role does not count
    assert needs_second_factor(seen["user"])
    response = client_of(request).get("/nguoi-dan/")
    assert response.status_code == 302  # and the session itself is over: sign in again, with the second factor
    assert response["Location"].startswith("/tai-khoan/dang-nhap/")
