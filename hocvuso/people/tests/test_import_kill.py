"""`kill -9` of the Celery worker in the middle of a 100,000-row import leaves no partial import, and the job,
delivered again to a new worker, finishes exactly once with the right counts.

Needs REDIS_URL (a real broker) and PostgreSQL (the worker, a separate process, must see the test database).
The test uses its own Redis database number and queue, and always stops the workers it started.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.db import connection

from hocvuso.core.tests.worker_processes import (
    redis_url_for_worker,
    shared_database_url,
    stop_process,
)
from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.imports.services import submit_roster_import
from hocvuso.people.models import Household, Resident
from hocvuso.people.tests.import_files import RESIDENT_HEADER, national_id

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
REDIS_DB = 14  # apart from the application (0) and the worker health test (15)
ROWS = 100_000
TASK = "hocvuso.people.imports.tasks.run_roster_import"


def roster_csv(rows: int) -> bytes:
    """Households of four (a head and three children), alternating between the commune's two villages."""
    lines = [",".join(RESIDENT_HEADER)]
    birth = datetime.date(1980, 6, 15)
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "K'Brơi", "H'Hen Niê", "Y Moan Êban"]
    for serial in range(1, rows + 1):
        household = (serial - 1) // 4
        relation = "Chủ hộ" if serial % 4 == 1 else "Con"
        village = f"24631.00{1 + household % 2}"
        lines.append(
            f"{serial},{national_id(birth, 'M', serial)},{names[serial % len(names)]},15/06/1980,Nam,Kinh,"
            f"K-{household},{relation},{village},,"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


class Workers:
    """Starts `celery -A config worker --pool=solo` processes on one queue, and stops them all at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.queue = f"hv-import-kill-{uuid.uuid4().hex[:12]}"
        self.broker = redis_url_for_worker(REDIS_DB, "The kill -9 test")
        self.database = shared_database_url("The kill -9 test")
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *, visibility_timeout: int | None = None) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": self.database,
            "REDIS_URL": self.broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
        }
        number = len(self.processes) + 1
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1"]
        command += ["-Q", self.queue, "-n", f"{self.queue}-{number}@%h", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", "-l", "INFO"]
        if visibility_timeout is not None:
            # A message whose worker died is handed out again once it has been unacknowledged this long.
            command += ["--", f'broker_transport_options=(json){{"visibility_timeout": {visibility_timeout}}}']
        with (self.log_dir / f"worker-{number}.log").open("wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.log_dir.glob("*.log")))

    def stop(self) -> None:
        for process in self.processes:
            stop_process(process)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop()


def wait_for(condition: Any, *, timeout: float, workers: Workers, what: str) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get()
        if condition(job):
            return job
        if job.is_finished:
            problems = list(job.problems.values_list("row", "column", "message")[:5])
            pytest.fail(f"The job ended {job.status} before {what}: {job.message} {problems}\n{workers.log()}")
        time.sleep(0.05)
    pytest.fail(f"Timed out waiting for {what}; job: {ImportJob.objects.values().get()}\n{workers.log()}")


def test_kill_9_during_the_import_leaves_nothing_and_the_job_finishes_exactly_once(
    territory: Any, workers: Workers
) -> None:
    broker = redis_url_for_worker(REDIS_DB, "The kill -9 test")
    shared_database_url("The kill -9 test")
    job = submit_roster_import(
        user=None,
        kind="residents",
        file_name="100k.csv",
        data=roster_csv(ROWS),
        unit=territory.commune,
        dry_run=False,
        enqueue=False,
    )
    app = Celery("hocvuso-import-kill-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    try:
        first = workers.start()
        app.send_task(TASK, args=[job.pk], queue=workers.queue)

        # Progress is written outside the import transaction, so it is visible while the transaction is open (a
        # file of new residents is written while it is checked: its rows are being written from the first batch).
        seen = wait_for(
            lambda job: job.rows_imported > 0,
            timeout=180,
            workers=workers,
            what="the importing phase",
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)

        connection.close()
        assert seen.rows_imported < ROWS
        assert Resident.objects.count() == 0
        assert Household.objects.count() == 0
        killed = ImportJob.objects.get()
        assert (killed.status, killed.attempts) == (seen.status, 1)
        assert killed.status in {ImportStatus.VALIDATING, ImportStatus.IMPORTING}

        workers.start(visibility_timeout=1)
        done = wait_for(lambda job: job.is_finished, timeout=300, workers=workers, what="the re-delivered job")
        time.sleep(3)  # a second (duplicate) delivery, if any, would run now: it must change nothing

        done.refresh_from_db()
        assert (done.status, done.attempts, done.rows_total, done.rows_imported) == (ImportStatus.DONE, 2, ROWS, ROWS)
        assert (done.created_count, done.updated_count, done.unchanged_count) == (ROWS, 0, 0)
        assert (done.households_created, done.progress) == (ROWS // 4, 100)
        assert Resident.objects.count() == ROWS
        assert Household.objects.count() == ROWS // 4
        assert Household.objects.filter(head__isnull=True).count() == 0
    finally:
        app.close()
