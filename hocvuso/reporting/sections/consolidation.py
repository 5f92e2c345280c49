"""Sections of the province's consolidated report only: the annex of every commune and agency, the units that did
not report or reported late, and the proposals of the accepted reports. They read `context.extra`, filled by the
consolidation service: "submissions" (selectors.Submission for each unit expected to report) and
"agency_figures" (the agencies' PeriodFigures)."""

from typing import Any

from django.utils.translation import gettext as _

from hocvuso.indicators.models import IndicatorKind

from ..figures import figure_rows
from ..models import ReportStatus
from .base import Cell, Section, SectionContext


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def build_submissions(context: SectionContext) -> Section | None:
    if not context.consolidated:
        return None
    rows = []
    for submission in context.extra.get("submissions", []):
        report = submission.report
        if submission.submitted and report is not None and not report.is_late:
            continue
        if submission.submitted and report is not None:
            state = _("Trễ hạn (gửi ngày %(day)s)") % {"day": _day(report.first_submitted_at)}
        else:
            state = _("Chưa báo cáo")
        rows.append((submission.assignment.subject_name, state))
    return Section(
        key="submissions",
        title=_("Đơn vị chưa báo cáo hoặc báo cáo trễ hạn"),
        columns=(_("Đơn vị"), _("Tình trạng")),
        rows=tuple(rows),
        note="" if rows else _("Tất cả các đơn vị đã báo cáo đúng hạn."),
    )


def build_proposals(context: SectionContext) -> Section | None:
    if not context.consolidated:
        return None
    rows = tuple(
        (submission.assignment.subject_name, submission.report.proposals.strip())
        for submission in context.extra.get("submissions", [])
        if submission.accepted and submission.report is not None and submission.report.proposals.strip()
    )
    if not rows:
        return None
    return Section(
        key="proposals",
        title=_("Đề xuất, kiến nghị của các đơn vị"),
        columns=(_("Đơn vị"), _("Đề xuất, kiến nghị")),
        rows=rows,
    )


def build_annex(context: SectionContext) -> Section | None:
    """Every commune and agency expected to report, with each outcome indicator's value (%): from its accepted
    report's frozen figures, else from the facts on the freeze day (said in the source column)."""
    if not context.consolidated:
        return None
    indicators = [info for info in context.figures.indicators if info.kind == IndicatorKind.OUTCOME]
    agency_figures = context.extra.get("agency_figures")
    agency_indicators = [
        info for info in (agency_figures.indicators if agency_figures else ()) if info.kind == IndicatorKind.OUTCOME
    ]
    codes: list[str] = []
    names: list[str] = []
    for info in [*indicators, *agency_indicators]:
        if info.code not in codes:
            codes.append(info.code)
            names.append(info.name)
    live: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in context.figures.rows[1:]:
        live["unit", row.row.place.code] = figure_rows(row)
    for row in agency_figures.rows if agency_figures else ():
        live["organisation", row.row.place.code] = figure_rows(row)
    rows = []
    for submission in context.extra.get("submissions", []):
        assignment, report = submission.assignment, submission.report
        key = ("unit", assignment.unit.code) if assignment.unit_id else ("organisation", assignment.organisation.code)
        if report is not None and report.status == ReportStatus.ACCEPTED:
            figures, source = report.figures, _("Báo cáo đã chấp nhận")
        else:
            figures, source = live.get(key, []), _("Số liệu hệ thống")
        values = {str(figure["code"]): figure.get("value") for figure in figures}
        status = report.get_status_display() if report is not None else _("Chưa báo cáo")
        late = _("Trễ hạn") if report is not None and report.is_late else ""
        cells: list[Cell] = [key[1], assignment.subject_name, str(status), late, str(source)]
        cells += [values.get(code) for code in codes]
        rows.append(tuple(cells))
    return Section(
        key="annex",
        title=_("Phụ lục: Kết quả theo từng xã, phường, đặc khu và cơ quan (%)"),
        columns=(_("Mã"), _("Đơn vị"), _("Báo cáo"), _("Trễ hạn"), _("Nguồn số liệu"), *names),
        rows=tuple(rows),
    )
