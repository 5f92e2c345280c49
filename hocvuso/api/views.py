"""The /api/v1/ endpoints: thin handlers that read through the access module and write through services.

Each derives from `base.ApiView` (or `base.PublicApiView`), which makes the access check; see base.py.
"""

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from hocvuso.accounts.access import (
    active_assignments,
    home_unit,
    is_staff_user,
    needs_second_factor,
    permissions_of,
    units_visible_to,
)
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission
from hocvuso.core.models import AuditEntry
from hocvuso.core.selectors import filter_audit_entries
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit

from .base import ApiView, PublicApiView, query_filters
from .models import ApiToken
from .schema import ErrorSerializer
from .serializers import (
    UNIT_CODE_PATTERN,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    AuditEntryFilters,
    AuditEntrySerializer,
    IssuedApiTokenSerializer,
    MeSerializer,
    OrganisationFilters,
    OrganisationSerializer,
    UnitFilters,
    UnitSerializer,
)
from .services import issue_api_token, revoke_api_token

UNIT_CODE = re.compile(UNIT_CODE_PATTERN)
UNIT_CODE_PARAMETER = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã đơn vị hành chính, ví dụ 68, 24631, 24631.001."
)
TOKEN_ID_PARAMETER = OpenApiParameter("token_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Mã khóa.")


def _unit_code(view: ApiView) -> str:
    """The `code` URL argument when it looks like a unit code; otherwise a 404 without touching the database."""
    code = str(view.kwargs.get("code", ""))
    if not UNIT_CODE.fullmatch(code):
        raise exceptions.NotFound()
    return code


class MeView(ApiView):
    """The signed-in user: their account, roles with scopes, and permissions."""

    required_permission = None
    serializer_class = MeSerializer

    @extend_schema(operation_id="me_retrieve", tags=["me"])
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        assignments = active_assignments(user)
        organisation_ids = [a.organisation_id for a in assignments if a.organisation_id]
        organisations = Organisation.objects.in_bulk(organisation_ids) if organisation_ids else {}
        roles = [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "unit": a.unit,
                "organisation": organisations.get(a.organisation_id) if a.organisation_id else None,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
            }
            for a in sorted(assignments, key=lambda a: (a.role, a.pk))
        ]
        permissions = sorted(str(permission) for permission in permissions_of(user))
        data = {
            "username": user.get_username(),
            "full_name": user.full_name,
            "email": user.email,
            "is_staff": is_staff_user(user),
            "authentication": "token" if isinstance(request.auth, ApiToken) else "session",
            "roles": roles,
            "permissions": permissions,
            "home_unit": home_unit(user),
        }
        return Response(MeSerializer(data).data)


@extend_schema(tags=["units"])
class UnitListView(ListModelMixin, ApiView):
    """Administrative units in force that the caller may see (their subtrees), by path; filter by level or
    parent code."""

    required_permission = Permission.VIEW_UNITS
    serializer_class = UnitSerializer

    def scoped_queryset(self) -> QuerySet[AdministrativeUnit]:
        units = units_visible_to(self.request.user, self.permission).in_force()
        filters = query_filters(UnitFilters, self.request)
        if filters.get("level"):
            units = units.filter(level=filters["level"])
        if filters.get("parent"):
            units = units.filter(parent__code=filters["parent"])
        return units.select_related("parent", "successor").order_by("path")

    @extend_schema(parameters=[UnitFilters])
    def get(self, request: Request) -> Response:
        return self.list(request)


@extend_schema(tags=["units"], parameters=[UNIT_CODE_PARAMETER])
class UnitDetailView(RetrieveModelMixin, ApiView):
    """One unit by code (also one that has since been merged); 404 when missing or outside the caller's scope."""

    required_permission = Permission.VIEW_UNITS
    unit_kwarg = "code"
    serializer_class = UnitSerializer
    lookup_field = "code"

    def scoped_queryset(self) -> QuerySet[AdministrativeUnit]:
        return units_visible_to(self.request.user, self.permission).select_related("parent", "successor")

    def get_object(self) -> AdministrativeUnit:
        _unit_code(self)
        unit: AdministrativeUnit = super().get_object()
        return unit

    def get(self, request: Request, code: str) -> Response:
        return self.retrieve(request)


@extend_schema(tags=["units"], parameters=[UNIT_CODE_PARAMETER])
class UnitChildrenView(ListModelMixin, ApiView):
    """The units in force directly below one unit, by name (the unit picker's next level); 404 when the unit is
    missing or outside the caller's scope."""

    required_permission = Permission.VIEW_UNITS
    unit_kwarg = "code"
    serializer_class = UnitSerializer

    def scoped_queryset(self) -> QuerySet[AdministrativeUnit]:
        visible = units_visible_to(self.request.user, self.permission)
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no unit to look at
            return visible.none()
        # `self.unit`, the unit the URL names, was checked against the caller's scope in `initial`.
        return (
            visible.filter(parent=self.unit).in_force().select_related("parent", "successor").order_by("name", "code")
        )

    def get(self, request: Request, code: str) -> Response:
        return self.list(request)


@extend_schema(tags=["organisations"])
class OrganisationListView(ListModelMixin, ApiView):
    """Organisations the caller may see: assigned to them, or located in their unit subtrees; by name."""

    required_permission = Permission.VIEW_PEOPLE
    serializer_class = OrganisationSerializer

    def scoped_queryset(self) -> QuerySet[Organisation]:
        organisations = Organisation.objects.visible_to(self.request.user, self.permission)
        filters = query_filters(OrganisationFilters, self.request)
        if filters.get("kind"):
            organisations = organisations.filter(kind=filters["kind"])
        if filters.get("unit"):
            organisations = organisations.filter(unit__path__contains=f"/{filters['unit']}/")
        return organisations.select_related("unit").order_by("name", "code")

    @extend_schema(parameters=[OrganisationFilters])
    def get(self, request: Request) -> Response:
        return self.list(request)


@extend_schema(tags=["audit"])
class AuditEntryListView(ListModelMixin, ApiView):
    """The audit log, newest first, for those who may read it (the province administrator); filters as in the
    administrator's audit browser."""

    required_permission = Permission.VIEW_AUDIT
    serializer_class = AuditEntrySerializer

    def scoped_queryset(self) -> QuerySet[AuditEntry]:
        # The log is not tied to units: holding VIEW_AUDIT (checked in `initial`) is the whole scope.
        return filter_audit_entries(**query_filters(AuditEntryFilters, self.request))

    @extend_schema(parameters=[AuditEntryFilters])
    def get(self, request: Request) -> Response:
        return self.list(request)


def _require_full_sign_in(request: Request) -> None:
    """Only a person signed in to a session (staff: with their second factor) may make tokens; a token may not."""
    if isinstance(request.auth, ApiToken) or not isinstance(request.successful_authenticator, SessionAuthentication):
        raise exceptions.PermissionDenied(
            _("Chỉ có thể tạo khóa khi đăng nhập bằng trình duyệt; một khóa không thể tạo khóa khác."),
            code="session_required",
        )
    if needs_second_factor(request.user):
        raise exceptions.PermissionDenied(
            _("Hãy đăng nhập đầy đủ (cả mã xác thực hai lớp) trước khi tạo khóa."), code="second_factor_required"
        )


def _own_tokens(request: Request) -> QuerySet[ApiToken]:
    """The caller's own tokens, newest first (none for an anonymous caller, e.g. while the OpenAPI document is
    generated)."""
    user = request.user
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).select_related("user")


@extend_schema(tags=["tokens"])
class ApiTokenListView(ListModelMixin, ApiView):
    """The caller's own API tokens (newest first), and making a new one."""

    required_permission = None
    serializer_class = ApiTokenSerializer

    def scoped_queryset(self) -> QuerySet[ApiToken]:
        return _own_tokens(self.request)

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={
            201: IssuedApiTokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Tên hoặc thời hạn không hợp lệ, hoặc đã đủ số khóa."),
            403: OpenApiResponse(ErrorSerializer, description="Yêu cầu không đến từ một phiên đăng nhập đầy đủ."),
        },
        description="Tạo khóa mới. Khóa đầy đủ (`token`) chỉ được trả về một lần. Chỉ phiên đăng nhập đầy đủ "
        "(cán bộ: đã nhập mã xác thực hai lớp) mới tạo được khóa; một khóa không thể tạo khóa khác.",
    )
    def post(self, request: Request) -> Response:
        _require_full_sign_in(request)
        form = ApiTokenCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        issued = issue_api_token(
            user=request.user,  # type: ignore[arg-type]
            name=form.validated_data["name"],
            expires_at=form.validated_data.get("expires_at"),
        )
        data = {**ApiTokenSerializer(issued.token).data, "token": issued.plain_text}
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


@extend_schema(tags=["tokens"], parameters=[TOKEN_ID_PARAMETER])
class ApiTokenDetailView(RetrieveModelMixin, ApiView):
    """One of the caller's own tokens; DELETE revokes it (it stays listed, with `revoked_at`). A signed-in session
    may revoke any of the user's tokens; a request made with a token may revoke only that token (a leaked token
    cannot cut off the user's other devices and integrations; whoever holds a token can always end it)."""

    required_permission = None
    serializer_class = ApiTokenSerializer
    lookup_url_kwarg = "token_id"

    def scoped_queryset(self) -> QuerySet[ApiToken]:
        return _own_tokens(self.request)

    def get(self, request: Request, token_id: int) -> Response:
        return self.retrieve(request)

    @extend_schema(
        responses={
            200: ApiTokenSerializer,
            403: OpenApiResponse(ErrorSerializer, description="Một khóa chỉ thu hồi được chính nó."),
        },
        description="Thu hồi một khóa của chính người dùng (khóa vẫn được liệt kê, kèm `revoked_at`; thu hồi lần nữa "
        "không đổi gì). Trong một phiên đăng nhập bằng trình duyệt, người dùng thu hồi được mọi khóa của mình; một "
        "yêu cầu gửi bằng khóa chỉ thu hồi được chính khóa đó — nên một khóa bị lộ không thể thu hồi các khóa khác "
        "của người dùng (các thiết bị, hệ thống đang dùng chúng), còn người giữ khóa luôn tự thu hồi được nó.",
    )
    def delete(self, request: Request, token_id: int) -> Response:
        token = self.get_object()
        if isinstance(request.auth, ApiToken) and request.auth.pk != token.pk:
            raise exceptions.PermissionDenied(
                _("Một khóa chỉ thu hồi được chính nó; hãy đăng nhập bằng trình duyệt để thu hồi khóa khác."),
                code="session_required",
            )
        revoked = revoke_api_token(user=request.user, token_id=token.pk)  # type: ignore[arg-type]
        return Response(ApiTokenSerializer(revoked).data)


class SchemaView(PublicApiView, SpectacularAPIView):
    """The OpenAPI document of /api/v1/ (YAML, or JSON with `?format=json`)."""


class DocsView(PublicApiView, SpectacularSwaggerSplitView):
    """Swagger UI over the OpenAPI document, with its assets served locally (drf-spectacular-sidecar); its start-up
    script is a separate request (`?script`) and its page has no inline style, as the Content-Security-Policy
    requires."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
