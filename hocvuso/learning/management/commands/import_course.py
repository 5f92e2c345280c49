"""`manage.py import_course DIR [DIR …]` — import course folders (Markdown + YAML); idempotent.

Exit status 1, after printing every problem (file, line or field), when a folder cannot be imported.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.learning.services import import_course_from_folder


class Command(BaseCommand):
    help = "Import one or more course folders (course.yaml, lessons/*.md, questions.yaml)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folders", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for folder in options["folders"]:
            try:
                result = import_course_from_folder(path=folder, actor=None)
            except DomainError as error:
                self.stderr.write(f"{folder}:\n{error.message}")
                failed.append(str(folder))
                continue
            course = result.course
            self.stdout.write(f"{course.slug}: {result.status} (version {course.version})")
        if failed:
            raise CommandError(f"Not imported: {', '.join(failed)}")
