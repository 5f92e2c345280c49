"""Field sync: one phone's batch of 500 home visits (POST /api/v1/field/visits/), server time on PostgreSQL.

Makes the PostgreSQL database `hocvuso_bench_field` afresh, migrates it and sets up a commune with one village of
500 households (two residents each), a team with one member to whom every household is assigned, and the member's
device token. Then gunicorn (production settings, config/gunicorn.py, BENCH_FIELD_WORKERS workers, 2 by default)
receives, in each run, a batch of 500 new visits (a different household each, two outcomes per visit: VNeID
installed — which writes identity evidence through the registry's service — and guidance on online public
services), timed from the request's first byte to the answer's last on the same machine (so: server time). Every
visit must come back 201. The same batch sent again (a phone that lost the answer) is timed too: every visit 200.

Budget: ≤ 5 s for the batch of 500 new visits, worst of the runs (≥ 3), on 2 cores. Before the runs, a few one-visit
batches warm the workers up (the first request of a worker loads the URLs, translations and schema).

Then, in each run, how long the batch takes to reach the dashboard: from the answer to the moment the village's
"household-visits" fact (visits in the last 7 days) counts the batch, polled in the database every 0.1 s. What
refreshes the facts runs as in production: with Redis, a Celery worker with beat (`celery -A config worker -B`, the
"refresh-indicators" schedule), started beside gunicorn for the whole bench; without Redis, the web workers' own
refresher threads. Budget (issue 12): within the ≤ 10 s of every other change.

Usage: uv run python bench/bench_field_sync.py [N]   (N visits per batch, default 500, at most 500: the API's limit)
Environment (optional): BENCH_FIELD_DATABASE_URL, BENCH_FIELD_REDIS_URL (default: bench_http's), BENCH_FIELD_WORKERS,
BENCH_RUNS.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bench_http as shared
import psycopg
import repeat

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_FIELD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_field")
WORKERS = int(os.environ.get("BENCH_FIELD_WORKERS", "2"))
REDIS_URL = os.environ.get("BENCH_FIELD_REDIS_URL", shared.REDIS_URL)
WARMUP = 4  # one-visit batches first, so that each worker has loaded what a request needs
BATCH = 500
BUDGET_SECONDS = 5.0
FRESH_BUDGET_SECONDS = 10.0
FRESH_GIVE_UP_SECONDS = 60.0
VISITS_FACT = """
    SELECT COALESCE(SUM(f.numerator), 0) FROM indicators_indicatorfact f
    JOIN indicators_indicator i ON i.id = f.indicator_id
    WHERE i.code = 'household-visits' AND f.level = 'village'
      AND f.day = (SELECT day FROM indicators_factstate WHERE id = 1)
"""

# Run by `manage.py shell`: the commune, village, households, team, member, assignments and device. One JSON line.
SETUP = r"""
import datetime, json
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.outreach.services import add_team_member, assign_households, create_team, issue_device
from hocvuso.people.models import Household, Resident
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory
from hocvuso.territory.tests import factories as units

province = units.province(code="99", name="Tỉnh Thử")
commune = units.commune(province, code="99001", name="Xã Thử")
village = units.village(commune, code="99001.001", name="Thôn Thử")
households = []
for number in range({households}):
    household = HouseholdFactory(village=village, code=f"{{number:04d}}")
    for name, born in ((f"Chủ hộ {{number}}", 1950), (f"Con {{number}}", 1995)):
        ResidentFactory(household=household, village=village, full_name=name, birth_date=datetime.date(born, 5, 5))
    households.append(household)
leader = create_user(username="bench.totruong", password=None, full_name="Tổ trưởng")
assign_role(user=leader, role=Role.TEAM_LEADER, unit=commune, organisation=None, assigned_by=None)
member = create_user(username="bench.thanhvien", password=None, full_name="Thành viên")
assign_role(user=member, role=Role.TEAM_MEMBER, unit=commune, organisation=None, assigned_by=None)
team = create_team(commune=commune, name="Tổ thử", leader=leader, actor=None)
resident = Resident.objects.filter(household=households[0]).order_by("pk").first()
since = datetime.date.today() - datetime.timedelta(days=30)
membership = add_team_member(team=team, user=member, resident=resident, valid_from=since, actor=None)
assign_households(team=team, village=village, on=since, actor=None)
device, token = issue_device(membership=membership, name="bench", actor=None)
people = {{}}
rows = Resident.objects.filter(household__in=households).order_by("pk").values_list("household_id", "pk")
for household_id, resident_id in rows:
    people.setdefault(household_id, resident_id)
print("BENCH_FIELD " + json.dumps({{"token": token, "households": [[h, r] for h, r in people.items()]}}))
"""


def batch(households: list[list[int]], size: int, run: int) -> str:
    """A phone's batch of `size` new visits (UUIDs made here), each to another household."""
    now = datetime.now(tz=UTC)
    visits = [
        {
            "id": str(uuid.uuid4()),
            "form_version": 1,
            "household": household,
            "visited_at": (now - timedelta(minutes=index + run * size)).isoformat(),
            "note": "Hướng dẫn cài đặt VNeID và dịch vụ công trực tuyến.",
            "outcomes": [
                {"resident": resident, "outcome": "installed_vneid"},
                {"resident": resident, "outcome": "public_services"},
            ],
        }
        for index, (household, resident) in enumerate(households[:size])
    ]
    return json.dumps({"visits": visits})


def visits_counted() -> int:
    """What the dashboard shows now: the villages' "household-visits" facts of the facts' day, summed."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        row = connection.execute(VISITS_FACT).fetchone()
    return int(row[0]) if row else 0


def seconds_to_dashboard(before: int, count: int, answered: float) -> float:
    """Seconds from the answer (`answered`, perf_counter) until the facts count `count` more visits than `before`."""
    while visits_counted() < before + count:
        if time.perf_counter() - answered > FRESH_GIVE_UP_SECONDS:
            raise RuntimeError(f"the batch did not reach the facts within {FRESH_GIVE_UP_SECONDS} s")
        time.sleep(0.1)
    return time.perf_counter() - answered


def post(port: int, token: str, body: str) -> tuple[float, int, dict[str, Any]]:
    headers = {"Authorization": f"Device {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}
    started = time.perf_counter()
    status, answer = shared.send(port, shared.Request("POST", "/api/v1/field/visits/", headers, body))
    seconds = time.perf_counter() - started
    return seconds, status, json.loads(answer) if status == 200 else {"error": answer[:500].decode(errors="replace")}


SIZE = "visits per batch (default 500, the API's limit)"


def run(size: int | None = None) -> dict[str, Any]:
    count = min(size or BATCH, BATCH)
    shared.DATABASE_URL = DATABASE_URL
    shared.WORKERS = WORKERS
    port = shared.free_port()
    # With Redis, as in production: a worker (not the web process) refreshes the figures; without it, each web process
    # runs its own refresher thread, which the figures then include.
    redis_url = REDIS_URL if shared.redis_reachable(REDIS_URL) else ""
    environment = shared.server_environment(port, redis_url)
    environment["OUTREACH_SYNC_RATE"] = "1000/min"
    figures: dict[str, Any] = {
        "setup": f"gunicorn {WORKERS} sync workers, production settings, PostgreSQL database "
        f"{DATABASE_URL.rsplit('/', 1)[-1]}, Redis {'yes' if redis_url else 'no'}, {count} visits per batch, "
        f"2 outcomes each, {WARMUP} one-visit batches first",
    }
    started = time.monotonic()
    shared.create_database(DATABASE_URL, replace=True)
    shared.manage(environment, "migrate", "--no-input", "-v0")
    output = shared.manage(environment, "shell", "-c", SETUP.format(households=count))
    setup = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_FIELD "))[12:])
    shared.analyze_database()
    figures["database setup, s"] = round(time.monotonic() - started, 1)

    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-field-"))
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py")]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=stream, stderr=subprocess.STDOUT)
    refresher = None
    if redis_url:  # the production worker with beat, which sends "refresh-indicators" every few seconds
        worker_log = workdir / "celery.log"
        with worker_log.open("wb") as stream:
            refresher = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-B",
                    "-c",
                    "1",
                    "--loglevel",
                    "WARNING",
                    "-s",
                    str(workdir / "beat-schedule"),
                ],
                cwd=ROOT,
                env=environment,
                stdout=stream,
                stderr=subprocess.STDOUT,
            )
    new = repeat.Budget(f"batch of {count} new visits: server time", BUDGET_SECONDS, "s", higher_is_better=False)
    fresh = repeat.Budget(
        "the batch on the dashboard after the answer", FRESH_BUDGET_SECONDS, "s", higher_is_better=False
    )
    resent_times: list[float] = []
    try:
        shared.wait_until_serving(process, port, log)
        for warm in range(WARMUP):
            post(port, setup["token"], batch(setup["households"][count - 1 - warm :], 1, 1000 + warm))
        number = 0

        def measure() -> dict[str, Any]:
            nonlocal number
            number += 1
            body = batch(setup["households"], count, number)
            before = visits_counted()
            seconds, status, answer = post(port, setup["token"], body)
            answered = time.perf_counter()
            created = sum(1 for result in answer.get("results", []) if result["status"] == 201)
            on_dashboard = seconds_to_dashboard(before, count, answered) if status == 200 else None
            again, again_status, again_answer = post(port, setup["token"], body)
            unchanged = sum(1 for result in again_answer.get("results", []) if result["status"] == 200)
            if status != 200 or created != count or again_status != 200 or unchanged != count:
                raise RuntimeError(f"batch {number}: HTTP {status}, {created} created; resend {unchanged}: {answer}")
            resent_times.append(again)
            return {
                "new batch s": round(seconds, 3),
                "on the dashboard after, s": round(on_dashboard or 0, 2),
                "resend s": round(again, 3),
                "created": created,
            }

        runs = repeat.repeat("field sync", measure)
        new.values = [result["new batch s"] for result in runs]
        fresh.values = [result["on the dashboard after, s"] for result in runs]
        figures.update(
            repeat.summarise("field sync", runs, ["new batch s", "on the dashboard after, s", "resend s", "created"])
        )
        figures["worst new batch, s"] = new.worst
        figures["worst resend (all unchanged), s"] = round(max(resent_times), 3)
    finally:
        shared.stop(process)
        if refresher is not None:
            shared.stop(refresher)
    print(f"FIELD SYNC: worst of {len(new.values)} runs {new.worst} s for {count} new visits", flush=True)
    print(
        f"FIELD SYNC: on the dashboard, worst of {len(fresh.values)} runs {fresh.worst} s after the answer", flush=True
    )
    return {
        **figures,
        "refresher": "Celery worker with beat" if redis_url else "the web workers' threads",
        **repeat.budgets_figure([new, fresh]),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for key, value in run(int(sys.argv[1]) if len(sys.argv) > 1 else None).items():
        print(f"{key}: {value}")
