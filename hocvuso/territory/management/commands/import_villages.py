from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.territory.models import AdministrativeUnit, Level
from hocvuso.territory.services import import_villages


class Command(BaseCommand):
    help = "Import the villages of one commune from a CSV file (Mã thôn, Tên thôn, Loại)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", required=True, help="the commune's national code")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        commune = AdministrativeUnit.objects.filter(code=options["commune"], level=Level.COMMUNE).first()
        if commune is None:
            raise CommandError(f"No commune with code {options['commune']}.")
        path = options["file"]
        assert isinstance(path, Path)
        try:
            report = import_villages(
                commune=commune, data=path.read_bytes(), actor=None, dry_run=bool(options["dry_run"])
            )
        except (DomainError, OSError) as error:
            raise CommandError(str(error)) from error
        for row_error in report.errors:
            self.stderr.write(f"row {row_error.row}, {row_error.column}: {row_error.message}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} bad rows; nothing imported.")
        self.stdout.write(f"rows {report.rows}, created {report.created}, unchanged {report.unchanged}")
