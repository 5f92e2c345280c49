import time
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from django.utils import timezone

from hocvuso.accounts.access import public, signed_in
from hocvuso.accounts.middleware import IS_STAFF_SESSION, LAST_SEEN_AT, SIGNED_IN_AT
from hocvuso.accounts.roles import Role


@signed_in
def whoami(request):
    return HttpResponse(request.user.username)


@public
def login_page(request):
    return HttpResponse("login")


urlpatterns = [path("whoami", whoami), path("login", login_page, name="login")]

pytestmark = pytest.mark.urls(__name__)


def signed_in_client(client, user, *, started_ago, idle_for, is_staff):
    client.force_login(user)
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - started_ago
    session[LAST_SEEN_AT] = now - idle_for
    session[IS_STAFF_SESSION] = is_staff
    session.save()
    return client


@pytest.fixture
def staff(territory, make_user):
    return make_user(Role.COMMUNE_OFFICER, territory.commune)


@pytest.fixture
def learner(make_user):
    return make_user(Role.LEARNER)


@override_settings(LOGIN_URL="/login")
def test_staff_session_survives_29_minutes_idle(client, staff):
    signed_in_client(client, staff, started_ago=3600, idle_for=29 * 60, is_staff=True)

    response = client.get("/whoami")

    assert (response.status_code, response.content.decode()) == (200, staff.username)
    assert client.session[LAST_SEEN_AT] >= int(time.time()) - 2


@override_settings(LOGIN_URL="/login")
def test_staff_session_ends_after_30_minutes_idle(client, staff):
    signed_in_client(client, staff, started_ago=3600, idle_for=31 * 60, is_staff=True)

    response = client.get("/whoami")

    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=/whoami")
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_URL="/login")
def test_learner_session_survives_idle_but_not_12_hours(client, learner):
    signed_in_client(client, learner, started_ago=11 * 3600, idle_for=5 * 3600, is_staff=False)
    assert client.get("/whoami").status_code == 200

    signed_in_client(client, learner, started_ago=12 * 3600 + 60, idle_for=0, is_staff=False)
    response = client.get("/whoami")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_URL="/login")
def test_staff_session_ends_after_12_hours_even_when_active(client, staff):
    signed_in_client(client, staff, started_ago=12 * 3600 + 1, idle_for=10, is_staff=True)

    assert client.get("/whoami").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_itself_expires_after_12_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


@override_settings(LOGIN_URL="/login")
def test_a_session_made_without_the_sign_in_still_ends_12_hours_after_the_last_sign_in(client, staff):
    client.force_login(staff)  # no session clock: not made by complete_sign_in
    assert client.get("/whoami").status_code == 200
    type(staff).objects.filter(pk=staff.pk).update(last_login=timezone.now() - timedelta(hours=12, minutes=1))

    response = client.get("/whoami")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_URL="/login")
def test_a_password_only_session_ends_when_its_user_needs_a_second_factor(client, learner, territory):
    signed_in_client(client, learner, started_ago=60, idle_for=0, is_staff=False)
    assert client.get("/whoami").status_code == 200
    learner.is_staff = True  # the admin site now lets them in: that takes a second factor
    learner.save(update_fields=["is_staff"])

    response = client.get("/whoami")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
