"""manage.py generate_population --province 68 --residents N --seed S [--replace]"""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.errors import DomainError
from hocvuso.demo.population.generator import generate_population


class Command(BaseCommand):
    help = "Tạo dân cư mẫu (hộ, người dân, danh tính số, tổ chức và danh sách thành viên) cho một tỉnh."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", required=True, help="Mã tỉnh, ví dụ 68 (Lâm Đồng).")
        parser.add_argument("--residents", type=int, required=True, help="Số người dân cần tạo.")
        parser.add_argument("--seed", type=int, default=68, help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu.")
        parser.add_argument("--replace", action="store_true", help="Xóa dân cư hiện có của tỉnh rồi tạo lại.")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"{done:,}/{total:,}")
                sys.stderr.flush()

        try:
            result = generate_population(
                province_code=options["province"],
                residents=options["residents"],
                seed=options["seed"],
                replace=options["replace"],
                progress=progress,
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            f"{result.residents} người dân, {result.households} hộ, {result.identities} danh tính số, "
            f"{result.memberships} thành viên tổ chức, {result.organisations} tổ chức mới "
            f"({result.seconds:.1f} giây)."
        )
