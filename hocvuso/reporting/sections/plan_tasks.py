"""The plan's tasks: those the report's unit or agency leads, with their state on the freeze day; for the
consolidated report, every task of the plan with how many of its leads are on track, late or without update."""

from django.utils.translation import gettext as _

from ..selectors import TaskState, lead_tasks, plan_overview_rows, task_state, task_state_label
from .base import Cell, Section, SectionContext


def build(context: SectionContext) -> Section | None:
    if context.consolidated:
        rows: list[tuple[Cell, ...]] = [
            (
                row.code,
                row.title,
                row.leads,
                row.counts[TaskState.DONE],
                row.counts[TaskState.ON_TRACK],
                row.counts[TaskState.LATE],
                row.counts[TaskState.STALE],
            )
            for row in plan_overview_rows(on=context.frozen_on)
        ]
        if not rows:
            return None
        return Section(
            key="plan_tasks",
            title=_("Tình hình thực hiện các nhiệm vụ của kế hoạch"),
            columns=(
                _("Mã"),
                _("Nhiệm vụ"),
                _("Số đơn vị chủ trì"),
                _("Hoàn thành"),
                _("Đúng tiến độ"),
                _("Trễ hạn"),
                _("Không cập nhật"),
            ),
            rows=tuple(rows),
        )
    progress = lead_tasks(unit=context.unit, organisation=context.organisation)
    if not progress:
        return None
    rows = []
    for item in progress:
        state = task_state(item, on=context.frozen_on)
        updated = item.last_update_at.strftime("%d/%m/%Y") if item.last_update_at else "—"
        rows.append(
            (
                item.task.code,
                item.task.title,
                item.get_status_display(),
                item.progress,
                task_state_label(state),
                updated,
            )
        )
    return Section(
        key="plan_tasks",
        title=_("Các nhiệm vụ được giao chủ trì"),
        columns=(_("Mã"), _("Nhiệm vụ"), _("Tình trạng"), _("Tiến độ (%)"), _("Đánh giá"), _("Cập nhật gần nhất")),
        rows=tuple(rows),
    )
