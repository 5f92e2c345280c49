"""Background jobs of reporting: the reminders (Celery beat "send-reporting-reminders", hourly; idempotent)."""

from typing import Any

from celery import shared_task

from .services import send_report_reminders, send_task_reminders


@shared_task(name="hocvuso.reporting.tasks.send_reminders")
def send_reminders() -> dict[str, Any]:
    """Remind the officers of reports due soon and of plan tasks late or without update."""
    reports = send_report_reminders()
    tasks = send_task_reminders()
    return {"report_notices": reports.notices, "task_notices": tasks.notices}
