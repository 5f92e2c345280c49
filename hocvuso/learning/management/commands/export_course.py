"""`manage.py export_course SLUG DIR` — write a course as a folder of Markdown + YAML (and its media)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.learning.models import Course
from hocvuso.learning.services import export_course_to_folder


class Command(BaseCommand):
    help = "Export a course to a folder that import_course reads back unchanged."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        course = Course.objects.filter(slug=options["slug"]).first()
        if course is None:
            raise CommandError(f"No course with slug {options['slug']}.")
        written = export_course_to_folder(course=course, path=options["folder"], actor=None)
        self.stdout.write(f"{course.slug}: {len(written)} files written to {options['folder']}")
