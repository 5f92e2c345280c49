"""A real Celery worker, started as a subprocess, talks to Redis (broker and results) and to the database.

Needs REDIS_URL (CI sets it). The test uses its own Redis database number and its own queue name, so it never
takes work from, or leaves work for, another worker; the worker is always stopped at the end.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from hocvuso.core.health import check_worker
from hocvuso.core.models import AuditEntry
from hocvuso.core.tasks import WORKER_HEARTBEAT_ACTION, ping, record_worker_heartbeat
from hocvuso.core.tests.worker_processes import (
    database_url_for_worker,
    redis_url_for_worker,
    stop_process,
)

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parent.parent
WORKER_REDIS_DB = 15  # apart from the application's database 0
START_SECONDS = 90  # the first task waits for the worker to start (Django setup, connecting to Redis)


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    app: Celery
    log: Path
    shares_database: bool

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait(self, result: Any, timeout: float = START_SECONDS) -> Any:
        """The task's return value; fails at once (with the worker's log) if the worker has exited."""
        deadline = time.monotonic() + timeout
        while not result.ready():
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"No answer from the worker in {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)
        value = result.get(timeout=1)
        result.forget()
        return value


@pytest.fixture(scope="module")
def worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """A `celery -A config worker` process on a fresh queue, and a Celery app that sends to it."""
    redis_url = redis_url_for_worker(WORKER_REDIS_DB, "The worker test")
    queue = f"hv-test-{uuid.uuid4().hex[:12]}"
    database_url = database_url_for_worker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    if database_url is None:
        env.pop("DATABASE_URL", None)  # the worker gets its own in-memory SQLite: ping only
    else:
        env["DATABASE_URL"] = database_url
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1"]
    command += ["-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"]

    app = Celery("hocvuso-worker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)

    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield Worker(process, queue, app, log, shares_database=database_url is not None)
    finally:
        stop_process(process)
        app.close()


def test_worker_answers_ping_through_redis(worker: Worker) -> None:
    result = worker.app.send_task(ping.name, queue=worker.queue)

    assert worker.wait(result) == "pong"
    assert check_worker(app=worker.app, queue=worker.queue, timeout=30) == "ok"


def test_worker_writes_to_the_database(worker: Worker, transactional_db: None) -> None:
    if not worker.shares_database:
        pytest.skip("SQLite in memory cannot be shared with the worker process; run on PostgreSQL (DATABASE_URL).")
    note = uuid.uuid4().hex

    result = worker.app.send_task(record_worker_heartbeat.name, kwargs={"note": note}, queue=worker.queue)
    entry_id = worker.wait(result)

    entry = AuditEntry.objects.get(pk=entry_id)
    assert entry.action == WORKER_HEARTBEAT_ACTION
    assert entry.details == {"note": note}
    assert entry.actor is None
    assert entry.actor_label == "system"
    assert entry.object_type == "core.worker"
    assert AuditEntry.objects.count() == 1
