"""Lesson page and quiz answer under load: gunicorn (production settings) + PostgreSQL, curricula and many learners.

Makes (or reuses) the PostgreSQL database `hocvuso_bench_learning`, migrates it, loads the starter curricula,
and makes BENCH_LEARNERS learners (enrolled in a course each, with the first lessons of it completed), of whom
BENCH_SIGNED_IN are signed in (a fresh session each run) with a practice quiz in progress. Then, with
gunicorn on a free loopback port (config/gunicorn.py, the helpers of bench_http.py), it measures:

- GET of each signed-in learner's next lesson page (rendered HTML with the course outline and progress);
- POST of one quiz answer to the attempt's JSON endpoint (the save_answer service: a row lock, a write),
  each request changing the saved answer so every one is a real write.

Requests rotate over the learners (bench_http.measure: wrk with bench/wrk_report.lua, or the same list through
a threaded Python client when wrk is missing). Budget (docs/ARCHITECTURE.md): ≥ 300 req/s with p99 ≤ 100 ms.

Environment (all optional): BENCH_LEARNING_DATABASE_URL, BENCH_LEARNERS (5000), BENCH_SIGNED_IN (400), and
those of bench_http.py (BENCH_WORKERS, BENCH_CONNECTIONS, BENCH_REQUESTS, BENCH_SECONDS, BENCH_LOADGEN).
"""

import json
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
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import RequestFactory
from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.accounts.services import complete_sign_in
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
    # the session a sign-in makes: the product's one way in (complete_sign_in), on a request of our own
    request = RequestFactory().post("/tai-khoan/dang-nhap/")
    request.session = store()
    complete_sign_in(request, user, method="password", second_factor_verified=False)
    request.session.save()
    out.append({{
        "session": request.session.session_key,
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


def lesson_requests(setup: dict[str, Any]) -> list[shared.Request]:
    """Each signed-in learner's next lesson page."""
    return [shared.Request("GET", entry["lesson"], _headers(setup, entry)) for entry in setup["sample"]]


def answer_requests(setup: dict[str, Any]) -> list[shared.Request]:
    """Answers to the learners' quizzes, in rounds over the learners (a learner's answers come one after
    another, never two at once); every request changes the saved answer, so each is a write."""
    sample = [entry for entry in setup["sample"] if entry["answers"]]
    longest = max(len(entry["answers"]) for entry in sample)
    requests: list[shared.Request] = []
    for round_number in range(2 * longest):
        for entry in sample:
            question_id, first, second = entry["answers"][round_number % len(entry["answers"])]
            value = first if (round_number // len(entry["answers"])) % 2 == 0 else second
            body = json.dumps({"question": question_id, "answer": value})
            path = f"/bai-lam/{entry['attempt']}/tra-loi/"
            requests.append(shared.Request("POST", path, _headers(setup, entry, post=True), body))
    return requests


def _headers(setup: dict[str, Any], entry: dict[str, Any], post: bool = False) -> dict[str, str]:
    headers = {"Cookie": f"{setup['session_cookie']}={entry['session']}; {setup['csrf_cookie']}={entry['csrf']}"}
    if post:
        headers.update({"X-CSRFToken": entry["csrf"], "Content-Type": "application/json"})
    return headers


SIZE = "learners in the database (BENCH_LEARNERS, default 5,000; at most 400 of them signed in under load)"
REQUESTS_PER_SECOND_BUDGET = 300.0
P99_BUDGET_MS = 100.0


def run(size: int | None = None) -> dict[str, Any]:
    learners = size or LEARNERS
    signed_in = min(SIGNED_IN, learners)
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
    output = shared.manage(environment, "shell", "-c", SETUP.format(learners=learners, signed_in=signed_in))
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
    budgets: list[repeat.Budget] = []
    try:
        shared.wait_until_serving(process, port, log)
        for name, requests in [
            ("GET lesson page (signed in, outline and progress)", lesson_requests(setup)),
            ("POST quiz answer (JSON, save_answer)", answer_requests(setup)),
        ]:
            print(f"   {name}", file=sys.stderr, flush=True)
            short = name.split(" (")[0]
            rate = repeat.Budget(f"{short}: req/s", REQUESTS_PER_SECOND_BUDGET, "req/s", higher_is_better=True)
            p99 = repeat.Budget(f"{short}: p99", P99_BUDGET_MS, "ms", higher_is_better=False)
            budgets += [rate, p99]
            try:
                measured, runs = shared.measure_runs(port, name, requests, process.pid)
            except (OSError, RuntimeError) as error:
                figures[name] = f"failed: {type(error).__name__}: {error}"
                continue
            figures.update(measured)
            # a run with errors does not count as meeting anything
            rate.values = [run["req/s"] if not run["errors"] else 0.0 for run in runs]
            p99.values = [run["p99 ms"] if not run["errors"] else float("inf") for run in runs]
        figures["gunicorn worker memory after the load, MB each"] = shared.worker_memory_mb(process.pid)
    finally:
        shared.stop(process)
    return {**figures, **repeat.budgets_figure(budgets)}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
