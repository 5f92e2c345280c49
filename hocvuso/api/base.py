"""The base classes every API endpoint derives from, so that no endpoint can forget the access check.

An endpoint is one of three kinds, and it must say which:

- `ApiView` with `required_permission = Permission.X`: the caller must be signed in (401 otherwise) and hold
  the permission somewhere (404 otherwise: a missing endpoint and a forbidden one look the same); its rows come
  only from `scoped_queryset()`, which reads through the access module (`units_visible_to`, a model's
  `.visible_to(user, permission)`), so an object outside the caller's scope is a 404 like a missing one.
- `ApiView` with `required_permission = None`: any signed-in caller, acting on their own things only
  (their account, their tokens); `scoped_queryset()` filters by the caller.
- `PublicApiView` (the OpenAPI document and its viewer): open to everyone, on purpose.

Each class carries `access_policy` (an `accounts.access.AccessPolicy`, computed when the class is made, with
`unit_kwarg` when a URL argument names a unit), and so does its view function; the URL-walking authorization test
reads it from `resolver_match.func`. A class that declares no `required_permission`, sets `queryset`, or
overrides `get_queryset` is refused when it is defined; one that lists rows without `scoped_queryset()` fails
on its first request. Errors are JSON in one shape (errors.py); request bodies are JSON.
"""

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from hocvuso.accounts.access import AccessPolicy, access_unit, has_permission
from hocvuso.accounts.roles import Permission
from hocvuso.territory.models import AdministrativeUnit

from .errors import api_exception_handler
from .parsers import StrictJSONParser
from .schema import ApiAutoSchema
from .serializers import UNIT_CODE_PATTERN

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass
else:
    _PermissionClass = Any


_WHOLE_NUMBER = re.compile(r"[0-9]{1,15}")
_LARGEST = 10**15 - 1  # what _WHOLE_NUMBER lets through
_UNIT_CODE = re.compile(UNIT_CODE_PATTERN)


class _NotDeclared:
    def __repr__(self) -> str:
        return "NOT_DECLARED"


NOT_DECLARED: Any = _NotDeclared()


class ApiPagination(LimitOffsetPagination):
    """`?limit=&offset=`: `limit` from 1 to `max_limit` (larger values are cut to it), `offset` from 0; anything
    else is a 400 naming the parameter, rather than a silent fall-back to the defaults."""

    default_limit = 100
    max_limit = 500

    def _parameter(self, request: Request, name: str, *, minimum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < minimum:
            message = _("Giá trị phải là một số nguyên từ %(minimum)d trở lên.") % {"minimum": minimum}
            raise exceptions.ValidationError({name: [message]}, code="invalid")
        return int(raw)

    def get_limit(self, request: Request) -> int | None:
        limit = self._parameter(request, self.limit_query_param, minimum=1)
        if limit is None:
            return self.default_limit
        return min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return self._parameter(request, self.offset_query_param, minimum=0) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """The two parameters as the checks above accept them: `limit` an integer from 1, `offset` from 0, both of
        at most 15 digits."""
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        minimum = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": minimum[parameter["name"]], "maximum": _LARGEST}
        if parameters and parameters[0]["name"] == self.limit_query_param:
            parameters[0]["description"] = (
                f"Số dòng mỗi trang, từ 1 (mặc định {self.default_limit}; lớn hơn {self.max_limit} được tính là "
                f"{self.max_limit})."
            )
        return parameters


def query_filters(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """The validated query filters of a list endpoint. A filter given with no value (`?unit=`) is a 400 naming it,
    as the schema says (every filter value has at least one character): leaving a filter out is how a client
    says "no filter", so an empty one is more likely a client's bug than a wish. Any other bad value is a 400
    naming the parameter too."""
    filters = serializer_class(data=request.query_params)
    names: list[str] = list(filters.fields)
    empty = {
        name: [_("Tham số không được để trống: bỏ hẳn tham số nếu không lọc theo nó.")]
        for name in names
        if name in request.query_params and request.query_params[name] == ""
    }
    if empty:
        raise exceptions.ValidationError(empty, code="blank")
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)


class _ApiErrors:
    """Errors come out as `{"detail", "code", "field"}` JSON (see `errors.api_exception_handler`)."""

    def get_exception_handler(self) -> Any:
        return api_exception_handler


class ApiView(_ApiErrors, GenericAPIView[Any]):
    """The base of every non-public endpoint. Subclasses set `required_permission` (a `Permission`, or None
    for "any signed-in user, on their own things") and implement `scoped_queryset()` when they list or look
    up rows; `get_queryset()` is final and goes through it."""

    required_permission: ClassVar[Permission | None] = NOT_DECLARED
    # The URL argument naming the unit the endpoint is about (like `@requires(..., unit_kwarg="code")`); it tells
    # the authorization test to try a unit inside and one outside the caller's subtree.
    unit_kwarg: ClassVar[str | None] = None
    access_policy: ClassVar[AccessPolicy]
    # The unit named by `unit_kwarg`, checked against the caller's scope in `initial` (when the URL names no object).
    unit: AdministrativeUnit
    # Every answer, errors included, is JSON; requests with a body send JSON.
    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer]
    parser_classes: Sequence[type[BaseParser]] = [StrictJSONParser]
    pagination_class = ApiPagination
    schema = ApiAutoSchema()
    # The access checks are made in `initial()` below, in one place, rather than by DRF permission classes.
    permission_classes: Sequence[_PermissionClass] = []

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        permission = cls.required_permission
        if permission is NOT_DECLARED:
            raise ImproperlyConfigured(f"{cls.__qualname__} must declare required_permission (a Permission or None).")
        if permission is not None and not isinstance(permission, Permission):
            raise ImproperlyConfigured(f"{cls.__qualname__}.required_permission must be a Permission or None.")
        if cls.get_queryset is not ApiView.get_queryset:  # also when a mixin brings its own
            raise ImproperlyConfigured(f"{cls.__qualname__} must implement scoped_queryset(), not get_queryset().")
        if getattr(cls, "queryset", None) is not None:
            raise ImproperlyConfigured(f"{cls.__qualname__} must not set queryset: rows come from scoped_queryset().")
        cls.access_policy = AccessPolicy(permission=permission, unit_kwarg=cls.unit_kwarg)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        """The view function, carrying the policy itself too (`func.access_policy`, as the decorators do)."""
        view: Any = super().as_view(**initkwargs)
        view.access_policy = cls.access_policy
        return view

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Authenticate, then: anonymous → 401; signed in without the permission anywhere → 404; the object or unit
        the URL names outside the caller's scope → 404. All before the method is looked at, so a refused caller
        gets the same 404 by every method (never a 405 that tells them the endpoint's methods)."""
        super().initial(request, *args, **kwargs)
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if self.required_permission is not None and not has_permission(request.user, self.required_permission):
            raise exceptions.NotFound()
        if (self.lookup_url_kwarg or self.lookup_field) in kwargs:
            self.get_object()
        elif self.unit_kwarg is not None and self.unit_kwarg in kwargs:
            code = str(kwargs[self.unit_kwarg])
            if not _UNIT_CODE.fullmatch(code):
                raise exceptions.NotFound()
            self.unit = access_unit(request.user, code, self.permission)

    def get_object(self) -> Any:
        """The object the URL names, from `scoped_queryset()` (404 outside it); looked up once per request."""
        found = getattr(self, "_object_in_scope", None)
        if found is None:
            found = self._object_in_scope = super().get_object()
        return found

    @property
    def permission(self) -> Permission:
        """The permission the endpoint requires, to pass on to the access module when reading its rows."""
        if self.required_permission is None:
            raise ImproperlyConfigured(f"{type(self).__qualname__} requires no permission: scope by the caller.")
        return self.required_permission

    def scoped_queryset(self) -> QuerySet[Any]:
        """The rows this endpoint may show the caller, read through the access module. Subclasses that list or
        look up rows must implement it."""
        raise ImproperlyConfigured(
            f"{type(self).__qualname__} lists or looks up rows but does not implement scoped_queryset()."
        )

    def get_queryset(self) -> QuerySet[Any]:
        """Final: the rows come only from `scoped_queryset()`."""
        rows = self.scoped_queryset()
        if not isinstance(rows, QuerySet):
            raise ImproperlyConfigured(f"{type(self).__qualname__}.scoped_queryset() must return a QuerySet.")
        return rows


class PublicApiView(_ApiErrors):
    """Mix into an endpoint that is open to everyone on purpose (the OpenAPI document and its viewer).
    Credentials are not read at all, so a bad token header does not turn a public page into a 401."""

    access_policy: ClassVar[AccessPolicy] = AccessPolicy(permission=None, public=True)
    authentication_classes: Sequence[type[BaseAuthentication]] = []
    permission_classes: Sequence[_PermissionClass] = [AllowAny]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view: Any = super().as_view(**initkwargs)  # type: ignore[misc]
        view.access_policy = cls.access_policy
        return view
