"""Acceptance journey of the population registry on a 360-pixel-wide phone: a commune officer uploads a roster with
errors, reads the error report, fixes the file, imports it, and finds a resident by a name typed without
diacritics; axe finds nothing serious on the search, household and import pages."""

import datetime
import io
import json
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import PASSWORD
from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.imports.services import run_roster_import, submit_roster_import
from hocvuso.people.models import Household, Resident

from .browser import assert_accessible, main_nav, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = [
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Mã hộ",
    "Quan hệ với chủ hộ",
    "Mã thôn",
]


def national_id(birth: datetime.date, sex: str, serial: int) -> str:
    century = (birth.year - 1900) // 100
    return f"068{century * 2 + (sex == 'F')}{birth.year % 100:02d}{serial:06d}"


def roster(*, broken: bool) -> bytes:
    """An XLSX roster of one household of three (with, when `broken`, an impossible birth date and an unknown
    village); the national IDs are text cells, as the template keeps them."""
    people = [
        ("Nguyễn Văn Hùng", datetime.date(1968, 4, 30), "M", "Kinh", "Chủ hộ", "24631.001"),
        ("Nguyễn Thị Đào", datetime.date(1990, 9, 5), "F", "Kinh", "Con", "24631.001"),
        ("H'Hen Niê", datetime.date(1995, 1, 12), "F", "Ê Đê", "Con dâu", "24631.001"),
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for serial, (name, birth, sex, ethnicity, relation, village) in enumerate(people, start=1):
        sheet.append(
            [
                national_id(birth, sex, serial),
                name,
                "31/02/1990" if broken and serial == 2 else birth.strftime("%d/%m/%Y"),
                "Nữ" if sex == "F" else "Nam",
                ethnicity,
                "QK-0001",
                relation,
                "24631.999" if broken and serial == 3 else village,
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(page, name: str, data: bytes) -> None:
    page.get_by_label("Tệp danh sách (.xlsx hoặc .csv)").set_input_files(
        files=[
            {
                "name": name,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": data,
            }
        ]
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()


@pytest.fixture
def officer(territory, make_user) -> TOTPDevice:
    user = make_user(Role.COMMUNE_OFFICER, territory.commune, username="canbo.quangkhe", full_name="Trần Thị Lan")
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_officer_fixes_a_roster_imports_it_and_finds_a_resident_without_diacritics(page, live_server, officer) -> None:
    sign_in_staff(page, live_server, "canbo.quangkhe", officer)

    # The upload page, from the main navigation.
    main_nav(page).get_by_role("link", name="Nhập danh sách").click()
    expect(page).to_have_url(re.compile(r"/nhap-danh-sach/$"))
    expect(page.get_by_role("radio", name="Dân cư và hộ gia đình")).to_be_checked()
    assert_accessible(page, "import page")
    screenshot(page, "registry-import")

    # A file with errors: every bad row is listed on screen, and nothing is written.
    upload(page, "danh-sach-quang-khe.xlsx", roster(broken=True))
    expect(page).to_have_url(re.compile(r"/nhap-danh-sach/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("Tệp có 2 lỗi")
    problems = page.get_by_role("table", name="Các lỗi trong tệp")
    expect(problems.locator("tbody tr")).to_have_count(2)
    expect(problems.locator("tbody tr").nth(0)).to_contain_text("Ngày sinh")
    expect(problems.locator("tbody tr").nth(1)).to_contain_text("24631.999")
    assert Resident.objects.count() == 0
    assert_accessible(page, "rejected check")
    screenshot(page, "registry-import-errors")

    # The same report as an XLSX file.
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo lỗi (Excel)").click()
    assert re.fullmatch(r"bao-cao-loi-\d+\.xlsx", download.value.suggested_filename)
    with open(download.value.path(), "rb") as handle:
        report = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    listed = [(row[0], row[1]) for row in report.values if isinstance(row[0], int)]
    assert listed == [(3, "Ngày sinh"), (4, "Mã thôn")]

    # The fixed file passes the check; confirming imports it (a second click would import nothing more).
    page.get_by_role("link", name="Gửi tệp đã sửa").click()
    upload(page, "danh-sach-quang-khe.xlsx", roster(broken=False))
    expect(page.get_by_role("status").first).to_contain_text("Đã kiểm tra, chưa nhập: 3 dòng")
    assert_accessible(page, "valid check")
    screenshot(page, "registry-import-valid")
    page.get_by_role("button", name="Nhập 3 dòng vào sổ").click()
    expect(page.get_by_text("Đã nhập 3 dòng vào sổ.")).to_be_visible()
    assert Resident.objects.count() == 3
    assert ImportJob.objects.filter(dry_run=False, status=ImportStatus.DONE).count() == 1
    assert_accessible(page, "import done")
    screenshot(page, "registry-import-done")

    # Find the resident by a name typed without diacritics.
    main_nav(page).get_by_role("link", name="Người dân").click()
    page.get_by_label("Họ tên, số định danh hoặc mã hộ").fill("nguyen thi dao")
    page.get_by_role("button", name="Tìm", exact=True).click()
    results = page.get_by_role("table", name="Người dân tìm thấy")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("Nguyễn Thị Đào")
    expect(results).to_contain_text("*********002")
    expect(results).not_to_contain_text(national_id(datetime.date(1990, 9, 5), "F", 2))
    assert_accessible(page, "search results")
    screenshot(page, "registry-search")

    # Her household, with its members and their statuses.
    results.get_by_role("link", name="QK-0001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hộ QK-0001")
    members = page.get_by_role("table", name=re.compile("Thành viên của hộ"))
    expect(members.locator("tbody tr")).to_have_count(3)
    expect(members.locator("tbody tr").first).to_contain_text("Chủ hộ")
    assert Household.objects.get(code="QK-0001").members.count() == 3
    assert_accessible(page, "household")
    screenshot(page, "registry-household")

    # Her own page: masked numbers; the full ID only after the explicit, audited action.
    members.get_by_role("link", name="Nguyễn Thị Đào").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nguyễn Thị Đào")
    page.get_by_role("button", name="Xem đầy đủ số định danh").click()
    expect(page.get_by_text(national_id(datetime.date(1990, 9, 5), "F", 2))).to_be_visible()
    assert_accessible(page, "resident with revealed ID")
    screenshot(page, "registry-resident")

    # A correction, audited by the service.
    page.get_by_role("link", name="Sửa thông tin").click()
    assert_accessible(page, "correction form")
    screenshot(page, "registry-resident-correct")
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Bích Đào")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nguyễn Thị Bích Đào")
    expect(page.get_by_text("Đã lưu thông tin người dân.")).to_be_visible()


def test_the_progress_bar_follows_a_running_import_and_shows_the_result(page, live_server, officer, territory) -> None:
    job = submit_roster_import(
        user=officer.user,
        kind="residents",
        file_name="cham.xlsx",
        data=roster(broken=False),
        unit=territory.commune,
        dry_run=True,
        enqueue=False,
    )
    sign_in_staff(page, live_server, "canbo.quangkhe", officer)

    page.goto(f"{live_server.url}/nhap-danh-sach/{job.pk}/")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.locator("[data-progress-status]")).to_have_text("Đang chờ")
    assert_accessible(page, "queued job")
    screenshot(page, "registry-import-progress")

    run_roster_import(job_id=job.pk)  # the worker finishes; the page notices by itself

    expect(page.get_by_text("Đã kiểm tra, chưa nhập: 3 dòng")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)


def test_a_resident_sees_and_downloads_their_own_data(page, live_server, territory, make_user) -> None:
    learner = make_user(Role.LEARNER, username="dao.nguyen", full_name="Nguyễn Thị Đào")
    submit_roster_import(
        user=None,
        kind="residents",
        file_name="ds.xlsx",
        data=roster(broken=False),
        unit=territory.commune,
        dry_run=False,
        enqueue=True,
    )
    Resident.objects.filter(full_name="Nguyễn Thị Đào").update(user=learner)
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("dao.nguyen")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()

    main_nav(page).get_by_role("link", name="Dữ liệu của tôi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dữ liệu của tôi")
    expect(page.get_by_text("*********002")).to_be_visible()
    assert_accessible(page, "my data")
    screenshot(page, "registry-my-data")

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải toàn bộ dữ liệu (JSON)").click()
    assert download.value.suggested_filename == "du-lieu-cua-toi.json"
    with open(download.value.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert (data["full_name"], data["national_id"]) == (
        "Nguyễn Thị Đào",
        national_id(datetime.date(1990, 9, 5), "F", 2),
    )
