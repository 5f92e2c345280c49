"""Helpers for the browser journeys: axe-core checks, screenshots, signing staff in."""

import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

from django_otp.oath import totp
from playwright.sync_api import expect

from hocvuso.accounts.tests.factories import PASSWORD

SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS") or Path(tempfile.gettempdir()) / "hocvuso-e2e")
BLOCKING_IMPACTS = {"serious", "critical"}
AXE_PATH = "/__e2e__/axe.min.js"  # conftest's `page` answers it with axe_script()


@cache
def axe_script() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; return the violations of serious or critical impact."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        if page.url.startswith("http"):
            page.add_script_tag(url=AXE_PATH)  # a page of the site: a script of the site, as the policy allows
        else:
            page.add_script_tag(content=axe_script())  # a page made by the test (set_content) has no policy
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, name: str) -> None:
    """Fail with axe's serious or critical violations of the page, named `name` in the message."""
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def current_code(device) -> str:
    """The TOTP device's code of this moment."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in_staff(page, live_server, username: str, device) -> None:
    """Sign in through both steps (password, then the device's TOTP code) and wait for the signed-in page."""
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Mã 6 số").fill(current_code(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator(".account-name")).to_be_attached()  # on a phone, behind the menu button


def open_menu(page):
    """Open the menu when a phone's screen folds the account and the navigation behind its button; the page."""
    page.wait_for_load_state("domcontentloaded")
    button = page.locator("[data-menu-button]")
    if button.count() and button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    return page


def main_nav(page, name: str = "Điều hướng chính"):
    """The main navigation, opened first through the menu button when a phone's screen folds it away."""
    return open_menu(page).get_by_role("navigation", name=name)
