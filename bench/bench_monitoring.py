"""Monitoring at province scale: full rebuild of every indicator, the raw GROUP BY it replaces, the province dashboard.

Two PostgreSQL databases, built once and reused while their parameters are unchanged (the parameters of each
stage are kept in a table `bench_monitoring_build` of the database itself):

- `hocvuso_bench_monitoring`: the synthetic province 68 at 4,000,000 residents
  (`manage.py generate_population --province 68 --residents 4000000 --seed 1`, COPY);
- `hocvuso_bench_monitoring_small`: the same at 40,000 residents.

On top of the registry, the numerators at scale, written set-based (INSERT … SELECT, never the ORM row by row),
each share varying by commune so the communes differ: literacy confirmations (learning LiteracyStatus, each with
its learner account, the group the person's membership or age gives) for 30–70% of the residents aged 11 or
more (staff and students more); VNeID certifications for 50–90% of the confirmed adults; VNeID levels brought
down so that 40–90% of the generator's holders keep theirs (about 30–70% of adults). Then a province
administrator with a TOTP device, and ANALYZE.

Measured on each database (1 and 2 one database after the other, 3 alternating between them):
1. `manage.py rebuild_indicators` (every indicator, every village, commune, province and organisation):
   the process's wall time and the rebuild's own time, RUNS times (bench/repeat.py, 3 by default) with the load
   around each. Budget: ≤ 60 s at 4M, on the worst run.
2. The raw GROUP BY a page would need without facts: for each outcome indicator, its denominator and
   numerator counted directly over the registry per commune of the province (the formulas of
   computations.py, grouped by commune). For comparison.
3. The province dashboard's server time: ~200 GETs of the province's dashboard page through Django's test
   Client, in-process (production settings, Redis when reachable), signed in through both steps as the
   province administrator; the time of each `client.get` (the whole middleware stack, the view and the
   template), its p50/p95, the process's CPU time per request (the Python side alone, which the load of other
   work on the machine stretches less), and the SQL queries of one request. The two sizes are measured in
   ROUNDS batches; in each, one process per size, the two taking turns request by request, so both meet the
   same load. Each batch then times the same
   requests again after `gc.freeze()` (what config/gunicorn.py does in every web worker once the application
   is loaded): the difference is the cost of Python's full garbage collections, which the requests' garbage
   triggers every few requests and which otherwise scan every object of the loaded application. Budget: p95
   ≤ 50 ms at 4M and within ±20% of the same at 40k, judged on the figures after gc.freeze() (the web
   workers' configuration), batch by batch: met only if the worst batch meets it.

Before timing the page, the facts of the previous weeks are written from today's (numerators scaled down
week by week), so every figure reads and draws a trend of TREND_WEEKS points as it will in use; those rows are
bench data.

Environment (all optional): BENCH_MONITORING_DATABASE_URL, BENCH_MONITORING_SMALL_DATABASE_URL,
BENCH_MONITORING_RESIDENTS (4000000), BENCH_MONITORING_SMALL_RESIDENTS (40000), BENCH_MONITORING_REQUESTS (200),
BENCH_MONITORING_ROUNDS (4), BENCH_MONITORING_SEED (1: the generator's seed; a population of another seed,
e.g. the one bench_generate_population.py leaves, seed 68, is reused when its stage says so), BENCH_REDIS_URL
(as bench_http.py). `uv run python bench/run.py monitoring`.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bench_http as shared
import repeat

ROOT = Path(__file__).resolve().parent.parent
LARGE_URL = os.environ.get(
    "BENCH_MONITORING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_monitoring"
)
SMALL_URL = os.environ.get(
    "BENCH_MONITORING_SMALL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_monitoring_small"
)
LARGE_RESIDENTS = int(os.environ.get("BENCH_MONITORING_RESIDENTS", "4000000"))
SMALL_RESIDENTS = int(os.environ.get("BENCH_MONITORING_SMALL_RESIDENTS", "40000"))
REQUESTS = int(os.environ.get("BENCH_MONITORING_REQUESTS", "200"))
WARMUP = 20
ROUNDS = int(os.environ.get("BENCH_MONITORING_ROUNDS", "4"))  # alternating 4M / 40k batches
PROVINCE = "68"
SEED = int(os.environ.get("BENCH_MONITORING_SEED", "1"))
# Bump when the numerator SQL below changes: the databases then get their numerators written again.
NUMERATORS_VERSION = "numerators-v1"
ADMIN_USERNAME = "bench.monitoring.admin"
ADMIN_PASSWORD = "bench-only-password-not-secret"  # an account of the bench databases only
USER_ID_OFFSET = 50_000_000  # learner accounts of the bench: id = offset + resident id
REBUILD_BUDGET_S = 60.0
DASHBOARD_P95_BUDGET_MS = 50.0
SCALE_TOLERANCE = 0.20


def load_average() -> str:
    """The 1, 5 and 15-minute load averages now (the machine is shared: every figure carries one)."""
    if hasattr(os, "getloadavg"):
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    return "unknown"


# --- Databases ----------------------------------------------------------------------------------------------


def environment_for(url: str) -> dict[str, str]:
    """bench_http's production environment (fixed bench keys, Redis when reachable), for this database, with
    the test Client's host allowed."""
    redis_url = shared.REDIS_URL if shared.redis_reachable(shared.REDIS_URL) else ""
    environment = shared.server_environment(shared.free_port(), redis_url)
    environment["DATABASE_URL"] = url
    environment["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    return environment


def stage_parameters(url: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_monitoring_build "
            "(stage text PRIMARY KEY, parameters text NOT NULL, built_at timestamptz NOT NULL DEFAULT now())"
        )
        return {
            str(stage): str(value)
            for stage, value in connection.execute("SELECT stage, parameters FROM bench_monitoring_build").fetchall()
        }


def record_stage(url: str, stage: str, parameters: str | None) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        if parameters is None:
            connection.execute("DELETE FROM bench_monitoring_build WHERE stage = %s", [stage])
        else:
            connection.execute(
                "INSERT INTO bench_monitoring_build (stage, parameters) VALUES (%s, %s) "
                "ON CONFLICT (stage) DO UPDATE SET parameters = EXCLUDED.parameters, built_at = now()",
                [stage, parameters],
            )


def analyze(url: str) -> None:
    """Planner statistics, as autovacuum would leave them after a load (autovacuum is off on this machine)."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute("ANALYZE")


DJANGO = "import django\ndjango.setup()\n"  # what every bench script starts with


def run_script(environment: dict[str, str], script: str) -> dict[str, Any]:
    """Run Python with Django set up (the environment's settings and database); the script prints one line
    `BENCH_JSON {...}`, returned."""
    code = DJANGO + script
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench script failed:\n{result.stderr[-4000:]}")
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"bench script printed no figures:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return dict(json.loads(line.removeprefix("BENCH_JSON ")))


# Numerators at scale, set-based. Shares vary by commune (a hash of the commune's id), draws by resident (a hash
# of the resident's id): deterministic, so a rebuilt database has the same people confirmed.
NUMERATORS = r"""
import json, time
from django.db import connection, transaction
from hocvuso.accounts.models import User
from hocvuso.indicators.models import VneidCertification
from hocvuso.learning.models import LiteracyRule, LiteracyStatus, TargetGroup
from hocvuso.people.models import DigitalIdentity, Membership, Resident
from hocvuso.territory.models import AdministrativeUnit

OFFSET, PROVINCE = {offset}, {province!r}
users, statuses = User._meta.db_table, LiteracyStatus._meta.db_table
certifications, identities = VneidCertification._meta.db_table, DigitalIdentity._meta.db_table
residents, units, memberships = Resident._meta.db_table, AdministrativeUnit._meta.db_table, Membership._meta.db_table
started = time.perf_counter()
timings = {{}}

def step(name, sql, params=()):
    begun = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        count = cursor.rowcount
    timings[name] = [round(time.perf_counter() - begun, 1), count]

with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
    rules = {{}}
    for group in TargetGroup.values:
        rule = LiteracyRule.objects.filter(group=group).order_by("pk").first()
        if rule is None:
            rule = LiteracyRule.objects.create(group=group, name=f"Bench: {{group}}")
        rules[group] = rule.pk
    # Earlier bench numerators out first (statuses before their accounts: the foreign keys are not cascading).
    step("delete certifications", f"DELETE FROM {{certifications}}")
    step("delete statuses", f"DELETE FROM {{statuses}} WHERE user_id >= %s", [OFFSET])
    step("delete accounts", f"DELETE FROM {{users}} WHERE id >= %s AND username LIKE 'bench.r%%'", [OFFSET])
    step("people", f'''
        CREATE TEMP TABLE bench_people ON COMMIT DROP AS
        SELECT r.id, r.birth_date, v.parent_id AS commune_id,
               (hashtext('literate:' || r.id) & 65535) / 65536.0 AS draw_literate,
               (hashtext('certified:' || r.id) & 65535) / 65536.0 AS draw_certified,
               (hashtext('identity:' || r.id) & 65535) / 65536.0 AS draw_identity,
               0.30 + 0.40 * ((hashtext('commune-literate:' || v.parent_id) & 1023) / 1023.0) AS share_literate,
               0.50 + 0.40 * ((hashtext('commune-certified:' || v.parent_id) & 1023) / 1023.0) AS share_certified,
               0.40 + 0.50 * ((hashtext('commune-identity:' || v.parent_id) & 1023) / 1023.0) AS share_identity,
               COALESCE(m.staff, false) AS staff, COALESCE(m.student, false) AS student,
               COALESCE(m.worker, false) AS worker
        FROM {{residents}} r
        JOIN {{units}} v ON v.id = r.village_id
        LEFT JOIN (
            SELECT resident_id, bool_or(kind = 'staff') AS staff, bool_or(kind = 'student') AS student,
                   bool_or(kind = 'worker') AS worker
            FROM {{memberships}} WHERE valid_to IS NULL OR valid_to >= CURRENT_DATE GROUP BY resident_id
        ) m ON m.resident_id = r.id
        WHERE v.path LIKE %s
    ''', [f"/{{PROVINCE}}/%%"])
    step("literate", '''
        CREATE TEMP TABLE bench_literate ON COMMIT DROP AS
        SELECT id, birth_date, draw_certified, share_certified,
               CASE WHEN staff THEN 'staff' WHEN student THEN 'students' WHEN worker THEN 'workers'
                    WHEN birth_date <= CURRENT_DATE - INTERVAL '60 years' THEN 'elderly'
                    WHEN id %% 17 = 0 THEN 'traders' ELSE 'citizens' END AS grp,
               CURRENT_DATE - (1 + (draw_literate * 1000)::int %% 300) AS confirmed_on
        FROM bench_people
        WHERE birth_date <= CURRENT_DATE - INTERVAL '11 years'
          AND draw_literate < LEAST(0.97, share_literate + CASE WHEN staff THEN 0.25 WHEN student THEN 0.15 ELSE 0 END)
    ''')
    step("accounts", f'''
        INSERT INTO {{users}} (id, password, last_login, is_superuser, username, first_name, last_name, email,
                               is_staff, is_active, date_joined, full_name, preferred_language, session_epoch)
        SELECT %s + id, '!', NULL, false, 'bench.r' || id, '', '', '', false, true, now(), '', '', 0
        FROM bench_literate
    ''', [OFFSET])
    step("statuses", f'''
        INSERT INTO {{statuses}} (user_id, resident_id, "group", rule_id, attempt_id, confirmed_at)
        SELECT %s + l.id, l.id, l.grp, rules.rule_id, NULL, l.confirmed_on + TIME '10:00'
        FROM bench_literate l JOIN (SELECT key AS grp, value::bigint AS rule_id FROM jsonb_each_text(%s::jsonb)) rules
             ON rules.grp = l.grp
    ''', [OFFSET, json.dumps(rules)])
    step("certifications", f'''
        INSERT INTO {{certifications}} (resident_id, "group", pushed_at, reference, created_at, updated_at)
        SELECT id, grp, confirmed_on + 3 + TIME '09:00', 'BENCH-' || id, now(), now()
        FROM bench_literate
        WHERE birth_date <= CURRENT_DATE - INTERVAL '18 years' AND draw_certified < share_certified
          AND confirmed_on + 3 < CURRENT_DATE
    ''')
    step("identity levels", f'''
        UPDATE {{identities}} i SET vneid_level = 0, vneid_source = '', vneid_recorded_on = NULL
        FROM bench_people p
        WHERE p.id = i.resident_id AND i.vneid_level > 0 AND p.draw_identity >= p.share_identity
    ''')
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {{users}}))", [users]
        )
print("BENCH_JSON " + json.dumps({{"seconds": round(time.perf_counter() - started, 1), "steps": timings}}))
"""

ADMIN = r"""
import json
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.territory.models import AdministrativeUnit

with transaction.atomic():
    user = User.objects.filter(username={username!r}).first()
    if user is None:
        user = create_user(username={username!r}, password={password!r}, full_name="Quản trị tỉnh (bench)")
    province = AdministrativeUnit.objects.get(code={province!r}, level="province")
    if not RoleAssignment.objects.filter(user=user, role=Role.PROVINCE_ADMIN, unit=province).exists():
        assign_role(user=user, role=Role.PROVINCE_ADMIN, unit=province, assigned_by=None)
    TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={{"confirmed": True}})
print("BENCH_JSON " + json.dumps({{"user": user.pk}}))
"""


def build(url: str, residents: int) -> dict[str, Any]:
    """Make the database ready (or find it ready): migrated, the population, the numerators, the province
    administrator, statistics. Returns what was done and how long it took."""
    figures: dict[str, Any] = {}
    environment = environment_for(url)
    started = time.monotonic()
    shared.create_database(url)
    shared.manage(environment, "migrate", "--no-input", "-v0")
    done = stage_parameters(url)
    population = f"province={PROVINCE} residents={residents} seed={SEED}"
    if done.get("population") != population:
        record_stage(url, "numerators", None)
        shared.manage(environment, "load_admin_units")
        begun = time.monotonic()
        args = ["--province", PROVINCE, "--residents", str(residents), "--seed", str(SEED), "--replace"]
        figures["generate_population"] = shared.manage(environment, "generate_population", *args).strip()
        figures["generate_population, s"] = round(time.monotonic() - begun, 1)
        record_stage(url, "population", population)
    else:
        figures["generate_population"] = f"reused ({population})"
    if done.get("numerators") != NUMERATORS_VERSION or done.get("population") != population:
        numerators = run_script(environment, NUMERATORS.format(offset=USER_ID_OFFSET, province=PROVINCE))
        figures["numerators, s"] = numerators["seconds"]
        figures["numerators, rows"] = {name: step[1] for name, step in numerators["steps"].items()}
        record_stage(url, "numerators", NUMERATORS_VERSION)
        analyze(url)
    else:
        figures["numerators"] = f"reused ({NUMERATORS_VERSION})"
    run_script(environment, ADMIN.format(username=ADMIN_USERNAME, password=ADMIN_PASSWORD, province=PROVINCE))
    figures["setup, s"] = round(time.monotonic() - started, 1)
    return figures


# --- What is measured ------------------------------------------------------------------------------------------


def time_rebuild(url: str) -> dict[str, Any]:
    """`manage.py rebuild_indicators` in a fresh process: its wall time and the rebuild's own time."""
    environment = environment_for(url)
    load_before = load_average()
    started = time.perf_counter()
    output = shared.manage(environment, "rebuild_indicators").strip()
    wall = time.perf_counter() - started
    state = run_script(
        environment,
        "import json\nfrom hocvuso.indicators.models import FactState, IndicatorFact\n"
        "state = FactState.objects.get(pk=1)\n"
        "print('BENCH_JSON ' + json.dumps({'seconds': state.build_seconds, 'day': str(state.day), "
        "'facts': IndicatorFact.objects.filter(day=state.day).count()}))\n",
    )
    return {
        "rebuild_indicators, process wall time, s": round(wall, 1),
        "rebuild_indicators, rebuild time, s": round(float(state["seconds"]), 1),
        "rebuild_indicators, facts of the day": state["facts"],
        "rebuild_indicators, output": output,
        "rebuild_indicators, load average before": load_before,
        "rebuild_indicators, load average after": load_average(),
    }


# The direct count a page would run without facts: each outcome indicator's denominator and numerator per
# commune of the province, with the formulas of computations.py, grouped by the villages' communes.
GROUP_BY = r"""
import json, time
from django.db import connection, transaction
from django.utils import timezone
from hocvuso.indicators.computations import is_computable, village_counts
from hocvuso.indicators.models import Indicator, IndicatorKind
from hocvuso.territory.models import AdministrativeUnit

day = timezone.localdate()
units = AdministrativeUnit._meta.db_table
province = AdministrativeUnit.objects.get(code={province!r}, level="province")
timings, communes = {{}}, set()
started = time.perf_counter()
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '128MB'")  # as the rebuild has
    for indicator in Indicator.objects.active().filter(kind=IndicatorKind.OUTCOME).order_by("position"):
        if not is_computable(indicator):
            continue
        counts = village_counts(
            population=indicator.population, numerator=indicator.numerator, parameters=indicator.parameters, day=day
        )
        begun = time.perf_counter()
        for part in (counts.denominators, counts.numerators):
            sql, params = part.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT v.parent_id, SUM(c.total) FROM ({{sql}}) c JOIN {{units}} v ON v.id = c.fact_village "
                    f"WHERE v.path LIKE %s GROUP BY v.parent_id",
                    [*params, province.path + "%"],
                )
                communes.update(row[0] for row in cursor.fetchall())
        timings[indicator.code] = round((time.perf_counter() - begun) * 1000)
print("BENCH_JSON " + json.dumps({{"seconds": round(time.perf_counter() - started, 3), "indicators": timings,
                                   "communes": len(communes)}}))
"""


def time_group_by(url: str) -> dict[str, Any]:
    load_before = load_average()
    result = run_script(environment_for(url), GROUP_BY.format(province=PROVINCE))
    figures: dict[str, Any] = {
        "raw GROUP BY over the registry, every outcome indicator per commune, ms": round(result["seconds"] * 1000),
        "raw GROUP BY, communes": result["communes"],
    }
    for code, milliseconds in result["indicators"].items():
        figures[f"raw GROUP BY, {code}, ms"] = milliseconds
    figures["raw GROUP BY, load average before"] = load_before
    figures["raw GROUP BY, load average after"] = load_average()
    return figures


# Facts of the weeks before the facts' day, from that day's (numerators scaled down week by week), so the
# dashboard reads and draws trends as long as it shows (TREND_WEEKS points). Bench data only.
HISTORY = r"""
import json
from datetime import timedelta
from django.db import connection, transaction
from hocvuso.indicators.models import FactState, IndicatorFact
from hocvuso.indicators.selectors import TREND_WEEKS

facts = IndicatorFact._meta.db_table
day = FactState.objects.get(pk=1).day
with transaction.atomic(), connection.cursor() as cursor:
    for back in range(1, TREND_WEEKS):
        earlier = day - timedelta(days=7 * back)
        cursor.execute(f"DELETE FROM {{facts}} WHERE day = %s", [earlier])
        cursor.execute(
            f"INSERT INTO {{facts}} (day, indicator_id, level, unit_id, organisation_id, parent_id, numerator, "
            f"denominator) SELECT %s, indicator_id, level, unit_id, organisation_id, parent_id, "
            f"FLOOR(numerator * (1 - %s))::bigint, denominator FROM {{facts}} WHERE day = %s",
            [earlier, 0.02 * back, day],
        )
    cursor.execute(f"ANALYZE {{facts}}")
print("BENCH_JSON " + json.dumps({{"day": str(day), "rows": IndicatorFact.objects.count()}}))
"""

# The province dashboard through Django's test Client: sign in (both steps), then time each GET in-process.
DASHBOARD = r"""
import gc, json, sys, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hocvuso.accounts.models import User
from hocvuso.indicators.selectors import unit_dashboard
from hocvuso.territory.models import AdministrativeUnit

REQUESTS, WARMUP = {requests}, {warmup}
user = User.objects.get(username={username!r})
device = TOTPDevice.objects.get(user=user, name="bench")
TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
device.refresh_from_db()
client = Client()
response = client.post("/tai-khoan/dang-nhap/", {{"username": user.username, "password": {password!r}}})
assert response.status_code == 302, (response.status_code, response.content[:500])
code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
response = client.post("/tai-khoan/xac-thuc/", {{"token": f"{{code:0{{device.digits}}d}}"}})
assert response.status_code == 302, (response.status_code, response.content[:500])

province = AdministrativeUnit.objects.get(code={province!r}, level="province")
url = reverse("web:monitoring_unit", kwargs={{"code": province.code}})

def once():
    response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return len(response.content)

for _ in range(WARMUP):
    size = once()
with CaptureQueriesContext(connection) as captured:
    once()
queries = len(captured.captured_queries)
print("READY", flush=True)

def timed():
    # one request each time the bench says "go": it alternates this process's requests with the other size's
    wall, cpu = [], []
    for _ in range(REQUESTS):
        sys.stdin.readline()
        started, started_cpu = time.perf_counter(), time.process_time()
        once()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        print("DONE", flush=True)
    return wall, cpu

wall, cpu = timed()
# The same again with the objects alive after start-up and warm-up moved out of the collector's reach
# (gc.freeze(), as config/gunicorn.py's post_worker_init does in every web worker): the full collections the
# requests' garbage triggers then scan only the new objects.
gc.collect()
gc.freeze()
wall_frozen, cpu_frozen = timed()
dashboard = unit_dashboard(user=user, unit=province)
print("BENCH_JSON " + json.dumps({{
    "what": f"GET {{url}} (test Client, in-process)",
    "wall": wall, "cpu": cpu, "wall_frozen": wall_frozen, "cpu_frozen": cpu_frozen, "queries": queries, "bytes": size,
    "communes": len(dashboard.children), "indicators": len(dashboard.indicators),
}}))
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def in_lockstep(environments: dict[str, dict[str, str]], script: str, requests: int) -> dict[str, dict[str, Any]]:
    """Run `script` (DASHBOARD) once per database at the same time, one process each, and let them take turns
    request by request (4M, 40k, 40k, 4M, 4M, 40k…: neither always goes first), so both sizes meet the machine
    in the same state; each process's `BENCH_JSON` figures, by label."""
    code = DJANGO + script
    processes: dict[str, subprocess.Popen[str]] = {}
    errors = {label: tempfile.TemporaryFile("w+") for label in environments}  # noqa: SIM115 — closed below
    try:
        for label, environment in environments.items():
            processes[label] = subprocess.Popen(
                [sys.executable, "-c", code],
                cwd=ROOT,
                env=environment,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors[label],
                text=True,
            )

        def expect(label: str, word: str) -> None:
            line = processes[label].stdout.readline()  # type: ignore[union-attr]
            if line.strip() != word:
                errors[label].seek(0)
                raise RuntimeError(f"dashboard process ({label}) said {line!r}:\n{errors[label].read()[-4000:]}")

        for label in processes:
            expect(label, "READY")
        order = list(processes)
        for turn in range(requests):
            for label in order if turn % 2 == 0 else order[::-1]:
                processes[label].stdin.write("go\n")  # type: ignore[union-attr]
                processes[label].stdin.flush()  # type: ignore[union-attr]
                expect(label, "DONE")
        results = {}
        for label, process in processes.items():
            output, _ = process.communicate(timeout=120)
            line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
            if process.returncode != 0 or line is None:
                errors[label].seek(0)
                raise RuntimeError(f"dashboard process ({label}) failed:\n{errors[label].read()[-4000:]}")
            results[label] = dict(json.loads(line.removeprefix("BENCH_JSON ")))
        return results
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
        for handle in errors.values():
            handle.close()


def time_dashboards(urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The province dashboard on each database, in ROUNDS batches; in each batch one fresh process per database
    signs in and warms up, then the two take turns request by request (`in_lockstep`), so both sizes meet the
    same load from the other work on the machine. Per database: p50/p95/max of the server time, p50/p95 of the
    process's CPU time per request (the Python side alone: what the load of others does not stretch), queries
    and bytes."""
    environments = {label: environment_for(url) for label, url in urls.items()}
    for environment in environments.values():
        run_script(environment, HISTORY.format())
    first = next(iter(environments.values()))
    shared.manage(first, "collectstatic", "--no-input", "-v0")  # production settings: the static manifest
    script = DASHBOARD.format(
        requests=max(1, REQUESTS // ROUNDS),
        warmup=WARMUP,
        username=ADMIN_USERNAME,
        password=ADMIN_PASSWORD,
        province=PROVINCE,
    )
    batches: dict[str, list[dict[str, Any]]] = {label: [] for label in urls}
    loads: list[str] = [load_average()]
    for _round in range(ROUNDS):
        for label, result in in_lockstep(environments, script, 2 * max(1, REQUESTS // ROUNDS)).items():
            batches[label].append(result)
        loads.append(load_average())
    results = {}
    for label, done in batches.items():

        def joined(key: str, batches: list[dict[str, Any]] = done) -> list[float]:
            return [value for batch in batches for value in batch[key]]

        wall, cpu, frozen = joined("wall"), joined("cpu"), joined("wall_frozen")
        last = done[-1]
        results[label] = {
            "province dashboard, what is timed": last["what"],
            "province dashboard, requests": f"{len(wall)} in {len(done)} alternating batches",
            "province dashboard, p50 ms": round(percentile(wall, 0.50), 1),
            "province dashboard, p95 ms": round(percentile(wall, 0.95), 1),
            "province dashboard, max ms": round(max(wall), 1),
            "province dashboard, p95 of each batch, ms": [round(percentile(batch["wall"], 0.95), 1) for batch in done],
            "province dashboard, CPU time of the process p50 ms": round(percentile(cpu, 0.50), 1),
            "province dashboard, CPU time of the process p95 ms": round(percentile(cpu, 0.95), 1),
            "province dashboard, after gc.freeze(): p50 ms": round(percentile(frozen, 0.50), 1),
            "province dashboard, after gc.freeze(): p95 ms": round(percentile(frozen, 0.95), 1),
            "province dashboard, after gc.freeze(): p95 of each batch, ms": [
                round(percentile(batch["wall_frozen"], 0.95), 1) for batch in done
            ],
            "province dashboard, after gc.freeze(): CPU p95 ms": round(percentile(joined("cpu_frozen"), 0.95), 1),
            "province dashboard, SQL queries per request": last["queries"],
            "province dashboard, response bytes": last["bytes"],
            "province dashboard, communes x indicators": f"{last['communes']} x {last['indicators']}",
            "province dashboard, load average at each round": loads,
        }
    return results


SIZE = (
    "residents of the large database (BENCH_MONITORING_RESIDENTS, default 4,000,000); a size given here builds "
    "its own database (the name ends in _smoke) so the full-size one is kept"
)


def run(size: int | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    large_url, large_residents = LARGE_URL, LARGE_RESIDENTS
    small_url, small_residents = SMALL_URL, SMALL_RESIDENTS
    if size:
        large_url, large_residents = f"{LARGE_URL}_smoke", size
        small_url, small_residents = f"{SMALL_URL}_smoke", max(1, size // 100)
    databases = {"large": (large_url, large_residents), "small": (small_url, small_residents)}
    results: dict[str, dict[str, Any]] = {}
    rebuilds: list[float] = []
    for label, (url, residents) in databases.items():
        name = urlsplit(url).path.lstrip("/")
        print(f"   {label}: building or reusing {name}", file=sys.stderr, flush=True)
        measured: dict[str, Any] = {"database": f"{name} ({residents:,} residents)"}
        measured.update(build(url, residents))
        runs = repeat.repeat(f"{label}: rebuild_indicators", lambda url=url: time_rebuild(url))
        wall = "rebuild_indicators, process wall time, s"
        measured.update({key: value for key, value in runs[-1].items() if "load average" not in key})
        measured.update(repeat.summarise("rebuild_indicators", runs, [wall, "rebuild_indicators, rebuild time, s"]))
        if label == "large":
            rebuilds = [run[wall] for run in runs]
        print(f"   {label}: raw GROUP BY", file=sys.stderr, flush=True)
        measured.update(time_group_by(url))
        results[label] = measured
    print("   province dashboard, large and small alternately", file=sys.stderr, flush=True)
    for label, measured in time_dashboards({label: url for label, (url, _size) in databases.items()}).items():
        results[label].update(measured)
    for label, measured in results.items():
        figures.update({f"[{label}] {key}": value for key, value in measured.items()})
    large, small = results["large"], results["small"]
    # judged as the web workers run (config/gunicorn.py freezes the loaded application), on the worst batch; the
    # figures without the freeze are above, for comparison
    batches_large = large["province dashboard, after gc.freeze(): p95 of each batch, ms"]
    batches_small = small["province dashboard, after gc.freeze(): p95 of each batch, ms"]
    ratios = [
        abs(first / second - 1) * 100 if second else float("inf")
        for first, second in zip(batches_large, batches_small, strict=True)
    ]
    budgets = [
        repeat.Budget(f"rebuild_indicators at {large_residents:,}", REBUILD_BUDGET_S, "s", False, rebuilds),
        repeat.Budget(
            f"province dashboard p95 at {large_residents:,} (each batch)",
            DASHBOARD_P95_BUDGET_MS,
            "ms",
            False,
            batches_large,
        ),
        repeat.Budget(
            f"dashboard p95 at {large_residents:,} vs {small_residents:,}, difference of each batch pair",
            SCALE_TOLERANCE * 100,
            "%",
            False,
            ratios,
        ),
    ]
    return {**figures, **repeat.budgets_figure(budgets)}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
