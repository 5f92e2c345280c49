"""Fixtures for the API tests: an API client, signing in the way the web sign-in does, and tokens."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from hocvuso.accounts.models import User
from hocvuso.accounts.tests.sessions import sign_in_session
from hocvuso.api.services import issue_api_token


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def sign_in(client: APIClient, user: User, *, second_factor: bool = True) -> APIClient:
    """Sign `user` in to a session, as the web sign-in does: staff with their verified TOTP device (unless
    `second_factor` is False, a session that never passed step 2)."""
    return sign_in_session(client, user, second_factor=second_factor)


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
