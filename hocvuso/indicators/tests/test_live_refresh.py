"""Acceptance: with a real Celery worker and beat on Redis, a change made through the real services — a VNeID
level recorded, a literacy confirmation after a passed assessment — shows on the dashboard within 10 seconds.

Needs REDIS_URL and PostgreSQL (the worker must share the test database; SQLite in memory cannot be shared),
like tests/test_worker.py, whose approach this follows: the worker uses its own Redis database number and
its own queue, runs beat embedded with only the refresh task at the production interval, and is always
stopped at the end.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import UserFactory
from hocvuso.core.tests.worker_processes import (
    redis_url_for_worker,
    shared_database_url,
    stop_process,
)
from hocvuso.indicators.selectors import unit_dashboard
from hocvuso.indicators.services import rebuild_facts
from hocvuso.learning.models import Assessment, Attempt, Course, LiteracyRule
from hocvuso.learning.services import update_literacy_status
from hocvuso.people.models import Resident
from hocvuso.people.services import record_digital_identity

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[3]
WORKER_REDIS_DB = 14  # apart from the application's database 0 and tests/test_worker.py's 15
START_SECONDS = 120  # the worker starts (Django setup, Redis) and beat sends its first refresh
BUDGET_SECONDS = 10


@pytest.fixture
def worker(django_db_setup: None, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker -B` on a fresh queue, beat sending "refresh-indicators" to it."""
    redis_url = redis_url_for_worker(WORKER_REDIS_DB, "The live refresh test")
    database_url = shared_database_url("The live refresh test")
    queue = f"hv-indicators-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "INDICATORS_TEST_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "hocvuso.indicators.tests.celery_app", "worker", "-B"]
    command += ["-s", str(tmp_path / "beat-schedule"), "--pool=solo", "-Q", queue, "-n", f"{queue}@%h"]
    command += ["--without-gossip", "--without-mingle", "-l", "INFO"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    process.log = log  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        stop_process(process)


def wait_for(condition: Callable[[], bool], seconds: float, process: Any) -> float:
    """Poll until the condition holds; the seconds it took. Fails (with the worker's log) after `seconds`."""
    started = time.monotonic()
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"The worker exited with {process.returncode}:\n{process.log.read_text()[-4000:]}")
        if time.monotonic() - started > seconds:
            pytest.fail(f"Not on the dashboard after {seconds} s:\n{process.log.read_text()[-4000:]}")
        time.sleep(0.2)
    return time.monotonic() - started


def test_changes_show_on_the_dashboard_within_ten_seconds(
    transactional_db: None, worker: Any, territory: Any, make_user: Callable[..., Any]
) -> None:
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)
    learner = UserFactory()
    adult = Resident.objects.create(
        full_name="Y Bhăm Niê", birth_date="1980-03-01", sex="M", ethnicity=12, village=territory.village, user=learner
    )
    other = Resident.objects.create(
        full_name="H'Hen Niê", birth_date="1990-01-01", sex="F", ethnicity=12, village=territory.village
    )
    course = Course.objects.create(slug="cong-dan-so", title="Công dân số", group="citizens")
    final = Assessment.objects.create(course=course, kind="final", title="Bài đánh giá cuối khóa")
    LiteracyRule.objects.create(group="citizens", name="Người dân").required_assessments.add(final)
    rebuild_facts()

    def figure(code: str) -> tuple[int | None, int | None]:
        found = unit_dashboard(user=admin, unit=territory.village).unit.figure(code)
        assert found is not None
        return found.numerator, found.denominator

    assert figure("digital-identity") == (0, 2)
    # the worker is up when a first change has gone through
    record_digital_identity(
        resident=other, vneid_level=1, has_bank_account=None, source="visit", on=timezone.localdate(), actor=None
    )
    wait_for(lambda: figure("digital-identity") == (1, 2), START_SECONDS, worker)

    record_digital_identity(
        resident=adult, vneid_level=2, has_bank_account=None, source="vneid", on=timezone.localdate(), actor=None
    )
    identity_seconds = wait_for(lambda: figure("digital-identity") == (2, 2), BUDGET_SECONDS, worker)

    attempt = Attempt.objects.create(
        user=learner,
        resident=adult,
        assessment=final,
        number=1,
        state="submitted",
        submitted_at=timezone.now(),
        score=90,
        passed=True,
    )
    assert len(update_literacy_status(user=learner, attempt=attempt)) == 1
    literacy_seconds = wait_for(lambda: figure("adults-digital-skills") == (1, 2), BUDGET_SECONDS, worker)

    assert identity_seconds <= BUDGET_SECONDS
    assert literacy_seconds <= BUDGET_SECONDS
    assert figure("digital-families") == (0, 0)
