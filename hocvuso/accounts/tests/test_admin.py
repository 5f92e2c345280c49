"""Hole 10 of issue 8: an authenticator's secret is never readable in the admin site (no key field, no QR code)."""

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.web.tests.conftest import sign_in_staff


def test_the_admin_never_shows_an_authenticators_secret(client: Client, make_user) -> None:
    admin = make_user(username="quan.tri", is_staff=True, is_superuser=True)
    sign_in_staff(client, admin)
    officer = make_user(username="can.bo")
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    secret_forms = [device.key, device.key.upper(), device.config_url.split("secret=")[1].split("&")[0]]

    pages = [
        client.get("/admin/otp_totp/totpdevice/"),
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/"),
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/"),
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/"),
        client.get("/admin/otp_totp/totpdevice/add/"),
    ]

    assert [page.status_code for page in pages] == [200, 200, 302, 302, 403]
    for page in pages:
        body = page.content.decode(errors="replace")
        assert not any(secret in body for secret in secret_forms)
    assert "phone" in pages[1].content.decode()
