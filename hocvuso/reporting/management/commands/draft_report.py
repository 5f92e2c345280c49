"""`manage.py draft_report --unit CODE --quarter 2026Q4 --out DIR`: write the DOCX, PDF and XLSX of a unit's report
for the quarter — a commune (its code), an agency (its organisation code) or, for the province's code, the
consolidated report — drafting it first (as the system, figures frozen today or on the quarter's last day) when it
does not exist yet."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.people.models import Organisation
from hocvuso.reporting.documents import build_documents, file_stem
from hocvuso.reporting.models import ReportingAssignment
from hocvuso.reporting.periods import Quarter, due_date
from hocvuso.reporting.services import draft_consolidated_report, draft_report
from hocvuso.territory.models import AdministrativeUnit, Level


class Command(BaseCommand):
    help = "Write the DOCX, PDF and XLSX of a unit's (or the province's consolidated) quarterly report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="commune code, agency code, or the province code")
        parser.add_argument("--quarter", required=True, help="e.g. 2026Q4")
        parser.add_argument("--out", required=True, help="folder to write the files to")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            quarter = Quarter.parse(options["quarter"])
            report = self._report(options["unit"], quarter)
            documents = build_documents(report)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        folder = Path(options["out"])
        folder.mkdir(parents=True, exist_ok=True)
        stem = file_stem(report)
        for extension, data in (("docx", documents.docx), ("pdf", documents.pdf), ("xlsx", documents.xlsx)):
            (folder / f"{stem}.{extension}").write_bytes(data)
            self.stdout.write(str(folder / f"{stem}.{extension}"))
        self.stdout.write(f"{report} ({report.get_status_display()}) in {time.perf_counter() - started:.2f} s")

    def _report(self, code: str, quarter: Quarter) -> Any:
        unit = AdministrativeUnit.objects.filter(code=code).first()
        if unit is not None and unit.level == Level.PROVINCE:
            return draft_consolidated_report(province=unit, quarter=quarter, actor=None)
        organisation = Organisation.objects.filter(code=code).first() if unit is None else None
        if unit is None and organisation is None:
            raise CommandError(f"No unit or agency with code {code}.")
        assignments = ReportingAssignment.objects.in_force(due_date(quarter)).select_related(
            "unit", "organisation", "organisation__unit"
        )
        assignment = (
            assignments.filter(unit=unit).first() if unit else assignments.filter(organisation=organisation).first()
        )
        if assignment is None:
            raise CommandError(f"{code} does not report for {quarter} (no reporting assignment; run load_plan).")
        return draft_report(assignment=assignment, quarter=quarter, actor=None)
