"""Hole 4 of issue 8: fifteen parallel wrong passwords for one username were all checked. The failure limit is
counted and checked atomically, so at most LOGIN_FAILURE_LIMIT (5) passwords are ever checked in the window,
whatever the concurrency — on PostgreSQL (row lock) and on SQLite (write transactions taken at BEGIN)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hocvuso.accounts.models import LoginFailure, User
from hocvuso.core.models import AuditEntry

from . import parallel_sign_in

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db(transaction=True)
def test_fifteen_parallel_wrong_passwords_on_postgresql_check_at_most_five(settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Runs on PostgreSQL (DATABASE_URL); the SQLite path is the test below, on a database file.")
    settings.PASSWORD_HASHERS = parallel_sign_in.HASHERS
    User.objects.create_user(username=parallel_sign_in.USERNAME, password="the-right-password")

    result = parallel_sign_in.try_in_parallel()

    assert result["errors"] == []
    assert result["checked"] == settings.LOGIN_FAILURE_LIMIT
    assert result["outcomes"] == {"invalid": 5, "throttled": 10}
    assert LoginFailure.objects.filter(username="lan").count() == 5
    assert AuditEntry.objects.filter(action="accounts.login_failed", object_label="lan").count() == 5


def test_fifteen_parallel_wrong_passwords_on_sqlite_check_at_most_five(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    run = subprocess.run(
        [sys.executable, "-m", "hocvuso.accounts.tests.parallel_sign_in"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)

    assert result["errors"] == []
    assert result["checked"] == settings.LOGIN_FAILURE_LIMIT
    assert result["outcomes"] == {"invalid": 5, "throttled": 10}
    assert result["failures_recorded"] == 5
