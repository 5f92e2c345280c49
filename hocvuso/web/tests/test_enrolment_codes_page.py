"""The page where an administrator of an area issues enrolment codes, and signing in with one (hole 10)."""

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import EnrolmentCode
from hocvuso.accounts.roles import Role

from .conftest import PASSWORD, current_code, sign_in_staff

PAGE = "/tai-khoan/ma-kich-hoat/"
LOGIN = "/tai-khoan/dang-nhap/"
SECOND = "/tai-khoan/xac-thuc/"


def test_an_officer_issues_a_code_shown_once_and_the_volunteer_enrols_with_it(
    client: Client, make_user, territory, commune_officer
) -> None:
    volunteer = make_user(Role.TEAM_MEMBER, territory.village, username="tinh.nguyen")
    sign_in_staff(client, commune_officer)
    listed = client.get(PAGE)
    assert "tinh.nguyen" in listed.content.decode()

    issued = client.post(PAGE, {"username": "Tinh.Nguyen"})

    assert issued.status_code == 200
    assert "no-cache" in issued["Cache-Control"]
    plain = issued.context["issued"].plain_text
    assert plain in issued.content.decode()
    assert plain not in client.get(PAGE).content.decode()  # shown once
    newcomer = Client()
    newcomer.post(LOGIN, {"username": "tinh.nguyen", "password": PASSWORD})
    newcomer.post(SECOND, {"enrolment_code": plain})
    device = TOTPDevice.objects.get(user=volunteer, confirmed=False)
    newcomer.post(SECOND, {"token": current_code(device)})
    assert newcomer.session["_auth_user_id"] == str(volunteer.pk)
    assert "tinh.nguyen" not in client.get(PAGE).content.decode()  # enrolled: no longer waiting


def test_an_officer_of_another_commune_gets_the_same_answer_as_for_a_missing_account(
    client: Client, make_user, territory
) -> None:
    make_user(Role.TEAM_MEMBER, territory.village, username="tinh.nguyen")
    sign_in_staff(client, make_user(Role.COMMUNE_OFFICER, territory.other_commune))

    foreign = client.post(PAGE, {"username": "tinh.nguyen"})
    missing = client.post(PAGE, {"username": "khong.co.ai"})

    assert foreign.context["form"].errors == missing.context["form"].errors
    assert foreign.context["issued"] is None
    assert "tinh.nguyen" not in client.get(PAGE).content.decode()
    assert not EnrolmentCode.objects.exists()


def test_a_password_alone_never_shows_an_authenticator_secret(client: Client, make_user, territory) -> None:
    make_user(Role.TEAM_MEMBER, territory.village, username="tinh.nguyen")
    client.post(LOGIN, {"username": "tinh.nguyen", "password": PASSWORD})

    page = client.get(SECOND)
    token_guess = client.post(SECOND, {"token": "123456"})

    assert page.templates[0].name == "accounts/enrolment_code.html"
    for response in (page, token_guess):
        assert "<svg" not in response.content.decode()
        assert "secret" not in (response.context or {})
    assert not TOTPDevice.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_team_member_cannot_open_the_page(client: Client, make_user, territory) -> None:
    sign_in_staff(client, make_user(Role.TEAM_LEADER, territory.commune))

    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"username": "x"}).status_code == 404
