"""manage.py rebuild_indicators [--day YYYY-MM-DD]"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hocvuso.indicators.services import rebuild_facts


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu chỉ tiêu (mọi thôn, xã, tỉnh và tổ chức) cho hôm nay hoặc một ngày."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--day", type=date.fromisoformat, default=None, help="Ngày của số liệu (mặc định: hôm nay)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = rebuild_facts(on=options["day"])
        self.stdout.write(
            f"{result.day}: {result.villages} thôn, {result.organisations} tổ chức ({result.seconds:.1f} giây)."
        )
