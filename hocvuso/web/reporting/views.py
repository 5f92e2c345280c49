"""Reporting pages: quarterly reports (the unit's list and drafts, a report with its frozen figures, the narrative
editor, submit, return and accept, the official files), the province's consolidation and reporting rates, the
plan's task boards and a task's updates and evidence, and the user's notices.

Each view declares its permission with `@requires`; whether the object is the user's is the access module's
decision (`require`, `officer_of`, `may_review`, and through the reporting services and selectors), and a missing
or foreign object is the domain's NotFound, which the NotFoundMiddleware answers with 404. Writes go through the
reporting services; a refusal is shown next to the form (status 400), nothing half-done."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.access import may_review, officer_of, require, requires, signed_in
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.people.models import Organisation
from hocvuso.reporting import selectors
from hocvuso.reporting.documents import build_docx, build_xlsx, docx_to_pdf, file_stem
from hocvuso.reporting.models import Notice, Report, TaskEvidence, TaskProgress
from hocvuso.reporting.periods import Quarter, due_date
from hocvuso.reporting.services import (
    accept_report,
    add_evidence,
    draft_consolidated_report,
    draft_report,
    refreeze_report,
    return_report,
    save_report_text,
    submit_report,
    update_task,
)
from hocvuso.territory.models import AdministrativeUnit

from .forms import DraftForm, EvidenceForm, FreezeForm, ReportTextForm, ReviewForm, TaskUpdateForm, VersionForm

FILE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _report(request: HttpRequest, report_id: int) -> Report:
    """The report with this id if the user may read it (VIEW_REPORTS over its unit or agency); NotFound else."""
    report = (
        Report.objects.select_related("unit", "organisation", "organisation__unit", "assignment")
        .filter(pk=report_id)
        .first()
    )
    require(request.user, Permission.VIEW_REPORTS, report)
    assert report is not None
    return report


def _quarter(request: HttpRequest) -> Quarter:
    """The quarter ?quy= names (the current one when absent or malformed)."""
    try:
        return Quarter.parse(request.GET.get("quy", "")[:8])
    except DomainError:
        return Quarter.of(timezone.localdate())


# --- Reports ----------------------------------------------------------------------------------------------------


@requires(Permission.VIEW_REPORTS)
def reports_home(request: HttpRequest) -> HttpResponse:
    """The user's own units' reports for this quarter (with a draft button) and every report they may read."""
    quarter = Quarter.of(timezone.localdate())
    own = []
    for assignment in selectors.own_assignments(request.user, on=due_date(quarter)):
        report = Report.objects.filter(assignment=assignment, year=quarter.year, quarter=quarter.number).first()
        subject = f"u:{assignment.unit_id}" if assignment.unit_id else f"o:{assignment.organisation_id}"
        own.append((assignment, report, DraftForm(initial={"subject": subject, "quarter": str(quarter)})))
    reports = selectors.reports_visible_to(request.user).order_by("-year", "-quarter", "kind", "id")[:200]
    context = {
        "quarter": quarter,
        "due": due_date(quarter),
        "own": own,
        "reports": reports,
        "reviewer": selectors.review_province(request.user) is not None,
    }
    return render(request, "web/reporting/home.html", context)


@requires(Permission.EDIT_REPORTS)
@require_POST
def report_draft(request: HttpRequest) -> HttpResponse:
    """Draft the quarter's report of one of the user's own units (or open the one that exists)."""
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu lập dự thảo không hợp lệ."))
        return redirect("web:reports")
    quarter = Quarter.parse(form.cleaned_data["quarter"])
    kind, pk = form.cleaned_data["subject"].split(":")
    assignments = selectors.own_assignments(request.user, on=due_date(quarter))
    assignment = next((a for a in assignments if (a.unit_id if kind == "u" else a.organisation_id) == int(pk)), None)
    if assignment is None:
        raise NotFound()
    try:
        report = draft_report(
            assignment=assignment, quarter=quarter, actor=request.user, frozen_on=form.cleaned_data["frozen_on"]
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:reports")
    return redirect("web:report", report_id=report.pk)


@requires(Permission.VIEW_REPORTS)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report: its frozen figures (with the freeze time), sections, narrative, history and the actions the user
    may take."""
    report = _report(request, report_id)
    can_edit = report.is_editable and officer_of(request.user, Permission.EDIT_REPORTS, report)
    can_review = report.status == "submitted" and may_review(request.user, report)
    context = {
        "report": report,
        "can_edit": can_edit,
        "can_review": can_review,
        "review_form": ReviewForm(initial={"version": report.version}) if can_review else None,
        "events": report.events.all(),
        "sections": report.content.get("sections", []),
    }
    return render(request, "web/reporting/report.html", context)


@requires(Permission.EDIT_REPORTS)
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    """The narrative editor of a draft or returned report (and freezing a never-sent draft again)."""
    report = _report(request, report_id)
    if not officer_of(request.user, Permission.EDIT_REPORTS, report):
        raise NotFound()
    text_form = ReportTextForm(
        initial={name: getattr(report, name) for name in ReportTextForm.base_fields if name != "version"}
        | {"version": report.version}
    )
    freeze_form = FreezeForm(initial={"version": report.version, "frozen_on": report.frozen_on})
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "freeze":
                freeze_form = FreezeForm(request.POST)
                if freeze_form.is_valid():
                    refreeze_report(
                        report=report,
                        actor=request.user,
                        frozen_on=freeze_form.cleaned_data["frozen_on"],
                        version=freeze_form.cleaned_data["version"],
                    )
                    messages.success(request, _("Đã chốt lại số liệu."))
                    return redirect("web:report", report_id=report.pk)
            else:
                text_form = ReportTextForm(request.POST)
                if text_form.is_valid():
                    data = dict(text_form.cleaned_data)
                    version = data.pop("version")
                    save_report_text(report=report, changes=data, actor=request.user, version=version)
                    messages.success(request, _("Đã lưu báo cáo."))
                    return redirect("web:report", report_id=report.pk)
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, str(error.message))
        status = 400
    context = {"report": report, "text_form": text_form, "freeze_form": freeze_form}
    return render(request, "web/reporting/edit.html", context, status=status)


@requires(Permission.EDIT_REPORTS)
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    """Send (or resend) the report; POST only, and a report that is not the user's is a 404 first."""
    report = _report(request, report_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Yêu cầu không hợp lệ."))
        submit_report(report=report, actor=request.user, version=form.cleaned_data["version"])
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã gửi báo cáo."))
    return redirect("web:report", report_id=report.pk)


@requires(Permission.REVIEW_REPORTS)
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    """Accept or return a submitted report; POST only, and a report outside the scope is a 404 first."""
    report = _report(request, report_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect("web:report", report_id=report.pk)
    try:
        if form.cleaned_data["decision"] == "accept":
            accept_report(report=report, actor=request.user, version=form.cleaned_data["version"])
            messages.success(request, _("Đã chấp nhận báo cáo."))
        else:
            return_report(
                report=report,
                comment=form.cleaned_data["comment"],
                actor=request.user,
                version=form.cleaned_data["version"],
            )
            messages.success(request, _("Đã trả lại báo cáo cho đơn vị."))
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:report", report_id=report.pk)


@requires(Permission.VIEW_REPORTS)
def report_file(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    """The report as DOCX, PDF or XLSX (built from its frozen content)."""
    report = _report(request, report_id)
    try:
        if fmt == "xlsx":
            data = build_xlsx(report)
        else:
            data = build_docx(report)
            if fmt == "pdf":
                data = docx_to_pdf(data)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:report", report_id=report.pk)
    response = HttpResponse(data, content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_stem(report)}.{fmt}"'
    return response


@requires(Permission.REVIEW_REPORTS)
def consolidation(request: HttpRequest) -> HttpResponse:
    """The quarter (?quy=) across the province: every unit expected to report and its report, the rates, the
    consolidated report."""
    province = selectors.review_province(request.user)
    quarter = _quarter(request)
    rows = selectors.submissions(quarter, province=province) if province else []
    rate = selectors.reporting_rate(quarter, province=province) if province else None
    consolidated = (
        Report.objects.filter(kind="consolidated", unit=province, year=quarter.year, quarter=quarter.number).first()
        if province
        else None
    )
    context = {
        "quarter": quarter,
        "quarters": selectors.recent_quarters(count=8),
        "rows": rows,
        "rate": rate,
        "consolidated": consolidated,
        "can_draft": province is not None and officer_of(request.user, Permission.EDIT_REPORTS, province),
    }
    return render(request, "web/reporting/consolidation.html", context)


@requires(Permission.REVIEW_REPORTS)
@require_POST
def consolidated_draft(request: HttpRequest) -> HttpResponse:
    province = selectors.review_province(request.user)
    if province is None:
        raise NotFound()
    try:
        quarter = Quarter.parse(str(request.POST.get("quarter", ""))[:8])
        report = draft_consolidated_report(province=province, quarter=quarter, actor=request.user)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:reports_consolidation")
    return redirect("web:report", report_id=report.pk)


@requires(Permission.REVIEW_REPORTS)
def reporting_rates(request: HttpRequest) -> HttpResponse:
    """Reporting and on-time rates of the last quarters, from the assignments valid in each."""
    province = selectors.review_province(request.user)
    rates = []
    if province is not None:
        rates = [selectors.reporting_rate(quarter, province=province) for quarter in selectors.recent_quarters(count=8)]
    return render(request, "web/reporting/rates.html", {"rates": rates})


# --- Plan tasks -------------------------------------------------------------------------------------------------


@requires(Permission.VIEW_PLAN)
def plan_overview(request: HttpRequest) -> HttpResponse:
    """Each task of the plan with how many of the leads the user follows are on track, late, without update."""
    leads = (
        selectors.tasks_visible_to(request.user)
        .values_list("unit__code", "unit__name", "organisation__code", "organisation__name")
        .distinct()
        .order_by("organisation__name", "unit__code")
    )
    context = {
        "rows": selectors.plan_overview(user=request.user),
        "leads": list(leads),
        "plan": selectors.current_plan(),
    }
    return render(request, "web/reporting/plan.html", context)


def _board(request: HttpRequest, *, unit: AdministrativeUnit | None, organisation: Organisation | None) -> HttpResponse:
    context = {
        "lead": unit or organisation,
        "rows": selectors.task_board(unit=unit, organisation=organisation),
    }
    return render(request, "web/reporting/board.html", context)


@requires(Permission.VIEW_PLAN, unit_kwarg="code")
def plan_board_unit(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A commune's board: the tasks its People's Committee leads."""
    return _board(request, unit=unit, organisation=None)


@requires(Permission.VIEW_PLAN)
def plan_board_organisation(request: HttpRequest, org_code: str) -> HttpResponse:
    """An agency's board: the tasks it leads."""
    organisation = Organisation.objects.select_related("unit").filter(code=org_code[:40]).first()
    require(request.user, Permission.VIEW_PLAN, organisation)
    return _board(request, unit=None, organisation=organisation)


def _progress(request: HttpRequest, task_id: int) -> TaskProgress:
    progress = (
        TaskProgress.objects.select_related("task", "unit", "organisation", "organisation__unit")
        .filter(pk=task_id)
        .first()
    )
    require(request.user, Permission.VIEW_PLAN, progress)
    assert progress is not None
    return progress


@requires(Permission.VIEW_PLAN)
@require_http_methods(["GET", "POST"])
def plan_task(request: HttpRequest, task_id: int) -> HttpResponse:
    """A lead's task: state, updates, evidence; its officers post an update or add evidence."""
    progress = _progress(request, task_id)
    can_update = officer_of(request.user, Permission.UPDATE_TASKS, progress)
    update_form = TaskUpdateForm(initial={"status": progress.status, "progress": progress.progress})
    evidence_form = EvidenceForm()
    status = 200
    if request.method == "POST":
        if not can_update:
            raise NotFound()
        try:
            if request.POST.get("action") == "evidence":
                evidence_form = EvidenceForm(request.POST, request.FILES)
                if evidence_form.is_valid():
                    upload = evidence_form.cleaned_data["file"]
                    add_evidence(
                        progress=progress,
                        title=evidence_form.cleaned_data["title"],
                        actor=request.user,
                        url=evidence_form.cleaned_data["url"] or "",
                        file_name=upload.name if upload else "",
                        data=upload.read() if upload else None,
                    )
                    messages.success(request, _("Đã thêm minh chứng."))
                    return redirect("web:plan_task", task_id=progress.pk)
            else:
                update_form = TaskUpdateForm(request.POST)
                if update_form.is_valid():
                    update_task(
                        progress=progress,
                        status=update_form.cleaned_data["status"],
                        percent=update_form.cleaned_data["progress"],
                        note=update_form.cleaned_data["note"],
                        actor=request.user,
                    )
                    messages.success(request, _("Đã cập nhật tiến độ."))
                    return redirect("web:plan_task", task_id=progress.pk)
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, str(error.message))
        status = 400
    context = {
        "progress": progress,
        "state": selectors.task_state_label(selectors.task_state(progress)),
        "updates": progress.updates.select_related("author")[:50],
        "evidence": progress.evidence.defer("content")[:50],
        "can_update": can_update,
        "update_form": update_form,
        "evidence_form": evidence_form,
    }
    return render(request, "web/reporting/task.html", context, status=status)


@requires(Permission.VIEW_PLAN)
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """An evidence file, as a download (never shown inline); a link evidence redirects nowhere: 404."""
    evidence = (
        TaskEvidence.objects.select_related("progress_of__unit", "progress_of__organisation__unit")
        .filter(pk=evidence_id, kind="file")
        .first()
    )
    require(request.user, Permission.VIEW_PLAN, evidence)
    assert evidence is not None
    response = HttpResponse(bytes(evidence.content or b""), content_type=evidence.content_type)
    response["Content-Disposition"] = f'attachment; filename="{evidence.file_name}"'
    return response


# --- Notices ----------------------------------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest) -> HttpResponse:
    """The user's own reminders, newest first; POST marks them all read."""
    user: Any = request.user
    mine = Notice.objects.filter(user=user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("web:notices")
    return render(request, "web/reporting/notices.html", {"notices": mine[:100]})
