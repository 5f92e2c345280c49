"""Benchmark, not a test (pytest collects only test_*.py): 60 attendances taken offline in the field app and sent
when the network returns, in Debian's Chromium on a 390×844 phone against the live server of the browser journeys.

The instructor records 60 learner cards with no network (each read from the card field as a scanner would type
it, with no wait between them: the app must keep all 60), then the network comes back; the figure is the time from
then until the phone's list of records waiting is empty (the server's answers applied), and every one of the 60 must
be stored. Budget (issue 13): attendance of 60 people synced in ≤ 2 s. Each run prints its figure; run it three
times and judge the worst (docs/BENCHMARKS.md).

Usage: uv run pytest e2e/bench_class_attendance.py -p no:cacheprovider -s
"""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassAttendance, ClassSession
from hocvuso.people.tests.factories import ResidentFactory

from .test_class_attendance_journey import PHONE_390, TITLE, register_phone, schedule_weekly_class, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PEOPLE = 60


def test_sixty_attendances_sent_from_the_phone(page, live_server, territory, world) -> None:  # noqa: F811
    page.set_viewport_size(PHONE_390)
    today = timezone.localdate()
    community_class = schedule_weekly_class(page, live_server, territory, world)
    community_class.capacity = PEOPLE
    community_class.save(update_fields=["capacity"])
    session = ClassSession.objects.get(community_class=community_class, day=today)
    cards = [classes.learner_card_payload(ResidentFactory(village=territory.village)) for _ in range(PEOPLE)]
    register_phone(page, live_server, world)
    page.context.set_offline(True)
    page.get_by_role("button", name=f"Điểm danh: {TITLE}, {today:%d/%m/%Y}").click()
    for card in cards:
        page.get_by_label("Mã QR trên thẻ").fill(card)
        page.get_by_role("button", name="Ghi người có thẻ").click()
    expect(page.locator("#session-records > li")).to_have_count(PEOPLE)

    started = time.perf_counter()
    page.context.set_offline(False)
    expect(page.locator("#session-records > li")).to_have_count(0, timeout=60_000)
    seconds = time.perf_counter() - started
    assert ClassAttendance.objects.filter(session=session).count() == PEOPLE
    print(f"\n{PEOPLE} attendances sent from the phone: {seconds:.2f} s (budget 2 s)")
