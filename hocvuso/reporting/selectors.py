"""Reads of reporting: the state of plan tasks (boards, the province overview), who must report in a period and
what they sent (consolidation, reporting and on-time rates), and the lists the pages and the API show. Scoping by
user goes through the access module (`scope`, `officer_scope`); functions without a user are for the domain itself."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import home_unit, officer_scope, scope
from hocvuso.accounts.roles import Permission
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit

from .models import Plan, Report, ReportingAssignment, ReportKind, ReportStatus, TaskProgress, TaskStatus
from .periods import Quarter, due_date

# --- Plan tasks -----------------------------------------------------------------------------------------------


class TaskState(StrEnum):
    DONE = "done"
    LATE = "late"  # a due date (or a yearly day) has passed without the task done / updated since
    STALE = "stale"  # no update for PLAN_TASK_STALE_DAYS days
    ON_TRACK = "on_track"


def task_state_label(state: str) -> str:
    labels: dict[str, str] = {
        TaskState.DONE: _("Đã hoàn thành"),
        TaskState.LATE: _("Trễ hạn"),
        TaskState.STALE: _("Không cập nhật"),
        TaskState.ON_TRACK: _("Đúng tiến độ"),
    }
    return str(labels.get(state, state))


def task_state(progress: TaskProgress, *, on: date | None = None) -> TaskState:
    """Where a lead's task stands on the day: done; late (a one-off task past its due date and not done, or a
    yearly task whose latest day passed with no update since); without update for PLAN_TASK_STALE_DAYS days
    (counted from the last update, or from when the task was given); else on track."""
    day = on or timezone.localdate()
    if progress.status == TaskStatus.DONE:
        return TaskState.DONE
    updated = timezone.localtime(progress.last_update_at).date() if progress.last_update_at else None
    occurrence = progress.task.last_occurrence(day)
    if occurrence is not None and (progress.task.recurrence == "once" or updated is None or updated < occurrence):
        return TaskState.LATE
    since = updated or timezone.localtime(progress.created_at).date()
    if (day - since).days > settings.PLAN_TASK_STALE_DAYS:
        return TaskState.STALE
    return TaskState.ON_TRACK


def current_plan() -> Plan | None:
    """The latest plan loaded (the one the boards and reports follow)."""
    return Plan.objects.order_by("-year", "-created_at").first()


def lead_tasks(
    *, unit: AdministrativeUnit | None = None, organisation: Organisation | None = None
) -> list[TaskProgress]:
    """The tasks of the current plan a unit or an organisation leads, in the plan's order. One query."""
    plan = current_plan()
    if plan is None or (unit is None and organisation is None):
        return []
    rows = TaskProgress.objects.of_plan(plan).select_related("task")
    rows = rows.filter(organisation=organisation) if organisation is not None else rows.filter(unit=unit)
    return list(rows.order_by("task__position"))


@dataclass(frozen=True)
class OverviewRow:
    """A task of the plan with how many of its leads are in each state."""

    code: str
    title: str
    leads: int
    counts: Counter[str] = field(default_factory=Counter)


def _overview(progress: QuerySet[TaskProgress], on: date) -> list[OverviewRow]:
    tasks: dict[int, tuple[str, str, Counter[str]]] = {}
    for item in progress.select_related("task").order_by("task__position", "id"):
        counts = tasks.setdefault(item.task_id, (item.task.code, item.task.title, Counter()))[2]
        counts[task_state(item, on=on)] += 1
    return [OverviewRow(code, title, sum(counts.values()), counts) for code, title, counts in tasks.values()]


def plan_overview_rows(*, on: date | None = None) -> list[OverviewRow]:
    """Every task of the current plan with its leads' states on the day (for the consolidated report). Two
    queries."""
    plan = current_plan()
    if plan is None:
        return []
    return _overview(TaskProgress.objects.of_plan(plan), on or timezone.localdate())


def tasks_visible_to(user: Any) -> QuerySet[TaskProgress]:
    """The leads' tasks of the current plan the user may follow (VIEW_PLAN over the lead)."""
    plan = current_plan()
    if plan is None:
        return TaskProgress.objects.none()
    return TaskProgress.objects.of_plan(plan).filter(scope(user, Permission.VIEW_PLAN, TaskProgress))


def plan_overview(*, user: Any, on: date | None = None) -> list[OverviewRow]:
    """The province overview as the user may see it: each task with its visible leads' states."""
    return _overview(tasks_visible_to(user), on or timezone.localdate())


@dataclass(frozen=True)
class BoardRow:
    progress: TaskProgress
    state: TaskState

    @property
    def state_label(self) -> str:
        return task_state_label(self.state)


def task_board(*, unit: AdministrativeUnit | None = None, organisation: Organisation | None = None) -> list[BoardRow]:
    """A lead's board: its tasks with their states today (the caller checked VIEW_PLAN on the lead)."""
    today = timezone.localdate()
    return [BoardRow(item, task_state(item, on=today)) for item in lead_tasks(unit=unit, organisation=organisation)]


# --- Who reports, what they sent ------------------------------------------------------------------------------


def assignments_for(quarter: Quarter, *, province: AdministrativeUnit) -> QuerySet[ReportingAssignment]:
    """The assignments that count for the quarter: in force on its due date, of the province's communes and of
    agencies located in the province."""
    units = AdministrativeUnit.objects.within(province)
    return (
        ReportingAssignment.objects.in_force(due_date(quarter))
        .filter(Q(unit__in=units) | Q(organisation__unit__in=units))
        .select_related("unit", "organisation", "organisation__unit")
    )


@dataclass(frozen=True)
class Submission:
    """An assignment expected to report in the period, and its report (None when it has not started one)."""

    assignment: ReportingAssignment
    report: Report | None

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.first_submitted_at is not None

    @property
    def on_time(self) -> bool:
        return self.submitted and self.report is not None and not self.report.is_late

    @property
    def accepted(self) -> bool:
        return self.report is not None and self.report.status == ReportStatus.ACCEPTED


def submissions(quarter: Quarter, *, province: AdministrativeUnit) -> list[Submission]:
    """Every assignment that counts for the quarter with its report: communes by code, then agencies by name.
    Two queries."""
    expected = list(assignments_for(quarter, province=province))
    reports = {
        report.assignment_id: report
        for report in Report.objects.filter(
            kind=ReportKind.UNIT, year=quarter.year, quarter=quarter.number, assignment__in=[a.pk for a in expected]
        )
    }
    expected.sort(key=lambda a: (a.unit_id is None, a.unit.code if a.unit else a.subject_name))
    return [Submission(assignment, reports.get(assignment.pk)) for assignment in expected]


@dataclass(frozen=True)
class Rate:
    """Reporting in a period: expected (assignments valid then), submitted, on time, accepted; the rates are
    parts of the expected, so never above 100%."""

    quarter: Quarter
    due: date
    expected: int
    submitted: int
    on_time: int
    accepted: int

    @property
    def reporting_rate(self) -> float | None:
        return 100.0 * self.submitted / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return 100.0 * self.on_time / self.expected if self.expected else None


def reporting_rate(quarter: Quarter, *, province: AdministrativeUnit) -> Rate:
    """The quarter's reporting and on-time rates from the assignments valid on its due date: a report from a unit
    no longer expected (merged before the deadline) is not counted, so the rate cannot pass 100%."""
    rows = submissions(quarter, province=province)
    return Rate(
        quarter,
        due_date(quarter),
        len(rows),
        sum(row.submitted for row in rows),
        sum(row.on_time for row in rows),
        sum(row.accepted for row in rows),
    )


def recent_quarters(*, count: int = 4, today: date | None = None) -> list[Quarter]:
    """The current quarter and the `count - 1` before it, newest first."""
    quarter = Quarter.of(today or timezone.localdate())
    quarters = []
    for _index in range(count):
        quarters.append(quarter)
        quarter = Quarter.of(quarter.first_day - timedelta(days=1))
    return quarters


def reports_visible_to(user: Any) -> QuerySet[Report]:
    """Reports the user may read (VIEW_REPORTS over the report's unit or agency)."""
    return Report.objects.filter(scope(user, Permission.VIEW_REPORTS, Report)).select_related(
        "unit", "organisation", "organisation__unit"
    )


def own_assignments(user: Any, *, on: date | None = None) -> list[ReportingAssignment]:
    """The reporting assignments in force on the day of the units and agencies the user is an officer of
    (EDIT_REPORTS on the subject itself): the reports they prepare."""
    return list(
        ReportingAssignment.objects.in_force(on)
        .filter(officer_scope(user, Permission.EDIT_REPORTS, ReportingAssignment))
        .select_related("unit", "organisation", "organisation__unit")
    )


def review_province(user: Any) -> AdministrativeUnit | None:
    """The province whose reports the user reviews (the top of their REVIEW_REPORTS scope), or None."""
    return home_unit(user, Permission.REVIEW_REPORTS)
