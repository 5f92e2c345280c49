"""Reporting rows for tests of other apps (access, the URL and API walks): a report made directly, without the
facts and sections `draft_report` freezes."""

from datetime import date
from typing import Any

from django.utils import timezone

from hocvuso.reporting.models import Report, ReportingAssignment


def make_report(*, unit: Any = None, organisation: Any = None, kind: str = "unit") -> Report:
    """A report of 2026 Q1 about the unit or the organisation; a unit's report (kind "unit") with its reporting
    assignment, the province's consolidated report without one."""
    assignment = None
    if kind == "unit":
        assignment = ReportingAssignment.objects.create(
            unit=unit, organisation=organisation, valid_from=date(2026, 1, 1)
        )
    return Report.objects.create(
        kind=kind,
        assignment=assignment,
        unit=unit,
        organisation=organisation,
        year=2026,
        quarter=1,
        due_date=date(2026, 3, 19),
        frozen_on=date(2026, 3, 1),
        frozen_at=timezone.now(),
    )
