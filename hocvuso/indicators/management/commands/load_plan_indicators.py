"""manage.py load_plan_indicators — apply hocvuso/indicators/data/plan_indicators.yaml (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.indicators.services import load_plan_indicators


class Command(BaseCommand):
    help = "Nạp các chỉ tiêu của kế hoạch từ tệp dữ liệu (chạy lại nhiều lần không tạo trùng)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_plan_indicators()
        self.stdout.write(
            f"Chỉ tiêu: {result.created} mới, {result.changed} cập nhật; "
            f"mục tiêu mới: {result.targets}; trọng số mới: {result.weights}."
        )
