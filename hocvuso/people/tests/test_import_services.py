"""Roster imports that succeed: residents with households, updates by ID, dry runs, organisation rosters, the
fingerprint that imports a file once, scope refusals, the error report and the templates."""

import datetime
import io
import unicodedata
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from hocvuso.accounts.roles import Role
from hocvuso.core.crypto import decrypt, lookup_hash
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.people.import_models import ImportJob, ImportKind, ImportProblem, ImportStatus
from hocvuso.people.imports.report import build_error_report_xlsx, neutralise
from hocvuso.people.imports.services import (
    MAX_ATTEMPTS,
    confirm_roster_import,
    run_roster_import,
    submit_roster_import,
)
from hocvuso.people.imports.templates import build_template_xlsx
from hocvuso.people.models import Household, Membership, OrganisationKind, Resident
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.people.tests.import_files import (
    RESIDENT_HEADER,
    ROSTER_HEADER,
    csv_bytes,
    national_id,
    problems_of,
    resident,
    roster_member,
    run_import,
    snapshot,
    xlsx_bytes,
)


def family() -> list[list[Any]]:
    return [
        resident(1, household="HO-1", name="Nguyễn Văn Hùng", sex="M", birth=datetime.date(1975, 4, 30)),
        resident(2, household="HO-1", name="Trần Thị Mai", relation="Vợ", phone=""),
        resident(
            3, household="HO-1", name="Nguyễn Minh Khôi", sex="M", relation="Con", birth=datetime.date(2008, 1, 9)
        ),
        resident(4, household="HO-2", name="H'Hen Niê", ethnicity="Ê Đê", village="24631.002", address="Bon Bu Đăng"),
    ]


def resident_by_id(number: str) -> Resident:
    return Resident.objects.get(national_id_hash=lookup_hash(number))


def test_a_residents_file_creates_residents_and_households(territory: Any) -> None:
    rows = family()

    job = run_import(csv_bytes(rows), unit=territory.commune)

    assert (job.status, job.rows_total, job.progress, job.problem_count) == (ImportStatus.DONE, 4, 100, 0)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (4, 0, 0)
    assert (job.households_created, job.households_updated) == (2, 0)
    head = resident_by_id(rows[0][1])
    assert (head.full_name, head.name_key, head.birth_date, head.sex, head.ethnicity) == (
        "Nguyễn Văn Hùng",
        "nguyen van hung",
        datetime.date(1975, 4, 30),
        "M",
        1,
    )
    assert decrypt(head.national_id_ciphertext) == rows[0][1]
    assert head.national_id_last4 == rows[0][1][-4:]
    assert decrypt(head.phone_ciphertext) == "0912345678"
    assert head.phone_last3 == "678"
    assert head.village == territory.village
    wife = resident_by_id(rows[1][1])
    assert (wife.phone_ciphertext, wife.phone_last3) == (None, "")
    household = Household.objects.get(code="HO-1")
    assert (household.village, household.address, household.head) == (
        territory.village,
        "Số 12, đường Hùng Vương",
        head,
    )
    assert sorted(household.members.values_list("full_name", flat=True)) == [
        "Nguyễn Minh Khôi",
        "Nguyễn Văn Hùng",
        "Trần Thị Mai",
    ]
    minority = resident_by_id(rows[3][1])
    assert (minority.ethnicity, minority.village, minority.household.code) == (12, territory.village_b, "HO-2")
    entry = AuditEntry.objects.get(action="people.import_roster.imported")
    assert (entry.actor, entry.actor_label, entry.object_id) == (None, "system", str(job.pk))
    assert entry.details == {
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "residents_created": 0,
        "households_created": 2,
        "households_updated": 0,
        "residents_moved": 0,
        "heads_cleared": 0,
    }
    assert job.upload.chunks.count() == 0


def test_names_typed_in_nfd_are_stored_in_nfc(territory: Any) -> None:
    name = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    assert name != unicodedata.normalize("NFC", name)
    row = resident(5, name=name, ethnicity=unicodedata.normalize("NFD", "Mường"))

    run_import(csv_bytes([row]), unit=territory.commune)

    stored = resident_by_id(row[1])
    assert stored.full_name == "Nguyễn Thị Ánh Tuyết"
    assert unicodedata.is_normalized("NFC", stored.full_name)
    assert stored.name_key == "nguyen thi anh tuyet"
    assert stored.ethnicity == 6


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("utf-16-le", "\t")],
    ids=["utf8-comma", "utf8-bom-semicolon", "excel-unicode-text", "utf16-without-bom"],
)
def test_the_encodings_offices_send_are_read(territory: Any, encoding: str, delimiter: str) -> None:
    data = csv_bytes(family(), encoding=encoding, delimiter=delimiter)

    job = run_import(data, unit=territory.commune, file_name="danh-sach.txt")

    assert (job.status, job.created_count, problems_of(job)) == (ImportStatus.DONE, 4, [])
    assert sorted(Resident.objects.values_list("full_name", flat=True)) == [
        "H'Hen Niê",
        "Nguyễn Minh Khôi",
        "Nguyễn Văn Hùng",
        "Trần Thị Mai",
    ]


def test_an_xlsx_with_title_rows_excel_numbers_and_date_cells_is_read(territory: Any) -> None:
    rows = family()
    rows[0][1] = int(rows[0][1])  # Excel stored the ID as a number and dropped its leading zero
    rows[1][1] = float(rows[1][1])
    rows[0][3] = datetime.datetime(1975, 4, 30)  # a date cell
    rows[0][10] = 912345678  # a phone typed as a number
    rows[3][8] = None
    rows[3].append("Bon Bu Đăng")
    header = [*RESIDENT_HEADER, "Thôn, tổ dân phố"]

    job = run_import(xlsx_bytes(rows, header=header, title_rows=3), unit=territory.commune, file_name="ds.xlsx")

    assert (job.status, job.created_count, problems_of(job)) == (ImportStatus.DONE, 4, [])
    head = resident_by_id(national_id(datetime.date(1975, 4, 30), "M", 1))
    assert (head.birth_date, decrypt(head.phone_ciphertext)) == (datetime.date(1975, 4, 30), "0912345678")
    assert resident_by_id(national_id(datetime.date(1990, 9, 5), "F", 4)).village == territory.village_b


def test_reimporting_an_updated_roster_updates_by_id_and_counts_unchanged_rows(territory: Any) -> None:
    rows = family()
    run_import(csv_bytes(rows), unit=territory.commune)
    rows[1][2] = "Trần Thị Mai Anh"  # name corrected
    rows[1][10] = "0987654321"  # phone added
    rows[2][6] = "HO-3"  # the son founded his own household in the other village
    rows[2][7] = "Chủ hộ"
    rows[2][8] = "24631.002"
    rows.append(resident(6, household="HO-2", name="Y Moan Êban", sex="M", relation="Chồng", village="24631.002"))

    job = run_import(csv_bytes(rows), unit=territory.commune)

    assert (job.status, job.created_count, job.updated_count, job.unchanged_count) == (ImportStatus.DONE, 1, 2, 2)
    assert (job.households_created, job.households_updated) == (1, 0)
    wife = resident_by_id(rows[1][1])
    assert (wife.full_name, wife.name_key, decrypt(wife.phone_ciphertext)) == (
        "Trần Thị Mai Anh",
        "tran thi mai anh",
        "0987654321",
    )
    son = resident_by_id(rows[2][1])
    assert (son.household.code, son.village, son.household.head) == ("HO-3", territory.village_b, son)
    assert Resident.objects.count() == 5
    assert Household.objects.count() == 3


def test_the_same_file_sent_twice_is_imported_once(territory: Any) -> None:
    data = csv_bytes(family())
    first = run_import(data, unit=territory.commune)
    before = snapshot()

    second = run_import(data, unit=territory.commune)

    assert second.duplicate is True
    assert second.pk == first.pk
    assert ImportJob.objects.count() == 1
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="people.import_roster.duplicate").count() == 1


def test_the_same_file_for_another_commune_is_another_import(territory: Any) -> None:
    data = csv_bytes(
        [resident(7, village="Thôn 3", household="HO-7")],
        header=[*RESIDENT_HEADER[:8], "Thôn, tổ dân phố", *RESIDENT_HEADER[9:]],
    )

    first = run_import(data, unit=territory.commune)
    second = run_import(data, unit=territory.other_commune)

    assert first.status == ImportStatus.REJECTED  # "Thôn 3" is not a village of Xã Quảng Khê
    assert (second.status, second.duplicate, second.created_count) == (ImportStatus.DONE, False, 1)


def test_a_rejected_file_can_be_sent_again_after_fixing(territory: Any) -> None:
    rows = family()
    rows[0][5] = "Không rõ"
    rejected = run_import(csv_bytes(rows), unit=territory.commune)
    rows[0][5] = "Kinh"

    fixed = run_import(csv_bytes(rows), unit=territory.commune)

    assert (rejected.status, fixed.status, fixed.created_count) == (ImportStatus.REJECTED, ImportStatus.DONE, 4)


def test_a_dry_run_writes_nothing_and_forecasts_the_counts_then_confirming_imports(
    territory: Any, commune_officer: Any
) -> None:
    rows = family()
    run_import(csv_bytes(rows[:2]), unit=territory.commune)
    rows[0][2] = "Nguyễn Văn Hùng Anh"
    before = snapshot()

    checked = run_import(csv_bytes(rows), unit=territory.commune, user=commune_officer, dry_run=True)

    assert (checked.status, checked.dry_run, checked.created_count, checked.updated_count, checked.unchanged_count) == (
        ImportStatus.DONE,
        True,
        2,
        1,
        1,
    )
    assert checked.households_created == 1
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="people.import_roster.checked", actor=commune_officer).count() == 1

    job = confirm_roster_import(user=commune_officer, job=checked, enqueue=False)
    job = run_roster_import(job_id=job.pk)

    assert (job.status, job.dry_run, job.created_count, job.updated_count, job.unchanged_count) == (
        ImportStatus.DONE,
        False,
        2,
        1,
        1,
    )
    assert resident_by_id(rows[0][1]).full_name == "Nguyễn Văn Hùng Anh"
    again = confirm_roster_import(user=commune_officer, job=checked, enqueue=False)
    assert (again.pk, again.duplicate) == (job.pk, True)


def test_a_dry_run_of_a_bad_file_is_rejected_with_its_problems(territory: Any) -> None:
    rows = family()
    rows[2][3] = "30/02/2008"

    job = run_import(csv_bytes(rows), unit=territory.commune, dry_run=True)

    assert job.status == ImportStatus.REJECTED
    assert problems_of(job) == [(4, "Ngày sinh", "Ngày sinh 30/02/2008 không tồn tại (ngày hoặc tháng sai).")]
    with pytest.raises(DomainError, match="Chỉ nhập được tệp đã kiểm tra thử thành công"):
        confirm_roster_import(user=None, job=job)


def test_submitting_queues_the_task_which_runs_after_commit(
    territory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = submit_roster_import(
            user=None,
            kind="residents",
            file_name="a.csv",
            data=csv_bytes(family()),
            unit=territory.commune,
            dry_run=False,
        )
        assert job.status == ImportStatus.QUEUED
        assert Resident.objects.count() == 0

    job.refresh_from_db()
    assert len(callbacks) == 1
    assert (job.status, job.attempts, job.created_count) == (ImportStatus.DONE, 1, 4)


def test_running_a_finished_job_again_changes_nothing(territory: Any) -> None:
    job = run_import(csv_bytes(family()), unit=territory.commune)
    before = snapshot()

    again = run_roster_import(job_id=job.pk)

    assert (again.status, again.attempts, again.created_count) == (ImportStatus.DONE, 1, 4)
    assert snapshot() == before


def test_a_job_left_half_way_by_a_dead_worker_is_run_again_from_a_clean_registry(territory: Any) -> None:
    job = submit_roster_import(
        user=None,
        kind="residents",
        file_name="a.csv",
        data=csv_bytes(family()),
        unit=territory.commune,
        dry_run=False,
        enqueue=False,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, attempts=1, progress=73)

    job = run_roster_import(job_id=job.pk)

    assert (job.status, job.attempts, job.created_count, job.progress) == (ImportStatus.DONE, 2, 4, 100)
    assert Resident.objects.count() == 4


def test_a_job_that_keeps_killing_its_worker_ends_as_failed(territory: Any) -> None:
    job = submit_roster_import(
        user=None,
        kind="residents",
        file_name="a.csv",
        data=csv_bytes(family()),
        unit=territory.commune,
        dry_run=False,
        enqueue=False,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, attempts=MAX_ATTEMPTS)

    job = run_roster_import(job_id=job.pk)

    assert (job.status, job.attempts) == (ImportStatus.FAILED, MAX_ATTEMPTS + 1)
    assert job.message == "Việc nhập bị dừng sau 3 lần chạy không thành công; chưa có dữ liệu nào được ghi."
    assert Resident.objects.count() == 0
    resent = run_import(csv_bytes(family()), unit=territory.commune)  # a failed job does not hold the fingerprint
    assert (resent.status, resent.created_count) == (ImportStatus.DONE, 4)


# --- organisation rosters ---------------------------------------------------------------------------------


@pytest.fixture
def agency(territory: Any) -> Any:
    return OrganisationFactory(code="SNV", name="Sở Nội vụ", kind=OrganisationKind.STATE_AGENCY, unit=territory.commune)


def test_a_staff_roster_matches_residents_by_id_creates_the_others_and_their_memberships(
    territory: Any, agency: Any
) -> None:
    residents = family()
    run_import(csv_bytes(residents), unit=territory.commune)
    known = roster_member(0, national=residents[0][1], name="Nguyễn Văn Hùng", birth=datetime.date(1975, 4, 30))
    newcomer = roster_member(8, name="Phạm Thị Dung", sex="F", birth=datetime.date(1988, 12, 1), ethnicity="Tày")
    data = csv_bytes([known, newcomer], header=ROSTER_HEADER)

    job = run_import(data, unit=territory.province, kind=ImportKind.STAFF, organisation=agency)

    assert (job.status, job.created_count, job.updated_count, job.unchanged_count, job.residents_created) == (
        ImportStatus.DONE,
        2,
        0,
        0,
        1,
    )
    assert sorted(
        Membership.objects.filter(organisation=agency).values_list("resident__full_name", "kind", "valid_to")
    ) == [("Nguyễn Văn Hùng", "staff", None), ("Phạm Thị Dung", "staff", None)]
    new = resident_by_id(newcomer[0])
    assert (new.village, new.ethnicity, new.household) == (territory.village, 2, None)

    again = run_import(
        csv_bytes([known, newcomer, roster_member(9)], header=ROSTER_HEADER),
        unit=territory.province,
        kind=ImportKind.STAFF,
        organisation=agency,
    )

    assert (again.created_count, again.unchanged_count, again.residents_created) == (1, 2, 1)
    assert Membership.objects.filter(organisation=agency).count() == 3


def test_a_roster_row_for_someone_new_needs_a_village_and_an_ethnicity(territory: Any, agency: Any) -> None:
    row = roster_member(8, ethnicity="", village="")
    before = snapshot()

    job = run_import(
        csv_bytes([row], header=ROSTER_HEADER), unit=territory.province, kind=ImportKind.STAFF, organisation=agency
    )

    assert problems_of(job) == [
        (
            2,
            "Mã thôn nơi cư trú",
            "Người này chưa có trong sổ dân cư: hãy ghi mã thôn (hoặc tên thôn) nơi người đó sống.",
        ),
        (2, "Dân tộc", "Người này chưa có trong sổ dân cư: hãy ghi dân tộc."),
    ]
    assert snapshot() == before


def test_a_students_roster_is_refused_for_an_agency(territory: Any, agency: Any) -> None:
    with pytest.raises(DomainError, match="không có danh sách loại"):
        run_import(
            csv_bytes([roster_member(1)], header=ROSTER_HEADER),
            unit=territory.province,
            kind=ImportKind.STUDENTS,
            organisation=agency,
        )


# --- scope --------------------------------------------------------------------------------------------------


def test_a_commune_officer_cannot_import_into_another_commune(territory: Any, commune_officer: Any) -> None:
    before = snapshot()
    data = csv_bytes([resident(1, village="24751.001")])

    with pytest.raises(NotFound):
        run_import(data, unit=territory.other_commune, user=commune_officer)

    assert snapshot() == before
    assert ImportJob.objects.count() == 0


def test_a_commune_officer_imports_into_their_commune(territory: Any, commune_officer: Any) -> None:
    job = run_import(csv_bytes(family()), unit=territory.commune, user=commune_officer)

    assert (job.status, job.submitted_by, job.created_count) == (ImportStatus.DONE, commune_officer, 4)
    assert AuditEntry.objects.get(action="people.import_roster.imported").actor == commune_officer


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.TEAM_LEADER, Role.INSTRUCTOR, Role.LEARNER])
def test_roles_without_the_import_permission_get_not_found(territory: Any, make_user: Any, role: str) -> None:
    user = make_user(role, None if role == Role.LEARNER else territory.commune)

    with pytest.raises(NotFound):
        run_import(csv_bytes(family()), unit=territory.commune, user=user)

    assert ImportJob.objects.count() == 0


def test_an_agency_officer_imports_only_into_their_own_organisation(
    territory: Any, agency: Any, make_user: Any
) -> None:
    officer = make_user(Role.AGENCY_OFFICER, organisation=agency)
    other = OrganisationFactory(code="SYT", kind=OrganisationKind.STATE_AGENCY, unit=territory.commune)
    data = csv_bytes([roster_member(1)], header=ROSTER_HEADER)

    with pytest.raises(NotFound):
        run_import(data, unit=territory.province, user=officer, kind=ImportKind.STAFF, organisation=other)
    with pytest.raises(NotFound):
        run_import(csv_bytes(family()), unit=territory.commune, user=officer)
    job = run_import(data, unit=territory.province, user=officer, kind=ImportKind.STAFF, organisation=agency)

    assert (job.status, job.created_count) == (ImportStatus.DONE, 1)
    assert Membership.objects.filter(organisation=other).count() == 0


def test_a_commune_officer_may_import_the_roster_of_a_school_in_their_commune(
    territory: Any, commune_officer: Any
) -> None:
    school = OrganisationFactory(code="THPT", kind=OrganisationKind.SCHOOL, unit=territory.commune)
    far_school = OrganisationFactory(code="THPT-X", kind=OrganisationKind.SCHOOL, unit=territory.other_commune)
    data = csv_bytes(
        [roster_member(1, birth=datetime.date(2009, 2, 3), position="10A1")],
        header=[*ROSTER_HEADER[:5], "Lớp", ROSTER_HEADER[6]],
    )

    job = run_import(data, unit=territory.commune, user=commune_officer, kind=ImportKind.STUDENTS, organisation=school)
    with pytest.raises(NotFound):
        run_import(
            data, unit=territory.other_commune, user=commune_officer, kind=ImportKind.STUDENTS, organisation=far_school
        )

    assert (job.status, job.created_count) == (ImportStatus.DONE, 1)
    assert Membership.objects.get().kind == "student"


# --- the error report and the templates ---------------------------------------------------------------------


def test_the_error_report_lists_every_problem_and_neutralises_formulas(territory: Any) -> None:
    rows = family()
    rows[1][2] = ""
    job = run_import(csv_bytes(rows), unit=territory.commune, file_name="=cmd|' /C calc'!A0.csv")
    ImportProblem.objects.create(job=job, row=9, column="@SUM(A1)", message="+1+cmd")

    workbook = load_workbook(io.BytesIO(build_error_report_xlsx(job)))

    values = [tuple(row) for row in workbook["Lỗi"].iter_rows(values_only=True)]
    assert values[0] == ("Tệp", "'=cmd|' /C calc'!A0.csv", None)
    assert values[1] == ("Trạng thái", "Bị từ chối", None)
    assert values[5] == ("Dòng", "Cột", "Lỗi")
    assert values[6:] == [(3, "Họ và tên", "Thiếu họ và tên."), (9, "'@SUM(A1)", "'+1+cmd")]
    assert all(cell.data_type != "f" for row in workbook["Lỗi"].iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84", "'+84"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Thôn 1", "Thôn 1"),
        (12, 12),
        (None, None),
    ],
)
def test_neutralise(value: Any, expected: Any) -> None:
    assert neutralise(value) == expected


@pytest.mark.parametrize("kind", ImportKind.values)
def test_every_kind_has_a_template_with_vietnamese_headers_and_instructions(kind: str) -> None:
    workbook = load_workbook(io.BytesIO(build_template_xlsx(kind)))

    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    headers = [cell.value for cell in workbook["Danh sách"][1]]
    assert headers[:4] == ["Số định danh cá nhân *", "Họ và tên *", "Ngày sinh *", "Giới tính *"]
    assert workbook["Danh sách"]["A2"].number_format == "@"


def test_a_filled_in_template_imports(territory: Any) -> None:
    workbook = load_workbook(io.BytesIO(build_template_xlsx(ImportKind.RESIDENTS)))
    sheet = workbook["Danh sách"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [
        "Số định danh cá nhân *",
        "Họ và tên *",
        "Ngày sinh *",
        "Giới tính *",
        "Dân tộc *",
        "Mã hộ *",
        "Quan hệ với chủ hộ",
        "Mã thôn",
        "Thôn, tổ dân phố",
        "Địa chỉ",
        "Số điện thoại",
    ]
    row = resident(1)
    values = [row[1], row[2], row[3], row[4], row[5], row[6], row[7], None, "thon 1", row[9], row[10]]
    for column, value in enumerate(values, start=1):
        sheet.cell(row=2, column=column, value=value)
    output = io.BytesIO()
    workbook.save(output)

    job = run_import(output.getvalue(), unit=territory.commune, file_name="mau.xlsx")

    assert (job.status, job.created_count, problems_of(job)) == (ImportStatus.DONE, 1, [])
    assert Resident.objects.get().village == territory.village


def test_a_submission_that_loses_the_race_after_its_check_returns_the_winning_job(
    territory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hocvuso.people.imports import services

    data = csv_bytes(family())
    winner = submit_roster_import(
        user=None, kind="residents", file_name="a.csv", data=data, unit=territory.commune, dry_run=False, enqueue=False
    )
    real_live_job = services._live_job
    calls: list[str] = []

    def checked_before_the_winner_committed(fingerprint: str) -> ImportJob | None:
        calls.append(fingerprint)
        return None if len(calls) == 1 else real_live_job(fingerprint)

    monkeypatch.setattr(services, "_live_job", checked_before_the_winner_committed)

    loser = submit_roster_import(
        user=None, kind="residents", file_name="a.csv", data=data, unit=territory.commune, dry_run=False, enqueue=False
    )

    assert (loser.pk, loser.duplicate, len(calls)) == (winner.pk, True, 2)  # the unique index refused the insert
    assert ImportJob.objects.count() == 1


def test_progress_and_job_listing_for_a_page(territory: Any, commune_officer: Any, make_user: Any) -> None:
    from hocvuso.people.imports.selectors import get_import_job, import_job_progress, import_jobs_visible_to

    job = run_import(csv_bytes(family()), unit=territory.commune, user=commune_officer)
    other_officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)

    assert list(import_jobs_visible_to(commune_officer)) == [job]
    assert list(import_jobs_visible_to(other_officer)) == []
    assert get_import_job(user=commune_officer, job_id=job.pk) == job
    with pytest.raises(NotFound):
        get_import_job(user=other_officer, job_id=job.pk)
    assert import_job_progress(job) == {
        "id": job.pk,
        "status": "done",
        "status_label": "Hoàn tất",
        "finished": True,
        "dry_run": False,
        "progress": 100,
        "rows_total": 4,
        "rows_validated": 4,
        "rows_imported": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "residents_created": 0,
        "households_created": 2,
        "households_updated": 0,
        "problems": 0,
        "message": "",
        "needs_date_order": False,
    }


def test_a_job_stuck_for_half_an_hour_no_longer_holds_its_file(territory: Any) -> None:
    data = csv_bytes(family())
    stuck = submit_roster_import(
        user=None, kind="residents", file_name="a.csv", data=data, unit=territory.commune, dry_run=False, enqueue=False
    )
    ImportJob.objects.filter(pk=stuck.pk).update(
        status=ImportStatus.IMPORTING, updated_at=timezone.now() - datetime.timedelta(minutes=31)
    )

    job = run_import(data, unit=territory.commune)

    stuck.refresh_from_db()
    assert (stuck.status, job.status, job.duplicate, job.created_count) == (
        ImportStatus.FAILED,
        ImportStatus.DONE,
        False,
        4,
    )
    assert stuck.message == (
        "Việc nhập đã dừng: không có tiến triển trong 30 phút (máy xử lý ngừng hoặc bị tắt). Chưa có dữ liệu nào "
        "được ghi. Hãy gửi lại tệp."
    )


def test_a_running_job_that_moved_recently_still_holds_its_file(territory: Any) -> None:
    data = csv_bytes(family())
    running = submit_roster_import(
        user=None, kind="residents", file_name="a.csv", data=data, unit=territory.commune, dry_run=False, enqueue=False
    )
    ImportJob.objects.filter(pk=running.pk).update(status=ImportStatus.IMPORTING)

    again = run_import(data, unit=territory.commune)

    assert (again.pk, again.duplicate) == (running.pk, True)
