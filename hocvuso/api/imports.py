"""/api/v1/roster-imports/: the roster import for other systems (a token of an account with IMPORT_ROSTER) — the
same service and the same rules as the upload page and `manage.py import_roster`.

POST a file (base64 in JSON, within the API's body limit) to check it (`dry_run`, the default) or import it;
GET the job: status, counts, the summary (sheets read, notes, the date order) and the first problems; POST
`confirm/` to import a checked file, with `date_order` ("dmy"/"mdy") when the check asked for one.
"""

import base64
import binascii
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.people.import_models import ImportJob, ImportKind
from hocvuso.people.imports.selectors import import_jobs_visible_to
from hocvuso.people.imports.services import confirm_roster_import, run_roster_import, submit_roster_import
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit

from .base import ApiView
from .schema import ErrorSerializer
from .serializers import UNIT_CODE_PATTERN

PROBLEMS_SHOWN = 100
DATE_ORDERS = [("dmy", "ngày/tháng/năm"), ("mdy", "tháng/ngày/năm")]


class ImportProblemSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(allow_null=True, help_text="Dòng như Excel đánh số (trống: lỗi của cả tệp).")
    column = serializers.CharField(help_text="Tiêu đề cột như trong tệp (có tên trang khi tệp có nhiều trang).")
    message = serializers.CharField(help_text="Lý do, tiếng Việt.")


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    status_label = serializers.CharField(read_only=True, help_text="Trạng thái để hiển thị.")
    needs_date_order = serializers.BooleanField(
        read_only=True, help_text="Ngày sinh đọc được hai cách: phải gửi date_order khi xác nhận."
    )
    unit: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation: Any = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    summary = serializers.JSONField(read_only=True, help_text="Các trang đã đọc, ghi chú, thứ tự ngày tháng.")
    changes = serializers.JSONField(
        read_only=True,
        help_text="Thay đổi cần xác nhận: người chuyển thôn (moves), hộ không còn chủ hộ (heads_cleared), "
        "thành viên sẽ thôi (ended).",
    )
    problems = serializers.SerializerMethodField(help_text="Tối đa 100 lỗi đầu tiên.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "unit",
            "organisation",
            "file_name",
            "dry_run",
            "status",
            "status_label",
            "message",
            "rows_total",
            "created_count",
            "updated_count",
            "unchanged_count",
            "residents_created",
            "households_created",
            "households_updated",
            "residents_moved",
            "heads_cleared",
            "memberships_ended",
            "as_of",
            "changes",
            "problem_count",
            "date_order",
            "needs_date_order",
            "summary",
            "problems",
        ]
        read_only_fields = fields

    def get_problems(self, job: ImportJob) -> list[dict[str, Any]]:
        rows = job.problems.order_by("id").values("row", "column", "message")[:PROBLEMS_SHOWN]
        return list(ImportProblemSerializer(rows, many=True).data)


class ImportSubmitSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    unit = serializers.RegexField(UNIT_CODE_PATTERN, max_length=20, help_text="Mã xã, phường của danh sách.")
    organisation = serializers.CharField(
        required=False, min_length=1, max_length=40, help_text="Mã cơ quan (danh sách tổ chức)."
    )
    # Patterns say in the schema what the server refuses: a name of spaces only (trimmed to nothing), content
    # outside the base64 alphabet.
    file_name = serializers.RegexField(
        r"\S", min_length=1, max_length=255, error_messages={"invalid": gettext_lazy("Tên tệp không được để trống.")}
    )
    content_base64 = serializers.RegexField(
        r"^[A-Za-z0-9+/]+={0,2}$",
        help_text="Nội dung tệp .xlsx hoặc .csv, mã hóa base64.",
        error_messages={"invalid": gettext_lazy("Nội dung tệp (content_base64) không phải base64 hợp lệ.")},
    )
    dry_run = serializers.BooleanField(default=True, help_text="Chỉ kiểm tra (mặc định), không ghi.")
    date_order = serializers.ChoiceField(choices=DATE_ORDERS, required=False, default="")
    as_of = serializers.DateField(
        required=False,
        default=None,
        allow_null=True,
        help_text="Danh sách tổ chức: ngày mà danh sách là danh sách đầy đủ (mặc định hôm nay); người không còn "
        "trong danh sách sẽ thôi từ ngày này.",
    )


class ImportConfirmSerializer(serializers.Serializer[Any]):
    date_order = serializers.ChoiceField(
        choices=DATE_ORDERS, required=False, default="", help_text="Bắt buộc khi needs_date_order."
    )


def _run(job: ImportJob) -> ImportJob:
    """Run a job the caller's request created (the API answers with its outcome)."""
    return run_roster_import(job_id=job.pk) if not job.duplicate and not job.is_finished else job


@extend_schema(tags=["roster-imports"])
class RosterImportListView(ListModelMixin, ApiView):
    """The import jobs of the caller's scope (newest first); POST a roster file: it is checked (and, without
    `dry_run`, imported) at once, and the answer is its job."""

    required_permission = Permission.IMPORT_ROSTER
    serializer_class = ImportJobSerializer

    def scoped_queryset(self) -> QuerySet[ImportJob]:
        return import_jobs_visible_to(self.request.user)

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        request=ImportSubmitSerializer,
        responses={
            201: ImportJobSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Tệp, loại hoặc tham số không hợp lệ."),
        },
    )
    def post(self, request: Request) -> Response:
        form = ImportSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # Missing and forbidden look alike: the service decides access (check_import_scope raises NotFound).
        unit = AdministrativeUnit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise NotFound()
        organisation = None
        if data.get("organisation"):
            organisation = Organisation.objects.select_related("unit").filter(code=data["organisation"]).first()
            if organisation is None:
                raise NotFound()
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise DomainError(
                _("Nội dung tệp (content_base64) không phải base64 hợp lệ."), field="content_base64"
            ) from error
        job = submit_roster_import(
            user=request.user,
            kind=data["kind"],
            file_name=data["file_name"],
            data=content,
            unit=unit,
            organisation=organisation,
            dry_run=data["dry_run"],
            date_order=data["date_order"],
            enqueue=False,
            as_of=data["as_of"],
        )
        job = _run(job)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


JOB_ID = OpenApiParameter("job_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Mã lượt nhập.")


@extend_schema(tags=["roster-imports"], parameters=[JOB_ID])
class RosterImportDetailView(RetrieveModelMixin, ApiView):
    """One import job of the caller's scope: status, counts, summary and problems."""

    required_permission = Permission.IMPORT_ROSTER
    serializer_class = ImportJobSerializer
    lookup_url_kwarg = "job_id"

    def scoped_queryset(self) -> QuerySet[ImportJob]:
        return import_jobs_visible_to(self.request.user)

    def get(self, request: Request, job_id: int) -> Response:
        return self.retrieve(request)


@extend_schema(tags=["roster-imports"], parameters=[JOB_ID])
class RosterImportConfirmView(ApiView):
    """Import the file a successful check validated; `date_order` when the check asked for one."""

    required_permission = Permission.IMPORT_ROSTER
    serializer_class = ImportJobSerializer
    lookup_url_kwarg = "job_id"

    def scoped_queryset(self) -> QuerySet[ImportJob]:
        return import_jobs_visible_to(self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.checked = self.get_object()  # a job outside the scope is a 404 whatever the method

    @extend_schema(
        request=ImportConfirmSerializer,
        responses={
            201: ImportJobSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Chưa kiểm tra thành công, hoặc thiếu/sai thứ tự ngày."),
        },
    )
    def post(self, request: Request, job_id: int) -> Response:
        form = ImportConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = confirm_roster_import(
            user=request.user, job=self.checked, date_order=form.validated_data["date_order"], enqueue=False
        )
        job = _run(job)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)
