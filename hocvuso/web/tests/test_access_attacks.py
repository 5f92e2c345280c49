"""Attacks on access, from the attacker's side: what they try, what they must not get, and that nothing changed.

- A commune officer of C2 asks, by id or code, for C1's resident, household, organisation, membership, import
  job and target, by every page and service that takes one.
- An officer whose only way to someone was an organisation membership that has ended.
- A learner who is made a commune officer while signed in without a second factor.
"""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role
from hocvuso.accounts.tests.factories import PASSWORD
from hocvuso.core.errors import NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.models import Indicator, Target
from hocvuso.indicators.services import set_target
from hocvuso.people.import_models import ImportJob
from hocvuso.people.imports.services import submit_roster_import
from hocvuso.people.models import Membership, Resident
from hocvuso.people.services import add_membership, end_membership, register_household, register_resident
from hocvuso.people.tests.factories import OrganisationFactory, national_id_for

from .conftest import sign_in_staff

BIRTH = datetime.date(1990, 9, 5)
NATIONAL_ID = national_id_for(BIRTH, "F", serial=4321)


@pytest.fixture
def c1(territory):
    """C1's things: a household with a resident (ID and phone), a school with that resident as staff, a roster
    import job into C1, and C1's own target."""
    household = register_household(village=territory.village, actor=None, code="HO-C1")
    resident = register_resident(
        full_name="Nguyễn Thị Đào",
        birth_date=BIRTH,
        sex="F",
        ethnicity="Kinh",
        household=household,
        national_id=NATIONAL_ID,
        phone="0912345678",
        actor=None,
    )
    school = OrganisationFactory(code="THPT-C1", name="Trường THPT Quảng Khê", kind="school", unit=territory.commune)
    membership = add_membership(
        resident=resident, organisation=school, kind="staff", valid_from=datetime.date(2020, 1, 1), actor=None
    )
    job = submit_roster_import(
        user=None,
        kind="residents",
        file_name="ds.csv",
        data=b"ho_ten\nA\n",
        unit=territory.commune,
        dry_run=True,
        enqueue=False,
    )
    indicator = Indicator.objects.filter(code="adults-digital-skills").get()
    target = set_target(indicator=indicator, year=2026, value=70, actor=None, unit=territory.commune)
    return {
        "household": household,
        "resident": resident,
        "school": school,
        "membership": membership,
        "job": job,
        "indicator": indicator,
        "target": target,
    }


def staff_living_in_c2(territory, c1) -> tuple[Resident, Membership]:
    """Trần Văn Bình, who lives in C2 and is staff of C1's school (a membership in force)."""
    resident = register_resident(
        full_name="Trần Văn Bình",
        birth_date=BIRTH,
        sex="M",
        ethnicity="Kinh",
        village=territory.other_village,
        national_id=national_id_for(BIRTH, "M", serial=777),
        actor=None,
    )
    membership = add_membership(
        resident=resident, organisation=c1["school"], kind="staff", valid_from=datetime.date(2020, 1, 1), actor=None
    )
    return resident, membership


def snapshot() -> tuple:
    """What an attack must leave as it was."""
    return (
        list(Resident.objects.order_by("pk").values_list("full_name", "village_id", "household_id", "user_id")),
        list(Membership.objects.order_by("pk").values_list("organisation_id", "kind", "valid_to")),
        list(Target.objects.order_by("pk").values_list("unit_id", "organisation_id", "year", "value")),
        ImportJob.objects.count(),
        AuditEntry.objects.count(),
    )


def test_an_officer_of_c2_gets_nothing_of_c1_by_id_or_code(client: Client, territory, make_user, c1) -> None:
    attacker = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    client.force_login(attacker)
    resident, job, school = c1["resident"], c1["job"], c1["school"]
    before = snapshot()
    gets = [
        f"/nguoi-dan/{resident.pk}/",
        f"/nguoi-dan/{resident.pk}/sua/",
        f"/nguoi-dan/{resident.pk}/danh-tinh-so/",
        "/ho/HO-C1/",
        f"/nhap-danh-sach/{job.pk}/",
        f"/nhap-danh-sach/{job.pk}/tien-do/",
        f"/nhap-danh-sach/{job.pk}/bao-cao-loi.xlsx",
        f"/theo-doi/co-quan/{school.code}/",
        f"/theo-doi/co-quan/{school.code}/xuat.xlsx",
        f"/nguoi-dan/?chua_dat=staff-digital-skills&to_chuc={school.code}",
        "/theo-doi/don-vi/24631/",
        "/theo-doi/chi-tieu/24631/",
        "/don-vi/24631/",
    ]
    posts = [
        (f"/nguoi-dan/{resident.pk}/so-dinh-danh/", {}),
        (f"/nguoi-dan/{resident.pk}/sua/", {"full_name": "Kẻ Gian", "birth_date": "1990-09-05", "sex": "F"}),
        (f"/nguoi-dan/{resident.pk}/danh-tinh-so/", {"vneid_level": "2", "source": "visit", "on": "2026-01-02"}),
        (f"/nhap-danh-sach/{job.pk}/xac-nhan/", {}),
        ("/theo-doi/chi-tieu/24631/", {"indicator": "adults-digital-skills", "year": "2026", "value": "1"}),
    ]

    for url in gets:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Đào" not in response.content.decode(errors="replace"), url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert "Đào" not in client.get("/nguoi-dan/", {"q": "nguyen thi dao"}).content.decode()
    assert "Đào" not in client.get("/nguoi-dan/", {"q": "HO-C1"}).content.decode()
    assert snapshot() == before
    # A search by full ID finds nobody outside the scope, and is itself written to the audit log.
    assert "Đào" not in client.get("/nguoi-dan/", {"q": NATIONAL_ID}).content.decode()
    search = AuditEntry.objects.filter(action="people.search_national_id").get()
    assert (search.actor, search.object_id, search.details) == (attacker, "", {"found": False})


def test_an_officer_of_c2_cannot_change_c1_through_the_services(territory, make_user, c1) -> None:
    from hocvuso.people.services import correct_resident, link_user_account, record_digital_identity

    attacker = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    resident = c1["resident"]
    before = snapshot()
    attempts = [
        lambda: end_membership(membership=c1["membership"], valid_to=datetime.date(2026, 1, 1), actor=attacker),
        lambda: add_membership(
            resident=resident, organisation=c1["school"], kind="student", valid_from=BIRTH, actor=attacker
        ),
        lambda: set_target(indicator=c1["indicator"], year=2026, value=1, actor=attacker, unit=territory.commune),
        lambda: set_target(indicator=c1["indicator"], year=2026, value=1, actor=attacker, organisation=c1["school"]),
        lambda: set_target(indicator=c1["indicator"], year=2026, value=1, actor=attacker),  # the province default
        lambda: correct_resident(resident=resident, changes={"full_name": "Kẻ Gian"}, actor=attacker),
        lambda: record_digital_identity(
            resident=resident, vneid_level=2, has_bank_account=None, source="visit", on=BIRTH, actor=attacker
        ),
        lambda: link_user_account(resident=resident, user=attacker, actor=attacker),
        lambda: submit_roster_import(
            user=attacker,
            kind="staff",
            file_name="ds.csv",
            data=b"ho_ten\nA\n",
            unit=territory.commune,
            organisation=c1["school"],
            dry_run=True,
            enqueue=False,
        ),
    ]
    for number, attempt in enumerate(attempts):
        with pytest.raises(NotFound):
            attempt()
        assert snapshot() == before, number
    assert Target.objects.get(pk=c1["target"].pk).value == Decimal(70)


def test_a_unit_no_longer_in_force_takes_no_target(territory, province_admin, c1) -> None:
    from hocvuso.core.errors import DomainError

    territory.village_b.valid_to = datetime.date(2025, 12, 31)
    territory.village_b.save()

    with pytest.raises(DomainError) as refused:
        set_target(indicator=c1["indicator"], year=2026, value=50, actor=province_admin, unit=territory.village_b)

    assert refused.value.code == "unit_ended"
    assert not Target.objects.filter(unit=territory.village_b).exists()


def test_an_ended_membership_opens_nothing_to_the_organisations_commune(
    client: Client, territory, make_user, c1
) -> None:
    """A resident of C2 was staff of C1's school until last year: C1's officer no longer reaches them at all."""
    stranger, membership = staff_living_in_c2(territory, c1)
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.commune))
    assert client.get(f"/nguoi-dan/{stranger.pk}/").status_code == 200  # while the membership is in force
    end_membership(membership=membership, valid_to=datetime.date(2025, 12, 31), actor=None)
    before = AuditEntry.objects.count()

    assert client.get(f"/nguoi-dan/{stranger.pk}/").status_code == 404
    assert client.post(f"/nguoi-dan/{stranger.pk}/so-dinh-danh/").status_code == 404
    assert "Trần Văn Bình" not in client.get("/nguoi-dan/", {"q": "tran van binh"}).content.decode()
    listing = client.get("/nguoi-dan/", {"chua_dat": "staff-digital-skills", "to_chuc": c1["school"].code})
    assert "Trần Văn Bình" not in listing.content.decode()
    assert AuditEntry.objects.count() == before


def test_a_member_living_elsewhere_is_listed_without_where_they_live(client: Client, territory, make_user, c1) -> None:
    staff_living_in_c2(territory, c1)
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.commune))

    body = client.get("/nguoi-dan/", {"chua_dat": "staff-digital-skills", "to_chuc": c1["school"].code}).content
    text = body.decode()

    assert "Trần Văn Bình" in text and "Nguyễn Thị Đào" in text
    assert "Thôn 3" not in text and "Xã Nhân Cơ" not in text  # where the member lives
    assert "Thôn 1" in text and "HO-C1" in text  # the commune's own resident, in full


def test_a_learner_made_an_officer_mid_session_gets_nothing_until_the_second_factor(
    client: Client, territory, make_user, province_admin, c1
) -> None:
    learner = make_user(Role.LEARNER)
    response = client.post("/tai-khoan/dang-nhap/", {"username": learner.username, "password": PASSWORD})
    assert response.status_code == 302 and "xac-thuc" not in response["Location"]  # learners need no code
    resident = c1["resident"]

    assign_role(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, assigned_by=province_admin)
    before = snapshot()

    # The password-only session ends with the change of roles: every page sends them to sign in, with the code.
    for url in [f"/nguoi-dan/{resident.pk}/", "/nguoi-dan/", "/ho/HO-C1/", "/don-vi/24631/", "/theo-doi/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/"), url
    assert client.post(f"/nguoi-dan/{resident.pk}/so-dinh-danh/").status_code == 302
    assert client.get("/api/v1/units/", HTTP_ACCEPT="application/json").status_code == 401
    assert snapshot() == before

    sign_in_staff(client, learner)
    assert client.get(f"/nguoi-dan/{resident.pk}/").status_code == 200


def test_a_session_without_the_second_factor_that_outlives_a_promotion_holds_no_staff_permission(
    client: Client, territory, make_user, c1
) -> None:
    """The second line behind the session's end: were a password-only session of a member of staff to go on (here
    one made without `complete_sign_in`), access still counts none of their staff roles."""
    promoted = make_user(Role.COMMUNE_OFFICER, territory.commune)
    client.force_login(promoted, second_factor=False)
    resident = c1["resident"]
    before = snapshot()

    for url in [f"/nguoi-dan/{resident.pk}/", "/nguoi-dan/", "/ho/HO-C1/", "/don-vi/24631/", "/theo-doi/"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/nguoi-dan/{resident.pk}/so-dinh-danh/").status_code == 404
    assert client.get("/api/v1/units/", HTTP_ACCEPT="application/json").status_code == 404
    assert client.get("/api/v1/me/").json()["permissions"] == []
    assert "đăng xuất rồi đăng nhập lại" in client.get("/").content.decode()
    assert snapshot() == before
