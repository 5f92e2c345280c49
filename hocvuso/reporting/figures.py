"""The indicator rows a report freezes: for each indicator of the report's place, the value, target, gap, change over
the quarter and the counts, rounded once (one decimal, half up — as the dashboards show them), status in words."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hocvuso.indicators.selectors import STATUS_LABELS, PeriodRow, Status

ONE_DECIMAL = Decimal("0.1")


def rounded(number: float | None) -> float | None:
    """One decimal, half up (72.25 → 72.3)."""
    if number is None:
        return None
    return float(Decimal(repr(number)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def status_label(status: str) -> str:
    """The status's name in the active language (the indicators' STATUS_LABELS); an unknown one as it is."""
    return str(STATUS_LABELS.get(str(status), status))


def figure_rows(row: PeriodRow) -> list[dict[str, Any]]:
    """The place's indicators as JSON rows (indicators that do not apply at its level are left out)."""
    rows = []
    for figure in row.row.figures:
        if figure.status == Status.NOT_APPLICABLE:
            continue
        info = figure.indicator
        rows.append(
            {
                "code": info.code,
                "name": info.name,
                "measure": info.measure,
                "status": str(figure.status),
                "status_label": status_label(figure.status),
                "value": rounded(figure.value),
                "target": rounded(figure.target),
                "gap": rounded(figure.gap),
                "change": rounded(row.change(figure)),
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "newly_reached": row.newly_reached(figure),
                "to_reach": figure.to_reach,
            }
        )
    return rows
