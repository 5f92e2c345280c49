"""/api/v1/field/ — the community digital teams' phones: device tokens, the worklist, and batches of visits.

A phone authenticates with `Authorization: Device <prefix>.<secret>`, a token issued for one team membership
(`outreach.services.issue_device`): it reaches that membership's households only; or for an instructor outside
any team (`issue_class_device`): it reaches only the community-class endpoints (field_classes.py), and the worklist
and visits answer it 404. The device's authority is checked at every request: an ended membership, or an
instructor who no longer holds RUN_CLASS, is answered like a revoked device. A revoked token, or one unused
for OUTREACH_DEVICE_IDLE_DAYS, is answered 401 with `"wipe": true`, and the app removes the data it holds. The
worklist and visit endpoints also answer a signed-in member or a Bearer token (all the member's households), so the
same endpoints serve a browser and the authorization walk. Every endpoint here needs RECORD_VISIT and is
rate-limited per device (or user).
"""

import hashlib
import hmac
import json
import re
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from hocvuso.accounts.access import acting_with_token, has_permission, needs_second_factor
from hocvuso.accounts.roles import Permission
from hocvuso.outreach.models import FieldDevice, Outcome, TeamMembership
from hocvuso.outreach.selectors import devices_visible_to, worklist
from hocvuso.outreach.services import hash_device_secret, issue_class_device, issue_device, revoke_device
from hocvuso.outreach.sync import MAX_BATCH, receive_batch

from .authentication import ApiTokenAuthentication
from .base import ApiView
from .schema import ApiAutoSchema, ErrorSerializer

DEVICE_TOKEN = re.compile(r"(?P<prefix>[0-9a-f]{8})\.(?P<secret>[A-Za-z0-9_\-]{20,128})")
LAST_CONTACT_RESOLUTION_SECONDS = 60


class DeviceGone(exceptions.AuthenticationFailed):
    """The device was revoked or unused for too long: it must wipe what it holds (errors.py adds `"wipe": true`)."""

    default_code = "device_wipe"


class FieldDeviceAuthentication(authentication.BaseAuthentication):
    """`Authorization: Device <prefix>.<secret>`; other schemes are left to the next authenticator."""

    keyword = "device"

    def authenticate(self, request: Request) -> tuple[Any, FieldDevice] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") != self.keyword:
            return None
        match = DEVICE_TOKEN.fullmatch(header[1].decode(errors="replace")) if len(header) == 2 else None
        if match is None:
            raise exceptions.AuthenticationFailed(_("Khóa thiết bị không hợp lệ."))
        device = (
            FieldDevice.objects.select_related("membership__user", "membership__team", "user")
            .filter(prefix=match["prefix"])
            .first()
        )
        expected = device.secret_hash if device is not None else "0" * 64
        if not hmac.compare_digest(expected, hash_device_secret(match["secret"])) or device is None:
            raise exceptions.AuthenticationFailed(_("Khóa thiết bị không hợp lệ."))
        now = timezone.now()
        idle = timedelta(days=settings.OUTREACH_DEVICE_IDLE_DAYS)
        last = device.last_contact_at or device.created_at
        membership = device.membership
        user = membership.user if membership is not None else device.user
        if user is not None:
            acting_with_token(user, issued_at=device.created_at)
        if (
            device.revoked_at is not None
            or now - last > idle
            or user is None
            or not user.is_active
            or (membership is not None and not membership.is_in_force(timezone.localdate()))
            # a class device speaks for an instructor: once they no longer run classes anywhere, it is gone
            or (membership is None and not has_permission(user, Permission.RUN_CLASS))
        ):
            raise DeviceGone(_("Thiết bị đã bị thu hồi hoặc hết hạn: dữ liệu trên máy sẽ được xóa."))
        if (
            device.last_contact_at is None
            or (now - device.last_contact_at).total_seconds() > LAST_CONTACT_RESOLUTION_SECONDS
        ):
            FieldDevice.objects.filter(pk=device.pk).update(last_contact_at=now)
            device.last_contact_at = now
        return user, device

    def authenticate_header(self, request: Request) -> str:
        return 'Device realm="field"'


class FieldDeviceScheme(OpenApiAuthenticationExtension):
    target_class = "hocvuso.api.field.FieldDeviceAuthentication"
    name = "fieldDevice"

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        """Listed among the document's schemes, not on each operation: the field endpoints say in their
        description that a phone may send its device token (the operations keep the Bearer and session schemes a
        generic client uses; a device header on every operation made schema-driven clients send it at random)."""
        return []

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "device",
            "description": "`Authorization: Device <prefix>.<secret>`: the device token issued at "
            "/api/v1/field/devices/ (shown once).",
        }


class FieldThrottle(SimpleRateThrottle):
    """OUTREACH_SYNC_RATE requests per device (or, without a device, per user)."""

    scope = "field"

    def get_rate(self) -> str:
        return str(settings.OUTREACH_SYNC_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, FieldDevice):
            return f"throttle:field:device:{request.auth.pk}"
        if not request.user or not request.user.is_authenticated:
            return None  # answered 401 by the view, not counted
        return f"throttle:field:user:{request.user.pk}"


class FieldAutoSchema(ApiAutoSchema):
    """Also documents 429, the answer past the rate limit, and 406 (an Accept header without JSON); every field
    request body is required."""

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        body: dict[str, Any] | None = super()._get_request_body(direction)
        if body is not None:
            body["required"] = True
        return body

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        extra = {
            "406": "Tiêu đề Accept không nhận JSON.",
            "429": "Quá nhiều yêu cầu: hãy thử lại sau (Retry-After).",
        }
        for code, description in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code]["description"] = description
        return dict(sorted(responses.items()))


class FieldView(ApiView, abstract=True):
    """A field endpoint: RECORD_VISIT; a phone sends `Authorization: Device <prefix>.<secret>` (the `fieldDevice`
    scheme), a browser or integration its session or Bearer token."""

    required_permission: ClassVar[Permission | None] = Permission.RECORD_VISIT
    schema = FieldAutoSchema()
    # The device scheme last: a caller without credentials is challenged for the API's Bearer token, as elsewhere.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication, FieldDeviceAuthentication]
    throttle_classes = [FieldThrottle]

    # Whether an instructor's class-only device may call the endpoint (the class endpoints and the device's own
    # listing and revocation); elsewhere it is answered 404, whatever its user's permissions.
    class_device_allowed: ClassVar[bool] = False

    @property
    def device(self) -> FieldDevice | None:
        return self.request.auth if isinstance(self.request.auth, FieldDevice) else None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.device is not None and self.device.class_only and not self.class_device_allowed:
            raise exceptions.NotFound()


# The request bodies as the document gives them, closed to other properties: the API's JSON reader refuses some
# values anywhere in a body (numbers out of range, deep nesting), so a property the server never reads is not offered.
_OUTCOME = {
    "type": "object",
    "properties": {
        "resident": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "outcome": {"type": "string", "enum": Outcome.values},
    },
    "required": ["resident", "outcome"],
    "additionalProperties": False,
}
_VISIT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid", "description": "UUID do điện thoại tạo."},
        "form_version": {"type": "integer", "minimum": 1, "maximum": 32767},
        "household": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "visited_at": {"type": "string", "format": "date-time", "description": "ISO 8601, kèm múi giờ."},
        "note": {"type": "string", "maxLength": 2000},
        "outcomes": {"type": "array", "items": _OUTCOME},
    },
    "required": ["id", "form_version", "household", "visited_at"],
    "additionalProperties": False,
}
BATCH_BODY = {
    "type": "object",
    "properties": {"visits": {"type": "array", "items": _VISIT, "maxItems": MAX_BATCH}},
    "required": ["visits"],
    "additionalProperties": False,
}
REVOKE_BODY = {
    "type": "object",
    "properties": {"device": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
    "required": ["device"],
    "additionalProperties": False,
}


# --- Devices ------------------------------------------------------------------------------------------------------


DEVICE_KINDS = ["team", "class"]


class FieldDeviceSerializer(serializers.ModelSerializer[FieldDevice]):
    kind = serializers.SerializerMethodField(help_text="`team`: điện thoại của thành viên tổ; `class`: chỉ lớp học.")
    team = serializers.CharField(source="membership.team.name", read_only=True, allow_null=True)
    member = serializers.IntegerField(source="owner_id", read_only=True)

    class Meta:
        model = FieldDevice
        fields = ["id", "name", "prefix", "kind", "team", "member", "created_at", "last_contact_at", "revoked_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=DEVICE_KINDS))
    def get_kind(self, device: FieldDevice) -> str:
        return "class" if device.class_only else "team"


class IssuedDeviceSerializer(FieldDeviceSerializer):
    token = serializers.CharField(read_only=True, help_text="`<prefix>.<secret>`, shown only once.")

    class Meta(FieldDeviceSerializer.Meta):
        fields = [*FieldDeviceSerializer.Meta.fields, "token"]
        read_only_fields = fields


class DeviceIssueSerializer(serializers.Serializer[Any]):
    # At least one visible character and no control character, as the schema says (a blank name is refused).
    name = serializers.RegexField(
        r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
        max_length=100,
        help_text="Tên gợi nhớ của điện thoại.",
    )
    membership = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Thành viên tổ (bỏ trống: chính người gửi, khi họ ở đúng một tổ).",
    )
    kind = serializers.ChoiceField(
        choices=DEVICE_KINDS,
        default="team",
        help_text="`class`: điện thoại của chính người gửi, chỉ để điểm danh lớp học cộng đồng (cần quyền dạy lớp, "
        "không cần là thành viên tổ).",
    )


class DeviceRevokeSerializer(serializers.Serializer[Any]):
    device = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="Mã thiết bị cần thu hồi.")


@extend_schema(tags=["field"])
class FieldDeviceListView(ListModelMixin, FieldView):
    """The devices of the caller and of the teams they lead; POST issues a device token (from a signed-in session,
    never from a token or a device)."""

    # Any signed-in caller, on their own things: their own devices and those of the teams they manage (the
    # access module decides which teams); issuing one needs a full browser sign-in, checked before the body is read.
    required_permission = None
    serializer_class = FieldDeviceSerializer
    class_device_allowed = True

    def scoped_queryset(self) -> QuerySet[FieldDevice]:
        return devices_visible_to(self.request.user)

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        request=DeviceIssueSerializer,
        responses={201: IssuedDeviceSerializer, 403: OpenApiResponse(ErrorSerializer)},
        description="Cấp khóa cho điện thoại của một thành viên tổ, hoặc (kind=class) của người dạy lớp học cộng "
        "đồng, chỉ để điểm danh; khóa chỉ hiện một lần.",
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.successful_authenticator, SessionAuthentication) or needs_second_factor(request.user):
            raise exceptions.PermissionDenied(
                _("Chỉ có thể cấp khóa thiết bị khi đăng nhập đầy đủ bằng trình duyệt."), code="session_required"
            )
        form = DeviceIssueSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if form.validated_data["kind"] == "class":
            if "membership" in form.validated_data:
                raise exceptions.ValidationError(
                    {"membership": [_("Thiết bị chỉ để điểm danh lớp học không thuộc tổ nào.")]}, code="invalid"
                )
            device, token = issue_class_device(user=request.user, name=form.validated_data["name"], actor=request.user)
            data = {**FieldDeviceSerializer(device).data, "token": token}
            return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})
        memberships = TeamMembership.objects.select_related("team__commune").in_force()
        if "membership" in form.validated_data:
            membership = memberships.filter(pk=form.validated_data["membership"]).first()
        else:
            own = list(memberships.filter(user_id=int(request.user.pk or 0))[:2])
            if len(own) != 1:
                raise exceptions.ValidationError(
                    {"membership": [_("Hãy chọn thành viên tổ.")]}, code="membership_required"
                )
            membership = own[0]
        if membership is None:
            raise exceptions.NotFound()
        device, token = issue_device(membership=membership, name=form.validated_data["name"], actor=request.user)
        data = {**FieldDeviceSerializer(device).data, "token": token}
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


@extend_schema(tags=["field"])
class FieldDeviceRevokeView(FieldView):
    """Revoke a device (a lost phone) of the caller or of a team they lead: its next contact wipes it."""

    # Any signed-in caller, on the devices they may see (their own, their teams'): an instructor's phone revokes
    # itself at sign-out; `revoke_device` decides.
    required_permission = None
    serializer_class = DeviceRevokeSerializer
    class_device_allowed = True

    def scoped_queryset(self) -> QuerySet[FieldDevice]:
        return devices_visible_to(self.request.user)

    @extend_schema(
        request={"application/json": REVOKE_BODY},
        responses={
            200: FieldDeviceSerializer,
            404: OpenApiResponse(ErrorSerializer, description="Không có thiết bị này."),
        },
    )
    def post(self, request: Request) -> Response:
        form = DeviceRevokeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        device = self.get_queryset().filter(pk=form.validated_data["device"]).first()
        if device is None:
            raise exceptions.NotFound()
        revoked = revoke_device(device=device, actor=request.user)
        return Response(FieldDeviceSerializer(revoked).data)


# --- Worklist -----------------------------------------------------------------------------------------------------


class WorklistPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    birth_year = serializers.IntegerField()
    masked_national_id = serializers.CharField(help_text="Chỉ ba số cuối; không bao giờ có số đầy đủ.")
    identity_age = serializers.BooleanField()
    adult = serializers.BooleanField()
    elderly = serializers.BooleanField()
    vneid_level_2 = serializers.BooleanField()
    has_bank_account = serializers.BooleanField()
    literate = serializers.BooleanField()
    lives_alone = serializers.BooleanField()
    ethnic_minority = serializers.BooleanField()


class WorklistHouseholdSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    village_code = serializers.CharField()
    head_name = serializers.CharField()
    last_visit = serializers.DateField(allow_null=True)
    needs = serializers.DictField(child=serializers.IntegerField())
    score = serializers.IntegerField()
    people = WorklistPersonSerializer(many=True)


class WorklistSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    form_version = serializers.IntegerField()
    outcomes = serializers.ListField(child=serializers.CharField())
    households = WorklistHouseholdSerializer(many=True)


@extend_schema(tags=["field"])
class WorklistView(FieldView):
    """The caller's worklist: their assigned households ordered by need, with only what a visit needs (names, birth
    years, masked IDs, status flags). Answers 304 to `If-None-Match` with the current ETag."""

    serializer_class = WorklistSerializer

    @extend_schema(responses={200: WorklistSerializer, 304: OpenApiResponse(description="Không đổi.")})
    def get(self, request: Request) -> Response:
        membership = self.device.membership if self.device is not None else None
        day = timezone.localdate()
        data = WorklistSerializer(
            {
                "day": day,
                "form_version": 1,
                "outcomes": list(Outcome.values),
                "households": worklist(request.user, day=day, membership=membership),
            }
        ).data
        return etagged(request, data)


def etagged(request: Request, data: Any) -> Response:
    """The answer with an ETag of its content, or 304 with no body to an `If-None-Match` that holds it."""
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    # Weak comparison, as If-None-Match asks (RFC 9110 13.1.2): the GZip middleware sends the tag weakened
    # (W/"…"), so that is the form a phone has kept and sends back.
    sent = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in sent or "*" in sent:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(data, headers=headers)


# --- Visits -------------------------------------------------------------------------------------------------------


class VisitBatchSerializer(serializers.Serializer[Any]):
    """The batch as read: a list of at most MAX_BATCH items, each then read on its own (a bad item is its own 400)."""

    visits = serializers.ListField(max_length=MAX_BATCH, allow_empty=True)


class VisitReceiptSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    status = serializers.IntegerField(help_text="201 mới, 200 đã có (gửi lại), 409 trùng mã khác nội dung, 400, 404.")
    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class VisitBatchResultSerializer(serializers.Serializer[Any]):
    results = VisitReceiptSerializer(many=True)


@extend_schema(tags=["field"])
class VisitBatchView(FieldView):
    """Receive a batch of visits (at most 500): each is validated and stored on its own, with its own result. The
    phone keeps a visit until its result is 201 or 200; a 409 is shown to the member."""

    serializer_class = VisitBatchSerializer

    @extend_schema(
        request={"application/json": BATCH_BODY},
        # Each visit is judged on its own: a visit the schema does not allow gets its own 400 inside a 200 answer.
        extensions={"x-per-item-results": True},
        responses={200: VisitBatchResultSerializer},
    )
    def post(self, request: Request) -> Response:
        form = VisitBatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        receipts = receive_batch(visits=form.validated_data["visits"], actor=request.user, device=self.device)
        return Response({"results": [receipt.as_dict() for receipt in receipts]})


__all__ = [
    "FieldDeviceAuthentication",
    "FieldDeviceListView",
    "FieldDeviceRevokeView",
    "VisitBatchView",
    "WorklistView",
]
