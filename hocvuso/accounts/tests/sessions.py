"""Test sessions as the sign-in makes them: a member of staff's session is verified with their second factor."""

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.access import forget_cached_assignments, is_staff_user
from hocvuso.accounts.models import User


def verify_session(client: Any, user: User) -> TOTPDevice:
    """Mark the client's session as having passed the second factor with the user's (confirmed) authenticator,
    as `complete_sign_in` does after a right code; returns the device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def sign_in_session(client: Any, user: User, *, second_factor: bool = True, backend: str | None = None) -> Any:
    """Sign `user` in to the client's session the way the web sign-in ends: staff with their verified second
    factor, unless `second_factor` is False (a session that never passed step 2, such as a learner's that was
    given a staff role afterwards)."""
    Client.force_login(client, user, backend)
    staff = is_staff_user(user)
    forget_cached_assignments(user)  # the test may change the user's roles later
    if second_factor and staff:
        verify_session(client, user)
    return client


class SignInClient(Client):
    """The test client, whose `force_login` signs staff in with their second factor (see `sign_in_session`)."""

    def force_login(self, user: Any, backend: str | None = None, *, second_factor: bool = True) -> None:
        sign_in_session(self, user, second_factor=second_factor, backend=backend)
