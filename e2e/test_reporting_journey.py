"""Acceptance journey of quarterly reports in the browser (issue 15): a commune officer drafts the quarter's report
from the staff home, writes it and sends it; the province administrator returns it with a comment; the officer
resends it; the administrator accepts it, looks at the consolidation and the rates, drafts the consolidated report
and downloads its PDF; the plan's pages and the reminders. axe-core finds nothing serious or critical on any
reporting page, on a phone-sized screen."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.tests.conftest import birthday, confirm_literacy
from hocvuso.people.tests.factories import ResidentFactory
from hocvuso.reporting.models import Report, ReportStatus, TaskProgress
from hocvuso.reporting.services import DEFAULT_PLAN_FILE, load_plan_file, notify

from .browser import assert_accessible, open_menu, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db, territory, make_user):
    """The plan loaded for province 68, adults of the commune (some literate, facts of two weeks ago and today),
    a commune officer and the province administrator, each with an authenticator."""
    load_plan_file(path=DEFAULT_PLAN_FILE, province=territory.province, actor=None)
    today = timezone.localdate()
    adults = [ResidentFactory(village=territory.village, birth_date=birthday(35, today)) for _ in range(6)]
    confirm_literacy(adults[0])
    rebuild_facts(on=today - timedelta(days=14))
    for person in adults[1:4]:
        confirm_literacy(person)
    rebuild_facts(on=today)
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="canbo.xa", full_name="Trần Thị Bình")
    admin = make_user(Role.PROVINCE_ADMIN, territory.province, username="admin.tinh", full_name="Nguyễn Văn An")
    notify(user=officer, key="e2e-reminder", message="Báo cáo quý sắp đến hạn.", link="/bao-cao/")
    return {"officer": officer, "admin": admin}


def sign_in(page, live_server, user) -> None:
    """Sign in through both steps with a new authenticator each time: a TOTP code is accepted once, and the
    journey signs the same people in again within one 30-second step."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in_staff(page, live_server, user.username, device)


def sign_out(page) -> None:
    open_menu(page).get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("link", name="Đăng nhập").first).to_be_visible()


def test_a_quarterly_report_from_draft_to_accepted_and_the_consolidation(page, live_server, territory, people):
    sign_in(page, live_server, people["officer"])
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Đơn vị của bạn đã gửi 0/1 báo cáo.")).to_be_visible()
    assert_accessible(page, "staff home with the reporting card")
    page.get_by_role("link", name="1 thông báo chưa đọc").click()
    expect(page.get_by_text("Báo cáo quý sắp đến hạn.")).to_be_visible()
    assert_accessible(page, "notices")

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Mở báo cáo quý").click()
    assert_accessible(page, "reports home (officer)")
    page.get_by_role("button", name="Lập dự thảo từ số liệu hiện có").click()
    expect(page.get_by_text("Người dân trong độ tuổi trưởng thành có kỹ năng số").first).to_be_visible()
    assert_accessible(page, "report draft")
    report = Report.objects.get()

    page.get_by_role("link", name="Viết, sửa báo cáo").click()
    assert_accessible(page, "report edit")
    page.get_by_label("Kết quả đạt được").fill("Tổ chức 12 buổi học cộng đồng; 4 người dân được xác nhận.")
    page.get_by_label("Đề xuất, kiến nghị").fill("Bổ sung thiết bị cho điểm học cộng đồng.")
    page.get_by_label("Số văn bản").fill("7")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_text("Đã gửi").first).to_be_visible()
    screenshot(page, "reporting-submitted")
    sign_out(page)

    sign_in(page, live_server, people["admin"])
    page.goto(live_server.url + f"/bao-cao/{report.pk}/")
    assert_accessible(page, "report under review")
    page.get_by_label("Ý kiến (bắt buộc khi trả lại)").fill("Bổ sung số lớp cho người cao tuổi.")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_text("Bổ sung số lớp cho người cao tuổi.").first).to_be_visible()
    sign_out(page)

    sign_in(page, live_server, people["officer"])
    page.goto(live_server.url + f"/bao-cao/{report.pk}/")
    assert_accessible(page, "returned report")
    page.get_by_role("button", name="Gửi lại báo cáo").click()
    sign_out(page)

    sign_in(page, live_server, people["admin"])
    page.goto(live_server.url + f"/bao-cao/{report.pk}/")
    page.get_by_role("button", name="Chấp nhận").click()
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    page.goto(live_server.url + "/bao-cao/")
    assert_accessible(page, "reports home (reviewer)")
    page.get_by_role("link", name="Tổng hợp của tỉnh").click()
    assert_accessible(page, "consolidation")
    page.get_by_role("button", name="Lập báo cáo tổng hợp").click()
    expect(page.get_by_text("Phụ lục").first).to_be_visible()
    assert_accessible(page, "consolidated report")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    path = download.value.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.startswith("bao-cao-tong-hop-68-")

    page.goto(live_server.url + "/bao-cao/ty-le/")
    assert_accessible(page, "reporting rates")
    page.goto(live_server.url + "/ke-hoach/")
    assert_accessible(page, "plan overview")
    page.goto(live_server.url + f"/ke-hoach/don-vi/{territory.commune.code}/")
    assert_accessible(page, "a commune's plan board")
    task = TaskProgress.objects.filter(unit=territory.commune).order_by("pk").first()
    assert task is not None
    page.goto(live_server.url + f"/ke-hoach/nhiem-vu/{task.pk}/")
    assert_accessible(page, "a plan task")
    screenshot(page, "reporting-plan-task")
