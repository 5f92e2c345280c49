"""The reporting period (a calendar quarter) and its deadline rule: before the 20th of the quarter's last month
(plan VI.7), so a report for Q4 2026 is due by 19/12/2026. The day is a setting (REPORTING_DUE_BEFORE_DAY)."""

from datetime import date

from django.conf import settings

from hocvuso.indicators.selectors import Quarter

__all__ = ["Quarter", "due_date", "quarter_of"]


def due_date(quarter: Quarter) -> date:
    """The last day a report for the quarter is on time: the day before REPORTING_DUE_BEFORE_DAY (20) of the
    quarter's last month."""
    before = int(settings.REPORTING_DUE_BEFORE_DAY)
    return date(quarter.year, 3 * quarter.number, max(1, before - 1))


def quarter_of(day: date) -> Quarter:
    return Quarter.of(day)
