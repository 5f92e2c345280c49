"""`manage.py import_roster FILE --kind residents|staff|students|workers --unit CODE [--organisation CODE] [--dry-run]
[--date-order dmy|mdy]`

`--date-order` is the officer's reading of dates such as 03/04/1990 when nothing in the file tells the order
(the check says so and shows both readings); it is refused when the file proves the other order.

Runs the same import as the web page, synchronously, as the system (audited with no user). Exit status 0 when
the file was imported (or, with --dry-run, is valid) or had already been imported; 1 when it was rejected or
failed, after printing the path of the XLSX error report (written next to the file, or to a temporary folder
when that is not writable).
"""

import datetime
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.people.import_models import ImportKind, ImportStatus
from hocvuso.people.imports.report import build_error_report_xlsx
from hocvuso.people.imports.services import run_roster_import, submit_roster_import
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Import a roster file (CSV or XLSX) of residents, staff, students or workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=ImportKind.values)
        parser.add_argument("--unit", required=True, help="Code of the administrative unit (e.g. 24631).")
        parser.add_argument("--organisation", help="Code of the organisation (staff, students, workers).")
        parser.add_argument("--dry-run", action="store_true", help="Check every row; write nothing.")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="Organisation rosters: the day (YYYY-MM-DD, default today) the file is the full list of; members "
            "it no longer lists leave the day before.",
        )
        parser.add_argument(
            "--date-order",
            choices=["dmy", "mdy"],
            default="",
            help="How to read dates like 03/04/1990 when the file does not tell: day first (dmy) or month first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        unit = AdministrativeUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No administrative unit with code {options['unit']}.")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.select_related("unit").filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with code {options['organisation']}.")
        try:
            job = submit_roster_import(
                user=None,
                kind=options["kind"],
                file_name=path.name,
                data=data,
                unit=unit,
                organisation=organisation,
                dry_run=options["dry_run"],
                date_order=options["date_order"],
                enqueue=False,
                as_of=options["as_of"],
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        del data
        if job.duplicate:
            self.stdout.write(f"Already imported (job {job.pk}, {job.status}): nothing to do.")
            return
        job = run_roster_import(job_id=job.pk)
        for note in job.summary.get("notes", []):
            self.stdout.write(f"Note: {note}")
        if job.status == ImportStatus.DONE and job.needs_date_order:
            examples = ", ".join(
                f"{example['value']} = {example['dmy']} (dmy) or {example['mdy']} (mdy)"
                for example in job.summary.get("date_examples", [])
            )
            self.stdout.write(
                f"Valid (dry run, nothing written): {job.rows_total} rows, but dates can be read two ways "
                f"({examples}). Run again with --date-order dmy or --date-order mdy (job {job.pk})."
            )
            return
        if job.status == ImportStatus.DONE:
            verb = "Valid (dry run, nothing written)" if job.dry_run else "Imported"
            self.stdout.write(
                f"{verb}: {job.rows_total} rows; created {job.created_count}, updated {job.updated_count}, "
                f"unchanged {job.unchanged_count}; residents created {job.residents_created}, households created "
                f"{job.households_created}, households updated {job.households_updated}; residents moved to another "
                f"village {job.residents_moved}, households left without a head {job.heads_cleared}, memberships "
                f"ended {job.memberships_ended} (job {job.pk})."
            )
            return
        report = self._write_report(path, build_error_report_xlsx(job))
        self.stderr.write(f"{job.get_status_display()}: {job.message} (job {job.pk})")
        self.stderr.write(f"Error report: {report}")
        raise SystemExit(1)

    @staticmethod
    def _write_report(path: Path, content: bytes) -> Path:
        target = path.with_name(f"{path.stem}.loi.xlsx")
        try:
            target.write_bytes(content)
        except OSError:
            handle = tempfile.NamedTemporaryFile(prefix=f"{path.stem}.loi.", suffix=".xlsx", delete=False)  # noqa: SIM115
            with handle:
                handle.write(content)
            target = Path(handle.name)
        return target
