"""The camera QR scanner of a class session's page (web/qrscan.js) in a real Chromium: the camera is Chromium's fake
device playing a video made here from the QR code of a real learner card (segno, as the printed cards); the
instructor presses "Quét mã QR" and the learner is recorded present. Desktop Chromium on Linux has no
BarcodeDetector, so this reads the code with the vendored jsQR. Without a camera, or with the permission refused,
the page says so in Vietnamese and the text field still works."""

from pathlib import Path

import pytest
import segno
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.outreach import classes
from hocvuso.outreach.models import AttendanceMethod, ClassAttendance
from hocvuso.outreach.tests.class_fixtures import make_classes

from .browser import assert_accessible, screenshot, sign_in_staff
from .conftest import CHROMIUM, CHROMIUM_ARGS, guarded_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 640, 480


def write_y4m(path: Path, payload: str, frames: int = 10) -> None:
    """A grey-scale YUV 4:2:0 video (the format Chromium's fake camera plays) of the QR code of `payload`, black
    modules on white, centred with its quiet zone."""
    matrix = segno.make(payload, error="m").matrix
    size = len(matrix)
    scale = min(WIDTH, HEIGHT) * 3 // 4 // (size + 8)
    side = (size + 8) * scale
    left, top = (WIDTH - side) // 2, (HEIGHT - side) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if not dark:
                continue
            y0, x0 = top + (row + 4) * scale, left + (column + 4) * scale
            for y in range(y0, y0 + scale):
                start = y * WIDTH + x0
                luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture
def setup(territory, commune_officer, make_user):
    setup = make_classes(territory, commune_officer, make_user)
    authenticator = TOTPDevice.objects.create(user=setup.instructor, name="phone", confirmed=True)
    return setup, authenticator


def camera_tab(browser, live_server, csp_violations, *args: str):
    """A phone tab of a Chromium started with `args` (a fake camera, or none), held to the same rules as `page`."""
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + list(args)
    )
    tabs = guarded_tab(camera_browser, live_server, csp_violations)
    return camera_browser, tabs


def test_the_camera_reads_a_learner_card_and_records_the_attendance(
    browser, live_server, csp_violations, setup, tmp_path
) -> None:
    classes_setup, authenticator = setup
    video = tmp_path / "the-card.y4m"
    write_y4m(video, classes.learner_card_payload(classes_setup.elder))
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
        sign_in_staff(page, live_server, classes_setup.instructor.username, authenticator)
        page.goto(f"{live_server.url}/lop-cong-dong/buoi/{classes_setup.today_session.pk}/")
        assert page.evaluate("() => typeof window.BarcodeDetector") == "undefined"  # so jsQR does the reading
        scan = page.get_by_role("button", name="Quét mã QR")
        expect(scan).to_be_visible()
        assert_accessible(page, "class-session-scanner")
        scan.click()
        expect(page.get_by_text("Đã điểm danh.")).to_be_visible(timeout=20_000)
        screenshot(page, "class-session-scanned")
        assert page.evaluate("() => typeof window.jsQR") == "undefined"  # a new page: loaded only when scanning
        attendance = ClassAttendance.objects.get()
        assert (attendance.resident_id, attendance.method) == (classes_setup.elder.pk, AttendanceMethod.CARD)
        expect(page.get_by_text("Hoàng Thị Cao")).to_be_visible()
        next(tabs, None)
    finally:
        camera_browser.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # A camera is there, but the permission is refused (headless Chromium refuses what was not granted).
        (("--use-fake-device-for-media-stream",), "Bạn chưa cho phép dùng máy ảnh"),
        # No camera at all (this machine has none): the permission is granted, nothing can be opened.
        (("--use-fake-ui-for-media-stream",), "Không mở được máy ảnh trên thiết bị này"),
    ],
)
def test_without_a_camera_or_permission_the_page_says_so_and_the_field_still_works(
    browser, live_server, csp_violations, setup, args, message
) -> None:
    classes_setup, authenticator = setup
    camera_browser, tabs = camera_tab(browser, live_server, csp_violations, *args)
    try:
        page = next(tabs)
        sign_in_staff(page, live_server, classes_setup.instructor.username, authenticator)
        page.goto(f"{live_server.url}/lop-cong-dong/buoi/{classes_setup.today_session.pk}/")
        page.get_by_role("button", name="Quét mã QR").click()
        expect(page.locator("#card-camera-status")).to_contain_text(message, timeout=15_000)
        expect(page.locator("#card-camera")).to_be_hidden()
        assert not ClassAttendance.objects.exists()
        # The text field (a typing scanner, a pasted code) still records the learner.
        page.locator("#card-field").fill(classes.learner_card_payload(classes_setup.minority))
        page.get_by_role("button", name="Điểm danh", exact=True).click()
        expect(page.get_by_text("Đã điểm danh.")).to_be_visible()
        assert ClassAttendance.objects.get().resident_id == classes_setup.minority.pk
        next(tabs, None)
    finally:
        camera_browser.close()
