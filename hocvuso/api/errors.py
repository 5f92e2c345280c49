"""Every API error is one JSON shape: `{"detail": message, "code": code, "field": field or null}`.

Validation errors also carry `errors` (every message, by field). A `DomainError` a service raises is a 400 with
its message, field and code; `core.errors.NotFound` and Django's Http404 are a 404 that never names the model
(missing and forbidden look the same); a body that is not JSON is a 400 that says so (and why, when the API's
parser could tell: too deep, a key twice, not UTF-8, a number out of range…).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from hocvuso.core.errors import DomainError, NotFound

from .parsers import MalformedBody

NON_FIELD_KEYS = {"non_field_errors", "detail"}

# Our own words for DRF's stock errors (its Vietnamese catalogue lacks most of them), used when the exception
# carries DRF's default message rather than one a view chose.
STOCK_MESSAGES: dict[type[exceptions.APIException], Any] = {
    exceptions.NotAuthenticated: gettext_lazy("Chưa đăng nhập: hãy đăng nhập hoặc gửi khóa truy cập (Bearer)."),
    exceptions.AuthenticationFailed: gettext_lazy("Thông tin đăng nhập không đúng."),
    exceptions.NotFound: gettext_lazy("Không tìm thấy."),
    exceptions.PermissionDenied: gettext_lazy("Bạn không được thực hiện thao tác này."),
    exceptions.UnsupportedMediaType: gettext_lazy("API chỉ nhận nội dung JSON (Content-Type: application/json)."),
    exceptions.NotAcceptable: gettext_lazy("API chỉ trả lời bằng JSON (Accept: application/json)."),
}


def _first_error(detail: Any, path: tuple[str, ...] = ()) -> tuple[str, str, str | None] | None:
    """The first (message, code, field path) in a validation error's nested details (lists of items hold an
    empty entry for each valid item); None when there is none."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            found = _first_error(value, path if key in NON_FIELD_KEYS else (*path, str(key)))
            if found:
                return found
        return None
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            found = _first_error(value, (*path, str(index)) if isinstance(value, dict | list) else path)
            if found:
                return found
        return None
    code = getattr(detail, "code", None) or "invalid"
    return str(detail), str(code), ".".join(path) or None


def error_body(detail: str, *, code: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code, "field": field, **extra}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn an exception raised in an API view into the one JSON error shape (None: let Django answer 500)."""
    if isinstance(exc, NotFound | Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(str(exc.message), code=exc.code, field=exc.field), status=400)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, exceptions.ParseError) and not isinstance(exc, MalformedBody):
        exc = exceptions.ParseError(_("Nội dung yêu cầu không phải là JSON hợp lệ."), code="parse_error")

    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        message, code, field = _first_error(exc.detail) or (_("Dữ liệu không hợp lệ."), "invalid", None)
        response.data = error_body(message, code=code, field=field, errors=exc.detail)
    else:
        code = str(getattr(exc.detail, "code", None) or exc.default_code)
        response.data = error_body(_stock_message(exc, context) or str(exc.detail), code=code)
        if code == "device_wipe":  # a revoked or expired field device removes the data it holds (api/field.py)
            response.data["wipe"] = True
    return response


def _stock_message(exc: exceptions.APIException, context: dict[str, Any]) -> str | None:
    """Our message for a DRF error raised with its default text; None when a view chose the text."""
    if isinstance(exc, exceptions.MethodNotAllowed):
        request = context.get("request")
        method = getattr(request, "method", "") or ""
        return _("Phương thức %(method)s không dùng được ở địa chỉ này.") % {"method": method}
    for exception_class, message in STOCK_MESSAGES.items():
        if type(exc) is exception_class and str(exc.detail) == str(exception_class.default_detail):
            return str(message)
    if isinstance(exc, exceptions.UnsupportedMediaType | exceptions.NotAcceptable):
        return str(STOCK_MESSAGES[type(exc)])
    return None


API_PREFIX = "/api/"


def _json_error(detail: str, *, code: str, status: int) -> JsonResponse:
    return JsonResponse(
        error_body(detail, code=code),
        status=status,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 handler (config/urls.py): under /api/ a path that names no endpoint — an unknown route, or an
    id that is not a number — answers the API's JSON error like every other API 404; pages keep the 404 page."""
    if request.path.startswith(API_PREFIX):
        return _json_error(str(STOCK_MESSAGES[exceptions.NotFound]), code="not_found", status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: the API's JSON error under /api/ (a client parses JSON whatever happens), the 500
    page elsewhere. The error itself is logged by Django, never shown."""
    if request.path.startswith(API_PREFIX):
        return _json_error(_("Lỗi máy chủ; hãy thử lại sau."), code="server_error", status=500)
    return defaults.server_error(request)
