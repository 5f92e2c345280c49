"""Hole 3 of issue 8, from the attacker's side: the admin site is not a second sign-in path. Its login page reads
no password and sends everyone to the product's sign-in, which has the failure limit, the second factor and the
session limits; a session made there is the same whatever page the user came from."""

import time

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import LoginFailure
from hocvuso.accounts.sessions import IS_STAFF_SESSION, LAST_SEEN_AT, SECOND_FACTOR
from hocvuso.core.models import AuditEntry

from .conftest import PASSWORD, current_code

ADMIN_LOGIN = "/admin/login/"
LOGIN = "/tai-khoan/dang-nhap/"
SECOND = "/tai-khoan/xac-thuc/"


def admin_user(make_user, **flags):
    user = make_user(username="quan.tri", is_staff=True, is_superuser=True, **flags)
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_the_admin_login_reads_no_password_and_answers_alike_for_right_and_wrong(client: Client, make_user) -> None:
    admin_user(make_user)

    right = client.post(ADMIN_LOGIN + "?next=/admin/", {"username": "quan.tri", "password": PASSWORD})
    wrong = client.post(ADMIN_LOGIN + "?next=/admin/", {"username": "quan.tri", "password": "wrong"})

    assert (right.status_code, right["Location"]) == (302, LOGIN + "?next=/admin/")
    assert (wrong.status_code, wrong["Location"]) == (right.status_code, right["Location"])
    assert right.content == wrong.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_site_sends_anonymous_visitors_to_the_product_sign_in(client: Client, db: None) -> None:
    response = client.get("/admin/accounts/user/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/accounts/user/", 302),
        (LOGIN + "?next=/admin/accounts/user/", 302),
    ]
    assert response.templates[0].name == "accounts/sign_in.html"


def test_an_admin_signs_in_with_password_and_code_and_gets_the_staff_session_limits(client: Client, make_user) -> None:
    _user, device = admin_user(make_user)

    client.post(LOGIN + "?next=/admin/", {"username": "quan.tri", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302  # the password alone opens nothing
    response = client.post(SECOND, {"token": current_code(device)})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert (client.session[IS_STAFF_SESSION], client.session[SECOND_FACTOR]) == (True, True)
    session = client.session
    session[LAST_SEEN_AT] = int(time.time()) - 31 * 60
    session.save()
    assert client.get("/admin/").status_code == 302  # 30 minutes idle end the admin's session too
    assert "_auth_user_id" not in client.session


def test_a_user_with_only_the_admin_flag_needs_the_second_factor_too(client: Client, make_user) -> None:
    user = make_user(username="bien.tap", is_staff=True)  # no role at all: only the admin site opens for them
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    response = client.post(LOGIN + "?next=/admin/", {"username": "bien.tap", "password": PASSWORD})

    assert response["Location"] == SECOND
    assert "_auth_user_id" not in client.session
    client.post(SECOND, {"token": current_code(device)})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_failure_limit_holds_for_admins_with_no_password_oracle(client: Client, make_user) -> None:
    admin_user(make_user)
    for _ in range(5):
        client.post(LOGIN + "?next=/admin/", {"username": "quan.tri", "password": "wrong"})

    blocked_right = client.post(LOGIN + "?next=/admin/", {"username": "quan.tri", "password": PASSWORD})
    blocked_wrong = client.post(LOGIN + "?next=/admin/", {"username": "quan.tri", "password": "still-wrong"})

    assert blocked_right.status_code == blocked_wrong.status_code == 200
    assert blocked_right.context["form"].errors == blocked_wrong.context["form"].errors
    assert "Đăng nhập sai quá nhiều lần" in blocked_right.content.decode()
    assert "_auth_user_id" not in client.session
    assert "pending_sign_in" not in client.session
    assert LoginFailure.objects.filter(username="quan.tri").count() == 5


def test_wrong_codes_are_throttled_for_admins(client: Client, make_user) -> None:
    _user, device = admin_user(make_user)
    client.post(LOGIN + "?next=/admin/", {"username": "quan.tri", "password": PASSWORD})
    wrong = "000000" if current_code(device) != "000000" else "111111"
    for _ in range(5):
        client.post(SECOND, {"token": wrong})

    response = client.post(SECOND, {"token": current_code(device)})

    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.login_failed", object_label="quan.tri").count() == 5


def test_a_signed_in_user_the_admin_refuses_gets_a_404_not_a_login_form(client: Client, make_user) -> None:
    client.force_login(make_user(username="hoc.vien"))

    assert client.get("/admin/", follow=True).status_code == 404
    assert client.get(ADMIN_LOGIN).status_code == 404
    assert client.session["_auth_user_id"]  # still signed in to the product


def test_an_admin_session_without_the_second_factor_must_sign_in_again(client: Client, make_user) -> None:
    user, _device = admin_user(make_user)
    client.force_login(user, second_factor=False)  # a session that never passed the second factor

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1] == (LOGIN + "?next=/admin/", 302)
    assert "_auth_user_id" not in client.session
