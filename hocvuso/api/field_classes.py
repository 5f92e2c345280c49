"""Attendance at community classes from an instructor's phone (/api/v1/field/attendances/), with the sync rules of
visits: every record carries the UUID the phone made, is judged on its own and gets its own result — 201 created,
200 unchanged (a resend, or the person already present at the session), 409 conflict (the UUID is stored with other
content), 400 invalid, 404 a session the caller may not run. hocvuso/outreach/classes.py does the work."""

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hocvuso.accounts.roles import Permission
from hocvuso.outreach.classes import sync_attendances
from hocvuso.outreach.models import AttendanceMethod

from .field import FieldView

# The largest batch a phone may send at once (a class is at most 500 people).
MAX_ATTENDANCES = 500
STATUS = {"created": 201, "unchanged": 200, "conflict": 409}

_WALK_IN = {
    "type": "object",
    "properties": {
        "full_name": {"type": "string", "maxLength": 150},
        "birth_year": {"type": "integer", "minimum": 1900, "maximum": 2100},
        "sex": {"type": "string", "enum": ["M", "F"]},
        "ethnicity": {"type": "integer", "minimum": 1, "maximum": 54},
        "village": {"type": "string", "maxLength": 40, "description": "Mã thôn."},
    },
    "required": ["full_name", "birth_year", "sex", "ethnicity", "village"],
    "additionalProperties": False,
}
_ATTENDANCE = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid", "description": "UUID do điện thoại tạo."},
        "session": {"type": "string", "format": "uuid"},
        "recorded_at": {"type": "string", "format": "date-time", "description": "ISO 8601, kèm múi giờ."},
        "method": {"type": "string", "enum": AttendanceMethod.values},
        "resident": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "card": {"type": "string", "maxLength": 200, "description": "Nội dung mã QR trên thẻ người học."},
        "walk_in": _WALK_IN,
    },
    "required": ["id", "session", "recorded_at", "method"],
    "additionalProperties": False,
}
ATTENDANCE_BODY = {
    "type": "object",
    "properties": {"attendances": {"type": "array", "items": _ATTENDANCE, "maxItems": MAX_ATTENDANCES}},
    "required": ["attendances"],
    "additionalProperties": False,
}


class AttendanceBatchSerializer(serializers.Serializer[Any]):
    """The batch as read: a list of at most MAX_ATTENDANCES items, each then read on its own."""

    attendances = serializers.ListField(max_length=MAX_ATTENDANCES, allow_empty=True)


class AttendanceReceiptSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    status = serializers.IntegerField(help_text="201 mới, 200 đã có, 409 trùng mã khác nội dung, 400, 404.")
    detail = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class AttendanceBatchResultSerializer(serializers.Serializer[Any]):
    results = AttendanceReceiptSerializer(many=True)


@extend_schema(tags=["field"])
class AttendanceBatchView(FieldView):
    """Receive a batch of attendances taken at community-class sessions (RUN_CLASS over the session's commune);
    each is stored on its own, with its own result. The phone keeps a record until its result is 201 or 200."""

    required_permission: ClassVar[Permission | None] = Permission.RUN_CLASS
    serializer_class = AttendanceBatchSerializer

    @extend_schema(
        request={"application/json": ATTENDANCE_BODY},
        extensions={"x-per-item-results": True},
        responses={200: AttendanceBatchResultSerializer},
    )
    def post(self, request: Request) -> Response:
        form = AttendanceBatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        results = sync_attendances(actor=request.user, records=form.validated_data["attendances"], device=self.device)
        receipts = [
            {
                "id": result.id,
                "status": STATUS.get(result.status, 404 if result.field == "session" else 400),
                "detail": result.message,
                "field": result.field,
            }
            for result in results
        ]
        return Response({"results": receipts})
