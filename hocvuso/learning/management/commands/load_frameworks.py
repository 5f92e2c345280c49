"""`manage.py load_frameworks [DIR]` — load the skills frameworks (default: curricula/frameworks)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.learning.services import load_frameworks


class Command(BaseCommand):
    help = "Load the skills frameworks (Thông tư 02/2025/TT-BGDĐT, Quyết định 757/QĐ-BKHCN) from YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder", nargs="?", type=Path, default=Path(settings.BASE_DIR) / "curricula" / "frameworks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = load_frameworks(path=options["folder"], actor=None)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        for result in results:
            self.stdout.write(f"framework {result.framework.code}: {result.status}")
