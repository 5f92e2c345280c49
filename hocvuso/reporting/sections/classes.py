"""Community classes in the quarter: the supervised tests instructors opened at classes in the report's commune
(the whole province for the consolidated report), from the start of the quarter to the freeze day — sessions,
instructors, tests finished and passed. Agencies hold no classes of their own here: no section for them."""

from django.utils.translation import gettext as _

from hocvuso.learning.selectors import supervised_class_activity

from .base import Section, SectionContext


def build(context: SectionContext) -> Section | None:
    if context.unit is None:
        return None
    activity = supervised_class_activity(unit=context.unit, first_day=context.period_start, last_day=context.frozen_on)
    note = _("Từ ngày %(start)s đến ngày %(day)s.") % {
        "start": context.period_start.strftime("%d/%m/%Y"),
        "day": context.frozen_on.strftime("%d/%m/%Y"),
    }
    if not activity.sessions:
        note = _("Chưa có buổi kiểm tra có giám sát nào tại lớp học cộng đồng trong quý.") + " " + note
    return Section(
        key="classes",
        title=_("Lớp học cộng đồng: kiểm tra có giám sát trong quý"),
        columns=(_("Nội dung"), _("Số lượng")),
        rows=(
            (_("Số buổi kiểm tra có giám sát"), activity.sessions),
            (_("Số người hướng dẫn, giám sát"), activity.instructors),
            (_("Số bài kiểm tra đã làm xong"), activity.tests_finished),
            (_("Số bài kiểm tra đạt"), activity.tests_passed),
        ),
        note=note,
    )
