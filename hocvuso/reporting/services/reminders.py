"""Reminders: in-app notices (and e-mail, through Django's mail backend) to the officers of units that have not sent
the quarter's report as its due date comes near, and to the leads of plan tasks that are late or without update.
Each reminder is made once per user and occasion (Notice.key), however often the job runs."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hocvuso.accounts.access import officers_of
from hocvuso.accounts.roles import Permission
from hocvuso.territory.models import AdministrativeUnit, Level

from ..models import Notice, TaskProgress
from ..periods import Quarter, due_date
from ..selectors import TaskState, current_plan, submissions, task_state


@dataclass(frozen=True)
class ReminderResult:
    notices: int
    emails: int


def notify(*, user: Any, key: str, message: str, link: str = "") -> bool:
    """Give the user an in-app notice (and an e-mail when they have an address), once for the key. Returns
    whether it was new."""
    try:
        with transaction.atomic():
            notice = Notice.objects.create(user=user, key=key[:120], message=message[:500], link=link[:300])
    except IntegrityError:
        return False
    if user.email:
        sent = send_mail(
            subject=_("Học Vụ Số: nhắc việc"),
            message=f"{message}\n\n{link}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
            fail_silently=True,
        )
        if sent:
            Notice.objects.filter(pk=notice.pk).update(emailed=True)
    return True


def _province() -> AdministrativeUnit | None:
    return AdministrativeUnit.objects.filter(code=settings.PROVINCE_CODE, level=Level.PROVINCE).first()


def send_report_reminders(*, today: date | None = None) -> ReminderResult:
    """Remind the officers of every unit expected to report this quarter that has not sent it, when the due
    date is within one of REPORTING_REMINDER_DAYS (7, 3, 1 days): the nearest such step is sent once, so a job
    that missed a day still reminds. Returns how many notices and e-mails were made."""
    day = today or timezone.localdate()
    province = _province()
    if province is None:
        return ReminderResult(0, 0)
    quarter = Quarter.of(day)
    due = due_date(quarter)
    left = (due - day).days
    steps = sorted(days for days in settings.REPORTING_REMINDER_DAYS if days >= left)
    if left < 0 or not steps:
        return ReminderResult(0, 0)
    step = steps[0]
    notices = emails = 0
    with translation.override("vi"):
        for submission in submissions(quarter, province=province):
            if submission.submitted:
                continue
            assignment = submission.assignment
            message = _("Báo cáo quý %(period)s của %(unit)s phải gửi trước hết ngày %(due)s (còn %(days)s ngày).") % {
                "period": str(quarter),
                "unit": assignment.subject_name,
                "due": due.strftime("%d/%m/%Y"),
                "days": left,
            }
            for user in officers_of(Permission.EDIT_REPORTS, assignment):
                if notify(
                    user=user,
                    key=f"report:{quarter}:{assignment.pk}:{step}",
                    message=message,
                    link=reverse("web:reports"),
                ):
                    notices += 1
                    emails += int(bool(user.email))
    return ReminderResult(notices, emails)


def send_task_reminders(*, today: date | None = None) -> ReminderResult:
    """Remind the officers of each lead whose task is late or without update (once a week per task and state)."""
    day = today or timezone.localdate()
    plan = current_plan()
    if plan is None:
        return ReminderResult(0, 0)
    week = day.isocalendar()
    notices = emails = 0
    with translation.override("vi"):
        rows = TaskProgress.objects.of_plan(plan).select_related("task", "unit", "organisation")
        for progress in rows:
            state = task_state(progress, on=day)
            if state not in (TaskState.LATE, TaskState.STALE):
                continue
            if state == TaskState.LATE:
                message = _("Nhiệm vụ %(code)s (%(lead)s) đã quá hạn: hãy cập nhật tiến độ.")
            else:
                message = _("Nhiệm vụ %(code)s (%(lead)s) chưa được cập nhật hơn %(days)s ngày.")
            text = message % {
                "code": progress.task.code,
                "lead": progress.lead_name,
                "days": settings.PLAN_TASK_STALE_DAYS,
            }
            link = reverse("web:plan_task", kwargs={"task_id": progress.pk})
            for user in officers_of(Permission.UPDATE_TASKS, progress):
                key = f"task:{progress.pk}:{state}:{week.year}-{week.week}"
                if notify(user=user, key=key, message=text, link=link):
                    notices += 1
                    emails += int(bool(user.email))
    return ReminderResult(notices, emails)
