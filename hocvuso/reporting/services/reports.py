"""Writes of quarterly reports: a draft frozen from live data, the narrative, and the workflow draft → submitted →
returned with comments → resubmitted → accepted (locked); the province's consolidated report. Each step runs in
one transaction, checks who may take it, and is audited (ReportEvent and the audit log).

`actor` None is the system (management commands, the demo); otherwise the access module decides: the unit's own
officers (EDIT_REPORTS on the unit or agency itself) prepare and submit, reviewers (REVIEW_REPORTS over it, not its
own officers) return and accept. A change sent with a stale `version` is refused (another tab, a double click).
"""

import re
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hocvuso.accounts.access import may_review, officer_of
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.indicators.selectors import organisation_period_figures, unit_period_figures
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit, Level

from ..figures import figure_rows
from ..models import NARRATIVE_FIELDS, Report, ReportEvent, ReportingAssignment, ReportKind, ReportStatus
from ..periods import Quarter, due_date
from ..sections import SectionContext, build_sections
from ..selectors import submissions

EDITABLE_FIELDS = (*NARRATIVE_FIELDS, "document_number", "signer_name")
MAX_TEXT = 20_000
# Control characters but tab and line feed: no one means them, and no DOCX can hold them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy báo cáo."))


def _require_author(actor: Any, report: Report) -> None:
    if actor is not None and not officer_of(actor, Permission.EDIT_REPORTS, report):
        raise _not_found()


def _require_reviewer(actor: Any, report: Report) -> None:
    if actor is None or not may_review(actor, report):
        raise _not_found()


def _event(report: Report, action: str, actor: Any, comment: str = "") -> None:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    ReportEvent.objects.create(
        report=report,
        action=action,
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else "system",
        comment=comment,
    )
    record_audit(
        actor=actor,
        action=f"reporting.report_{action}",
        target=report,
        details={"period": report.period_code, "status": report.status, "version": report.version},
    )


def _check_version(report: Report, version: int | None) -> None:
    if version is not None and int(version) != report.version:
        raise DomainError(_("Báo cáo đã được thay đổi ở nơi khác. Hãy tải lại trang rồi làm lại."), code="report_stale")


def _freeze_day(quarter: Quarter, frozen_on: date | None) -> date:
    """The day figures are frozen on: within the quarter and not after today (default: the quarter's last day,
    or today in the current quarter)."""
    today = timezone.localdate()
    latest = min(today, quarter.last_day)
    day = frozen_on or latest
    if day < quarter.first_day or day > latest:
        raise DomainError(
            _("Ngày chốt số liệu phải từ %(first)s đến %(last)s.")
            % {"first": quarter.first_day.strftime("%d/%m/%Y"), "last": latest.strftime("%d/%m/%Y")},
            field="frozen_on",
            code="report_freeze_day",
        )
    return day


def _content(
    *,
    quarter: Quarter,
    frozen_on: date,
    unit: AdministrativeUnit | None,
    organisation: Organisation | None,
    consolidated: bool,
) -> tuple[dict[str, Any], date | None]:
    """The frozen figures and sections of a report (Vietnamese, the documents' language), and the facts' day."""
    with translation.override("vi"):
        extra: dict[str, Any] = {}
        if unit is not None:
            figures = unit_period_figures(
                unit=unit, on=frozen_on, period_start=quarter.first_day, children=consolidated
            )
        else:
            assert organisation is not None
            figures = organisation_period_figures(
                organisations=[organisation], on=frozen_on, period_start=quarter.first_day
            )
        if consolidated:
            assert unit is not None
            rows = submissions(quarter, province=unit)
            agencies = [row.assignment.organisation for row in rows if row.assignment.organisation is not None]
            extra = {
                "submissions": rows,
                "agency_figures": organisation_period_figures(
                    organisations=agencies, on=frozen_on, period_start=quarter.first_day
                ),
            }
        context = SectionContext(
            quarter=quarter,
            period_start=quarter.first_day,
            frozen_on=frozen_on,
            unit=unit,
            organisation=organisation,
            consolidated=consolidated,
            figures=figures,
            extra=extra,
        )
        content = {
            "figures": figure_rows(figures.rows[0]) if figures.rows else [],
            "facts_day": figures.day.isoformat() if figures.day else None,
            "start_day": figures.start_day.isoformat() if figures.start_day else None,
            "sections": build_sections(context),
        }
    return content, figures.day


def draft_report(
    *, assignment: ReportingAssignment, quarter: Quarter | str, actor: Any, frozen_on: date | None = None
) -> Report:
    """The assignment's report for the quarter: an existing one is returned as it is (a second click makes no
    second report); otherwise a draft with the figures and sections frozen now from live data on `frozen_on`
    (within the quarter, not after today). The due date is the rule's for the quarter. Only the unit's own
    officers (or the system). Raises NotFound for others, DomainError for a quarter the assignment does not
    cover or a bad freeze day."""
    period = Quarter.parse(quarter)
    if actor is not None and not officer_of(actor, Permission.EDIT_REPORTS, assignment):
        raise _not_found()
    unit, organisation = (assignment.unit if assignment.unit_id else None), assignment.organisation
    existing = Report.objects.filter(assignment=assignment, year=period.year, quarter=period.number).first()
    if existing is not None:
        return existing
    due = due_date(period)
    if not assignment.is_in_force(due):
        raise DomainError(_("Đơn vị không phải báo cáo quý này."), field="quarter", code="report_not_assigned")
    day = _freeze_day(period, frozen_on)
    content, facts_day = _content(
        quarter=period, frozen_on=day, consolidated=False, unit=unit, organisation=organisation
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=ReportKind.UNIT,
                assignment=assignment,
                year=period.year,
                quarter=period.number,
                due_date=due,
                frozen_on=day,
                frozen_at=timezone.now(),
                facts_day=facts_day,
                content=content,
                unit=unit,
                organisation=organisation,
            )
            _event(report, "drafted", actor)
    except IntegrityError:  # the same draft made at the same moment by another request
        return Report.objects.get(assignment=assignment, year=period.year, quarter=period.number)
    return report


def draft_consolidated_report(
    *, province: AdministrativeUnit, quarter: Quarter | str, actor: Any, frozen_on: date | None = None
) -> Report:
    """The province's consolidated report for the quarter, drafted like a unit's (an existing one is returned):
    province-wide figures, every section, the annex of every commune and agency (from their accepted reports,
    else the facts), the units that did not report or reported late. Only the province's own officers
    (EDIT_REPORTS on the province itself) or the system."""
    if province.level != Level.PROVINCE:
        raise DomainError(_("Báo cáo tổng hợp là của tỉnh."), code="report_not_province")
    period = Quarter.parse(quarter)
    if actor is not None and not officer_of(actor, Permission.EDIT_REPORTS, province):
        raise _not_found()
    existing = Report.objects.filter(
        kind=ReportKind.CONSOLIDATED, unit=province, year=period.year, quarter=period.number
    ).first()
    if existing is not None:
        return existing
    day = _freeze_day(period, frozen_on)
    content, facts_day = _content(quarter=period, frozen_on=day, unit=province, organisation=None, consolidated=True)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                kind=ReportKind.CONSOLIDATED,
                unit=province,
                year=period.year,
                quarter=period.number,
                due_date=due_date(period),
                frozen_on=day,
                frozen_at=timezone.now(),
                facts_day=facts_day,
                content=content,
            )
            _event(report, "drafted", actor)
    except IntegrityError:
        return Report.objects.get(kind=ReportKind.CONSOLIDATED, unit=province, year=period.year, quarter=period.number)
    return report


def refreeze_report(*, report: Report, actor: Any, frozen_on: date | None = None, version: int | None = None) -> Report:
    """Freeze the figures and sections again from live data on `frozen_on` — only for a draft never submitted
    (figures never change after a submission, also when the report is returned). Raises NotFound for anyone
    but the unit's officers, DomainError once submitted or for a stale version."""
    _require_author(actor, report)
    period = Quarter(report.year, report.quarter)
    day = _freeze_day(period, frozen_on)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _check_version(locked, version)
        if locked.status != ReportStatus.DRAFT or locked.first_submitted_at is not None:
            raise DomainError(_("Số liệu đã chốt khi gửi báo cáo, không thể chốt lại."), code="report_frozen")
        locked.content, locked.facts_day = _content(
            quarter=period,
            frozen_on=day,
            unit=locked.unit if locked.unit_id else None,
            organisation=locked.organisation,
            consolidated=locked.kind == ReportKind.CONSOLIDATED,
        )
        locked.frozen_on, locked.frozen_at = day, timezone.now()
        locked.version += 1
        locked.save()
        _event(locked, "refrozen", actor)
    return locked


def save_report_text(*, report: Report, changes: dict[str, str], actor: Any, version: int | None = None) -> Report:
    """Save the narrative (results, strengths, limitations and causes, proposals), the document number and the
    signer's name of a draft or returned report. Only the unit's officers. Raises NotFound for others,
    DomainError when the report is locked, a field is unknown, too long or holds a control character, or the
    version is stale (nothing is saved then)."""
    _require_author(actor, report)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Trường không hợp lệ: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _check_version(locked, version)
        if not locked.is_editable:
            raise DomainError(_("Báo cáo đã gửi hoặc đã được chấp nhận, không thể sửa."), code="report_locked")
        for name, value in changes.items():
            text = str(value).replace("\r\n", "\n").strip()
            limit = 20 if name == "document_number" else 120 if name == "signer_name" else MAX_TEXT
            if CONTROL_CHARACTERS.search(text):
                raise DomainError(
                    _("Nội dung có ký tự điều khiển không in được (ví dụ dán từ tệp khác); hãy xóa rồi gõ lại."),
                    field=name,
                    code="control_character",
                )
            if len(text) > limit:
                raise DomainError(
                    _("Nội dung quá dài (tối đa %(limit)s ký tự).") % {"limit": limit}, field=name, code="too_long"
                )
            setattr(locked, name, text)
        locked.version += 1
        locked.save()
        _event(locked, "saved", actor)
    return locked


def submit_report(*, report: Report, actor: Any, version: int | None = None, at: datetime | None = None) -> Report:
    """Send a draft (or resend a returned report) for review. The first submission fixes whether the report is
    late (sent after its due date); the figures stay as frozen. Only the unit's officers; the results section
    must be written. `at` records when a report received otherwise (on paper) was sent — the system only.
    Raises NotFound for others, DomainError otherwise."""
    _require_author(actor, report)
    if at is not None and actor is not None:
        raise DomainError(_("Chỉ hệ thống ghi được thời điểm gửi khác."), code="report_backdated")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _check_version(locked, version)
        if not locked.is_editable:
            raise DomainError(_("Báo cáo đã được gửi."), code="report_already_submitted")
        if not locked.results.strip():
            raise DomainError(_("Hãy viết phần kết quả đạt được trước khi gửi."), field="results", code="report_empty")
        now = at or timezone.now()
        action = "resubmitted" if locked.status == ReportStatus.RETURNED else "submitted"
        if locked.first_submitted_at is None:
            locked.first_submitted_at = now
            locked.is_late = timezone.localtime(now).date() > locked.due_date
        locked.submitted_at = now
        locked.status = ReportStatus.SUBMITTED
        locked.version += 1
        locked.save()
        _event(locked, action, actor)
    return locked


def return_report(*, report: Report, comment: str, actor: Any, version: int | None = None) -> Report:
    """Return a submitted report to its unit with the reviewer's comments (required). Reviewers only."""
    _require_reviewer(actor, report)
    comment = comment.strip()
    if not comment:
        raise DomainError(_("Hãy ghi ý kiến để đơn vị sửa báo cáo."), field="comment", code="report_comment")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _check_version(locked, version)
        if locked.status != ReportStatus.SUBMITTED:
            raise DomainError(_("Chỉ trả lại báo cáo đã gửi."), code="report_not_submitted")
        locked.status, locked.review_comment = ReportStatus.RETURNED, comment[:MAX_TEXT]
        locked.version += 1
        locked.save()
        _event(locked, "returned", actor, comment[:MAX_TEXT])
    return locked


def accept_report(*, report: Report, actor: Any, version: int | None = None) -> Report:
    """Accept a submitted report: it is locked for good (a late one is accepted and stays marked late).
    Reviewers only."""
    _require_reviewer(actor, report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _check_version(locked, version)
        if locked.status != ReportStatus.SUBMITTED:
            raise DomainError(_("Chỉ chấp nhận báo cáo đã gửi."), code="report_not_submitted")
        locked.status, locked.accepted_at = ReportStatus.ACCEPTED, timezone.now()
        locked.version += 1
        locked.save()
        _event(locked, "accepted", actor)
    return locked
