"""`manage.py load_plan [FILE]`: load a plan's data file (tasks, leads, agencies, who reports) for the province
(settings.PROVINCE_CODE, or --province); idempotent. Without FILE, the plan shipped in hocvuso/reporting/plans/."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.reporting.services import DEFAULT_PLAN_FILE, load_plan_file
from hocvuso.territory.models import AdministrativeUnit, Level


class Command(BaseCommand):
    help = "Load a plan data file (YAML): its tasks, lead and coordinating agencies and who reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT_PLAN_FILE))
        parser.add_argument("--province", default=settings.PROVINCE_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        province = AdministrativeUnit.objects.filter(code=options["province"], level=Level.PROVINCE).first()
        if province is None:
            raise CommandError(f"No province with code {options['province']} (run load_admin_units first).")
        try:
            result = load_plan_file(path=options["file"], province=province, actor=None)
        except (DomainError, OSError) as error:
            raise CommandError(str(getattr(error, "message", error))) from error
        state = "created" if result.created else "updated" if result.changed else "unchanged"
        self.stdout.write(
            f"{result.plan.code}: {state}; {result.tasks} tasks, {result.leads} leads, "
            f"{result.agencies_created} agencies registered."
        )
