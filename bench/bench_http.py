"""HTTP throughput and latency of gunicorn (production settings, PostgreSQL, Redis) on /healthz and the API.

Makes (or reuses) the PostgreSQL database `hocvuso_bench`, migrates it and loads the demo province, issues an
API token for the demo province administrator, starts gunicorn with config/gunicorn.py on a free loopback
port, and drives a bounded load (a request cap and a time cap per endpoint) with wrk, or with a threaded
Python client when wrk is not installed. gunicorn is always stopped and the token revoked at the end.

Environment (all optional): BENCH_DATABASE_URL, BENCH_REDIS_URL ("" for none), BENCH_WORKERS (4),
BENCH_CONNECTIONS (16), BENCH_REQUESTS (per endpoint, 20000), BENCH_SECONDS (per endpoint, 15),
BENCH_LOADGEN ("wrk" or "python").
"""

import base64
import hashlib
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import repeat

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
SEQUENTIAL_REQUESTS = 200  # one connection, one request at a time: the server's own time per request
WARMUP_REQUESTS = 200
LOADGEN = os.environ.get("BENCH_LOADGEN", "wrk" if shutil.which("wrk") else "python")
DEMO_USER = "admin.tinh"  # province administrator of the demo province (Lâm Đồng, 68)

# (figure name, path, authenticated?)
ENDPOINTS = [
    ("GET /healthz", "/healthz", False),
    ("GET / (home page, anonymous)", "/", False),
    ("GET /api/v1/units/ (100 of the province's units)", "/api/v1/units/", True),
    ("GET /api/v1/units/24631/ (one unit)", "/api/v1/units/24631/", True),
]


def _bench_key(purpose: str) -> str:
    """A fixed key for the bench database only (so what it encrypts stays readable from one run to the next)."""
    return base64.b64encode(hashlib.sha256(f"hocvuso-bench-only:{purpose}".encode()).digest()).decode()


def redis_reachable(url: str) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_environment(port: int, redis_url: str) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "GUNICORN_", "CELERY_")) and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": DATABASE_URL,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "FIELD_ENCRYPTION_KEY": _bench_key("field-encryption"),
            "LOOKUP_HASH_KEY": _bench_key("lookup-hash"),
            "SECURE_SSL_REDIRECT": "false",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(WORKERS),
            # No recycling during a run: a recycled worker would load whatever code the tree holds by then.
            "GUNICORN_MAX_REQUESTS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


def create_database(url: str | None = None, *, replace: bool = False) -> bool:
    """Create the database `url` names (by default this benchmark's DATABASE_URL) when it is missing, or drop
    and create it afresh with `replace`; True when it was created."""
    import psycopg

    parts = urlsplit(url or DATABASE_URL)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        if replace:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # the name is our own setting
        elif connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')  # the name comes from our own setting
        return True


def analyze_database() -> None:
    """Refresh the planner's statistics, as autovacuum does on a production server after a load (this
    machine's PostgreSQL runs with autovacuum off, which would leave the planner guessing)."""
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute("ANALYZE")


def manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


ISSUE_TOKEN = """
from datetime import timedelta
from django.utils import timezone
from hocvuso.accounts.models import User
from hocvuso.api.services import issue_api_token
user = User.objects.get(username={user!r})
issued = issue_api_token(user=user, name="bench", expires_at=timezone.now() + timedelta(hours=2))
print("TOKEN", issued.token.pk, issued.plain_text)
"""

REVOKE_TOKEN = """
from hocvuso.accounts.models import User
from hocvuso.api.services import revoke_api_token
revoke_api_token(user=User.objects.get(username={user!r}), token_id={token_id})
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Request:
    """One HTTP request of a load: the load generators rotate over a list of them."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""  # JSON text, no tab or newline (json.dumps gives neither)


def send(port: int, request: Request) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(request.method, request.path, body=request.body.encode() or None, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def get(port: int, path: str, authorization: str = "") -> tuple[int, bytes]:
    return send(port, Request("GET", path, {"Authorization": authorization} if authorization else {}))


def wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            status, _ = get(port, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def sequential(port: int, requests: list[Request]) -> dict[str, float]:
    """SEQUENTIAL_REQUESTS requests one after another on one connection at a time: latency without queueing."""
    latencies = []
    for index in range(SEQUENTIAL_REQUESTS):
        started = time.perf_counter()
        send(port, requests[index % len(requests)])
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "1 connection p50 ms": latencies[len(latencies) // 2],
        "1 connection p95 ms": latencies[int(len(latencies) * 0.95)],
    }


def worker_memory_mb(master: int) -> list[int]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) // 1024)
    return sorted(sizes)


def workers_cpu_seconds(master: int | None) -> float:
    """User + system CPU time so far of the gunicorn workers (children of the master), in seconds: with the
    request count, the server's own CPU per request, which the load of other work on the machine stretches
    far less than the rate (0.0 when not on Linux or no master is given)."""
    if master is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(master):  # the parent's pid, after the state
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def load_with_wrk(port: int, requests: list[Request]) -> dict[str, float]:
    """wrk with bench/wrk_report.lua, which rotates over the requests written to a file, one per line."""
    threads = 2
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", prefix="hocvuso-bench-", encoding="utf-8") as listing:
        for request in requests:
            fields = [request.method, request.path, request.body]
            fields += [f"{name}: {value}" for name, value in request.headers.items()]
            listing.write("\t".join(fields) + "\n")
        listing.flush()
        environment = {
            **os.environ,
            "BENCH_REQUEST_FILE": listing.name,
            "BENCH_MAX_REQUESTS_PER_THREAD": str(max(1, REQUESTS // threads)),
        }
        command = ["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s"]
        command += ["-s", str(ROOT / "bench" / "wrk_report.lua"), f"http://127.0.0.1:{port}/"]
        result = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=SECONDS + 60, check=False
        )
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary:\n{result.stdout}\n{result.stderr}")
    summary = json.loads(line.removeprefix("BENCH_JSON "))
    return {
        "requests": summary["requests"],
        "req/s": summary["requests"] / (summary["duration_us"] / 1e6),
        "p50 ms": summary["p50_us"] / 1000,
        "p95 ms": summary["p95_us"] / 1000,
        "p99 ms": summary["p99_us"] / 1000,
        "errors": summary["socket_errors"] + summary["not_200"],
    }


def load_with_python(port: int, requests: list[Request]) -> dict[str, float]:
    """A threaded client: CONNECTIONS threads take the requests in turn, up to REQUESTS, stopping at SECONDS."""
    latencies: list[float] = []
    errors = 0
    taken = 0
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def worker() -> None:
        nonlocal taken, errors
        while time.monotonic() < deadline:
            with lock:
                if taken >= REQUESTS:
                    return
                request = requests[taken % len(requests)]
                taken += 1
            started = time.perf_counter()
            try:
                status, _ = send(port, request)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += status != 200

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    duration = time.perf_counter() - started
    latencies.sort()

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "requests": len(latencies),
        "req/s": len(latencies) / duration,
        "p50 ms": percentile(0.50),
        "p95 ms": percentile(0.95),
        "p99 ms": percentile(0.99),
        "errors": errors,
    }


def measure_runs(
    port: int, name: str, requests: list[Request], server: int | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The figures of one endpoint: size, one-connection latency, then throughput and latency under load, RUNS
    times (repeat.RUNS), each run with the load average around it; also each run's raw figures (for budgets).
    The figures give the spread of each measure over the runs and its worst value."""
    status, body = send(port, requests[0])
    if status != 200:
        return {name: f"skipped: answered {status} {body[:300]!r}"}, []
    for index in range(WARMUP_REQUESTS):
        send(port, requests[index % len(requests)])
    figures: dict[str, Any] = {f"{name}: response bytes": len(body)}
    for key, value in sequential(port, requests).items():
        figures[f"{name}: {key}"] = round(value, 2)

    def load() -> dict[str, Any]:
        cpu = workers_cpu_seconds(server)
        measured = load_with_wrk(port, requests) if LOADGEN == "wrk" else load_with_python(port, requests)
        if server is not None and measured["requests"]:
            measured["server CPU ms/request"] = (workers_cpu_seconds(server) - cpu) * 1000 / measured["requests"]
        return measured

    results = repeat.repeat(name, load)
    keys = ["req/s", "p50 ms", "p95 ms", "p99 ms", "errors"] + (["server CPU ms/request"] if server else [])
    figures.update(repeat.summarise(name, results, keys))
    figures[f"{name}: worst req/s"] = round(min(result["req/s"] for result in results), 1)
    figures[f"{name}: worst p99 ms"] = round(max(result["p99 ms"] for result in results), 1)
    figures[f"{name}: errors (all runs)"] = sum(int(result["errors"]) for result in results)
    return figures, results


def measure(port: int, name: str, requests: list[Request], server: int | None = None) -> dict[str, Any]:
    """`measure_runs` without the raw runs."""
    return measure_runs(port, name, requests, server)[0]


SIZE = "requests per endpoint and run (BENCH_REQUESTS, default 20,000)"


def run(size: int | None = None) -> dict[str, Any]:
    global REQUESTS
    if size:
        REQUESTS = size
    figures: dict[str, Any] = {}
    redis_url = REDIS_URL if redis_reachable(REDIS_URL) else ""
    port = free_port()
    environment = server_environment(port, redis_url)
    figures["setup"] = (
        f"gunicorn {WORKERS} sync workers, {CONNECTIONS} connections, load by {LOADGEN}, "
        f"PostgreSQL database {urlsplit(DATABASE_URL).path.lstrip('/')}, Redis {'yes' if redis_url else 'no'}, "
        f"at most {REQUESTS} requests and {SECONDS} s per endpoint"
    )

    started = time.monotonic()
    create_database()
    manage(environment, "migrate", "--no-input", "-v0")
    # demo data is refused on the production settings the server runs with: load it with the local ones (same
    # database and keys)
    manage({**environment, "DJANGO_SETTINGS_MODULE": "config.settings.local"}, "load_demo")
    manage(environment, "collectstatic", "--no-input", "-v0")
    analyze_database()
    figures["database setup (migrate + load_demo + ANALYZE), s"] = round(time.monotonic() - started, 1)
    issued = manage(environment, "shell", "-c", ISSUE_TOKEN.format(user=DEMO_USER))
    _, token_id, token = next(line for line in issued.splitlines() if line.startswith("TOKEN ")).split()
    authorization = f"Bearer {token}"

    log = Path(tempfile.mkdtemp(prefix="hocvuso-bench-")) / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py")]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(process, port, log)
        for name, path, authenticated in ENDPOINTS:
            print(f"   {name}", file=sys.stderr, flush=True)
            try:
                headers = {"Authorization": authorization} if authenticated else {}
                figures.update(measure(port, name, [Request("GET", path, headers)], process.pid))
            except (OSError, RuntimeError) as error:
                figures[name] = f"failed: {type(error).__name__}: {error}"
        figures["gunicorn worker memory after the load, MB each"] = worker_memory_mb(process.pid)
    finally:
        stop(process)
        try:
            manage(environment, "shell", "-c", REVOKE_TOKEN.format(user=DEMO_USER, token_id=int(token_id)))
        except RuntimeError as error:  # the token expires in 2 hours anyway
            print(f"could not revoke the bench token: {error}", file=sys.stderr)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
