"""`/healthz` for load balancers and monitoring: the checks live in hocvuso.core.health and (whether the figures
follow the data) hocvuso.indicators.selectors; this only renders."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from hocvuso.accounts.access import public
from hocvuso.core.health import run_checks
from hocvuso.indicators.selectors import figures_health


@public
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with every check "ok" (the queue "eager" without Redis), 503 naming the parts that failed.

    "figures": "stale" (no refresh drained the change queue within its budget) does not take the process out of
    a load balancer — the pages work — but says so: status "degraded" and `"warnings": ["figures stale"]`. The
    body holds only check names and short words: no error text, host name or version.
    """
    report = run_checks()
    figures = figures_health() if report.checks.get("database") == "ok" else "error"
    checks = {**report.checks, "figures": figures}
    body: dict[str, object] = {"status": "ok", "checks": checks}
    if not report.healthy:
        body["status"] = "error"
        body["failed"] = report.failed
    elif figures != "ok":
        body["status"] = "degraded"
        body["warnings"] = ["figures stale"]
    return JsonResponse(body, status=200 if report.healthy else 503)
