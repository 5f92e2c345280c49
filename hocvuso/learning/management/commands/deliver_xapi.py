"""`manage.py deliver_xapi [--batch-size N] [--max-batches N] [--now]` — send queued xAPI statements to the LRS.

For cron, or an operator after an LRS outage (`--now` skips the back-off). The same as the Celery beat task.
Exit status 0 when every due statement was delivered (or no LRS is configured), 1 when some were not.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.learning.models import OutboxStatement
from hocvuso.learning.xapi.services import deliver_outbox


class Command(BaseCommand):
    help = "Gửi các câu lệnh xAPI đang chờ tới kho dữ liệu học tập (LRS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None, help="Số câu lệnh mỗi lần gửi (XAPI_BATCH_SIZE).")
        parser.add_argument("--max-batches", type=int, default=None, help="Dừng sau số lần gửi này.")
        parser.add_argument(
            "--now", action="store_true", help="Gửi cả các câu lệnh đang chờ gửi lại (bỏ qua giãn cách)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"] or settings.XAPI_BATCH_SIZE
        report = deliver_outbox(
            batch_size=batch_size, max_batches=options["max_batches"], ignore_backoff=options["now"]
        )
        waiting = OutboxStatement.objects.undelivered().count()
        if not report.configured:
            self.stdout.write(f"Chưa cấu hình LRS (XAPI_LRS_URL); {waiting} câu lệnh đang chờ.")
            return
        self.stdout.write(f"Đã gửi {report.delivered} câu lệnh, lỗi {report.failed}; còn {waiting} câu lệnh chờ.")
        if report.failed:
            raise CommandError("; ".join([report.error] if report.error else report.errors[:5]))
