"""`manage.py import_vneid_confirmations FILE [--dry-run]` — reconcile the national platform's list of people
confirmed on VNeID (CSV or XLSX) into the registry's confirmations, as the system. Exit 1 on a bad file or rows."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hocvuso.core.errors import DomainError
from hocvuso.indicators.vneid_reconciliation import reconcile_vneid_confirmations


class Command(BaseCommand):
    help = "Reconcile the list of people confirmed on VNeID (CSV/XLSX: ID number, name, date)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="report what would be recorded; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            result = reconcile_vneid_confirmations(
                data=path.read_bytes(), file_name=path.name, actor=None, dry_run=options["dry_run"]
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        for problem in result.problems:
            self.stderr.write(f"row {problem.row}, {problem.column}: {problem.reason}")
        for problem in result.unmatched:
            self.stdout.write(f"unmatched row {problem.row} ({problem.column}): {problem.reason}")
        self.stdout.write(
            f"rows {result.rows}, matched {result.matched}, recorded {result.recorded}, "
            f"unmatched {len(result.unmatched)}, bad {len(result.problems)}{' (dry run)' if result.dry_run else ''}"
        )
        if result.problems:
            raise CommandError("the file has bad rows: nothing was recorded")
