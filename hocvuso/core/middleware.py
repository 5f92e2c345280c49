import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from .context import RequestContext, reset_request_context, set_request_context


class RequestContextMiddleware:
    """Records the client address and a request id for the audit log and the logs, for this request only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            request_id=uuid.uuid4().hex,
        )
        token = set_request_context(context)
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = context.request_id
        return response


API_PREFIX = "/api/"


class RejectNullCharactersMiddleware:
    """Answers 400 to a request whose path or query string holds a NUL character, before any view runs: no
    text column can store one (PostgreSQL refuses it), so a view would fail with a server error on lookup.
    Form fields already refuse it (Django's ProhibitNullCharactersValidator). The API (/api/) is left to answer
    in its own JSON terms: its serializers and path lookups refuse NUL characters field by field."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            return self.get_response(request)
        query = (text for key, values in request.GET.lists() for text in (key, *values))
        if "\x00" in request.path or any("\x00" in text for text in query):
            return HttpResponseBadRequest(_("Địa chỉ có ký tự không hợp lệ."), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
