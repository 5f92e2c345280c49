"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is downloaded: Chromium comes from the system (`make browser-deps`), axe-core from the
`axe-playwright-python` package (its bundled axe.min.js is served to each page checked as if from the site).
Every page visited is held to the Content-Security-Policy: a violation fails the test.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser import AXE_PATH, axe_script

# A page's own waits (`tab.set_default_timeout` below) and the assertions' waits are the same 15 s: an `expect`
# waits for what the page will show (a save note after its request, say), it does not time it; on a machine busy
# with other suites the default 5 s failed an answer's "Đã lưu" that came later.
expect.set_options(timeout=15_000)

JS = "text/javascript; charset=utf-8"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in fixtures are still sync.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make browser-deps` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page a browser test visits reports here each Content-Security-Policy violation it meets (the browser's
# `securitypolicyviolation` event, listened to before any of the page's own code runs).
LISTEN_FOR_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    page: location.pathname,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
}, true);
"""


@pytest.fixture
def csp_violations() -> list[dict]:
    """The Content-Security-Policy violations the test's pages met; `page` fails the test unless it is empty."""
    return []


def guarded_tab(
    browser, live_server, csp_violations: list[dict], *, also_allowed: tuple[str, ...] = ()
) -> Iterator[object]:
    """A fresh phone-sized browser tab (no cookies) for a fixture to yield. Requests to any address but the live
    server's (and `also_allowed`) are refused, and the test fails if a page made one: every asset is served
    locally. It fails too if any page met a Content-Security-Policy violation (no inline script or style,
    nothing from elsewhere)."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="en-US"
    )  # pages stay Vietnamese until the switch is used
    context.expose_binding("__cspViolation", lambda _source, violation: csp_violations.append(violation))
    context.add_init_script(LISTEN_FOR_CSP_VIOLATIONS)
    outside: list[str] = []

    def only_local(route) -> None:
        if route.request.url.startswith((live_server.url, *also_allowed)):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    # axe-core, which assert_accessible loads into pages, is served as if from the site: an inline copy would be
    # refused by the policy (and reported as a violation)
    context.route(live_server.url + AXE_PATH, lambda route: route.fulfill(body=axe_script(), content_type=JS))
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
    assert outside == [], "pages asked for assets from outside the site"
    assert csp_violations == [], "pages met Content-Security-Policy violations"


@pytest.fixture
def page(browser, live_server, csp_violations) -> Iterator[object]:
    """A fresh phone-sized browser tab that may reach only the live server (`guarded_tab`)."""
    yield from guarded_tab(browser, live_server, csp_violations)
