"""/api/v1/reports/: quarterly reports, their status and frozen figures, readable by a national system (a token of
an account with VIEW_REPORTS) — only the reports of the units and agencies in the caller's scope."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from hocvuso.accounts.roles import Permission
from hocvuso.reporting.models import Report, ReportStatus
from hocvuso.reporting.periods import Quarter
from hocvuso.reporting.selectors import reports_visible_to

from .base import ApiView, query_filters


class FigureSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Mã chỉ tiêu.")
    name = serializers.CharField()
    measure = serializers.CharField(help_text="percent hoặc count.")
    status = serializers.CharField(help_text="met, on_track, at_risk, off_track, no_target, no_data, no_source.")
    value = serializers.FloatField(allow_null=True, help_text="Kết quả (%), một chữ số thập phân.")
    target = serializers.FloatField(allow_null=True, help_text="Mục tiêu (%).")
    gap = serializers.FloatField(allow_null=True, help_text="Còn thiếu (điểm %).")
    change = serializers.FloatField(allow_null=True, help_text="Thay đổi trong quý (điểm %).")
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    newly_reached = serializers.IntegerField(allow_null=True, help_text="Số người đạt thêm trong quý.")


class ReportSerializer(serializers.ModelSerializer[Report]):
    kind = serializers.CharField(read_only=True, help_text="unit (báo cáo của đơn vị) hoặc consolidated (tổng hợp).")
    period = serializers.CharField(source="period_code", read_only=True, help_text="Kỳ báo cáo, ví dụ 2026-Q4.")
    unit: Any = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Mã đơn vị hành chính (null: báo cáo của cơ quan).",
    )
    organisation: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Mã cơ quan (null: báo cáo của đơn vị)."
    )
    subject_name = serializers.CharField(read_only=True)
    figures = FigureSerializer(many=True, read_only=True, help_text="Số liệu đã chốt của đơn vị.")

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "period",
            "year",
            "quarter",
            "unit",
            "organisation",
            "subject_name",
            "status",
            "due_date",
            "is_late",
            "frozen_on",
            "frozen_at",
            "facts_day",
            "first_submitted_at",
            "submitted_at",
            "accepted_at",
            "figures",
        ]
        read_only_fields = fields


class ReportDetailSerializer(ReportSerializer):
    sections = serializers.SerializerMethodField(help_text="Các phần của báo cáo (bảng), như đã chốt.")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "results", "strengths", "limitations", "proposals", "sections"]
        read_only_fields = fields

    def get_sections(self, report: Report) -> list[dict[str, Any]]:
        return list(report.content.get("sections", []))


class ReportFilters(serializers.Serializer[Any]):
    period = serializers.RegexField(
        r"^\d{4}-?Q[1-4]$", required=False, help_text="Kỳ báo cáo, ví dụ 2026-Q4.", max_length=7
    )
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)


@extend_schema(tags=["reports"])
class ReportListView(ListModelMixin, ApiView):
    """Quarterly reports of the units and agencies in the caller's scope, newest period first, with their status
    and frozen figures; filter by period and status."""

    required_permission = Permission.VIEW_REPORTS
    serializer_class = ReportSerializer

    def scoped_queryset(self) -> QuerySet[Report]:
        reports = reports_visible_to(self.request.user)
        filters = query_filters(ReportFilters, self.request)
        if filters.get("period"):
            quarter = Quarter.parse(filters["period"])
            reports = reports.filter(year=quarter.year, quarter=quarter.number)
        if filters.get("status"):
            reports = reports.filter(status=filters["status"])
        return reports.order_by("-year", "-quarter", "id")

    @extend_schema(parameters=[ReportFilters])
    def get(self, request: Request) -> Response:
        return self.list(request)


@extend_schema(
    tags=["reports"],
    parameters=[OpenApiParameter("report_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Mã báo cáo.")],
)
class ReportDetailView(RetrieveModelMixin, ApiView):
    """One report with its frozen figures, sections and narrative; 404 when missing or outside the scope."""

    required_permission = Permission.VIEW_REPORTS
    serializer_class = ReportDetailSerializer
    lookup_url_kwarg = "report_id"

    def scoped_queryset(self) -> QuerySet[Report]:
        return reports_visible_to(self.request.user)

    def get(self, request: Request, report_id: int) -> Response:
        return self.retrieve(request)
