"""`complete_sign_in`: the one function every sign-in path ends in (hole 3 of issue 8)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import LoginFailure
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import complete_sign_in
from hocvuso.accounts.sessions import (
    IS_STAFF_SESSION,
    SECOND_FACTOR,
    SIGN_IN_METHOD,
    SIGNED_IN_AT,
    session_passed_second_factor,
)
from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry


def a_request():
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    request.session["before"] = "kept"
    request.session.save()
    return request


def test_a_learner_is_signed_in_with_a_new_session_key_the_clock_and_the_audit(make_user):
    learner = make_user(Role.LEARNER, username="lan")
    LoginFailure.objects.create(username="lan")
    request = a_request()
    key_before = request.session.session_key

    complete_sign_in(request, learner, method="password", second_factor_verified=False)

    assert request.session[SESSION_KEY] == str(learner.pk)
    assert request.session.session_key != key_before
    assert request.session["before"] == "kept"
    assert (request.session[IS_STAFF_SESSION], request.session[SECOND_FACTOR]) == (False, False)
    assert request.session[SIGN_IN_METHOD] == "password"
    assert SIGNED_IN_AT in request.session
    assert LoginFailure.objects.filter(username="lan").count() == 0
    entry = AuditEntry.objects.get(action="accounts.login")
    assert (entry.actor, entry.details) == (learner, {"method": "password", "second_factor": False})


@pytest.mark.parametrize("flags", [{}, {"is_staff": True}, {"is_superuser": True}])
def test_staff_and_admin_site_users_are_refused_without_a_second_factor(make_user, territory, flags):
    user = make_user(Role.COMMUNE_OFFICER, territory.commune, **flags) if not flags else make_user(**flags)
    request = a_request()

    with pytest.raises(DomainError) as refused:
        complete_sign_in(request, user, method="vneid", second_factor_verified=False)

    assert refused.value.code == "second_factor_required"
    assert SESSION_KEY not in request.session
    assert not AuditEntry.objects.filter(action="accounts.login").exists()


def test_staff_with_a_verified_second_factor_get_the_device_and_staff_limits(make_user, territory):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    request = a_request()

    complete_sign_in(request, officer, method="password+totp", second_factor_verified=True)

    assert request.session[SESSION_KEY] == str(officer.pk)
    assert request.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert (request.session[IS_STAFF_SESSION], request.session[SECOND_FACTOR]) == (True, True)


def test_an_inactive_user_is_refused(make_user):
    user = make_user(Role.LEARNER, is_active=False)
    request = a_request()

    with pytest.raises(DomainError) as refused:
        complete_sign_in(request, user, method="password", second_factor_verified=False)

    assert refused.value.code == "inactive_user"
    assert SESSION_KEY not in request.session


def test_a_session_knows_whether_its_second_factor_was_verified(make_user, territory):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    learner = make_user(Role.LEARNER)
    verified, password_only = a_request(), a_request()

    complete_sign_in(verified, officer, method="vneid", second_factor_verified=True)  # no TOTP device at all
    complete_sign_in(password_only, learner, method="password", second_factor_verified=False)

    assert session_passed_second_factor(verified.session, verified.user) is True
    assert session_passed_second_factor(password_only.session, password_only.user) is False
