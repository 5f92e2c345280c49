"""A weekly community class from the schedule to the dashboard, in a real browser on a 390×844 phone: a commune
officer schedules the class on the web; the instructor registers their phone for the field app, loses the network,
takes attendance there (a learner who came last week ticked, a learner card's QR text, a walk-in), gets the network
back and the attendances reach the server once each; the instructor opens the session's supervised assessment on the
web and two attendees pass it on the class device (each signed in, the instructor's PIN); after the facts refresh,
the commune's dashboard shows the class figures and the literacy figure moved."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import PASSWORD, RoleAssignmentFactory
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.learning.models import Attempt, LiteracyStatus, SupervisedSession
from hocvuso.learning.services import import_course_from_folder, load_frameworks
from hocvuso.learning.tests.conftest import right
from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassAttendance, ClassSession, CommunityClass, WalkIn
from hocvuso.outreach.services import add_team_member, create_team
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

from .browser import assert_accessible, screenshot, sign_in_staff
from .test_learning_journey import answer, open_attempt, rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CURRICULA = Path(settings.BASE_DIR) / "curricula"
PHONE_390 = {"width": 390, "height": 844}
TITLE = "Lớp kỹ năng số Bản Lầu"


@pytest.fixture
def world(territory, make_user):
    """Commune C1: its officer; an instructor who is also a member of the commune's digital team (their phone is
    registered for it); three learners of village V1a with accounts; the citizens' course with its final
    assessment; and the facts of today."""
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    course = import_course_from_folder(path=CURRICULA / "cong-dan-so", actor=None).course
    course.assessments.filter(kind="final").update(cooldown_hours=0)
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="can.bo.xa", full_name="Đinh Văn Xã")
    # Who reads the dashboard at the end: the commune's chair (a second sign-in of the officer within the same
    # 30-second step would be refused as a replayed code).
    chair = make_user(Role.COMMUNE_OFFICER, territory.commune, username="chu.tich.xa", full_name="Hà Văn Chủ")
    instructor = make_user(Role.INSTRUCTOR, territory.commune, username="giang.vien", full_name="Lò Văn Dạy")
    RoleAssignmentFactory(user=instructor, role=Role.TEAM_MEMBER, unit=territory.commune)
    team = create_team(commune=territory.commune, name="Tổ Bản Lầu", leader=officer, actor=None)
    add_team_member(
        team=team,
        user=instructor,
        resident=ResidentFactory(village=territory.village, full_name="Lò Văn Dạy", user=instructor),
        valid_from=datetime.date(2026, 1, 1),
        actor=None,
    )
    learners = {}
    for number, (name, born) in enumerate((("Hà Thị Pằng", 1968), ("Vàng A Dơ", 1955), ("Lường Thị Ót", 1990))):
        user = make_user(Role.LEARNER, full_name=name, username=f"hoc.vien{number}")
        learners[name] = ResidentFactory(
            household=HouseholdFactory(village=territory.village),
            full_name=name,
            user=user,
            birth_date=datetime.date(born, 5, 5),
        )
    rebuild_facts()
    return {
        "officer": TOTPDevice.objects.create(user=officer, name="phone", confirmed=True),
        "chair": TOTPDevice.objects.create(user=chair, name="phone", confirmed=True),
        "instructor": TOTPDevice.objects.create(user=instructor, name="phone", confirmed=True),
        "course": course,
        "learners": learners,
    }


def schedule_weekly_class(page, live_server, territory, world) -> CommunityClass:
    """The officer schedules a weekly class on today's weekday that began a week ago, with the instructor."""
    today = timezone.localdate()
    sign_in_staff(page, live_server, "can.bo.xa", world["officer"])
    page.goto(f"{live_server.url}/lop-cong-dong/xa/{territory.commune.code}/lop-moi/")
    page.get_by_label("Tên lớp", exact=True).fill(TITLE)
    page.get_by_label("Địa điểm").fill("Nhà văn hóa Bản Lầu")
    page.get_by_label("Nhóm đối tượng").select_option("citizens")
    page.get_by_label("Khóa học", exact=True).select_option(str(world["course"].pk))
    page.get_by_label("Người hướng dẫn").select_option(str(world["instructor"].user_id))
    page.get_by_label("Lặp lại", exact=True).select_option("weekly")
    page.get_by_label("Thứ trong tuần").select_option(str(today.weekday()))
    page.get_by_label("Từ ngày").fill((today - datetime.timedelta(weeks=1)).isoformat())
    page.get_by_label("Đến ngày (lớp hằng tuần)").fill((today + datetime.timedelta(weeks=4)).isoformat())
    page.get_by_label("Giờ bắt đầu").fill("19:00")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lên lịch lớp học.")).to_be_visible()
    community_class = CommunityClass.objects.get(title=TITLE)
    assert community_class.sessions.count() == 6
    page.context.clear_cookies()  # the officer leaves; the instructor takes the phone
    return community_class


def register_phone(page, live_server, world) -> None:
    page.goto(live_server.url + "/thuc-dia/")
    expect(page.get_by_role("heading", name="Thiết bị này chưa được đăng ký")).to_be_visible()
    sign_in_staff(page, live_server, "giang.vien", world["instructor"])
    page.goto(live_server.url + "/thuc-dia/dang-ky/")
    page.get_by_label("Tên gợi nhớ của điện thoại").fill("Điện thoại lớp học")
    page.get_by_role("button", name="Đăng ký và mở ứng dụng thực địa").click()
    page.wait_for_url(live_server.url + "/thuc-dia/")
    # The app's own state: the sessions it downloaded are kept and shown (today's and next week's), then the
    # worklist (none for this member) ends the first round.
    expect(page.locator(".class-session")).to_have_count(2)
    expect(page.locator("#status")).to_have_text("Đã tải danh sách: 0 hộ.")


def figure(page, code: str, name: str) -> str:
    return " ".join(
        (page.locator(f'[data-indicator="{code}"] [data-figure="{name}"]').first.text_content() or "").split()
    )


def dashboard_figures(page, live_server, territory) -> dict[str, str]:
    page.goto(f"{live_server.url}/theo-doi/don-vi/{territory.commune.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(territory.commune.name)
    return {
        "weekly-classes-held": figure(page, "weekly-classes-held", "value"),
        "class-attendance": figure(page, "class-attendance", "count"),
        "adults-digital-skills": figure(page, "adults-digital-skills", "value"),
    }


def test_attendance_taken_offline_reaches_the_class_assessment_and_the_dashboard(
    browser, page, live_server, territory, world
) -> None:
    page.set_viewport_size(PHONE_390)
    today = timezone.localdate()
    learners = world["learners"]
    community_class = schedule_weekly_class(page, live_server, territory, world)
    session = ClassSession.objects.get(community_class=community_class, day=today)
    # Last week Vàng A Dơ came (recorded on the web): the phone carries her with the class.
    classes.record_attendance(
        session=ClassSession.objects.get(community_class=community_class, day=today - datetime.timedelta(weeks=1)),
        resident=learners["Vàng A Dơ"],
        method="registry",
        actor=world["instructor"].user,
        recorded_at=timezone.now() - datetime.timedelta(weeks=1),
    )

    register_phone(page, live_server, world)
    before = dashboard_figures(page, live_server, territory)
    page.goto(live_server.url + "/thuc-dia/")
    expect(page.locator(".class-session")).to_have_count(2)
    assert_accessible(page, "field app with class sessions")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    page.reload()  # the shell from the worker, the sessions from IndexedDB
    expect(page.locator("#connection")).to_contain_text("Không có mạng")
    expect(page.locator(".class-session")).to_have_count(2)
    label = f"Điểm danh: {TITLE}, {today:%d/%m/%Y}"
    page.get_by_role("button", name=label).click()
    expect(page.get_by_role("heading", name="Điểm danh buổi học")).to_be_focused()
    expect(page.locator("#session-code")).to_have_text(session.check_in_code)
    assert_accessible(page, "field session attendance")

    # 1. The learner who came last week, ticked (by keyboard).
    page.get_by_label(re.compile("^Vàng A Dơ, sinh năm 1955")).focus()
    page.keyboard.press("Space")
    expect(page.locator("#status")).to_have_text("Đã ghi Vàng A Dơ có mặt (lưu trên máy).")
    # 2. A learner card: a damaged code is refused on the phone, the right one kept.
    page.get_by_label("Mã QR trên thẻ").fill("HVS2:khong-phai-the")
    page.get_by_role("button", name="Ghi người có thẻ").click()
    expect(page.locator("#status")).to_have_text("Mã trên thẻ không đúng: mã thẻ người học bắt đầu bằng HVS1:.")
    page.get_by_label("Mã QR trên thẻ").fill(classes.learner_card_payload(learners["Hà Thị Pằng"]))
    page.get_by_role("button", name="Ghi người có thẻ").click()
    expect(page.locator("#session-records > li")).to_have_count(2)
    # 3. A walk-in, with the minimum the registry needs.
    page.get_by_label("Họ và tên", exact=True).last.fill("Y Bih Niê")
    page.get_by_label("Năm sinh").fill("1958")
    page.get_by_label("Giới tính").select_option("F")
    page.get_by_label("Dân tộc").select_option("5")
    page.get_by_label("Thôn").select_option(territory.village.code)
    page.get_by_role("button", name="Ghi người chưa có trong sổ").click()
    # The registry search needs the network.
    page.get_by_label("Họ và tên", exact=True).first.fill("Lường")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator("#status")).to_have_text("Cần có mạng để tìm trong sổ dân cư.")
    expect(page.locator("#session-count")).to_have_text("Đã điểm danh: 3 người (cả 3 người đang chờ gửi).")
    expect(page.locator("#session-records > li")).to_have_count(3)
    page.get_by_role("button", name="Chữ lớn").click()
    assert_accessible(page, "field session attendance, large text, three waiting")
    screenshot(page, "field-class-attendance-offline")
    assert not ClassAttendance.objects.filter(session=session).exists()

    page.context.set_offline(False)  # the app sends on its own, then downloads the sessions again
    expect(page.locator("#session-count")).to_have_text("Đã điểm danh: 3 người (cả 0 người đang chờ gửi).")
    expect(page.locator("#session-records > li")).to_have_count(0)
    attendances = ClassAttendance.objects.filter(session=session)
    assert sorted(attendances.values_list("method", flat=True)) == ["card", "registry", "walk_in"]
    assert set(attendances.values_list("device__name", flat=True)) == {"Điện thoại lớp học"}
    assert WalkIn.objects.get().full_name == "Y Bih Niê"
    # Online, the registry search finds the third learner, marked present at once.
    page.get_by_label("Họ và tên", exact=True).first.fill("Lường Ót")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.get_by_role("button", name="Ghi có mặt: Lường Thị Ót").click()
    expect(page.locator("#session-count")).to_have_text("Đã điểm danh: 4 người (cả 0 người đang chờ gửi).")
    assert attendances.count() == 4
    # Sending again is harmless: nothing waits, nothing is stored twice.
    page.get_by_role("button", name="Quay lại danh sách").click()
    expect(page.locator("#attendance-count")).to_have_text("Điểm danh chờ gửi: 0 người.")
    page.get_by_role("button", name="Gửi các buổi hỗ trợ").click()
    expect(page.locator("#status")).to_have_text("Không còn buổi nào chờ gửi.")
    assert attendances.count() == 4

    # The instructor opens the session's supervised assessment on the web (the existing supervised mode).
    page.goto(f"{live_server.url}/lop-cong-dong/buoi/{session.pk}/")
    final = world["course"].assessments.get(kind="final")
    page.locator("select[name=assessment]").select_option(str(final.pk))
    page.get_by_role("button", name="Mở buổi kiểm tra và lấy mã PIN").click()
    message = page.get_by_text(re.compile(r"Mã PIN: \d{6}"))
    expect(message).to_be_visible()
    pin = re.search(r"Mã PIN: (\d{6})", message.text_content() or "").group(1)
    supervised = SupervisedSession.objects.get(class_session=str(session.pk))
    # Two attendees without a smartphone take it on the class device, each with their own account, and pass.
    for name in ("Vàng A Dơ", "Hà Thị Pằng"):
        learner = learners[name].user
        page.context.clear_cookies()
        page.goto(live_server.url + "/tai-khoan/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(learner.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Tiếp tục").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, {name}")
        page.goto(f"{live_server.url}/hoc/tai-lop/?ma={supervised.pk.hex[:8]}")
        page.get_by_label("Mã PIN của người giám sát").fill(pin)
        page.get_by_role("button", name="Bắt đầu làm bài").click()
        expect(page.get_by_role("button", name="Nộp bài")).to_be_visible()
        attempt = open_attempt(learner)
        assert attempt.supervised_session_id == supervised.pk
        for row in rows(attempt):
            answer(page, row, right(row))
        page.get_by_role("button", name="Nộp bài").click()
        expect(page.locator(".result-verdict")).to_have_text(re.compile(r"^\s*Đạt"))
    assert Attempt.objects.filter(supervised_session=supervised, passed=True).count() == 2
    assert LiteracyStatus.objects.filter(resident__in=[learners["Vàng A Dơ"], learners["Hà Thị Pằng"]]).count() == 2

    refresh_facts()  # what the worker runs every few seconds
    page.context.clear_cookies()  # the commune's chair looks at its dashboard
    sign_in_staff(page, live_server, "chu.tich.xa", world["chair"])
    after = dashboard_figures(page, live_server, territory)
    assert before["class-attendance"] == "0" and after["class-attendance"] == "4", (before, after)
    assert before["weekly-classes-held"] == "0,0" and after["weekly-classes-held"] == "100,0", (before, after)
    assert float(after["adults-digital-skills"].replace(",", ".")) > float(
        before["adults-digital-skills"].replace(",", ".")
    ), (before, after)
    record = page.goto(f"{live_server.url}/lop-cong-dong/lop/{community_class.pk}/")
    assert record is not None and record.status == 200


def test_a_conflicting_attendance_is_shown_and_kept_and_a_resend_is_harmless(page, live_server, territory, world):
    """The server already holds the phone's UUID with other content (another person): the phone shows the
    conflict on the record, keeps it until the instructor discards it; the other records of the batch go through."""
    page.set_viewport_size(PHONE_390)
    today = timezone.localdate()
    learners = world["learners"]
    community_class = schedule_weekly_class(page, live_server, territory, world)
    session = ClassSession.objects.get(community_class=community_class, day=today)
    register_phone(page, live_server, world)
    page.context.set_offline(True)
    page.get_by_role("button", name=f"Điểm danh: {TITLE}, {today:%d/%m/%Y}").click()
    for count, name in enumerate(("Hà Thị Pằng", "Lường Thị Ót"), start=1):
        page.get_by_label("Mã QR trên thẻ").fill(classes.learner_card_payload(learners[name]))
        page.get_by_role("button", name="Ghi người có thẻ").click()
        expect(page.locator("#session-records > li")).to_have_count(count)
    first_id = page.evaluate(
        """async () => {
             const db = await idb.openDB('hocvuso-field');
             const items = await db.getAll('outbox');
             db.close();
             return items.sort((a, b) => a.recorded_at - b.recorded_at)[0].id;
           }"""
    )
    # Meanwhile the same UUID reached the server with another person (say, a record edited after a lost answer).
    results = classes.sync_attendances(
        actor=world["instructor"].user,
        records=[
            {
                "id": first_id,
                "session": str(session.pk),
                "recorded_at": timezone.now().replace(microsecond=0).isoformat(),
                "method": "registry",
                "resident": learners["Vàng A Dơ"].pk,
            }
        ],
    )
    assert [result.status for result in results] == ["created"]

    page.context.set_offline(False)
    conflict = page.locator('#session-records > li[data-state="conflict"]')
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("Trùng mã")
    expect(conflict).to_contain_text("đã được ghi với nội dung khác")
    expect(page.locator("#session-records > li")).to_have_count(1)  # the other one went through
    assert_accessible(page, "field session with a conflict")
    assert ClassAttendance.objects.filter(session=session).count() == 2
    # Sending again leaves the conflict alone (it is not resent) and stores nothing twice.
    page.get_by_role("button", name="Quay lại danh sách").click()
    expect(page.locator("#problem-list")).to_contain_text("Trùng mã: Điểm danh")
    page.get_by_role("button", name="Gửi các buổi hỗ trợ").click()
    expect(page.locator("#status")).to_have_text("Không còn buổi nào chờ gửi.")
    assert ClassAttendance.objects.filter(session=session).count() == 2
    page.get_by_role("button", name="Bỏ buổi này").click()
    expect(page.locator("#problems")).to_be_hidden()


def test_the_camera_reads_a_learner_card_in_the_field_app_offline(
    browser, live_server, csp_violations, territory, world, tmp_path
) -> None:
    """The session page's scanner (web/qrscan.js, jsQR) in the field app, with no network: Chromium's fake camera
    plays a real card, the phone keeps the attendance, and it reaches the server when the network returns."""
    from .test_class_qr_scan import camera_tab, write_y4m

    video = tmp_path / "the-card.y4m"
    write_y4m(video, classes.learner_card_payload(world["learners"]["Hà Thị Pằng"]))
    camera_browser, tabs = camera_tab(
        browser,
        live_server,
        csp_violations,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    try:
        page = next(tabs)
        page.set_viewport_size(PHONE_390)
        today = timezone.localdate()
        community_class = schedule_weekly_class(page, live_server, territory, world)
        register_phone(page, live_server, world)
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.context.set_offline(True)
        page.reload()  # the shell, the scanner and its decoder from the worker
        page.get_by_role("button", name=f"Điểm danh: {TITLE}, {today:%d/%m/%Y}").click()
        page.get_by_role("button", name="Quét mã QR").click()
        expect(page.locator("#session-records > li")).to_have_count(1, timeout=20_000)
        expect(page.locator("#session-records")).to_contain_text("Chờ gửi")
        assert_accessible(page, "field session, card scanned")
        page.context.set_offline(False)
        expect(page.locator("#session-records > li")).to_have_count(0)
        attendance = ClassAttendance.objects.get(session__community_class=community_class, day=today)
        assert (attendance.resident, attendance.method) == (world["learners"]["Hà Thị Pằng"], "card")
        next(tabs, None)
    finally:
        camera_browser.close()
