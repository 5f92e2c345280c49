"""Stalled import jobs (their worker died) are marked failed by a scheduled sweeper — Celery beat with Redis, a
thread of each web process without it, or `manage.py sweep_stalled_imports` — and the job page says so."""

import datetime
import io
import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from config import embedded
from hocvuso.core.models import AuditEntry
from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.imports.services import STALE_AFTER, expire_stalled_imports, submit_roster_import
from hocvuso.people.imports.tasks import sweep_stalled_imports_task
from hocvuso.people.tests.import_files import csv_bytes, resident

STALLED_MESSAGE = (
    "Việc nhập đã dừng: không có tiến triển trong 30 phút (máy xử lý ngừng hoặc bị tắt). Chưa có dữ liệu nào "
    "được ghi. Hãy gửi lại tệp."
)


def job_in(territory: Any, status: str, *, idle: datetime.timedelta, serial: int, user: Any = None) -> ImportJob:
    job = submit_roster_import(
        user=user,
        kind="residents",
        file_name=f"ds-{serial}.csv",
        data=csv_bytes([resident(serial)]),
        unit=territory.commune,
        dry_run=False,
        enqueue=False,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=status, updated_at=timezone.now() - idle)
    return job


def statuses() -> list[tuple[str, str, str]]:
    return list(ImportJob.objects.order_by("file_name").values_list("file_name", "status", "message"))


def test_the_sweeper_fails_only_jobs_that_stopped_moving(territory: Any) -> None:
    long_ago = STALE_AFTER + datetime.timedelta(minutes=1)
    job_in(territory, ImportStatus.IMPORTING, idle=long_ago, serial=1)
    job_in(territory, ImportStatus.QUEUED, idle=long_ago, serial=2)
    job_in(territory, ImportStatus.VALIDATING, idle=datetime.timedelta(minutes=5), serial=3)  # still moving
    job_in(territory, ImportStatus.DONE, idle=long_ago, serial=4)

    assert expire_stalled_imports() == 2
    assert expire_stalled_imports() == 0  # once

    assert statuses() == [
        ("ds-1.csv", "failed", STALLED_MESSAGE),
        ("ds-2.csv", "failed", STALLED_MESSAGE),
        ("ds-3.csv", "validating", ""),
        ("ds-4.csv", "done", ""),
    ]
    assert AuditEntry.objects.filter(action="people.import_roster.stalled").count() == 2


def test_celery_beat_runs_the_sweeper_every_five_minutes(territory: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stalled-imports"]
    assert (entry["task"], entry["schedule"]) == (sweep_stalled_imports_task.name, 300.0)
    job_in(territory, ImportStatus.IMPORTING, idle=STALE_AFTER * 2, serial=1)

    assert sweep_stalled_imports_task.delay().get() == 1
    assert statuses()[0][1] == "failed"


def test_the_command_sweeps_for_cron(territory: Any) -> None:
    job_in(territory, ImportStatus.IMPORTING, idle=STALE_AFTER * 2, serial=1)
    out = io.StringIO()

    call_command("sweep_stalled_imports", stdout=out)

    assert out.getvalue() == "Stalled imports marked failed: 1.\n"
    assert statuses()[0][1] == "failed"


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_thread_of_the_web_process_sweeps(territory: Any) -> None:
    job_in(territory, ImportStatus.IMPORTING, idle=STALE_AFTER * 2, serial=1)
    stop = threading.Event()

    thread = embedded.start(interval=0.05, stop=stop)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if statuses()[0][1] == "failed":
                    break
            except OperationalError:  # SQLite's shared in-memory database: "table is locked" while the thread writes
                pass
            time.sleep(0.05)
    finally:
        stop.set()
        assert thread is not None
        thread.join(timeout=5)

    assert statuses()[0][1:] == ("failed", STALLED_MESSAGE)
    assert not thread.is_alive()


def test_with_a_broker_the_web_process_starts_no_thread(settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert embedded.start(interval=0.05) is None


def test_the_job_page_says_the_import_stalled_and_that_nothing_was_written(
    client: Client, territory: Any, commune_officer: Any
) -> None:
    job = job_in(territory, ImportStatus.IMPORTING, idle=STALE_AFTER * 2, serial=1, user=commune_officer)
    expire_stalled_imports()
    client.force_login(commune_officer)

    page = client.get(f"/nhap-danh-sach/{job.pk}/").content.decode()

    assert STALLED_MESSAGE in page and "Thất bại" in page
