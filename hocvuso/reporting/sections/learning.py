"""Learning in the quarter: for each outcome indicator, the people newly counted as reached (digitally literate,
certified, with a digital identity) between the start of the quarter and the freeze day — from the indicator facts
(the change of each numerator), so it costs the same at 40,000 or 4,000,000 residents."""

from django.utils.translation import gettext as _

from hocvuso.indicators.models import IndicatorKind
from hocvuso.indicators.selectors import Status

from .base import Section, SectionContext


def build(context: SectionContext) -> Section | None:
    """The section for the report's own place (the province for the consolidated report); None without facts."""
    if not context.figures.rows:
        return None
    own = context.figures.rows[0]
    rows = []
    for figure in own.row.figures:
        if figure.indicator.kind != IndicatorKind.OUTCOME or figure.status in (Status.NOT_APPLICABLE, Status.NO_SOURCE):
            continue
        rows.append((figure.indicator.name, own.newly_reached(figure), figure.numerator, figure.not_reached))
    if not rows:
        return None
    start = context.figures.start_day
    note = _("Số tăng thêm tính từ số liệu ngày %(start)s đến ngày %(day)s.") % {
        "start": start.strftime("%d/%m/%Y") if start else "—",
        "day": context.figures.day.strftime("%d/%m/%Y") if context.figures.day else "—",
    }
    return Section(
        key="learning",
        title=_("Kết quả học tập, phổ cập kỹ năng số trong quý"),
        columns=(_("Chỉ tiêu"), _("Số người đạt thêm trong quý"), _("Số người đã đạt"), _("Số người chưa đạt")),
        rows=tuple(rows),
        note=note,
    )
