"""Where the province dashboard's time goes: the province administrator's `GET /theo-doi/don-vi/<province>/`,
in-process, with the time of each part and under cProfile.

    PROFILE_DATABASE_URL=postgres://…/hocvuso_demo uv run python bench/profile_dashboard.py [N]

Any database with a province, its facts and a user with VIEW_PROGRESS over the province: the demo's (`make run`'s
`load_demo` on PostgreSQL: 124 communes, 40 weeks of facts) or bench_monitoring.py's (`…_small`, `…`). Production
settings (bench_http's environment) and Redis when reachable (PROFILE_REDIS_URL, "" for none), as the bench's
requests run. Signs the user in (PROFILE_USER, default the demo's `admin.tinh`; a fresh verified session), warms
up, then prints:

- the page's size and its SQL queries (with their text);
- p50/p95 of the wall and CPU time per request over N requests (200 by default) through Django's test Client,
  after `gc.freeze()` as config/gunicorn.py runs the web workers — CPU time is this process's, so other work on
  a shared machine weighs less on it than on the wall time;
- the same request's parts timed one by one (the selector, the page's figures, the template);
- the functions that took the most time under cProfile (PROFILE_DUMP=path also writes the stats).

Not a benchmark (bench/run.py runs only bench_*.py): a tool to find where the time goes, and to compare a change
with the code before it on the same database in the same session.
"""

import cProfile
import gc
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_http as shared  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(action: Callable[[], object], times: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each of `times` calls."""
    wall, cpu = [], []
    for _ in range(times):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def summary(wall: list[float], cpu: list[float]) -> str:
    return (
        f"wall p50 {percentile(wall, 0.5):6.1f} p95 {percentile(wall, 0.95):6.1f} ms · "
        f"CPU p50 {percentile(cpu, 0.5):6.1f} p95 {percentile(cpu, 0.95):6.1f} ms"
    )


def main(requests: int) -> None:
    os.chdir(ROOT)  # the checkout this script is in is the one profiled, wherever it is run from
    shared.DATABASE_URL = os.environ.get("PROFILE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_demo")
    redis_url = os.environ.get("PROFILE_REDIS_URL", shared.REDIS_URL)
    redis_url = redis_url if shared.redis_reachable(redis_url) else ""
    environment = shared.server_environment(shared.free_port(), redis_url)
    environment["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.update(environment)
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from hocvuso.accounts.access import home_unit
    from hocvuso.accounts.models import User
    from hocvuso.accounts.roles import Permission
    from hocvuso.accounts.services import complete_sign_in
    from hocvuso.indicators.selectors import unit_dashboard
    from hocvuso.web.monitoring import dashboards
    from hocvuso.web.monitoring.views import INDICATOR_PARAMETER, _legend

    user = User.objects.get(username=os.environ.get("PROFILE_USER", "admin.tinh"))
    province = home_unit(user, Permission.VIEW_PROGRESS)  # the unit monitoring_start sends the user to
    assert province is not None and province.level == "province", province
    path = reverse("web:monitoring_unit", kwargs={"code": province.code})
    request = RequestFactory().post("/tai-khoan/dang-nhap/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    complete_sign_in(request, user, method="password+totp", second_factor_verified=True)
    request.session.save()
    client = Client(secure=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key

    def once() -> bytes:
        response = client.get(path)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response.content

    for _ in range(30):
        content = once()
    with CaptureQueriesContext(connection) as queries:
        once()
    dashboard = unit_dashboard(user=user, unit=province)
    print(
        f"{path} as {user.username}: {len(content):,} bytes, {len(dashboard.children)} children × "
        f"{len(dashboard.indicators)} indicators, {len(queries.captured_queries)} SQL queries:"
    )
    for query in queries.captured_queries:
        print(f"   {query['time']} s  {query['sql'][:150]}")
    gc.collect()
    gc.freeze()
    wall, cpu = timed(once, requests)
    print(f"{requests} requests after gc.freeze(): {summary(wall, cpu)}")

    # The parts of one request, each timed alone (the same calls the view makes).
    view_request = RequestFactory().get(path)
    view_request.user = user
    page = dashboards.unit_page(user, province)
    context = {"page": page, "legend": _legend(), "indicator_parameter": INDICATOR_PARAMETER}
    template = "web/monitoring/unit.html"
    parts: list[tuple[str, Callable[[], object]]] = [
        ("selector unit_dashboard (queries)", lambda: unit_dashboard(user=user, unit=province)),
        ("unit_page (selector + figures shown)", lambda: dashboards.unit_page(user, province)),
        ("render the template (page built)", lambda: render_to_string(template, context, view_request)),
    ]
    rounds = max(20, requests // 4)
    for name, action in parts:
        action()
        print(f"   {name:<40} {summary(*timed(action, rounds))}")

    profiler = cProfile.Profile()
    profiled = max(20, requests // 4)
    profiler.enable()
    for _ in range(profiled):
        once()
    profiler.disable()
    # the Python function calls of one request: a measure of the page's work that the machine's load leaves alone
    calls = pstats.Stats(profiler).total_calls / profiled  # type: ignore[attr-defined]
    print(f"Python function calls per request (cProfile): {calls:,.0f}")
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(os.environ["PROFILE_DUMP"])
    for order in ("tottime", "cumulative"):
        output = io.StringIO()
        pstats.Stats(profiler, stream=output).sort_stats(order).print_stats(30)
        print(output.getvalue()[-8000:])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
