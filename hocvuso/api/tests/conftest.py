"""Fixtures for the API tests: an API client, signing in the way the web sign-in does, and tokens."""

from collections.abc import Callable
from typing import Any

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from hocvuso.accounts.access import is_staff_user
from hocvuso.accounts.models import User
from hocvuso.api.services import issue_api_token


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def sign_in(client: APIClient, user: User, *, second_factor: bool = True) -> APIClient:
    """Sign `user` in to a session, as the web sign-in does: staff with their verified TOTP device (unless
    `second_factor` is False, a session that never passed step 2)."""
    client.force_login(user)
    if second_factor and is_staff_user(user):
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def session_for() -> Callable[..., APIClient]:
    """A fresh API client signed in to a session for the user."""

    def make(user: User, **kwargs: Any) -> APIClient:
        return sign_in(APIClient(), user, **kwargs)

    return make


@pytest.fixture
def token_for() -> Callable[..., APIClient]:
    """A fresh API client sending a new token of the user in its Authorization header."""

    def make(user: User, name: str = "Máy tính bảng") -> APIClient:
        client = APIClient()
        issued = issue_api_token(user=user, name=name, expires_at=None)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain_text}")
        return client

    return make
