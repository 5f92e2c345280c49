"""The account pages of issue 11: an officer's account management, a class's sign-in cards, a one-time code that
forces a password of one's own, self-registration and the password reset by e-mail — the last two answering the
same whoever is registered."""

import re
from datetime import date

from django.core import mail
from django.test import Client, override_settings

from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.accounts.roles import Role
from hocvuso.core.crypto import encrypt
from hocvuso.core.models import AuditEntry
from hocvuso.people.tests.factories import ResidentFactory

from .conftest import PASSWORD, sign_in_staff

LOGIN = "/tai-khoan/dang-nhap/"
MANAGE = "/tai-khoan/quan-ly/"
SET_PASSWORD = "/tai-khoan/dat-mat-khau/"
REGISTER = "/tai-khoan/dang-ky/"
RESET = "/tai-khoan/quen-mat-khau/"


def test_an_officer_creates_a_learner_and_the_learner_must_set_a_password_first(
    client: Client, commune_officer, territory
) -> None:
    resident = ResidentFactory(village=territory.village, full_name="Hoàng Thị Mai")
    sign_in_staff(client, commune_officer)

    created = client.post(f"{MANAGE}moi/", {"resident": resident.pk, "email": ""})

    assert created.status_code == 200 and "no-cache" in created["Cache-Control"]
    code = created.context["issued"]
    assert code.plain_text in created.content.decode()
    learner = Client()
    signed = learner.post(LOGIN, {"username": code.user.username, "password": code.plain_text})
    assert signed.status_code == 302
    assert learner.get("/khoa-hoc/").url == SET_PASSWORD  # nothing else until a password of one's own
    assert learner.get(SET_PASSWORD).status_code == 200
    chosen = learner.post(SET_PASSWORD, {"password1": "mat-khau-cua-mai", "password2": "mat-khau-cua-mai"})
    assert chosen.status_code == 302
    assert learner.get("/khoa-hoc/").status_code == 200  # still signed in, free to go
    assert Client().post(LOGIN, {"username": code.user.username, "password": code.plain_text}).status_code == 200


def test_the_account_page_grants_and_ends_roles_and_the_session_of_the_account_ends(
    client: Client, commune_officer, make_user, territory
) -> None:
    learner = make_user(Role.LEARNER)
    ResidentFactory(village=territory.village, user=learner)
    theirs = Client()
    theirs.post(LOGIN, {"username": learner.username, "password": PASSWORD})
    assert theirs.get("/du-lieu-cua-toi/").status_code == 200
    sign_in_staff(client, commune_officer)
    page = f"{MANAGE}{learner.pk}/"

    granted = client.post(
        page, {"action": "grant", "role": Role.TEAM_MEMBER, "place": territory.village.code, "valid_from": "2026-01-01"}
    )
    above = client.post(
        page,
        {"action": "grant", "role": Role.PROVINCE_ADMIN, "place": territory.province.code, "valid_from": "2026-01-01"},
    )

    assert granted.status_code == 302 and above.status_code == 302
    assert list(RoleAssignment.objects.filter(user=learner).values_list("role", flat=True).order_by("pk")) == [
        Role.LEARNER,
        Role.TEAM_MEMBER,
    ]
    assert theirs.get("/du-lieu-cua-toi/").url.startswith(LOGIN)  # the session ended with the change of roles
    assignment = RoleAssignment.objects.get(user=learner, role=Role.TEAM_MEMBER)
    client.post(page, {"action": "end", "assignment": assignment.pk, "valid_to": "2026-02-01"})
    assignment.refresh_from_db()
    assert assignment.valid_to == date(2026, 2, 1)


def test_an_account_of_another_commune_is_not_found(client: Client, commune_officer, make_user, territory) -> None:
    other = make_user(Role.TEAM_MEMBER, territory.other_village)
    sign_in_staff(client, commune_officer)

    assert client.get(f"{MANAGE}{other.pk}/").status_code == 404
    assert client.post(f"{MANAGE}{other.pk}/", {"action": "deactivate"}).status_code == 404
    assert client.get(f"{MANAGE}999999/").status_code == 404
    other.refresh_from_db()
    assert other.is_active
    assert other.username not in client.get(MANAGE).content.decode()
    stranger = ResidentFactory(village=territory.other_village, full_name="Người Xã Bên")
    foreign = client.get(f"{MANAGE}moi/?nguoi-dan={stranger.pk}")
    assert foreign.status_code == 404 and "Người Xã Bên" not in foreign.content.decode()
    assert client.post(f"{MANAGE}moi/", {"resident": stranger.pk}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.user is None


def test_an_officer_locks_and_unlocks_an_account_from_its_page(client: Client, commune_officer, make_user, territory):
    learner = make_user(Role.LEARNER)
    ResidentFactory(village=territory.village, user=learner)
    sign_in_staff(client, commune_officer)
    page = f"{MANAGE}{learner.pk}/"

    assert client.post(page, {"action": "deactivate"}).status_code == 302
    locked = client.get(page).content.decode()
    assert 'value="reactivate"' in locked and 'value="deactivate"' not in locked
    assert Client().post(LOGIN, {"username": learner.username, "password": PASSWORD}).status_code == 200

    unlocked = client.post(page, {"action": "reactivate"})
    again = client.post(page, {"action": "reactivate"})  # a double submit

    assert unlocked.status_code == again.status_code == 302
    shown = client.get(page).content.decode()
    assert 'value="deactivate"' in shown and 'value="reactivate"' not in shown
    assert "Đã mở khóa tài khoản." in shown
    assert Client().post(LOGIN, {"username": learner.username, "password": PASSWORD}).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.reactivate", actor=commune_officer).count() == 1


def test_a_locked_account_of_another_commune_cannot_be_unlocked(client: Client, commune_officer, make_user, territory):
    other = make_user(Role.TEAM_MEMBER, territory.other_village)
    User.objects.filter(pk=other.pk).update(is_active=False)
    sign_in_staff(client, commune_officer)

    assert client.post(f"{MANAGE}{other.pk}/", {"action": "reactivate"}).status_code == 404
    other.refresh_from_db()
    assert not other.is_active


def test_a_class_gets_printable_sign_in_cards(client: Client, make_user, territory) -> None:
    instructor = make_user(Role.INSTRUCTOR, territory.commune)
    first = ResidentFactory(village=territory.village, full_name="A Lăng Văn")
    ResidentFactory(village=territory.other_village, full_name="Người Xã Khác")
    sign_in_staff(client, instructor)
    listed = client.get(f"/tai-khoan/lop/{territory.commune.code}/").content.decode()
    assert "A Lăng Văn" in listed and "Người Xã Khác" not in listed

    cards = client.post(f"/tai-khoan/lop/{territory.commune.code}/", {"resident": [first.pk]})

    body = cards.content.decode()
    first.refresh_from_db()
    assert cards.status_code == 200 and first.user is not None
    codes = re.findall(r"data-one-time-code>([0-9A-Z-]+)<", body)
    assert len(codes) == 1 and first.user.check_password(codes[0]) and first.user.username in body
    # the card's QR code is the learner card an instructor scans at a community class (hocvuso.outreach.classes)
    assert body.count('aria-label="Mã QR điểm danh của người học"') == 1
    assert client.get(f"/tai-khoan/lop/{territory.other_commune.code}/").status_code == 404


def registration(**changes):
    values = {
        "phone": "0912345678",
        "full_name": "Hoàng Thị Mai",
        "birth_date": "1985-04-03",
        "password1": "mat-khau-cua-mai",
        "password2": "mat-khau-cua-mai",
    }
    return values | changes


def visible_text(response) -> str:
    body = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_self_registration_answers_the_same_for_a_known_an_unknown_and_an_existing_person(territory) -> None:
    ResidentFactory(
        village=territory.village,
        full_name="Hoàng Thị Mai",
        birth_date=date(1985, 4, 3),
        phone_ciphertext=encrypt("0912345678"),
        phone_last3="678",
    )
    known = Client().post(REGISTER, registration())
    unknown = Client().post(REGISTER, registration(phone="0987654321", full_name="Người Lạ"))
    existing = Client().post(REGISTER, registration(password1="khac-hoan-toan-9", password2="khac-hoan-toan-9"))

    assert known.status_code == unknown.status_code == existing.status_code == 200
    assert visible_text(known) == visible_text(unknown) == visible_text(existing)
    assert "_auth_user_id" not in known.client.session
    assert User.objects.get(username="0912345678").check_password("mat-khau-cua-mai")


def test_password_reset_by_email_answers_the_same_and_mails_only_the_owner(make_user) -> None:
    owner = make_user(Role.LEARNER, email="mai@example.com")

    known = Client().post(RESET, {"email": "MAI@example.com"})
    unknown = Client().post(RESET, {"email": "ai-do@example.com"})

    assert known.status_code == unknown.status_code == 302 and known.url == unknown.url
    assert [message.to for message in mail.outbox] == [["mai@example.com"]]
    link = re.search(r"http://testserver(/tai-khoan/quen-mat-khau/[^/]+/[^/]+/)", mail.outbox[0].body)
    assert link is not None
    browser = Client()
    form = browser.get(link.group(1), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": "mat-khau-moi-9", "new_password2": "mat-khau-moi-9"}
    )
    assert done.status_code == 302 and "_auth_user_id" not in browser.session  # signs in through the sign-in page
    owner.refresh_from_db()
    assert owner.check_password("mat-khau-moi-9")
    assert AuditEntry.objects.filter(action="accounts.set_password", actor=owner).exists()
    assert AuditEntry.objects.filter(action="accounts.password_reset_requested").count() == 2


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_password_reset_requests_are_rate_limited(make_user) -> None:
    make_user(Role.LEARNER, email="mai@example.com")
    for _ in range(2):
        Client().post(RESET, {"email": "mai@example.com"})

    refused = Client().post(RESET, {"email": "mai@example.com"})

    assert refused.status_code == 200 and "Đăng nhập sai quá nhiều lần" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_a_new_staff_account_signs_in_with_its_code_only_through_the_second_factor(
    client: Client, commune_officer, territory
) -> None:
    sign_in_staff(client, commune_officer)
    created = client.post(
        f"{MANAGE}moi/",
        {
            "username": "to.truong",
            "full_name": "Trần Văn Tổ",
            "role": Role.TEAM_LEADER,
            "place": territory.village.code,
        },
    )
    code = created.context["issued"]
    refused = client.post(
        f"{MANAGE}moi/",
        {
            "username": "qua.quyen",
            "full_name": "Quá Quyền",
            "role": Role.PROVINCE_ADMIN,
            "place": territory.province.code,
        },
    )
    assert refused.context["issued"] is None and not User.objects.filter(username="qua.quyen").exists()

    newcomer = Client()
    step_one = newcomer.post(LOGIN, {"username": "to.truong", "password": code.plain_text})

    assert step_one.url == "/tai-khoan/xac-thuc/"  # the one-time code is a password: the second factor follows
    assert "_auth_user_id" not in newcomer.session
    second = newcomer.get("/tai-khoan/xac-thuc/")
    assert second.templates[0].name == "accounts/enrolment_code.html"
    assert AuditEntry.objects.filter(action="accounts.create_account", actor=commune_officer).count() == 1


def test_an_instructor_finds_the_class_accounts_from_the_supervision_page(client: Client, make_user, territory) -> None:
    sign_in_staff(client, make_user(Role.INSTRUCTOR, territory.commune))

    body = client.get("/giam-sat/").content.decode()

    assert f'href="/tai-khoan/lop/{territory.commune.code}/"' in body


def test_the_account_list_takes_the_same_queries_for_few_and_many_accounts(
    client: Client, commune_officer, make_user, territory, django_assert_num_queries
) -> None:
    sign_in_staff(client, commune_officer)
    make_user(Role.TEAM_MEMBER, territory.village)
    client.get(MANAGE)
    with django_assert_num_queries(7) as few:
        client.get(MANAGE)
    for _ in range(5):
        ResidentFactory(village=territory.village, user=make_user(Role.LEARNER))
        make_user(Role.TEAM_LEADER, territory.village_b)

    with django_assert_num_queries(len(few.captured_queries)):
        listed = client.get(MANAGE)
    assert listed.content.decode().count('href="/tai-khoan/quan-ly/') >= 11


def test_an_officer_confirms_a_self_registrations_match_from_the_account_list(
    client: Client, commune_officer, make_user, territory
) -> None:
    resident = ResidentFactory(
        village=territory.village,
        full_name="Hoàng Thị Mai",
        birth_date=date(1985, 4, 3),
        phone_ciphertext=encrypt("0912345678"),
        phone_last3="678",
    )
    Client().post(REGISTER, registration())
    account = User.objects.get(username="0912345678")
    elsewhere = Client()
    sign_in_staff(elsewhere, make_user(Role.COMMUNE_OFFICER, territory.other_commune))
    assert "0912345678" not in elsewhere.get(MANAGE).content.decode()
    assert elsewhere.get(f"{MANAGE}{account.pk}/").status_code == 404
    sign_in_staff(client, commune_officer)

    listed = client.get(MANAGE).content.decode()
    page = client.get(f"{MANAGE}{account.pk}/").content.decode()
    linked = client.post(f"{MANAGE}{account.pk}/", {"action": "link", "resident": resident.pk})

    assert f'href="{MANAGE}{account.pk}/"' in listed and "Hoàng Thị Mai (Thôn 1)" in page
    assert linked.status_code == 302
    resident.refresh_from_db()
    assert resident.user == account
