"""`manage.py sweep_stalled_imports`: mark failed the roster-import jobs that stopped moving (their worker died).

Celery beat runs the same every five minutes where Redis is configured, and each web process runs it in a thread
without Redis (config/embedded.py); this command is for cron or by hand. Prints how many jobs were marked.
"""

from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.people.imports.services import expire_stalled_imports


class Command(BaseCommand):
    help = "Mark failed the roster-import jobs that have made no progress for 30 minutes."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_stalled_imports()
        self.stdout.write(f"Stalled imports marked failed: {count}.")
