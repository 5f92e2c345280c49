"""Does a web process get slower the longer it serves lesson pages? Many signed-in learners' lesson pages through
Django's WSGI handler in this one process, in chunks, with what each chunk cost.

    BENCH_LEARNING_DATABASE_URL=postgres://…/hocvuso_bench_learning uv run python bench/drift_lesson.py [CHUNKS] [SIZE]

Uses the database bench_learning.py builds (run it once first), with the production settings and Redis as the
benchmark's server does. Signs in the first 400 bench learners (the product's sign-in, a fresh session each),
sends each one's next lesson page in turn (as wrk does), then, after `gc.collect(); gc.freeze()` as a gunicorn
worker does at start (config/gunicorn.py), CHUNKS chunks (8) of SIZE requests (2,000). Per chunk: the CPU time of
this process per request, the garbage collector's share and its full collections, the Python function calls per
request (100 requests after the chunk, counted with sys.setprofile) and the objects the collector tracks. A page
that grew dearer per request — a cache or list growing, a scan over it — shows as a rising call count or CPU; the
CPU moves with the machine's load, the call count does not.

Not a benchmark (bench/run.py runs only bench_*.py); a tool to check a rise seen under wrk.
"""

import gc
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_http as shared  # noqa: E402

SIGNED_IN = 400


def main(chunks: int, size: int) -> None:
    shared.DATABASE_URL = os.environ.get(
        "BENCH_LEARNING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_learning"
    )
    redis_url = shared.REDIS_URL if shared.redis_reachable(shared.REDIS_URL) else ""
    os.environ.update(shared.server_environment(shared.free_port(), redis_url))
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    from hocvuso.accounts.models import User
    from hocvuso.accounts.services import complete_sign_in
    from hocvuso.learning.models import Enrolment, Lesson, LessonCompletion

    store = import_module(settings.SESSION_ENGINE).SessionStore
    pages: list[tuple[str, str]] = []
    for user in User.objects.filter(username__startswith="bench.learner.").order_by("username")[:SIGNED_IN]:
        enrolment = Enrolment.objects.select_related("course").get(user=user)
        lessons = list(Lesson.objects.active().filter(course=enrolment.course).order_by("position"))
        lesson = lessons[min(LessonCompletion.objects.filter(user=user).count(), len(lessons) - 1)]
        request = RequestFactory().post("/tai-khoan/dang-nhap/")
        request.session = store()
        complete_sign_in(request, user, method="password", second_factor_verified=False)
        request.session.save()
        pages.append((f"/khoa-hoc/{enrolment.course.slug}/{lesson.slug}/", request.session.session_key or ""))
    if not pages:
        raise SystemExit("No bench learner: run `bench/run.py learning=500` on this database first.")
    cookies = f"{settings.SESSION_COOKIE_NAME}=%s; {settings.CSRF_COOKIE_NAME}={'a' * 32}"
    application = WSGIHandler()
    statuses: list[str] = []

    def send(number: int) -> None:
        path, key = pages[number % len(pages)]
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookies % key,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(body)
        body.close()  # type: ignore[attr-defined]

    for number in range(2 * len(pages)):
        send(number)
    gc.collect()
    gc.freeze()
    collector = {"cpu": 0.0, "full": 0, "started": 0.0}

    def timed(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collector["started"] = time.process_time()
            return
        collector["cpu"] += time.process_time() - collector["started"]
        collector["full"] += info["generation"] == 2

    gc.callbacks.append(timed)
    calls = [0]

    def count(frame: Any, event: str, argument: Any) -> None:
        if event in ("call", "c_call"):
            calls[0] += 1

    sent = 0
    print(f"{len(pages)} learners; load average {os.getloadavg()[0]:.2f}")
    for chunk in range(chunks):
        collector.update(cpu=0.0, full=0)
        statuses.clear()
        cpu = time.process_time()
        for _ in range(size):
            send(sent)
            sent += 1
        cpu = (time.process_time() - cpu) * 1000 / size
        collector_ms = collector["cpu"] * 1000 / size
        calls[0] = 0
        sys.setprofile(count)
        for _ in range(100):
            send(sent)
            sent += 1
        sys.setprofile(None)
        failed = sum(not status.startswith("200") for status in statuses)
        print(
            f"chunk {chunk + 1} (to request {sent:,}): CPU {cpu:.2f} ms/request (collector {collector_ms:.3f} ms, "
            f"{collector['full']} full collections); {calls[0] / 100:,.0f} function calls/request; "
            f"{len(gc.get_objects()):,} objects tracked; {failed} not 200; load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    print(f"after gc.collect(): {gc.collect():,} collected, {len(gc.get_objects()):,} tracked (the rest was garbage)")


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:3]]
    main(*(arguments + [8, 2000][len(arguments) :]))
