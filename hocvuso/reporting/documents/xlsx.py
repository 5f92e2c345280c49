"""The XLSX annex of a report: every frozen figure per unit — the report's own indicators, then one sheet per
section (the consolidated report's annex has every commune and agency). Every text cell goes through the roster
import report's `neutralise` and is typed as text, so no name or narrative can run as a formula."""

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hocvuso.people.imports.report import neutralise

from ..models import Report

FIGURE_HEADERS = (
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Kết quả (%)",
    "Mục tiêu (%)",
    "Còn thiếu (điểm %)",
    "Thay đổi trong quý (điểm %)",
    "Số đã đạt",
    "Tổng số",
    "Đạt thêm trong quý",
    "Đánh giá",
)
BOLD = Font(bold=True)


def _cell(sheet: Any, value: Any, *, strong: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, whatever it looks like
    elif isinstance(value, float):
        cell.number_format = "0.0"
    if strong:
        cell.font = BOLD
    return cell


def _sheet(book: Workbook, title: str, headers: Any, rows: Any) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append([_cell(sheet, str(header), strong=True) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def build_xlsx(report: Report) -> bytes:
    """The report's figures and sections as an XLSX workbook."""
    book = Workbook(write_only=True)
    frozen = timezone.localtime(report.frozen_at)
    _sheet(
        book,
        "Thông tin",
        ("Mục", "Giá trị"),
        [
            ("Đơn vị", report.subject_name),
            ("Kỳ báo cáo", report.period_code),
            ("Tình trạng", str(report.get_status_display())),
            ("Số liệu tính đến ngày", report.frozen_on.strftime("%d/%m/%Y")),
            ("Chốt số liệu lúc", frozen.strftime("%H:%M %d/%m/%Y")),
            ("Hạn gửi", report.due_date.strftime("%d/%m/%Y")),
            ("Trễ hạn", "Có" if report.is_late else "Không"),
        ],
    )
    _sheet(
        book,
        "Chỉ tiêu",
        FIGURE_HEADERS,
        [
            [
                figure["code"],
                figure["name"],
                figure.get("value"),
                figure.get("target"),
                figure.get("gap"),
                figure.get("change"),
                figure.get("numerator"),
                figure.get("denominator"),
                figure.get("newly_reached"),
                figure.get("status_label", ""),
            ]
            for figure in report.figures
        ],
    )
    for index, part in enumerate(report.content.get("sections", []), start=1):
        _sheet(book, f"{index}. {part['title']}".replace(":", " ").replace("/", "-"), part["columns"], part["rows"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
