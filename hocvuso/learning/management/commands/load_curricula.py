"""`manage.py load_curricula [DIR]` — load the frameworks, every course folder and the self-assessment
(default: the repository's curricula/ folder). Idempotent. Exit status 1 when a course folder was refused."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.learning.services import DEFAULT_CURRICULA, load_curricula


class Command(BaseCommand):
    help = "Load the skills frameworks, the courses and the self-assessment from a curricula folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_CURRICULA)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_curricula(path=options["folder"], actor=None)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        for framework in report.frameworks:
            self.stdout.write(f"framework {framework.framework.code}: {framework.status}")
        for course in report.courses:
            self.stdout.write(f"course {course.course.slug}: {course.status} (version {course.course.version})")
        for folder, problems in report.refused.items():
            self.stderr.write(f"course folder {folder} refused:\n{problems}")
        if report.self_assessment is not None:
            self.stdout.write(f"self-assessment {report.self_assessment.code}: loaded")
        if report.refused:
            raise CommandError(f"Refused: {', '.join(report.refused)}")
