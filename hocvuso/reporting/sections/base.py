"""The shape of a report section and what its builder may read (see the package docstring)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hocvuso.indicators.selectors import PeriodFigures
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit

Cell = str | int | float | None


@dataclass(frozen=True)
class Section:
    """A titled table of a report: `key` (stable), Vietnamese `title`, column headers, rows, a note."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "columns": list(self.columns),
            "rows": [list(row) for row in self.rows],
            "note": self.note,
        }


@dataclass(frozen=True)
class SectionContext:
    """What a section builder may read: the report's subject (a unit or an organisation; the province when
    `consolidated`), the period, the day the figures are frozen on and the figures already read."""

    quarter: Any
    period_start: date
    frozen_on: date
    unit: AdministrativeUnit | None
    organisation: Organisation | None
    consolidated: bool
    figures: PeriodFigures
    extra: dict[str, Any] = field(default_factory=dict)


SectionBuilder = Callable[[SectionContext], Section | None]
