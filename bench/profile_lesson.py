"""Where a lesson page's (or a quiz answer's) time goes: one signed-in learner's requests, in-process, under cProfile.

    BENCH_LEARNING_DATABASE_URL=postgres://…/hocvuso_bench_learning uv run python bench/profile_lesson.py [N]
    BENCH_LEARNING_DATABASE_URL=… uv run python bench/profile_lesson.py answer [N]

Uses the database bench_learning.py builds (run it once first), with the production settings and Redis as the
benchmark's server does; signs one bench learner in (a fresh session), warms up, then times 3 rounds of N requests
(200 by default) through Django's test Client, with the CSRF check on as in production: the CPU time of this
process (the steadier figure on a shared machine; the least of the rounds is the one to compare) and the wall
time per request, the SQL queries of one request (with their text), and the functions that took the most CPU time
(cProfile with a CPU clock: waiting for PostgreSQL or Redis does not count).

- `lesson` (the default): GET of the learner's next lesson page, as bench_learning.py asks for it.
- `answer`: POST of one quiz answer (JSON) to the learner's practice quiz attempt in progress (started here when
  there is none), alternating between two answers so that every request is a real write, as the benchmark does.

Not a benchmark (bench/run.py runs only bench_*.py); a tool to find where the time goes. PROFILE_DUMP=file keeps
the profile for pstats or snakeviz; PROFILE_HTML=file keeps the response's body.
"""

import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_http as shared  # noqa: E402

MODES = ("lesson", "answer")
ROUNDS = 3


def main(mode: str, requests: int) -> None:
    url = os.environ.get("BENCH_LEARNING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_learning")
    shared.DATABASE_URL = url
    redis_url = shared.REDIS_URL if shared.redis_reachable(shared.REDIS_URL) else ""
    environment = shared.server_environment(shared.free_port(), redis_url)
    environment["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.update(environment)
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from hocvuso.accounts.models import User
    from hocvuso.accounts.services import complete_sign_in
    from hocvuso.learning.models import Enrolment, LessonCompletion
    from hocvuso.learning.services import start_attempt

    user = User.objects.filter(username__startswith="bench.learner.").order_by("username").first()
    if user is None:
        raise SystemExit("No bench learner: run `bench/run.py learning=500` on this database first.")
    enrolment = Enrolment.objects.select_related("course").get(user=user)
    lessons = list(enrolment.course.lessons.filter(is_active=True).order_by("position"))
    # the session a sign-in makes (the product's one way in), as bench_learning.py makes its sessions
    request = RequestFactory().post("/tai-khoan/dang-nhap/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    complete_sign_in(request, user, method="password", second_factor_verified=False)
    request.session.save()
    csrf = secrets.token_hex(16)
    client = Client(secure=True, enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf

    send: Callable[[], Any]
    if mode == "lesson":
        done = LessonCompletion.objects.filter(user=user).count()
        path = f"/khoa-hoc/{enrolment.course.slug}/{lessons[min(done, len(lessons) - 1)].slug}/"

        def send() -> Any:
            return client.get(path)

    else:
        attempt = start_attempt(user=user, assessment=lessons[0].quiz)
        question = next(
            row.question
            for row in attempt.answers.select_related("question").order_by("position")
            if row.question.type in ("single", "image", "true_false", "multiple")
        )
        values = {"single": (0, 1), "image": (0, 1), "true_false": (True, False), "multiple": ([0], [1])}
        bodies = [json.dumps({"question": question.pk, "answer": value}) for value in values[question.type]]
        path = f"/bai-lam/{attempt.pk}/tra-loi/"
        sent = [0]

        def send() -> Any:
            sent[0] += 1
            return client.post(path, bodies[sent[0] % 2], content_type="application/json", HTTP_X_CSRFTOKEN=csrf)

    for _ in range(30):
        response = send()
        assert response.status_code == 200, (response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as queries:
        send()
    if os.environ.get("PROFILE_HTML"):  # the response, to compare the page before and after a change
        Path(os.environ["PROFILE_HTML"]).write_bytes(response.content)
    print(f"{mode} {path}: {len(response.content):,} bytes, {len(queries.captured_queries)} SQL queries:")
    for query in queries.captured_queries:
        print(f"   {query['time']} s  {query['sql'][:160]}")
    walls, cpus = [], []
    for _ in range(ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            send()
        walls.append((time.perf_counter() - started) / requests * 1000)
        cpus.append((time.process_time() - cpu) / requests * 1000)
    print(
        f"{ROUNDS} rounds of {requests} requests, per request: CPU of this process "
        f"{' / '.join(f'{value:.2f}' for value in cpus)} ms (least {min(cpus):.2f} ms); "
        f"wall {' / '.join(f'{value:.2f}' for value in walls)} ms; load average {os.getloadavg()[0]:.2f}"
    )
    # CPU time, not wall time: waits for PostgreSQL and Redis (and for the cores other work holds) are not ours
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(requests):
        send()
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    for order in ("tottime", "cumulative"):
        output = io.StringIO()
        pstats.Stats(profiler, stream=output).sort_stats(order).print_stats(35)
        print(output.getvalue()[-9000:])


if __name__ == "__main__":
    arguments = sys.argv[1:]
    chosen = arguments.pop(0) if arguments and arguments[0] in MODES else "lesson"
    main(chosen, int(arguments[0]) if arguments else 200)
