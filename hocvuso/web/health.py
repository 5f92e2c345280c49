"""`/healthz` for load balancers and monitoring: the checks live in hocvuso.core.health, this only renders."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from hocvuso.accounts.access import public
from hocvuso.core.health import run_checks


@public
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with every check "ok" (the queue "eager" without Redis), 503 naming the parts that failed.

    The body holds only check names and short words: no error text, host name or version.
    """
    report = run_checks()
    body: dict[str, object] = {"status": "ok" if report.healthy else "error", "checks": report.checks}
    if not report.healthy:
        body["failed"] = report.failed
    return JsonResponse(body, status=200 if report.healthy else 503)
