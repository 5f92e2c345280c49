"""The authentication backend's read of the session's user (accounts/backends.py): the same user the ORM gives,
the same refusals as Django's ModelBackend, and sessions made with Django's backend still signed in."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.backends import LEGACY_BACKEND, ModelBackend, user_by_pk
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role


def fields_of(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_the_user_read_by_the_backend_equals_the_one_the_orm_reads(make_user):
    user = make_user(Role.LEARNER, full_name="H'Hen Niê", preferred_language="en")
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now() - datetime.timedelta(hours=1),
        temporary_password_until=timezone.now() + datetime.timedelta(days=1),
        session_epoch=7,
        is_staff=True,
    )

    read = user_by_pk(user.pk)
    expected = User.objects.get(pk=user.pk)

    assert read is not None and read.pk == user.pk
    assert fields_of(read) == fields_of(expected)
    assert read.get_session_auth_hash() == expected.get_session_auth_hash()
    assert isinstance(read.last_login, datetime.datetime) and read.last_login.tzinfo is not None
    assert read.is_staff is True and read.must_set_password is True
    assert read._state.adding is False and read._state.db == expected._state.db
    assert read.get_deferred_fields() == set()


def test_the_backend_refuses_a_missing_or_inactive_user_and_a_bad_id(make_user):
    active = make_user(Role.LEARNER)
    inactive = make_user(Role.LEARNER, is_active=False)
    backend = ModelBackend()

    assert backend.get_user(active.pk) == active
    assert backend.get_user(str(active.pk)) == active
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(active.pk + 10_000) is None
    assert backend.get_user("1; DROP TABLE accounts_user") is None
    assert backend.get_user(None) is None


def test_a_session_made_with_djangos_backend_stays_signed_in_and_is_renamed(client: Client, make_user):
    user = make_user(Role.LEARNER)
    client.force_login(user, backend=LEGACY_BACKEND)
    assert client.session[BACKEND_SESSION_KEY] == LEGACY_BACKEND

    response = client.get("/")

    assert response.context["user"] == user
    assert client.session[BACKEND_SESSION_KEY] == settings.AUTHENTICATION_BACKENDS[0]
    assert client.get("/").context["user"] == user


@pytest.mark.parametrize("backend", ["django.contrib.auth.backends.RemoteUserBackend", "elsewhere.Backend"])
def test_a_session_naming_another_backend_is_not_signed_in(client: Client, make_user, backend):
    user = make_user(Role.LEARNER)
    client.force_login(user)
    session = client.session
    session[BACKEND_SESSION_KEY] = backend
    session.save()

    assert not client.get("/").context["user"].is_authenticated
