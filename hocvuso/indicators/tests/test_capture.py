"""Change capture is part of the schema: the migrations install the triggers (nothing runs after `migrate`), so a
database restored from a backup, without `migrate`, keeps queueing the units its writes change; and `/healthz`
says "figures stale" when nothing drained that queue within its budget."""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
import weakref
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.db.models.signals import post_migrate
from django.test import Client, override_settings
from django.utils import timezone

from conftest import Territory
from hocvuso.indicators.capture import InstallChangeCapture, expected_triggers, installed_triggers
from hocvuso.indicators.models import DirtyKind, DirtyUnit, FactState
from hocvuso.indicators.selectors import figures_health
from hocvuso.indicators.services import refresh_facts
from hocvuso.people.tests.factories import HouseholdFactory

BUDGET = 300
ROOT = Path(__file__).resolve().parents[3]


def test_no_handler_installs_triggers_after_migrate_the_migrations_do() -> None:
    receivers = [
        entry[1]() if isinstance(entry[1], weakref.ReferenceType) else entry[1] for entry in post_migrate.receivers
    ]
    assert [r for r in receivers if getattr(r, "__module__", "").startswith("hocvuso")] == []
    migration = __import__("hocvuso.indicators.migrations.0003_install_change_capture", fromlist=["Migration"])
    assert any(isinstance(operation, InstallChangeCapture) for operation in migration.Migration.operations)


def test_the_database_built_by_migrations_alone_has_every_trigger(db: None) -> None:
    assert installed_triggers() == expected_triggers()


# --- A backup restored without `migrate` ----------------------------------------------------------------------


def _database_url_parts() -> dict[str, Any]:
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or "",
    }


@pytest.fixture
def restored_postgresql(transactional_db: None, territory: Territory) -> Iterator[psycopg.Connection[Any]]:
    """pg_dump of the test database (schema and data), pg_restore into a new database: no `migrate` runs."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore: PostgreSQL only (the SQLite restore is tested below)")
    parts = _database_url_parts()
    environment = {**os.environ, "PGPASSWORD": parts["password"]}
    common = ["-h", parts["host"], "-p", parts["port"], "-U", parts["user"]]
    source = connection.settings_dict["NAME"]
    target = f"{source}_restored_{uuid.uuid4().hex[:8]}"
    dump = subprocess.run(["pg_dump", *common, "-Fc", source], env=environment, capture_output=True, check=True)
    subprocess.run(["createdb", *common, target], env=environment, check=True)
    try:
        subprocess.run(
            ["pg_restore", *common, "--no-owner", "-d", target],
            input=dump.stdout,
            env=environment,
            capture_output=True,
            check=True,
        )
        info = f"host={parts['host']} port={parts['port']} user={parts['user']} dbname={target}"
        with psycopg.connect(info, password=parts["password"] or None, autocommit=True) as restored:
            yield restored
    finally:
        subprocess.run(["dropdb", *common, "--if-exists", target], env=environment, check=True)


def _household_row(cursor: Any, village_id: int) -> None:
    now = timezone.now()
    cursor.execute(
        "INSERT INTO people_household (created_at, updated_at, village_id, code, address) VALUES (%s, %s, %s, %s, %s)",
        [now, now, village_id, "KP-RESTORED", "1 Đường Khôi Phục"],
    )


def test_a_postgresql_backup_restored_without_migrate_keeps_capturing_changes(
    restored_postgresql: psycopg.Connection[Any], territory: Territory
) -> None:
    with restored_postgresql.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'indicators_capture%%'")
        assert {row[0] for row in cursor.fetchall()} == expected_triggers()
        cursor.execute("DELETE FROM indicators_dirtyunit")
        _household_row(cursor, territory.village_b.pk)
        cursor.execute("SELECT kind, object_id FROM indicators_dirtyunit")
        assert cursor.fetchall() == [(DirtyKind.VILLAGE.value, territory.village_b.pk)]


def test_an_sqlite_backup_opened_without_migrate_keeps_capturing_changes(tmp_path: Path) -> None:
    """On a database file of its own (whatever the test database is): `migrate` builds it, the SQLite backup API
    copies it, and the copy is opened with the sqlite3 module alone — no Django, no `migrate`."""
    original, backup = tmp_path / "live.sqlite3", tmp_path / "backup.sqlite3"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{original}",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    with sqlite3.connect(original) as live, sqlite3.connect(backup) as copy:
        live.backup(copy)
    restored = sqlite3.connect(backup)
    try:
        names = {row[0] for row in restored.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert names == expected_triggers()
        now = timezone.now().isoformat()
        unit = (
            "INSERT INTO territory_administrativeunit (created_at, updated_at, code, name, level, kind, parent_id, "
            "path, valid_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        restored.execute(unit, [now, now, "68", "Lâm Đồng", "province", "tỉnh", None, "/68/", "2025-07-01"])
        restored.execute(unit, [now, now, "24631", "Xã Quảng Khê", "commune", "xã", 1, "/68/24631/", "2025-07-01"])
        restored.execute(
            unit, [now, now, "24631.001", "Thôn 1", "village", "thôn", 2, "/68/24631/24631.001/", "2025-07-01"]
        )
        restored.execute("DELETE FROM indicators_dirtyunit")
        restored.execute(
            "INSERT INTO people_household (created_at, updated_at, village_id, code, address) VALUES (?, ?, ?, ?, ?)",
            [now, now, 3, "KP-RESTORED", "1 Đường Khôi Phục"],
        )
        rows = restored.execute("SELECT kind, object_id FROM indicators_dirtyunit").fetchall()
        assert rows == [(DirtyKind.VILLAGE.value, 3)]
    finally:
        restored.close()


# --- "figures stale" ------------------------------------------------------------------------------------------


def _queue(since: datetime, object_id: int = 1) -> None:
    DirtyUnit.objects.create(kind=DirtyKind.VILLAGE, object_id=object_id, since=since)


@override_settings(FIGURES_STALE_AFTER_SECONDS=BUDGET)
def test_figures_are_fresh_while_the_queue_waits_less_than_its_budget(db: None) -> None:
    now = timezone.now()
    assert figures_health(now=now) == "ok"
    _queue(now - timedelta(seconds=BUDGET - 1))

    assert figures_health(now=now) == "ok"


@override_settings(FIGURES_STALE_AFTER_SECONDS=BUDGET)
def test_figures_are_stale_when_a_change_waited_longer_than_the_budget(db: None) -> None:
    now = timezone.now()
    _queue(now - timedelta(seconds=BUDGET + 1))

    assert figures_health(now=now) == "stale"


@override_settings(FIGURES_STALE_AFTER_SECONDS=BUDGET)
def test_figures_of_an_earlier_day_are_stale_once_the_budget_after_midnight_passed(db: None) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    FactState.objects.create(pk=1, day=today - timedelta(days=1), refreshed_at=now - timedelta(days=1))
    midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()))

    assert figures_health(now=midnight + timedelta(seconds=BUDGET - 1)) == "ok"
    assert figures_health(now=midnight + timedelta(seconds=BUDGET + 1)) == "stale"


@override_settings(FIGURES_STALE_AFTER_SECONDS=BUDGET, REDIS_URL="")
def test_healthz_reports_figures_stale_and_fresh_again_after_a_refresh(db: None, territory: Territory) -> None:
    HouseholdFactory(village=territory.village)  # the trigger queues the village
    DirtyUnit.objects.update(since=timezone.now() - timedelta(seconds=BUDGET + 5))
    client = Client()

    stale = client.get("/healthz")

    assert stale.status_code == 200
    assert json.loads(stale.content) == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "ok", "queue": "eager", "figures": "stale"},
        "warnings": ["figures stale"],
    }
    refresh_facts()
    assert not DirtyUnit.objects.exists()
    fresh = client.get("/healthz")
    assert json.loads(fresh.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "queue": "eager", "figures": "ok"},
    }


# --- Cost follows the write, not the registry --------------------------------------------------------------------


def test_a_bulk_insert_of_residents_looks_up_their_households_instead_of_reading_the_table(
    db: None, territory: Territory
) -> None:
    """A COPY of a few thousand residents (the roster import writes 5,000 a statement) made the planner hash-join the
    trigger's transition table with the WHOLE household table on every statement; the trigger now looks up the
    households the rows name, so the household table is never read sequentially (PostgreSQL's per-transaction scan
    counters say which way it was read). The queue still gets both villages: the resident's and its household's."""
    if connection.vendor != "postgresql":
        pytest.skip("statement-level triggers with transition tables are PostgreSQL's")
    from hocvuso.people.bulk import BulkTable
    from hocvuso.people.models import Household, Resident

    village, other = territory.village, territory.other_village
    now = timezone.now()
    households = BulkTable(Household, ["created_at", "updated_at", "code", "village_id", "address"])
    ids = households.insert([(now, now, f"H{number}", village.pk, "") for number in range(20_000)])
    moved = households.insert([(now, now, "HX", other.pk, "")])[0]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_household")
    DirtyUnit.objects.all().delete()
    residents = BulkTable(
        Resident,
        [
            "created_at",
            "updated_at",
            "full_name",
            "birth_date",
            "sex",
            "ethnicity",
            "national_id_last4",
            "phone_last3",
            "household_id",
            "village_id",
            "name_key",
        ],
    )

    def scans() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq_scan, COALESCE(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relid = %s::regclass",
                ["people_household"],
            )
            return cursor.fetchone()

    before = scans()
    day = datetime(1990, 5, 1).date()
    rows = [
        (now, now, "Nguyễn Văn An", day, "M", 1, "", "", ids[number % 2_000], village.pk, "") for number in range(4_999)
    ]
    residents.insert([*rows, (now, now, "Lê Thị Bình", day, "F", 1, "", "", moved, village.pk, "")])
    after = scans()
    assert after[0] == before[0], "the trigger read the whole household table"
    assert after[1] > before[1]
    assert set(DirtyUnit.objects.values_list("kind", "object_id")) == {
        (DirtyKind.VILLAGE, village.pk),
        (DirtyKind.VILLAGE, other.pk),
    }
