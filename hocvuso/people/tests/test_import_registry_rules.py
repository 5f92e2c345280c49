"""Registry rules of the roster import (issue 9, holes 1/6 of issue 8): households are numbered per village, moves
are shown and keep heads consistent, a roster row must be the registered person, a roster is the organisation's
full list on its day, and an import never reaches anyone outside the importer's area — from the attacker's side."""

import datetime
from typing import Any

import pytest
from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.core.crypto import lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry
from hocvuso.people.import_models import ImportStatus
from hocvuso.people.imports.registry import OUTSIDE_SCOPE, THROTTLED
from hocvuso.people.imports.services import confirm_roster_import, run_roster_import, submit_roster_import
from hocvuso.people.models import Household, Membership, OrganisationKind, Resident
from hocvuso.people.services import register_resident
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.people.tests.import_files import (
    ROSTER_HEADER,
    csv_bytes,
    national_id,
    problems_of,
    resident,
    roster_member,
    run_import,
    snapshot,
)

TRANSFER_MESSAGE = (
    "Số định danh này không thuộc những người bạn quản lý, nên tệp không thể gắn, chuyển hay cập nhật người này. "
    "Nếu người này đã chuyển đến địa bàn hoặc làm việc, học tập ở đơn vị của bạn, hãy gửi yêu cầu chuyển tại trang "
    "“Yêu cầu chuyển” (/nguoi-dan/yeu-cau-chuyen/moi/): cấp xã nơi người đó đang cư trú hoặc cấp tỉnh sẽ duyệt."
)
THIS_YEAR = datetime.date.today().year


def by_id(number: str) -> Resident:
    return Resident.objects.select_related("household", "village").get(national_id_hash=lookup_hash(number))


def households() -> list[tuple[str, str, str | None, list[str]]]:
    """Every household: (village code, household code, head's name, members' names)."""
    return [
        (
            household.village.code,
            household.code,
            household.head.full_name if household.head else None,
            sorted(household.members.values_list("full_name", flat=True)),
        )
        for household in Household.objects.select_related("village", "head").order_by("village__code", "code")
    ]


def village_rows(village: str, first_serial: int, names: list[str]) -> list[list[Any]]:
    """Households "1", "2", … of a village, numbered from 1 as officers do, one head and one child each."""
    rows = []
    for number, name in enumerate(names, start=1):
        serial = first_serial + 2 * number
        rows.append(resident(serial, name=name, household=str(number), village=village))
        rows.append(
            resident(
                serial + 1,
                name=f"Con {name}",
                household=str(number),
                village=village,
                relation="Con",
                birth=datetime.date(2010, 1, 1),
            )
        )
    return rows


# --- 1. households per village -----------------------------------------------------------------------------


def test_a_second_village_numbered_from_one_gets_its_own_households(territory: Any) -> None:
    thon_1 = village_rows("24631.001", 100, ["Lò Văn Một", "Lò Văn Hai"])
    thon_2 = village_rows("24631.002", 200, ["Hà Thị Ba", "Hà Thị Bốn"])
    run_import(csv_bytes(thon_1), unit=territory.commune)
    before = households()

    job = run_import(csv_bytes(thon_2), unit=territory.commune)

    assert (job.status, job.created_count, job.households_created, job.households_updated) == (
        ImportStatus.DONE,
        4,
        2,
        0,
    )
    assert (job.residents_moved, job.heads_cleared) == (0, 0)
    assert households() == [
        *before,
        ("24631.002", "1", "Hà Thị Ba", ["Con Hà Thị Ba", "Hà Thị Ba"]),
        ("24631.002", "2", "Hà Thị Bốn", ["Con Hà Thị Bốn", "Hà Thị Bốn"]),
    ]
    assert before == [
        ("24631.001", "1", "Lò Văn Một", ["Con Lò Văn Một", "Lò Văn Một"]),
        ("24631.001", "2", "Lò Văn Hai", ["Con Lò Văn Hai", "Lò Văn Hai"]),
    ]


def test_one_file_may_number_each_village_from_one(territory: Any) -> None:
    rows = village_rows("24631.001", 100, ["Lò Văn Một"]) + village_rows("24631.002", 200, ["Hà Thị Ba"])

    job = run_import(csv_bytes(rows), unit=territory.commune)

    assert (job.status, job.households_created) == (ImportStatus.DONE, 2)
    assert households() == [
        ("24631.001", "1", "Lò Văn Một", ["Con Lò Văn Một", "Lò Văn Một"]),
        ("24631.002", "1", "Hà Thị Ba", ["Con Hà Thị Ba", "Hà Thị Ba"]),
    ]


def test_the_database_refuses_a_household_code_twice_in_a_village(territory: Any) -> None:
    from django.db import IntegrityError, transaction

    Household.objects.create(code="7", village=territory.village)
    Household.objects.create(code="7", village=territory.village_b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(code="7", village=territory.village)


def test_a_resident_listed_in_another_village_is_a_move_the_dry_run_shows(territory: Any) -> None:
    thon_1 = village_rows("24631.001", 100, ["Lò Văn Một"])
    run_import(csv_bytes(thon_1), unit=territory.commune)
    moving = list(thon_1[1])
    moving[6], moving[7], moving[8] = "5", "Chủ hộ", "24631.002"  # the child now heads household 5 of Thôn 2

    check = run_import(csv_bytes([moving]), unit=territory.commune, dry_run=True)

    assert (check.status, check.residents_moved, check.updated_count, check.heads_cleared) == (
        ImportStatus.DONE,
        1,
        1,
        0,
    )
    assert check.changes == {"moves": [{"row": 2, "name": "Con Lò Văn Một", "from": "Thôn 1", "to": "Bon Bu Đăng"}]}
    assert by_id(moving[1]).village == territory.village  # nothing written by the dry run

    job = run_roster_import(job_id=confirm_roster_import(user=None, job=check, enqueue=False).pk)

    assert (job.status, job.residents_moved) == (ImportStatus.DONE, 1)
    assert households() == [
        ("24631.001", "1", "Lò Văn Một", ["Lò Văn Một"]),
        ("24631.002", "5", "Con Lò Văn Một", ["Con Lò Văn Một"]),
    ]


# --- 2. re-coded households ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dry_run_first", [False, True])
def test_the_same_people_under_new_codes_leave_no_household_naming_a_head_who_lives_elsewhere(
    territory: Any, dry_run_first: bool
) -> None:
    old = [
        resident(1, name="Nguyễn Văn Hùng", household="HO-1"),
        resident(2, name="Trần Thị Mai", household="HO-1", relation="Vợ"),
        resident(3, name="Lê Văn Cường", household="HO-2"),
    ]
    run_import(csv_bytes(old), unit=territory.commune)
    recoded = [list(row) for row in old]
    recoded[0][6] = recoded[1][6] = "NEW-1"
    recoded[2][6] = "NEW-2"

    if dry_run_first:
        check = run_import(csv_bytes(recoded), unit=territory.commune, dry_run=True)
        assert (check.heads_cleared, check.households_created, check.residents_moved) == (2, 2, 0)
        assert check.changes == {"heads_cleared": ["HO-1", "HO-2"]}
        job = run_roster_import(job_id=confirm_roster_import(user=None, job=check, enqueue=False).pk)
    else:
        job = run_import(csv_bytes(recoded), unit=territory.commune)

    assert (job.status, job.heads_cleared, job.updated_count) == (ImportStatus.DONE, 2, 3)
    assert households() == [
        ("24631.001", "HO-1", None, []),
        ("24631.001", "HO-2", None, []),
        ("24631.001", "NEW-1", "Nguyễn Văn Hùng", ["Nguyễn Văn Hùng", "Trần Thị Mai"]),
        ("24631.001", "NEW-2", "Lê Văn Cường", ["Lê Văn Cường"]),
    ]


def test_a_household_given_a_new_head_by_the_file_keeps_it_when_the_old_head_moves_out(territory: Any) -> None:
    run_import(
        csv_bytes(
            [
                resident(1, name="Nguyễn Văn Hùng", household="HO-1"),
                resident(2, name="Trần Thị Mai", household="HO-1", relation="Vợ"),
            ]
        ),
        unit=territory.commune,
    )
    rows = [
        resident(1, name="Nguyễn Văn Hùng", household="HO-9"),
        resident(2, name="Trần Thị Mai", household="HO-1"),  # now the head of HO-1
    ]

    job = run_import(csv_bytes(rows), unit=territory.commune)

    assert job.heads_cleared == 0
    assert households() == [
        ("24631.001", "HO-1", "Trần Thị Mai", ["Trần Thị Mai"]),
        ("24631.001", "HO-9", "Nguyễn Văn Hùng", ["Nguyễn Văn Hùng"]),
    ]


# --- 3. a roster row must be the registered person ----------------------------------------------------------


@pytest.fixture
def agency(territory: Any) -> Any:
    return OrganisationFactory(code="SNV", name="Sở Nội vụ", kind=OrganisationKind.STATE_AGENCY, unit=territory.commune)


def registered_hung(territory: Any) -> list[Any]:
    row = resident(1, name="Nguyễn Văn Hùng", sex="M", birth=datetime.date(1975, 4, 30), household="HO-1")
    run_import(csv_bytes([row]), unit=territory.commune)
    return row


def test_a_roster_row_matches_the_registered_name_whatever_its_diacritics_case_and_spaces(
    territory: Any, agency: Any
) -> None:
    hung = registered_hung(territory)
    row = roster_member(0, national=hung[1], name="  NGUYEN   van hùng ", birth=datetime.date(1975, 4, 30))

    job = run_import(csv_bytes([row], header=ROSTER_HEADER), unit=territory.commune, kind="staff", organisation=agency)

    assert (job.status, job.created_count, job.residents_created) == (ImportStatus.DONE, 1, 0)
    assert by_id(hung[1]).full_name == "Nguyễn Văn Hùng"  # the registry's spelling is kept


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"name": "Trần Văn Mạnh"}, "Họ và tên"),
        ({"name": "Nguyễn Văn Hùng", "birth": datetime.date(1975, 4, 3)}, "Ngày sinh"),
        ({"name": "Nguyễn Văn Hưng", "birth": datetime.date(1975, 3, 30)}, "Ngày sinh"),
    ],
)
def test_a_roster_row_whose_id_is_someone_elses_is_refused_naming_both(
    territory: Any, agency: Any, changes: dict[str, Any], column: str
) -> None:
    hung = registered_hung(territory)
    values = {"name": "Nguyễn Văn Hùng", "birth": datetime.date(1975, 4, 30), "sex": "M", **changes}
    row = roster_member(0, national=hung[1], **values)
    before = snapshot()

    job = run_import(csv_bytes([row], header=ROSTER_HEADER), unit=territory.commune, kind="staff", organisation=agency)

    sex = "nữ" if values["sex"] == "F" else "nam"
    assert problems_of(job) == [
        (
            2,
            column,
            f"Số định danh này đã đăng ký cho “Nguyễn Văn Hùng” (sinh 30/04/1975, nam), không phải "
            f"“{values['name']}” (sinh {values['birth']:%d/%m/%Y}, {sex}) như ghi trong tệp. Hãy kiểm tra lại số "
            "định danh; nếu thông tin trong sổ dân cư sai, hãy đề nghị nơi người đó cư trú sửa.",
        )
    ]
    assert snapshot() == before


# --- 4. a roster is the organisation's full list --------------------------------------------------------------


def staff(serial: int, name: str, position: str) -> list[Any]:
    return roster_member(
        serial, name=name, position=position, birth=datetime.date(1980, 1, 12 + serial)
    )  # day > 12: one reading


def test_people_missing_from_an_updated_roster_leave_as_of_its_day_after_the_officer_confirms(
    territory: Any, agency: Any, make_user: Any
) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    first = [staff(1, "Lò Văn An", "Giám đốc"), staff(2, "Lò Văn Bình", "Chuyên viên"), staff(3, "Lò Văn Chi", "")]
    day_one = datetime.date(THIS_YEAR - 1, 1, 1)
    run_roster(officer, territory, agency, first, as_of=day_one)
    assert sorted(Membership.objects.values_list("resident__full_name", "position", "valid_from", "valid_to")) == [
        ("Lò Văn An", "Giám đốc", day_one, None),
        ("Lò Văn Bình", "Chuyên viên", day_one, None),
        ("Lò Văn Chi", "", day_one, None),
    ]
    day_two = datetime.date(THIS_YEAR - 1, 7, 1)
    second = [staff(1, "Lò Văn An", "Phó Giám đốc"), staff(3, "Lò Văn Chi", ""), staff(4, "Lò Thị Dung", "Kế toán")]

    check = submit_and_run(officer, territory, agency, second, as_of=day_two, dry_run=True)

    assert (check.status, check.created_count, check.updated_count, check.unchanged_count) == (
        ImportStatus.DONE,
        1,
        1,
        1,
    )
    assert (check.memberships_ended, check.residents_created) == (1, 1)
    assert check.changes == {"ended": [{"name": "Lò Văn Bình", "position": "Chuyên viên"}]}
    assert Membership.objects.filter(valid_to__isnull=False).count() == 0  # the dry run wrote nothing

    job = run_roster_import(job_id=confirm_roster_import(user=officer, job=check, enqueue=False).pk)

    assert (job.status, job.memberships_ended, job.as_of) == (ImportStatus.DONE, 1, day_two)
    assert sorted(Membership.objects.values_list("resident__full_name", "position", "valid_from", "valid_to")) == [
        ("Lò Thị Dung", "Kế toán", day_two, None),
        ("Lò Văn An", "Phó Giám đốc", day_one, None),
        ("Lò Văn Bình", "Chuyên viên", day_one, day_two - datetime.timedelta(days=1)),
        ("Lò Văn Chi", "", day_one, None),
    ]
    ended = Membership.objects.get(resident__full_name="Lò Văn Bình")
    audit = AuditEntry.objects.get(action="people.import_roster.imported", actor=officer, object_id=str(job.pk))
    assert audit.details["memberships_ended"] == 1
    assert audit.details["ended_memberships"] == [ended.pk]
    assert audit.details["as_of"] == day_two.isoformat()


def test_a_roster_leaves_alone_memberships_newer_than_its_day_and_other_kinds(territory: Any, make_user: Any) -> None:
    school = OrganisationFactory(code="THPT", name="Trường THPT", kind=OrganisationKind.SCHOOL, unit=territory.commune)
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    run_roster(officer, territory, school, [staff(1, "Lò Văn An", "")], as_of=datetime.date(THIS_YEAR - 1, 9, 1))
    run_roster(
        officer,
        territory,
        school,
        [staff(2, "Lò Thị Em", "")],
        as_of=datetime.date(THIS_YEAR - 1, 9, 1),
        kind="students",
    )
    # An older roster (as of June) that does not list An, who joined in September, ends nobody.
    job = run_roster(
        officer, territory, school, [staff(3, "Lò Văn Giang", "")], as_of=datetime.date(THIS_YEAR - 1, 6, 1)
    )

    assert (job.status, job.memberships_ended) == (ImportStatus.DONE, 0)
    assert Membership.objects.filter(valid_to__isnull=False).count() == 0


def test_a_roster_dated_in_the_future_is_refused(territory: Any, agency: Any) -> None:
    with pytest.raises(DomainError) as refused:
        submit_roster_import(
            user=None,
            kind="staff",
            file_name="ds.csv",
            data=csv_bytes([staff(1, "Lò Văn An", "")], header=ROSTER_HEADER),
            unit=territory.commune,
            organisation=agency,
            dry_run=True,
            enqueue=False,
            as_of=datetime.date.today() + datetime.timedelta(days=1),
        )
    assert refused.value.code == "as_of_future"


def submit_and_run(
    user: Any,
    territory: Any,
    organisation: Any,
    rows: list[list[Any]],
    *,
    as_of: datetime.date,
    dry_run: bool,
    kind: str = "staff",
) -> Any:
    job = submit_roster_import(
        user=user,
        kind=kind,
        file_name="ds.csv",
        data=csv_bytes(rows, header=ROSTER_HEADER),
        unit=territory.commune,
        organisation=organisation,
        dry_run=dry_run,
        enqueue=False,
        as_of=as_of,
    )
    return run_roster_import(job_id=job.pk)


def run_roster(
    user: Any, territory: Any, organisation: Any, rows: list[list[Any]], *, as_of: datetime.date, kind: str = "staff"
) -> Any:
    job = submit_and_run(user, territory, organisation, rows, as_of=as_of, dry_run=False, kind=kind)
    assert job.status == ImportStatus.DONE, problems_of(job)
    return job


# --- 5. hole 1: never outside the importer's area, and no free oracle -----------------------------------------


@pytest.fixture
def stranger(territory: Any) -> Resident:
    """Đinh Thị Lan, registered in C2 (another commune of the province)."""
    return register_resident(
        full_name="Đinh Thị Lan",
        birth_date=datetime.date(1985, 3, 14),
        sex="F",
        ethnicity="Kinh",
        village=territory.other_village,
        national_id=national_id(datetime.date(1985, 3, 14), "F", 555),
        actor=None,
    )


def lan_row(serial: int = 555) -> list[Any]:
    return roster_member(serial, name="Đinh Thị Lan", sex="F", birth=datetime.date(1985, 3, 14))


def outcome(job: Any) -> tuple[Any, ...]:
    return (
        job.status,
        job.message,
        job.created_count,
        job.updated_count,
        job.unchanged_count,
        job.residents_created,
        job.memberships_ended,
        job.changes,
        problems_of(job),
    )


def test_the_dry_run_answers_the_same_for_an_id_registered_elsewhere_and_one_never_registered(
    territory: Any, agency: Any, make_user: Any, stranger: Resident
) -> None:
    attacker = make_user(Role.COMMUNE_OFFICER, territory.commune)
    today = datetime.date.today()

    registered_elsewhere = submit_and_run(attacker, territory, agency, [lan_row()], as_of=today, dry_run=True)
    never_registered = submit_and_run(attacker, territory, agency, [lan_row(556)], as_of=today, dry_run=True)

    assert outcome(registered_elsewhere) == outcome(never_registered)
    assert (registered_elsewhere.status, registered_elsewhere.residents_created) == (ImportStatus.DONE, 1)
    assert "Đinh Thị Lan" not in str(registered_elsewhere.changes)
    assert not AuditEntry.objects.filter(action=OUTSIDE_SCOPE).exists()


def test_an_officer_cannot_attach_a_resident_of_another_commune_through_a_roster(
    client: Client, territory: Any, agency: Any, make_user: Any, stranger: Resident
) -> None:
    attacker = make_user(Role.COMMUNE_OFFICER, territory.commune)
    before = snapshot()

    job = submit_and_run(attacker, territory, agency, [lan_row()], as_of=datetime.date.today(), dry_run=False)

    assert job.status == ImportStatus.REJECTED
    assert problems_of(job) == [(2, "Số định danh cá nhân", TRANSFER_MESSAGE)]
    assert snapshot() == before
    audit = AuditEntry.objects.get(action=OUTSIDE_SCOPE)
    assert (audit.actor, audit.details) == (attacker, {"count": 1, "rows": [2]})
    assert lan_row()[0] not in str(audit.details)  # the number itself is never written to the log
    client.force_login(attacker)
    assert client.get(f"/nguoi-dan/{stranger.pk}/").status_code == 404
    assert client.post(f"/nguoi-dan/{stranger.pk}/so-dinh-danh/").status_code == 404


def test_an_agency_officer_naming_the_whole_province_reaches_only_their_own_members(
    territory: Any, agency: Any, make_user: Any, stranger: Resident
) -> None:
    officer = make_user(Role.AGENCY_OFFICER, organisation=agency)
    before = snapshot()

    job = submit_roster_import(
        user=officer,
        kind="staff",
        file_name="ds.csv",
        data=csv_bytes([lan_row()], header=ROSTER_HEADER),
        unit=territory.province,
        organisation=agency,
        dry_run=False,
        enqueue=False,
    )
    job = run_roster_import(job_id=job.pk)

    assert problems_of(job) == [(2, "Số định danh cá nhân", TRANSFER_MESSAGE)]
    assert snapshot() == before


def test_a_member_in_force_living_elsewhere_stays_on_the_roster_and_leaves_when_it_drops_them(
    client: Client, territory: Any, agency: Any, make_user: Any, stranger: Resident
) -> None:
    """Hole 6: the organisation's officer reaches a member living elsewhere only while the membership is in force."""
    from hocvuso.people.services import add_membership

    add_membership(
        resident=stranger, organisation=agency, kind="staff", valid_from=datetime.date(2020, 1, 1), actor=None
    )
    officer = make_user(Role.AGENCY_OFFICER, organisation=agency)
    client.force_login(officer)
    page = client.get(f"/nguoi-dan/{stranger.pk}/")
    assert page.status_code == 200 and "Thôn 3" not in page.content.decode()  # seen as a member only
    assert client.post(f"/nguoi-dan/{stranger.pk}/so-dinh-danh/").status_code == 404  # never the full ID

    kept = submit_and_run(officer, territory, agency, [lan_row()], as_of=datetime.date.today(), dry_run=False)
    assert (kept.status, kept.updated_count, kept.memberships_ended) == (ImportStatus.DONE, 1, 0)  # her position
    assert Membership.objects.get(resident=stranger).position == "Chuyên viên"
    assert "Sở Nội vụ</strong> — Cán bộ, công chức, viên chức, người lao động khu vực công, Chuyên viên" in (
        client.get(f"/nguoi-dan/{stranger.pk}/").content.decode()
    )

    dropped = submit_and_run(
        officer, territory, agency, [staff(7, "Lò Văn Hải", "")], as_of=datetime.date.today(), dry_run=False
    )
    assert (dropped.status, dropped.memberships_ended) == (ImportStatus.DONE, 1)
    assert client.get(f"/nguoi-dan/{stranger.pk}/").status_code == 404
    back = [*lan_row()[:5], "Trưởng phòng", *lan_row()[6:]]  # a new file, not the one imported above
    again = submit_and_run(officer, territory, agency, [back], as_of=datetime.date.today(), dry_run=False)
    assert not again.duplicate
    assert problems_of(again) == [(2, "Số định danh cá nhân", TRANSFER_MESSAGE)]


def test_out_of_area_look_ups_are_rate_limited_and_then_answer_nothing(
    settings: Any, territory: Any, agency: Any, make_user: Any, stranger: Resident
) -> None:
    settings.IMPORT_OUTSIDE_SCOPE_LIMIT = 1
    attacker = make_user(Role.COMMUNE_OFFICER, territory.commune)
    today = datetime.date.today()
    first = submit_and_run(attacker, territory, agency, [lan_row()], as_of=today, dry_run=False)
    assert problems_of(first) == [(2, "Số định danh cá nhân", TRANSFER_MESSAGE)]
    before = snapshot()

    registered_elsewhere = submit_and_run(
        attacker, territory, agency, [lan_row(), staff(8, "A B", "")], as_of=today, dry_run=False
    )
    never_registered = submit_and_run(attacker, territory, agency, [lan_row(557)], as_of=today, dry_run=False)

    expected = (
        "Tệp có số định danh của người ngoài phạm vi bạn quản lý, và bạn đã dùng hết 1 lượt tra cứu như vậy trong 24 "
        "giờ. Tệp chưa được nhập, chưa có dữ liệu nào được ghi. Hãy bỏ những người không thuộc địa bàn, đơn vị của "
        "bạn (gửi yêu cầu chuyển cho họ) hoặc thử lại sau."
    )
    assert (registered_elsewhere.status, registered_elsewhere.message) == (ImportStatus.REJECTED, expected)
    assert (never_registered.status, never_registered.message) == (ImportStatus.REJECTED, expected)
    assert problems_of(registered_elsewhere) == problems_of(never_registered) == [(None, "", expected)]
    assert snapshot() == before
    assert AuditEntry.objects.filter(action=THROTTLED, actor=attacker).count() == 2
    # A file that reaches only the officer's own people still imports.
    hung = registered_hung(territory)
    own = roster_member(0, national=hung[1], name="Nguyễn Văn Hùng", birth=datetime.date(1975, 4, 30))
    assert submit_and_run(attacker, territory, agency, [own], as_of=today, dry_run=False).status == ImportStatus.DONE


def test_the_spool_positions_name_the_fields_of_the_named_records() -> None:
    from hocvuso.people.imports import spool

    positions = {
        "row": spool.R_ROW,
        "national_id": spool.R_ID,
        "id_hash": spool.R_HASH,
        "full_name": spool.R_NAME,
        "birth_date": spool.R_BIRTH,
        "sex": spool.R_SEX,
        "ethnicity": spool.R_ETHNICITY,
        "phone": spool.R_PHONE,
        "village_id": spool.R_VILLAGE,
    }
    resident_only = {"household_code": spool.R_HOUSEHOLD, "address": spool.R_ADDRESS, "is_head": spool.R_HEAD}
    assert spool.R_BIRTH_PRECISION == -1
    assert spool.ResidentRecord._fields[-1] == spool.RosterRecord._fields[-1] == "birth_date_precision"
    assert {name: spool.ResidentRecord._fields.index(name) for name in [*positions, *resident_only]} == {
        **positions,
        **resident_only,
    }
    assert {name: spool.RosterRecord._fields.index(name) for name in [*positions, "position"]} == {
        **positions,
        "position": spool.R_POSITION,
    }


def test_a_roster_row_with_the_year_of_birth_alone_matches_the_registered_person_of_that_year(
    territory: Any, agency: Any
) -> None:
    hung = registered_hung(territory)
    same_year = roster_member(0, national=hung[1], name="Nguyễn Văn Hùng")
    same_year[2] = "1975"
    other_year = roster_member(0, national=hung[1], name="Nguyễn Văn Hùng")
    other_year[2] = "1976"

    job = run_import(
        csv_bytes([same_year], header=ROSTER_HEADER), unit=territory.commune, kind="staff", organisation=agency
    )
    refused = run_import(
        csv_bytes([other_year], header=ROSTER_HEADER), unit=territory.commune, kind="staff", organisation=agency
    )

    assert (job.status, job.created_count, job.residents_created) == (ImportStatus.DONE, 1, 0)
    assert by_id(hung[1]).birth_date == datetime.date(1975, 4, 30)  # the registry keeps the full date
    assert refused.status == ImportStatus.REJECTED  # another year: the ID's year digits already refuse it
    assert problems_of(refused) == [
        (2, "Số định danh cá nhân", "Chữ số thứ 5–6 (75) phải là hai số cuối của năm sinh (1976).")
    ]


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    import io

    from openpyxl import Workbook

    from hocvuso.people.tests.import_files import RESIDENT_HEADER

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(RESIDENT_HEADER)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def test_a_workbook_with_one_sheet_per_village_numbering_households_from_one_keeps_them_apart(
    territory: Any,
) -> None:
    thon_1 = village_rows("24631.001", 100, ["Lò Văn Một", "Lò Văn Hai"])
    thon_2 = village_rows("24631.002", 200, ["Hà Thị Ba"])
    run_import(workbook({"Thôn 1": thon_1, "Bon Bu Đăng": thon_2}), unit=territory.commune, file_name="ds.xlsx")
    moving = list(thon_1[3])  # Con Lò Văn Hai, now in Bon Bu Đăng's household 1
    moving[8] = "24631.002"
    moving[7] = "Con"

    check = run_import(
        workbook({"Thôn 1": thon_1[:3], "Bon Bu Đăng": [*thon_2, moving]}),
        unit=territory.commune,
        dry_run=True,
        file_name="ds2.xlsx",
    )

    assert households() == [
        ("24631.001", "1", "Lò Văn Một", ["Con Lò Văn Một", "Lò Văn Một"]),
        ("24631.001", "2", "Lò Văn Hai", ["Con Lò Văn Hai", "Lò Văn Hai"]),
        ("24631.002", "1", "Hà Thị Ba", ["Con Hà Thị Ba", "Hà Thị Ba"]),
    ]
    assert (check.status, check.residents_moved) == (ImportStatus.DONE, 1)
    assert check.changes["moves"] == [{"row": 4, "name": "Con Lò Văn Hai", "from": "Thôn 1", "to": "Bon Bu Đăng"}]
