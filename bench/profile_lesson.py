"""Where a lesson page's time goes: one signed-in learner's lesson page, in-process, under cProfile.

    BENCH_LEARNING_DATABASE_URL=postgres://…/hocvuso_bench_learning uv run python bench/profile_lesson.py [N]

Uses the database bench_learning.py builds (run it once first), with the production settings and Redis as the
benchmark's server does; signs one bench learner in (a fresh session), warms up, then times N requests (200 by
default) through Django's test Client: the wall and CPU time per request, the SQL queries of one request (with
their text), and the functions that took the most time. Not a benchmark (bench/run.py runs only bench_*.py);
a tool to find where the time goes.
"""

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_http as shared  # noqa: E402


def main(requests: int) -> None:
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

    user = User.objects.filter(username__startswith="bench.learner.").order_by("username").first()
    if user is None:
        raise SystemExit("No bench learner: run `bench/run.py learning=500` on this database first.")
    enrolment = Enrolment.objects.select_related("course").get(user=user)
    lessons = list(enrolment.course.lessons.filter(is_active=True).order_by("position"))
    done = LessonCompletion.objects.filter(user=user).count()
    path = f"/khoa-hoc/{enrolment.course.slug}/{lessons[min(done, len(lessons) - 1)].slug}/"
    # the session a sign-in makes (the product's one way in), as bench_learning.py makes its sessions
    request = RequestFactory().post("/tai-khoan/dang-nhap/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    complete_sign_in(request, user, method="password", second_factor_verified=False)
    request.session.save()
    store = request.session
    client = Client(secure=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    for _ in range(30):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    print(f"{path}: {len(response.content):,} bytes, {len(queries.captured_queries)} SQL queries:")
    for query in queries.captured_queries:
        print(f"   {query['time']} s  {query['sql'][:160]}")
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        client.get(path)
    wall = (time.perf_counter() - started) / requests * 1000
    cpu_ms = (time.process_time() - cpu) / requests * 1000
    print(f"{requests} requests: {wall:.2f} ms wall, {cpu_ms:.2f} ms CPU of this process per request")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    for order in ("tottime", "cumulative"):
        output = io.StringIO()
        pstats.Stats(profiler, stream=output).sort_stats(order).print_stats(35)
        print(output.getvalue()[-9000:])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
