"""Community classes on an instructor's phone: the sessions of the classes they run (/api/v1/field/sessions/, with
an ETag like the worklist: masked people, never the registry), a registry search at one session when online
(/api/v1/field/sessions/<id>/people/), and attendance (/api/v1/field/attendances/), with the sync rules of
visits: every record carries the UUID the phone made, is judged on its own and gets its own result — 201 created,
200 unchanged (a resend, or the person already present at the session), 409 conflict (the UUID is stored with other
content), 400 invalid, 404 a session the caller may not run. hocvuso/outreach/classes.py does the work."""

import datetime
from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import NotFound
from hocvuso.outreach.class_selectors import field_sessions
from hocvuso.outreach.classes import search_attendees, session_for, sync_attendances
from hocvuso.outreach.models import AttendanceMethod

from .field import FieldView, etagged

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
    class_device_allowed = True
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


# --- An instructor's sessions ------------------------------------------------------------------------------------

# The days a phone gets: yesterday (attendance taken late, offline) to a week ahead.
SESSIONS_BEFORE_DAYS = 1
SESSIONS_AHEAD_DAYS = 7


class FieldPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    birth_year = serializers.IntegerField()
    masked_national_id = serializers.CharField(help_text="Chỉ ba số cuối; không bao giờ có số đầy đủ.")


class FieldAttendeeSerializer(FieldPersonSerializer):
    present = serializers.BooleanField(help_text="Đã được điểm danh ở buổi này.")


class FieldVillageSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class FieldSessionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    class_id = serializers.IntegerField()
    title = serializers.CharField()
    place = serializers.CharField()
    day = serializers.DateField()
    starts_at = serializers.TimeField(format="%H:%M")
    duration_minutes = serializers.IntegerField()
    capacity = serializers.IntegerField()
    check_in_code = serializers.CharField(help_text="Mã điểm danh hiện trong phòng học.")
    commune_code = serializers.CharField()
    commune_name = serializers.CharField()
    present = serializers.IntegerField(help_text="Số người đã được điểm danh (cả người chưa có trong sổ).")
    attendees = FieldAttendeeSerializer(many=True, help_text="Người đã đến các buổi trước của lớp.")
    villages = FieldVillageSerializer(many=True, help_text="Các thôn của xã (cho người chưa có trong sổ).")


class FieldSessionsSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    sessions = FieldSessionSerializer(many=True)


class FieldPeopleSerializer(serializers.Serializer[Any]):
    people = FieldPersonSerializer(many=True)


@extend_schema(tags=["field"])
class FieldSessionsView(FieldView):
    """The sessions from yesterday to a week ahead of the classes that name the caller among their instructors
    (a phone: only in its team's commune), each with the people who came to the class before (masked), how many
    are present and the commune's villages. Answers 304 to `If-None-Match` with the current ETag."""

    required_permission: ClassVar[Permission | None] = Permission.RUN_CLASS
    class_device_allowed = True
    serializer_class = FieldSessionsSerializer

    @extend_schema(responses={200: FieldSessionsSerializer, 304: OpenApiResponse(description="Không đổi.")})
    def get(self, request: Request) -> Response:
        day = timezone.localdate()
        membership = self.device.membership if self.device is not None else None
        commune = membership.team.commune if membership is not None else None
        sessions = field_sessions(
            request.user,
            first_day=day - datetime.timedelta(days=SESSIONS_BEFORE_DAYS),
            last_day=day + datetime.timedelta(days=SESSIONS_AHEAD_DAYS),
            commune=commune,
        )
        return etagged(request, FieldSessionsSerializer({"day": day, "sessions": sessions}).data)


@extend_schema(tags=["field"])
class FieldSessionPeopleView(FieldView):
    """Residents of the session's commune whose name holds every word of `q` (at most 15, masked), to mark one of
    them present when the phone is online. 404 for a session the caller may not run (a phone: outside its team's
    commune)."""

    required_permission: ClassVar[Permission | None] = Permission.RUN_CLASS
    class_device_allowed = True
    serializer_class = FieldPeopleSerializer

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Họ tên, có hoặc không dấu (ít nhất hai chữ cái).")],
        responses={200: FieldPeopleSerializer},
    )
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """The session is found before the method is read: out of reach, any method is 404 (not 405)."""
        super().initial(request, *args, **kwargs)
        try:
            self.session = session_for(user=request.user, session_id=kwargs.get("session_id"), device=self.device)
        except NotFound:
            raise exceptions.NotFound() from None
        membership = self.device.membership if self.device is not None else None
        if membership is not None and self.session.commune_id != membership.team.commune_id:
            raise exceptions.NotFound()

    def get(self, request: Request, session_id: Any) -> Response:
        session = self.session
        found = search_attendees(session=session, query=str(request.query_params.get("q", ""))[:100])
        people = [
            {
                "id": person.pk,
                "full_name": person.full_name,
                "birth_year": person.birth_date.year,
                "masked_national_id": person.masked_national_id,
            }
            for person in found
        ]
        return Response(FieldPeopleSerializer({"people": people}).data, headers={"Cache-Control": "no-store"})
