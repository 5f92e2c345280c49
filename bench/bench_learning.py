"""Lesson page and quiz answer under load: gunicorn (production settings) + PostgreSQL, curricula and many learners.

Makes (or reuses) the PostgreSQL database `hocvuso_bench_learning`, migrates it, loads the starter curricula,
and makes BENCH_LEARNERS learners (enrolled in a course each, with the first lessons of it completed), of whom
BENCH_SIGNED_IN are signed in (a fresh session each run) with a practice quiz in progress. Then, with
gunicorn on a free loopback port (config/gunicorn.py, the helpers of bench_http.py), it measures:

- GET of each signed-in learner's next lesson page (rendered HTML with the course outline and progress);
- POST of one quiz answer to the attempt's JSON endpoint (the save_answer service: a row lock, a write),
  each request changing the saved answer so every one is a real write.

Requests rotate over the learners (wrk with a generated Lua script; the same request list through a threaded
Python client when wrk is missing). Budget (docs/ARCHITECTURE.md): ≥ 300 req/s with p99 ≤ 100 ms.

Environment (all optional): BENCH_LEARNING_DATABASE_URL, BENCH_LEARNERS (5000), BENCH_SIGNED_IN (400), and
those of bench_http.py (BENCH_WORKERS, BENCH_CONNECTIONS, BENCH_REQUESTS, BENCH_SECONDS, BENCH_LOADGEN).
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bench_http as shared

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_LEARNING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_learning"
)
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "5000"))
SIGNED_IN = int(os.environ.get("BENCH_SIGNED_IN", "400"))

# Run by `manage.py shell` with the server's settings: learners, enrolments, completions (once), then fresh
# sessions and quiz attempts for the signed-in sample. Prints one JSON line.
SETUP = r"""
import json, random, secrets, time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import transaction
from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.learning.models import Course, Enrolment, Lesson, LessonCompletion
from hocvuso.learning.services import start_attempt

LEARNERS, SIGNED_IN = {learners}, {signed_in}
rng = random.Random(2026)
courses = list(Course.objects.published().order_by("slug"))
lessons = {{course.pk: list(Lesson.objects.active().filter(course=course).order_by("position")) for course in courses}}
existing = User.objects.filter(username__startswith="bench.learner.").count()
if existing < LEARNERS:
    password = make_password("bench-only-password")
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"bench.learner.{{number:05d}}", full_name=f"Người học {{number}}", password=password)
            for number in range(existing, LEARNERS)
        )
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role="learner") for user in users)
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(user=user, course=courses[user.pk % len(courses)]) for user in users
        )
        LessonCompletion.objects.bulk_create(
            LessonCompletion(user_id=enrolment.user_id, lesson=lesson, enrolment=enrolment)
            for enrolment in enrolments
            for lesson in lessons[enrolment.course_id][: rng.randrange(0, len(lessons[enrolment.course_id]))]
        )
store = import_module(settings.SESSION_ENGINE).SessionStore
now = int(time.time())
out = []
sample = (
    User.objects.filter(username__startswith="bench.learner.")
    .order_by("username")[: SIGNED_IN]
)
for user in sample:
    enrolment = Enrolment.objects.select_related("course").get(user=user)
    course_lessons = lessons[enrolment.course_id]
    done = LessonCompletion.objects.filter(user=user).count()
    lesson = course_lessons[min(done, len(course_lessons) - 1)]
    quiz = course_lessons[0].quiz
    attempt = start_attempt(user=user, assessment=quiz)
    answers = []
    for row in attempt.answers.select_related("question").order_by("position"):
        kind = row.question.type
        if kind in ("single", "image"):
            answers.append([row.question_id, 0, 1])
        elif kind == "multiple":
            answers.append([row.question_id, [0], [1]])
        elif kind == "true_false":
            answers.append([row.question_id, True, False])
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["signed_in_at"] = now
    session["last_seen_at"] = now
    session["is_staff_session"] = False
    session.create()
    out.append({{
        "session": session.session_key,
        "csrf": secrets.token_hex(16),
        "lesson": f"/khoa-hoc/{{enrolment.course.slug}}/{{lesson.slug}}/",
        "attempt": str(attempt.pk),
        "answers": answers,
    }})
print("BENCH_LEARNERS " + json.dumps({{
    "learners": User.objects.filter(username__startswith="bench.learner.").count(),
    "completions": LessonCompletion.objects.count(),
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "csrf_cookie": settings.CSRF_COOKIE_NAME,
    "sample": out,
}}))
"""

WRK_SCRIPT = r"""
-- Rotate over a list of requests (one per line: METHOD, PATH, COOKIE, CSRF TOKEN, BODY, tab-separated);
-- print one machine-readable summary line (latencies in microseconds) with the answers that were not 200.
local threads = {}
local limit = tonumber(os.getenv("BENCH_MAX_REQUESTS_PER_THREAD") or "0")

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for line in io.lines(os.getenv("BENCH_REQUEST_FILE")) do
    local method, path, cookie, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = { Cookie = cookie }
    if method == "POST" then
      headers["X-CSRFToken"] = token
      headers["Content-Type"] = "application/json"
      table.insert(requests, wrk.format(method, path, headers, body))
    else
      table.insert(requests, wrk.format(method, path, headers))
    end
  end
  index = (id * math.floor(#requests / 2)) % #requests
  answered = 0
  not_ok = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    not_ok = not_ok + 1
  end
  if limit > 0 and answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local not_ok_total = 0
  for _, thread in ipairs(threads) do
    not_ok_total = not_ok_total + thread:get("not_ok")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"socket_errors": %d, "not_200": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, errors.connect + errors.read + errors.write + errors.timeout, not_ok_total))
end
"""

Request = tuple[str, str, str, str, str]  # method, path, cookie header, CSRF token, body


def lesson_requests(setup: dict[str, Any]) -> list[Request]:
    """Each signed-in learner's next lesson page."""
    return [("GET", entry["lesson"], _cookie(setup, entry), "", "") for entry in setup["sample"]]


def answer_requests(setup: dict[str, Any]) -> list[Request]:
    """Answers to the learners' quizzes, in rounds over the learners (a learner's answers come one after
    another, never two at once); every request changes the saved answer, so each is a write."""
    sample = [entry for entry in setup["sample"] if entry["answers"]]
    longest = max(len(entry["answers"]) for entry in sample)
    requests: list[Request] = []
    for round_number in range(2 * longest):
        for entry in sample:
            question_id, first, second = entry["answers"][round_number % len(entry["answers"])]
            value = first if (round_number // len(entry["answers"])) % 2 == 0 else second
            body = json.dumps({"question": question_id, "answer": value})
            path = f"/bai-lam/{entry['attempt']}/tra-loi/"
            requests.append(("POST", path, _cookie(setup, entry), entry["csrf"], body))
    return requests


def _cookie(setup: dict[str, Any], entry: dict[str, Any]) -> str:
    return f"{setup['session_cookie']}={entry['session']}; {setup['csrf_cookie']}={entry['csrf']}"


def send(port: int, request: Request) -> tuple[int, bytes]:
    method, path, cookie, token, body = request
    headers = {"Cookie": cookie}
    if method == "POST":
        headers.update({"X-CSRFToken": token, "Content-Type": "application/json"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body.encode() if body else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def sequential(port: int, requests: list[Request]) -> dict[str, float]:
    """One request at a time: the server's own time per request, without queueing."""
    latencies = []
    for index in range(shared.SEQUENTIAL_REQUESTS):
        started = time.perf_counter()
        send(port, requests[index % len(requests)])
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "1 connection p50 ms": latencies[len(latencies) // 2],
        "1 connection p95 ms": latencies[int(len(latencies) * 0.95)],
    }


def load_with_wrk(port: int, requests: list[Request], workdir: Path) -> dict[str, float]:
    script = workdir / "learning.lua"
    script.write_text(WRK_SCRIPT)
    request_file = workdir / "requests.tsv"
    request_file.write_text("".join("\t".join(request) + "\n" for request in requests))
    threads = 2
    environment = {
        **os.environ,
        "BENCH_REQUEST_FILE": str(request_file),
        "BENCH_MAX_REQUESTS_PER_THREAD": str(max(1, shared.REQUESTS // threads)),
    }
    command = ["wrk", f"-t{threads}", f"-c{shared.CONNECTIONS}", f"-d{shared.SECONDS}s", "--timeout", "10s"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}/"]
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=shared.SECONDS + 60, check=False
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
    """CONNECTIONS threads take the requests in turn, up to REQUESTS of them, stopping at SECONDS."""
    latencies: list[float] = []
    errors = 0
    taken = 0
    lock = threading.Lock()
    deadline = time.monotonic() + shared.SECONDS

    def worker() -> None:
        nonlocal taken, errors
        while time.monotonic() < deadline:
            with lock:
                if taken >= shared.REQUESTS:
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
    workers = [threading.Thread(target=worker) for _ in range(shared.CONNECTIONS)]
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


def measure(port: int, name: str, requests: list[Request], workdir: Path) -> dict[str, Any]:
    status, body = send(port, requests[0])
    if status != 200:
        return {name: f"skipped: answered {status} {body[:300]!r}"}
    for index in range(shared.WARMUP_REQUESTS):
        send(port, requests[index % len(requests)])
    figures: dict[str, Any] = {f"{name}: response bytes": len(body)}
    for key, value in sequential(port, requests).items():
        figures[f"{name}: {key}"] = round(value, 2)
    measured = load_with_wrk(port, requests, workdir) if shared.LOADGEN == "wrk" else load_with_python(port, requests)
    for key, value in measured.items():
        figures[f"{name}: {key}"] = round(value, 2) if isinstance(value, float) else value
    return figures


def run() -> dict[str, Any]:
    shared.DATABASE_URL = DATABASE_URL  # bench_http's helpers read it: this benchmark keeps its own database
    figures: dict[str, Any] = {}
    redis_url = shared.REDIS_URL if shared.redis_reachable(shared.REDIS_URL) else ""
    port = shared.free_port()
    environment = shared.server_environment(port, redis_url)
    figures["setup"] = (
        f"gunicorn {shared.WORKERS} sync workers, {shared.CONNECTIONS} connections, load by {shared.LOADGEN}, "
        f"PostgreSQL database {urlsplit(DATABASE_URL).path.lstrip('/')}, Redis {'yes' if redis_url else 'no'}, "
        f"at most {shared.REQUESTS} requests and {shared.SECONDS} s per endpoint"
    )

    started = time.monotonic()
    shared.create_database()
    shared.manage(environment, "migrate", "--no-input", "-v0")
    shared.manage(environment, "load_curricula")
    shared.manage(environment, "collectstatic", "--no-input", "-v0")
    output = shared.manage(environment, "shell", "-c", SETUP.format(learners=LEARNERS, signed_in=SIGNED_IN))
    setup = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_LEARNERS "))[15:])
    shared.analyze_database()
    figures["database setup (migrate, curricula, learners, sessions, ANALYZE), s"] = round(
        time.monotonic() - started, 1
    )
    figures["learners"] = setup["learners"]
    figures["lesson completions"] = setup["completions"]
    figures["signed-in learners under load"] = len(setup["sample"])

    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-learning-"))
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py")]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=stream, stderr=subprocess.STDOUT)
    try:
        shared.wait_until_serving(process, port, log)
        for name, requests in [
            ("GET lesson page (signed in, outline and progress)", lesson_requests(setup)),
            ("POST quiz answer (JSON, save_answer)", answer_requests(setup)),
        ]:
            print(f"   {name}", file=sys.stderr, flush=True)
            try:
                figures.update(measure(port, name, requests, workdir))
            except (OSError, RuntimeError) as error:
                figures[name] = f"failed: {type(error).__name__}: {error}"
        figures["gunicorn worker memory after the load, MB each"] = shared.worker_memory_mb(process.pid)
    finally:
        shared.stop(process)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
