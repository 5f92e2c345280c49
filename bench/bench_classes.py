"""Community classes: an instructor's phone syncing the attendance of 60 people (POST /api/v1/field/attendances/),
and the size of a busy commune's calendar page — in process, on PostgreSQL.

Makes the PostgreSQL database `hocvuso_bench_classes` afresh and migrates it, sets up a commune with one village of
60 residents, an instructor with an API token, and a weekly class on today's weekday (plus, for the calendar, five
classes a day for four weeks: 140 sessions). Each run sends the 60 attendances of a new session as one batch through
Django's test client (request handling, authentication, the services, the database: server time without the network)
and times it; every record must come back 201. The same batch sent again is timed too (every record 200). Then the
commune's calendar page is fetched by the commune officer and its size printed.

Budgets: 60 attendances synced ≤ 2 s (worst of the runs); the commune's calendar page ≤ 100 KB.

Usage: uv run python bench/bench_classes.py   Environment (optional): BENCH_CLASSES_DATABASE_URL, BENCH_RUNS (3).
"""

import datetime
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_CLASSES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_classes")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PEOPLE = 60
SYNC_BUDGET_SECONDS = 2.0
CALENDAR_BUDGET_BYTES = 100 * 1024


def _fresh_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    _fresh_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from rest_framework.test import APIClient

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    from hocvuso.accounts.roles import Role
    from hocvuso.accounts.tests.factories import RoleAssignmentFactory, UserFactory
    from hocvuso.accounts.tests.sessions import SignInClient
    from hocvuso.api.services import issue_api_token
    from hocvuso.learning.models import Course
    from hocvuso.outreach import classes
    from hocvuso.people.tests.factories import ResidentFactory
    from hocvuso.territory.tests import factories as units

    province = units.province(code="99", name="Tỉnh Thử")
    commune = units.commune(province, code="99001", name="Xã Thử")
    village = units.village(commune, code="99001.001", name="Thôn Thử")
    officer, instructor = UserFactory(), UserFactory()
    RoleAssignmentFactory(user=officer, role=Role.COMMUNE_OFFICER, unit=commune)
    RoleAssignmentFactory(user=instructor, role=Role.INSTRUCTOR, unit=commune)
    residents = [
        ResidentFactory(village=village, full_name=f"Người học {number}", birth_date=datetime.date(1950 + number, 1, 1))
        for number in range(PEOPLE)
    ]
    course = Course.objects.create(slug="bench", title="Kỹ năng số", group="citizens")
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    sessions = []
    for run in range(RUNS):  # one class per run, each with today's session
        community_class = classes.schedule_class(
            commune=commune, title=f"Lớp {run}", place="Nhà văn hóa", target_group="citizens", capacity=100,
            instructors=[instructor], recurrence="once", first_day=today, starts_at=datetime.time(7 + run, 0),
            course=course, actor=officer,
        )  # fmt: skip
        sessions.append(community_class.sessions.get())
    for number in range(5):
        for weekday in range(7):
            classes.schedule_class(
                commune=commune, title=f"Lớp kỹ năng số cho người cao tuổi số {number}-{weekday}",
                place="Nhà văn hóa thôn, xã Thử", target_group="elderly", capacity=40, instructors=[instructor],
                recurrence="weekly", weekday=weekday, first_day=monday, last_day=monday + datetime.timedelta(weeks=4),
                starts_at=datetime.time(7 + number * 2, 30), course=course, actor=officer,
            )  # fmt: skip
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=instructor, name='bench').plain_text}")
    warm = api.post("/api/v1/field/attendances/", {"attendances": []}, format="json")
    assert warm.status_code == 200, warm.content

    new_times, resend_times = [], []
    for session in sessions:
        at = timezone.now().replace(microsecond=0).isoformat()
        batch = [
            {"id": str(uuid.uuid4()), "session": str(session.pk), "recorded_at": at, "method": "registry",
             "resident": resident.pk}
            for resident in residents
        ]  # fmt: skip
        started = time.perf_counter()
        answer = api.post("/api/v1/field/attendances/", {"attendances": batch}, format="json")
        new_times.append(time.perf_counter() - started)
        assert [row["status"] for row in answer.json()["results"]] == [201] * PEOPLE, answer.content[:500]
        started = time.perf_counter()
        again = api.post("/api/v1/field/attendances/", {"attendances": batch}, format="json")
        resend_times.append(time.perf_counter() - started)
        assert [row["status"] for row in again.json()["results"]] == [200] * PEOPLE

    browser = SignInClient()
    browser.force_login(officer)  # as the sign-in does, with the verified second factor
    page = browser.get(f"/lop-cong-dong/xa/{commune.code}/")
    size = len(page.content)
    print(f"attendance of {PEOPLE} synced (new): " + ", ".join(f"{value:.3f}s" for value in new_times))
    print(f"attendance of {PEOPLE} resent (200): " + ", ".join(f"{value:.3f}s" for value in resend_times))
    print(f"calendar page (140 sessions + the runs'): {page.status_code}, {size} bytes ({size / 1024:.1f} KB)")
    ok = max(new_times) <= SYNC_BUDGET_SECONDS and page.status_code == 200 and size <= CALENDAR_BUDGET_BYTES
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
