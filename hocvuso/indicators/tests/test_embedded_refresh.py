"""Without Redis (tasks run eagerly, no worker, no beat) public pages never refresh the figures themselves: the
web process runs the refresh in a thread of its own (refresher.py), and the figures still follow the data
within the same 10-second budget the worker meets (tests/test_live_refresh.py)."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from conftest import Territory
from hocvuso.accounts.roles import Role
from hocvuso.indicators.models import DirtyUnit, FactState
from hocvuso.indicators.refresher import Refresher, start_embedded_refresher
from hocvuso.indicators.selectors import unit_dashboard
from hocvuso.indicators.services import rebuild_facts
from hocvuso.people.models import Resident
from hocvuso.people.services import record_digital_identity

ROOT = Path(__file__).resolve().parents[3]
BUDGET_SECONDS = 10


@override_settings(CELERY_TASK_ALWAYS_EAGER=True, REDIS_URL="")
def test_an_anonymous_visit_to_the_public_page_refreshes_nothing(db: None, territory: Territory) -> None:
    Resident.objects.create(
        full_name="Y Bhăm Niê", birth_date="1980-03-01", sex="M", ethnicity=12, village=territory.village
    )
    rebuild_facts()
    state_before = FactState.objects.values("day", "refreshed_at", "built_at").get()
    Resident.objects.create(
        full_name="H'Hen Niê", birth_date="1990-01-01", sex="F", ethnicity=12, village=territory.village
    )
    queued = set(DirtyUnit.objects.values_list("kind", "object_id"))
    assert queued

    response = Client().get("/tien-do/")

    assert response.status_code == 200
    assert set(DirtyUnit.objects.values_list("kind", "object_id")) == queued
    assert FactState.objects.values("day", "refreshed_at", "built_at").get() == state_before


@override_settings(CELERY_TASK_ALWAYS_EAGER=True, REDIS_URL="")
def test_a_visit_on_a_new_day_does_not_rebuild_every_fact_in_the_request(db: None, territory: Territory) -> None:
    rebuild_facts(on=timezone.localdate() - timedelta(days=1))
    state_before = FactState.objects.values("day", "refreshed_at", "built_at").get()

    assert Client().get("/tien-do/").status_code == 200

    assert FactState.objects.values("day", "refreshed_at", "built_at").get() == state_before


@pytest.fixture
def refresher(transactional_db: None) -> Iterator[Refresher]:
    if connection.vendor != "postgresql":
        pytest.skip("two writing threads need a shared database: PostgreSQL (SQLite: the embedded-default test)")
    started = Refresher(interval=0.2).start()
    try:
        yield started
    finally:
        started.stop()
        assert not started.running


def _wait(condition: Callable[[], bool], seconds: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"The figures did not follow the data within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started


def test_the_refresher_thread_brings_the_figures_up_to_date_within_the_budget(
    refresher: Refresher, territory: Territory, make_user: Callable[..., Any]
) -> None:
    """On PostgreSQL, in this process (the SQLite test database in memory cannot be shared by two threads that
    write; the SQLite path is the embedded-default test below, on a database file)."""
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)
    adult = Resident.objects.create(
        full_name="Y Bhăm Niê", birth_date="1980-03-01", sex="M", ethnicity=12, village=territory.village
    )

    def figure() -> tuple[int | None, int | None] | None:
        found = unit_dashboard(user=admin, unit=territory.village).unit.figure("digital-identity")
        return None if found is None else (found.numerator, found.denominator)

    _wait(lambda: figure() == (0, 1), BUDGET_SECONDS)  # the first round built today's facts
    record_digital_identity(
        resident=adult, vneid_level=2, has_bank_account=None, source="vneid", on=timezone.localdate(), actor=None
    )

    seconds = _wait(lambda: figure() == (1, 1), BUDGET_SECONDS)

    assert seconds <= BUDGET_SECONDS
    assert not DirtyUnit.objects.exists()
    assert refresher.rounds >= 2


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_no_refresher_where_a_worker_refreshes() -> None:
    assert start_embedded_refresher() is None


@override_settings(CELERY_TASK_ALWAYS_EAGER=True, FIGURES_REFRESH_IN_PROCESS=False)
def test_no_refresher_when_the_setting_turns_it_off() -> None:
    assert start_embedded_refresher() is None


@override_settings(CELERY_TASK_ALWAYS_EAGER=True, FIGURES_REFRESH_IN_PROCESS=True, FIGURES_REFRESH_SECONDS=60)
def test_one_refresher_per_process_without_a_worker(transactional_db: None) -> None:
    first = start_embedded_refresher()
    try:
        assert first is not None and first.running
        assert start_embedded_refresher() is first
    finally:
        assert first is not None
        first.stop()


def test_the_embedded_default_follows_the_data_within_the_budget_without_requests(tmp_path: Path) -> None:
    """`make run`'s setup — SQLite file, no Redis — in a process of its own: migrate, load the WSGI application
    as the server does, change a digital identity through its service, and watch the dashboard figure follow."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "FIGURES_REFRESH_SECONDS": "0.5",
    }

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
        )

    migrate = run("manage.py", "migrate", "--no-input", "-v0")
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    served = run("-m", "hocvuso.indicators.tests.embedded_server", str(BUDGET_SECONDS))

    assert served.returncode == 0, served.stderr[-3000:]
    outcome = json.loads(served.stdout.strip().splitlines()[-1])
    assert sorted(outcome["threads"]) == ["hocvuso-embedded-schedule", "hocvuso-figures-refresher"]
    assert outcome["figure"] == [1, 1]
    assert outcome["seconds"] <= BUDGET_SECONDS
