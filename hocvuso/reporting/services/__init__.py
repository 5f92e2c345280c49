"""Writes of reporting (see each module): plan loading and task updates, who reports, reports and their workflow,
reminders."""

from .assignments import end_reporting_assignment, sync_reporting_assignments
from .plan import (
    DEFAULT_PLAN_FILE,
    PlanLoadResult,
    add_evidence,
    load_plan,
    load_plan_file,
    read_plan_file,
    update_task,
)
from .reminders import ReminderResult, notify, send_report_reminders, send_task_reminders
from .reports import (
    accept_report,
    draft_consolidated_report,
    draft_report,
    refreeze_report,
    return_report,
    save_report_text,
    submit_report,
)

__all__ = [
    "DEFAULT_PLAN_FILE",
    "PlanLoadResult",
    "ReminderResult",
    "accept_report",
    "add_evidence",
    "draft_consolidated_report",
    "draft_report",
    "end_reporting_assignment",
    "load_plan",
    "load_plan_file",
    "notify",
    "read_plan_file",
    "refreeze_report",
    "return_report",
    "save_report_text",
    "send_report_reminders",
    "send_task_reminders",
    "submit_report",
    "sync_reporting_assignments",
    "update_task",
]
