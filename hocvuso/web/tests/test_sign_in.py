import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.middleware import IS_STAFF_SESSION, SIGNED_IN_AT
from hocvuso.accounts.models import LoginFailure
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import issue_enrolment_code
from hocvuso.core.models import AuditEntry
from hocvuso.web.signin import PENDING_KEY, PENDING_SECONDS

from .conftest import PASSWORD, current_code, sign_in_staff

LOGIN = "/tai-khoan/dang-nhap/"
SECOND = "/tai-khoan/xac-thuc/"
LOGOUT = "/tai-khoan/dang-xuat/"


def test_sign_in_page_renders_the_form(client: Client, db: None) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert response.templates[0].name == "accounts/sign_in.html"
    assert 'autocomplete="username"' in response.content.decode()
    assert 'autocomplete="current-password"' in response.content.decode()


def test_learner_signs_in_with_password_only(client: Client, make_user) -> None:
    learner = make_user(Role.LEARNER, username="hoc.vien")
    client.get(LOGIN)
    key_before = client.session.session_key

    response = client.post(LOGIN, {"username": "hoc.vien", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(learner.pk)
    assert client.session[IS_STAFF_SESSION] is False
    assert SIGNED_IN_AT in client.session
    assert client.session.session_key != key_before
    assert AuditEntry.objects.filter(action="accounts.login", object_id=str(learner.pk)).count() == 1


def test_sign_in_follows_a_local_next_but_not_an_outside_one(client: Client, make_user) -> None:
    make_user(Role.LEARNER, username="hoc.vien")

    response = client.post(LOGIN + "?next=/nhat-ky/", {"username": "hoc.vien", "password": PASSWORD})
    assert response["Location"] == "/nhat-ky/"

    client.logout()
    response = client.post(LOGIN, {"username": "hoc.vien", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_password_shows_the_message_and_keeps_the_username(client: Client, make_user) -> None:
    make_user(Role.LEARNER, username="hoc.vien")

    response = client.post(LOGIN, {"username": "hoc.vien", "password": "wrong"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in body
    assert 'value="hoc.vien"' in body
    assert 'value="wrong"' not in body
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="hoc.vien").count() == 1


def test_throttled_username_is_told_to_wait_even_with_the_right_password(client: Client, make_user) -> None:
    make_user(Role.LEARNER, username="hoc.vien")
    for _ in range(5):
        client.post(LOGIN, {"username": "hoc.vien", "password": "wrong"})

    response = client.post(LOGIN, {"username": "hoc.vien", "password": PASSWORD})

    assert response.status_code == 200
    assert "Đăng nhập sai quá nhiều lần. Hãy thử lại sau" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_password_alone_does_not_sign_in(client: Client, province_admin) -> None:
    TOTPDevice.objects.create(user=province_admin, name="phone", confirmed=True)

    response = client.post(LOGIN, {"username": province_admin.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == SECOND
    assert "_auth_user_id" not in client.session
    assert client.session[PENDING_KEY]["user_id"] == province_admin.pk
    assert client.get("/nhat-ky/").status_code == 302  # still anonymous: sent to sign in


def test_staff_with_a_device_signs_in_with_the_code(client: Client, province_admin) -> None:
    device = TOTPDevice.objects.create(user=province_admin, name="phone", confirmed=True)
    client.post(LOGIN + "?next=/nhat-ky/", {"username": province_admin.username, "password": PASSWORD})

    page = client.get(SECOND)
    assert page.status_code == 200
    assert page.context["enrolling"] is False
    assert "<svg" not in page.content.decode()

    response = client.post(SECOND, {"token": current_code(device)})

    assert response.status_code == 302
    assert response["Location"] == "/nhat-ky/"
    assert client.session["_auth_user_id"] == str(province_admin.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session[IS_STAFF_SESSION] is True
    assert PENDING_KEY not in client.session
    assert client.get("/nhat-ky/").status_code == 200


def test_staff_without_a_device_enrols_with_an_enrolment_code_then_the_qr_code(
    client: Client, commune_officer, province_admin
) -> None:
    issued = issue_enrolment_code(user=commune_officer, issued_by=province_admin)
    client.post(LOGIN, {"username": commune_officer.username, "password": PASSWORD})

    first = client.get(SECOND)
    assert first.templates[0].name == "accounts/enrolment_code.html"
    assert "<svg" not in first.content.decode()
    assert client.post(SECOND, {"enrolment_code": issued.plain_text.lower()})["Location"] == SECOND
    page = client.get(SECOND)

    body = page.content.decode()
    device = TOTPDevice.objects.get(user=commune_officer, confirmed=False)
    assert page.context["enrolling"] is True
    assert '<svg role="img" aria-label="' in body
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert page.context["secret"] in body

    response = client.post(SECOND, {"token": current_code(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.session["_auth_user_id"] == str(commune_officer.pk)
    assert AuditEntry.objects.filter(action="accounts.totp_enrolled", object_id=str(commune_officer.pk)).count() == 1
    issued.code.refresh_from_db()
    assert issued.code.used_at is not None


def test_enrolment_page_shows_the_same_secret_until_confirmed(client: Client, commune_officer, province_admin) -> None:
    issued = issue_enrolment_code(user=commune_officer, issued_by=province_admin)
    client.post(LOGIN, {"username": commune_officer.username, "password": PASSWORD})
    client.post(SECOND, {"enrolment_code": issued.plain_text})

    first = client.get(SECOND).context["secret"]
    second = client.get(SECOND).context["secret"]

    assert first == second
    assert TOTPDevice.objects.filter(user=commune_officer).count() == 1


def test_wrong_code_is_refused_and_counted(client: Client, province_admin) -> None:
    device = TOTPDevice.objects.create(user=province_admin, name="phone", confirmed=True)
    client.post(LOGIN, {"username": province_admin.username, "password": PASSWORD})
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(SECOND, {"token": wrong})

    assert response.status_code == 200
    assert "Mã xác thực không đúng hoặc đã hết hạn." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username=province_admin.username).count() == 1
    assert client.session[PENDING_KEY]["user_id"] == province_admin.pk


def test_throttled_staff_cannot_finish_with_a_right_code(client: Client, province_admin) -> None:
    device = TOTPDevice.objects.create(user=province_admin, name="phone", confirmed=True)
    client.post(LOGIN, {"username": province_admin.username, "password": PASSWORD})
    for _ in range(5):
        client.post(SECOND, {"token": "000000" if current_code(device) != "000000" else "111111"})

    response = client.post(SECOND, {"token": current_code(device)})

    assert "Đăng nhập sai quá nhiều lần. Hãy thử lại sau" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_second_step_expires_after_five_minutes(client: Client, province_admin) -> None:
    device = TOTPDevice.objects.create(user=province_admin, name="phone", confirmed=True)
    client.post(LOGIN, {"username": province_admin.username, "password": PASSWORD})
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": int(time.time()) - PENDING_SECONDS - 1}
    session.save()

    response = client.post(SECOND, {"token": current_code(device)})

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    assert PENDING_KEY not in client.session


def test_second_step_without_the_first_sends_to_sign_in(client: Client, db: None) -> None:
    response = client.get(SECOND)

    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_sign_out_needs_post_and_ends_the_session(client: Client, province_admin) -> None:
    sign_in_staff(client, province_admin)

    assert client.get(LOGOUT).status_code == 405
    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_sign_in_goes_home(client: Client, make_user) -> None:
    client.force_login(make_user(Role.LEARNER))

    response = client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == "/"
