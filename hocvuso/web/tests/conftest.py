from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import User
from hocvuso.web.signin import PENDING_KEY


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in_staff(client: Client, user: User) -> TOTPDevice:
    """Sign a member of staff in through both steps and return their device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    response = client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post("/tai-khoan/xac-thuc/", {"token": current_code(device)})
    assert response.status_code == 302, response.content
    assert PENDING_KEY not in client.session
    return device


PASSWORD = "correct-horse-battery-staple"
