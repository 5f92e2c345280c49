"""The roster-import pages: upload (a check first), the job page with its problems, the error report, the
confirmation that imports once, the progress endpoint, templates, and hostile uploads."""

import datetime
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError
from hocvuso.people.import_models import ImportJob, ImportKind, ImportProblem, ImportStatus
from hocvuso.people.imports.services import submit_roster_import
from hocvuso.people.models import Household, Membership, OrganisationKind, Resident
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.people.tests.import_files import (
    ROSTER_HEADER,
    csv_bytes,
    resident,
    roster_member,
    snapshot,
    xlsx_bytes,
)

PAGE = "/nhap-danh-sach/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def good_rows() -> list[list]:
    return [
        resident(1, household="HO-1", name="Nguyễn Văn Hùng", sex="M", birth=datetime.date(1975, 4, 30)),
        resident(2, household="HO-1", name="Trần Thị Mai", relation="Vợ"),
        resident(3, household="HO-2", name="H'Hen Niê", ethnicity="Ê Đê", village="24631.002"),
    ]


def bad_rows() -> list[list]:
    rows = good_rows()
    rows[1][3] = "31/02/1990"  # impossible date
    rows[2][8] = "99999.999"  # unknown village
    return rows


def upload(client: Client, capture, data: bytes, name: str = "danh-sach.csv", **fields):
    """Post the upload form and run the background job the way the queue would (after the commit)."""
    content_type = XLSX if name.endswith(".xlsx") else "text/csv"
    form = {"kind": "residents", "file": SimpleUploadedFile(name, data, content_type=content_type)}
    form.update(fields)
    with capture(execute=True):
        return client.post(PAGE, form)


def job_url(job: ImportJob, suffix: str = "") -> str:
    return f"/nhap-danh-sach/{job.pk}/{suffix}"


def latest_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


@pytest.fixture
def officer_client(client: Client, commune_officer) -> Client:
    client.force_login(commune_officer)
    return client


# --- the upload page ----------------------------------------------------------------------------------------


def test_upload_page_offers_kinds_the_officers_commune_and_templates(officer_client: Client) -> None:
    response = officer_client.get(PAGE)

    body = response.content.decode()
    form = response.context["form"]
    assert response.status_code == 200
    assert [unit.code for unit in form.fields["unit"].queryset] == ["24631"]
    assert "organisation" not in form.fields
    assert 'enctype="multipart/form-data"' in body
    for kind in ImportKind.values:
        assert f'href="/nhap-danh-sach/mau/?loai={kind}"' in body
    assert "<legend>Loại danh sách</legend>" in body


def test_templates_download_as_xlsx_with_vietnamese_headers(officer_client: Client) -> None:
    response = officer_client.get("/nhap-danh-sach/mau/", {"loai": "staff"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="mau-danh-sach-staff.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "Số định danh cá nhân *"
    assert officer_client.get("/nhap-danh-sach/mau/", {"loai": "../../etc"}).status_code == 404


def test_a_file_with_errors_is_rejected_with_every_bad_row_listed(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    before = snapshot()

    response = upload(officer_client, django_capture_on_commit_callbacks, csv_bytes(bad_rows()))

    job = latest_job()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert (job.dry_run, job.status, job.problem_count) == (True, ImportStatus.REJECTED, 2)
    page = officer_client.get(job_url(job))
    body = page.content.decode()
    assert [(problem.row, problem.column) for problem in page.context["problems"]] == [
        (3, "Ngày sinh"),
        (4, "Mã thôn"),
    ]
    assert "Không có thôn mã “99999.999”" in body
    assert f'href="{job_url(job, "bao-cao-loi.xlsx")}"' in body
    assert "xac-nhan" not in body
    assert 'href="/nhap-danh-sach/?loai=residents"' in body
    assert snapshot() == before


def test_the_error_report_downloads_as_xlsx(officer_client: Client, django_capture_on_commit_callbacks) -> None:
    upload(officer_client, django_capture_on_commit_callbacks, csv_bytes(bad_rows()))
    job = latest_job()

    response = officer_client.get(job_url(job, "bao-cao-loi.xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-loi-{job.pk}.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert [row[:2] for row in rows if isinstance(row[0], int)] == [(3, "Ngày sinh"), (4, "Mã thôn")]


def test_a_valid_file_is_checked_then_imported_once_on_confirmation(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    upload(officer_client, django_capture_on_commit_callbacks, xlsx_bytes(good_rows()), name="ds.xlsx")
    check = latest_job()
    assert (check.dry_run, check.status, check.created_count) == (True, ImportStatus.DONE, 3)
    assert Resident.objects.count() == 0
    body = officer_client.get(job_url(check)).content.decode()
    assert "Đã kiểm tra, chưa nhập: 3 dòng, không có lỗi." in body
    assert "Khi nhập: 3 thêm mới, 0 cập nhật, 0 không đổi." in body
    assert f'action="{job_url(check, "xac-nhan/")}"' in body

    with django_capture_on_commit_callbacks(execute=True):
        first = officer_client.post(job_url(check, "xac-nhan/"))
    with django_capture_on_commit_callbacks(execute=True):
        second = officer_client.post(job_url(check, "xac-nhan/"))

    imported = latest_job()
    assert (imported.dry_run, imported.status) == (False, ImportStatus.DONE)
    assert first["Location"] == second["Location"] == job_url(imported)
    assert ImportJob.objects.filter(dry_run=False).count() == 1
    assert Resident.objects.count() == 3
    assert sorted(Household.objects.values_list("code", flat=True)) == ["HO-1", "HO-2"]
    done = officer_client.get(job_url(imported))
    done_body = done.content.decode()
    assert "Đã nhập 3 dòng vào sổ." in done_body
    assert "Tệp này đã được nhập (hoặc đang được nhập); không nhập lại lần nữa." in done_body
    assert re.search(r"<dt>Thêm mới</dt><dd>3</dd>", done_body)
    assert re.search(r"<dt>Hộ thêm mới</dt><dd>2</dd>", done_body)
    again = officer_client.get(job_url(check)).content.decode()
    assert "Tệp này đã được nhập." in again
    assert "xac-nhan" not in again


def test_the_same_file_sent_again_goes_to_its_import(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    data = csv_bytes(good_rows())
    upload(officer_client, django_capture_on_commit_callbacks, data)
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(job_url(latest_job(), "xac-nhan/"))
    imported = latest_job()

    response = upload(officer_client, django_capture_on_commit_callbacks, data)

    assert response["Location"] == job_url(imported)
    assert Resident.objects.count() == 3


def test_confirming_a_rejected_check_imports_nothing(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    upload(officer_client, django_capture_on_commit_callbacks, csv_bytes(bad_rows()))
    job = latest_job()

    response = officer_client.post(job_url(job, "xac-nhan/"), follow=True)

    assert "Chỉ nhập được tệp đã kiểm tra thử thành công." in response.content.decode()
    assert ImportJob.objects.filter(dry_run=False).count() == 0
    assert Resident.objects.count() == 0
    assert officer_client.get(job_url(job, "xac-nhan/")).status_code == 405


def test_problems_are_paginated(officer_client: Client, django_capture_on_commit_callbacks) -> None:
    rows = [resident(number, village="00000.000") for number in range(1, 121)]
    upload(officer_client, django_capture_on_commit_callbacks, csv_bytes(rows))
    job = latest_job()

    first = officer_client.get(job_url(job))
    last = officer_client.get(job_url(job), {"trang": "3"})
    beyond = officer_client.get(job_url(job), {"trang": "99999999999999999999"})
    junk = officer_client.get(job_url(job), {"trang": "abc"})

    assert job.problem_count == 120
    assert len(first.context["problems"].object_list) == 50
    assert [problem.row for problem in last.context["problems"].object_list] == list(range(102, 122))
    assert beyond.context["problems"].number == 3
    assert junk.context["problems"].number == 1
    assert 'href="?trang=2"' in first.content.decode()


# --- progress -------------------------------------------------------------------------------------------------


def queued_job(unit, user=None) -> ImportJob:
    return submit_roster_import(
        user=user,
        kind="residents",
        file_name="ds.csv",
        data=csv_bytes(good_rows()),
        unit=unit,
        dry_run=True,
        enqueue=False,
    )


def test_a_running_job_shows_a_progress_bar_that_refreshes_itself(officer_client: Client, territory) -> None:
    job = queued_job(territory.commune)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, progress=37)

    response = officer_client.get(job_url(job))

    body = response.content.decode()
    assert '<progress id="import-progress" class="progress" max="100" value="37">37%</progress>' in body
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in body
    assert f'data-progress-url="{job_url(job, "tien-do/")}"' in body
    assert "web/import-progress" in body
    assert "no-store" in response["Cache-Control"]


def test_the_progress_endpoint_answers_json_without_personal_data(officer_client: Client, territory) -> None:
    job = queued_job(territory.commune)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, progress=75, rows_total=3)

    response = officer_client.get(job_url(job, "tien-do/"))

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert (data["status"], data["status_label"], data["progress"], data["finished"]) == (
        "importing",
        "Đang nhập",
        75,
        False,
    )
    assert "Hùng" not in response.content.decode()


def test_a_finished_job_page_does_not_refresh(officer_client: Client, django_capture_on_commit_callbacks) -> None:
    upload(officer_client, django_capture_on_commit_callbacks, csv_bytes(good_rows()))

    body = officer_client.get(job_url(latest_job())).content.decode()

    assert "http-equiv" not in body
    assert "<progress" not in body


# --- scope ----------------------------------------------------------------------------------------------------


def test_jobs_are_seen_only_within_the_submitters_scope(client: Client, territory, make_user) -> None:
    job = queued_job(territory.commune)
    outsiders = [
        make_user(Role.COMMUNE_OFFICER, territory.other_commune),
        make_user(Role.TEAM_LEADER, territory.commune),
        make_user(Role.LEARNER),
        make_user(Role.AGENCY_OFFICER, organisation=OrganisationFactory(unit=territory.commune)),
    ]
    for suffix in ["", "tien-do/", "bao-cao-loi.xlsx"]:
        assert client.get(job_url(job, suffix)).status_code == 302
        for user in outsiders:
            client.force_login(user)
            assert client.get(job_url(job, suffix)).status_code == 404, (user, suffix)
        client.logout()
    for user in outsiders:
        client.force_login(user)
        assert client.post(job_url(job, "xac-nhan/")).status_code == 404
    client.force_login(make_user(Role.PROVINCE_ADMIN, territory.province))
    assert client.get(job_url(job)).status_code == 200


def test_missing_non_numeric_and_huge_job_ids_are_not_found(officer_client: Client) -> None:
    for url in ["/nhap-danh-sach/1/", "/nhap-danh-sach/abc/", "/nhap-danh-sach/" + "9" * 30 + "/tien-do/"]:
        assert officer_client.get(url).status_code == 404, url


def test_the_import_page_lists_only_jobs_in_scope(client: Client, territory, make_user) -> None:
    mine = queued_job(territory.commune)
    theirs = queued_job(territory.other_commune)
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.commune))

    response = client.get(PAGE)

    assert [job.pk for job in response.context["recent"]] == [mine.pk]
    assert job_url(theirs) not in response.content.decode()


def test_an_officer_cannot_post_another_commune(
    officer_client: Client, territory, django_capture_on_commit_callbacks
) -> None:
    response = upload(
        officer_client, django_capture_on_commit_callbacks, csv_bytes(good_rows()), unit=str(territory.other_commune.pk)
    )

    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert ImportJob.objects.count() == 0


def test_an_agency_officer_imports_their_organisations_staff(
    client: Client, territory, make_user, django_capture_on_commit_callbacks
) -> None:
    agency = OrganisationFactory(
        code="SNV", name="Sở Nội vụ", unit=territory.province, kind=OrganisationKind.STATE_AGENCY
    )
    other = OrganisationFactory(code="STC", name="Sở Tài chính", unit=territory.province)
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=agency))
    form = client.get(PAGE).context["form"]
    assert "unit" not in form.fields
    assert form.fields["organisation"].widget.choices == [
        ("", "— Không chọn (danh sách dân cư) —"),
        ("SNV", "Sở Nội vụ"),
    ]
    data = csv_bytes([roster_member(1), roster_member(2, name="Lê Thị Hoa", sex="F")], header=ROSTER_HEADER)

    refused = upload(client, django_capture_on_commit_callbacks, data, kind="staff", organisation=other.code)
    residents_kind = upload(client, django_capture_on_commit_callbacks, data, organisation=agency.code)
    response = upload(client, django_capture_on_commit_callbacks, data, kind="staff", organisation=agency.code)

    assert refused.context["form"].errors["organisation"] == [
        "Không tìm thấy cơ quan, tổ chức này trong phạm vi của bạn."
    ]
    assert residents_kind.status_code == 200
    job = latest_job()
    assert response["Location"] == job_url(job)
    assert (job.kind, job.organisation, job.unit, job.status) == (
        "staff",
        agency,
        territory.province,
        ImportStatus.DONE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url(job, "xac-nhan/"))
    assert Membership.objects.filter(organisation=agency, kind="staff").count() == 2


# --- hostile uploads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("ds.pdf", b"%PDF-1.4 ...", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        ("ds.exe", b"MZ\x90\x00", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        ("ds.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        ("ds.csv", b"%PDF-1.4 ...", "Tệp là PDF, không phải bảng tính."),
        ("ds.xlsx", b"Ho va ten\nA\n", "Tệp có đuôi .xlsx nhưng không phải tệp Excel hợp lệ"),
        ("ds.csv", b"", "Tệp rỗng. Hãy điền danh sách vào tệp mẫu rồi gửi lại."),
        ("ds.csv", b"   \n\n ", "Tệp rỗng."),
    ],
)
def test_wrong_files_are_refused_with_a_clear_message(
    officer_client: Client, django_capture_on_commit_callbacks, name: str, data: bytes, message: str
) -> None:
    before = snapshot()

    response = upload(officer_client, django_capture_on_commit_callbacks, data, name=name)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert ImportJob.objects.count() == 0
    assert snapshot() == before


def test_an_oversized_file_is_refused_before_it_is_stored(
    officer_client: Client, settings, django_capture_on_commit_callbacks, territory
) -> None:
    settings.ROSTER_IMPORT_MAX_CSV_BYTES = 1024  # the one setting the form and the service both read

    response = upload(officer_client, django_capture_on_commit_callbacks, b"a,b\n" * 1000)

    assert "Tệp quá lớn (3,9\xa0KB); tối đa 1,0\xa0KB." in " ".join(response.context["form"].errors["file"])
    assert ImportJob.objects.count() == 0
    with pytest.raises(DomainError) as refused:  # a caller that skips the form meets the same limit
        submit_roster_import(
            user=None, kind="residents", file_name="ds.csv", data=b"a,b\n" * 1000, unit=territory.commune, dry_run=True
        )
    assert refused.value.code == "too_large"


def test_a_file_with_broken_structure_is_rejected_on_the_job_page(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    upload(officer_client, django_capture_on_commit_callbacks, b"PK\x03\x04garbage" * 10, name="ds.xlsx")

    job = latest_job()
    body = officer_client.get(job_url(job)).content.decode()

    assert job.status == ImportStatus.REJECTED
    assert ImportProblem.objects.filter(job=job).count() == 1
    assert job.message in body
    assert Resident.objects.count() == 0


def test_missing_fields_are_reported(officer_client: Client) -> None:
    response = officer_client.post(PAGE, {"kind": "nonsense"})

    errors = response.context["form"].errors
    assert set(errors) == {"kind", "file"}
    assert ImportJob.objects.count() == 0


def test_upload_page_authorization(client: Client, territory, make_user) -> None:
    assert client.get(PAGE).status_code == 302
    for role, unit in [(Role.LEARNER, None), (Role.TEAM_LEADER, territory.commune)]:
        client.force_login(make_user(role, unit))
        assert client.get(PAGE).status_code == 404
        assert client.get("/nhap-danh-sach/mau/").status_code == 404


def test_the_import_pages_read_in_english_when_chosen(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    officer_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    upload(officer_client, django_capture_on_commit_callbacks, csv_bytes(bad_rows()))

    form_page = officer_client.get(PAGE).content.decode()
    job_page = officer_client.get(job_url(latest_job())).content.decode()

    assert "<h1>Import rosters</h1>" in form_page
    assert "<legend>Roster kind</legend>" in form_page
    assert "Download the error report (Excel)" in job_page
    assert "Errors in the file" in job_page


def test_an_updated_roster_shows_who_will_leave_and_they_leave_only_when_the_officer_confirms(
    client: Client, territory, make_user, django_capture_on_commit_callbacks
) -> None:
    agency = OrganisationFactory(
        code="SNV", name="Sở Nội vụ", unit=territory.province, kind=OrganisationKind.STATE_AGENCY
    )
    client.force_login(make_user(Role.AGENCY_OFFICER, organisation=agency))
    first = csv_bytes([roster_member(1), roster_member(2, name="Lê Thị Hoa", sex="F")], header=ROSTER_HEADER)
    upload(
        client, django_capture_on_commit_callbacks, first, kind="staff", organisation=agency.code, as_of="2025-01-01"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url(latest_job(), "xac-nhan/"))
    second = csv_bytes([roster_member(1, position="Trưởng phòng")], header=ROSTER_HEADER)

    response = upload(
        client, django_capture_on_commit_callbacks, second, kind="staff", organisation=agency.code, as_of="2025-07-01"
    )
    check = latest_job()
    page = client.get(response["Location"]).content.decode()

    assert (check.dry_run, check.as_of, check.memberships_ended) == (True, datetime.date(2025, 7, 1), 1)
    assert "1 người sẽ thôi" in page and "Lê Thị Hoa — Chuyên viên" in page
    assert "01/07/2025" in page
    assert Membership.objects.filter(valid_to__isnull=True).count() == 2  # nothing ended by the check
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url(check, "xac-nhan/"))
    assert sorted(Membership.objects.values_list("resident__full_name", "position", "valid_to")) == [
        ("Lê Thị Hoa", "Chuyên viên", datetime.date(2025, 6, 30)),
        ("Trần Văn Bình", "Trưởng phòng", None),
    ]
    assert "1 người đã thôi" in client.get(job_url(latest_job())).content.decode()


def test_an_officer_gets_no_answer_about_a_resident_of_another_commune_from_the_upload_page(
    client: Client, territory, commune_officer, django_capture_on_commit_callbacks
) -> None:
    """Issue 8, hole 1, through the pages: the check (dry run) answers the same for an ID registered in another
    commune and for one registered nowhere; the import refuses the first, pointing to the transfer request."""
    from hocvuso.people.services import register_resident
    from hocvuso.people.tests.import_files import national_id

    birth = datetime.date(1985, 3, 14)
    stranger = register_resident(
        full_name="Đinh Thị Lan",
        birth_date=birth,
        sex="F",
        ethnicity="Kinh",
        village=territory.other_village,
        national_id=national_id(birth, "F", 555),
        actor=None,
    )
    school = OrganisationFactory(code="THPT", name="Trường THPT", kind=OrganisationKind.SCHOOL, unit=territory.commune)
    client.force_login(commune_officer)
    pages = []
    for serial in (555, 556):  # registered in another commune; registered nowhere
        data = csv_bytes([roster_member(serial, name="Đinh Thị Lan", sex="F", birth=birth)], header=ROSTER_HEADER)
        upload(client, django_capture_on_commit_callbacks, data, kind="staff", organisation=school.code, unit="")
        job = latest_job()
        body = client.get(job_url(job)).content.decode()
        main = body[body.index("<main") : body.index("</main>")]
        main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
        main = re.sub(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", "", main)  # when it was sent
        pages.append(main.replace(job.file_name, "").replace(f"/{job.pk}/", "/"))
        assert (job.status, job.residents_created) == (ImportStatus.DONE, 1)
    checked_elsewhere = latest_job().pk - 1
    assert pages[0] == pages[1]
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url(ImportJob.objects.get(pk=checked_elsewhere), "xac-nhan/"))
    imported = latest_job()
    body = client.get(job_url(imported)).content.decode()

    assert imported.status == ImportStatus.REJECTED
    assert "/nguoi-dan/yeu-cau-chuyen/moi/" in body and "Đinh Thị Lan" not in body.split("Các lỗi trong tệp")[1]
    assert snapshot() == before
    assert client.get(f"/nguoi-dan/{stranger.pk}/").status_code == 404


def test_dates_readable_both_ways_are_asked_on_the_page_and_chosen_on_confirmation(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    rows = [resident(1, birth=datetime.date(1985, 3, 4))]  # "04/03/1985": 4 March or April 3
    upload(officer_client, django_capture_on_commit_callbacks, csv_bytes(rows))
    check = latest_job()
    body = officer_client.get(job_url(check)).content.decode()

    assert (check.status, check.needs_date_order) == (ImportStatus.DONE, True)
    assert "Đã kiểm tra, chưa nhập" in body
    assert "<td>04/03/1985</td><td>04/03/1985</td><td>03/04/1985</td>" in body
    assert 'name="thu_tu_ngay" value="dmy" required' in body

    refused = officer_client.post(job_url(check, "xac-nhan/"), follow=True)
    assert "hãy chọn thứ tự ngày tháng trước khi nhập" in refused.content.decode()
    assert Resident.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(job_url(check, "xac-nhan/"), {"thu_tu_ngay": "mdy"})

    imported = latest_job()
    assert (imported.status, imported.date_order) == (ImportStatus.DONE, "mdy")
    assert Resident.objects.get().birth_date == datetime.date(1985, 4, 3)
