"""`manage.py pdf_converter`: run the shared PDF converter in the foreground (for systemd, supervisord or a
container): one LibreOffice kept running, serving every web and worker process on REPORTING_PDF_SOCKET. The
process becomes the converter itself (soffice_bridge.py under REPORTING_UNO_PYTHON), so the supervisor's stop
signal reaches it and it stops its LibreOffice. See docs/OPERATIONS.md."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.reporting.documents.pdf import BRIDGE


class Command(BaseCommand):
    help = "Run the shared DOCX → PDF converter (one LibreOffice kept running) on REPORTING_PDF_SOCKET."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--socket", default="", help="Unix socket path (default: REPORTING_PDF_SOCKET)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["socket"] or settings.REPORTING_PDF_SOCKET
        if not path:
            raise CommandError("Set REPORTING_PDF_SOCKET (or --socket) to the converter's Unix socket path.")
        python = settings.REPORTING_UNO_PYTHON
        if not os.access(python, os.X_OK):
            raise CommandError(f"REPORTING_UNO_PYTHON ({python}) is not an executable Python (install python3-uno).")
        command = [
            python,
            str(BRIDGE),
            "--socket",
            path,
            "--soffice",
            settings.REPORTING_SOFFICE,
            "--timeout",
            str(float(settings.REPORTING_PDF_TIMEOUT_SECONDS)),
        ]
        self.stdout.write(f"PDF converter on {path}", ending="\n")
        self.stdout.flush()
        os.execv(python, command)  # noqa: S606 — a fixed program and arguments, no shell
