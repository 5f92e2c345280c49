"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is downloaded: Chromium comes from the system (`make browser-deps`), axe-core from the
`axe-playwright-python` package (its bundled axe.min.js is injected into each page checked).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh phone-sized browser tab (no cookies). Requests to any address but the live server's are
    refused, and the test fails if a page made one: every asset is served locally."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="en-US"
    )  # pages stay Vietnamese until the switch is used
    outside: list[str] = []

    def only_local(route) -> None:
        if route.request.url.startswith((live_server.url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
    assert outside == [], "pages asked for assets from outside the site"
