"""Downloadable XLSX templates for each roster kind: a "Danh sách" sheet with the Vietnamese headers (ID and
phone columns formatted as Text so Excel keeps their leading zeros, a drop-down for sex) and a "Hướng dẫn"
sheet explaining every column."""

import io

from django.utils.translation import gettext as _

from ..import_models import ImportKind
from .columns import COLUMNS, TEMPLATE_HIDDEN

TEMPLATE_ROWS = 2_000  # rows pre-formatted as Text in the ID and phone columns


def template_file_name(kind: str) -> str:
    return f"mau-danh-sach-{kind}.xlsx"


def build_template_xlsx(kind: str) -> bytes:
    """The template workbook for `kind` (residents, staff, students, workers) as XLSX bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = [column for column in COLUMNS[ImportKind(kind)] if column.key not in TEMPLATE_HIDDEN]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Danh sách")
    header_font = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for position, column in enumerate(columns, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=column.header + (" *" if column.required else ""))
        cell.font = header_font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.required:
            cell.fill = required_fill
        sheet.column_dimensions[letter].width = column.width
        if column.text_format:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=position).number_format = "@"
        if column.key == "sex":
            choice = DataValidation(type="list", formula1='"Nam,Nữ"', allow_blank=True)
            choice.error = _("Chọn Nam hoặc Nữ.")
            sheet.add_data_validation(choice)
            choice.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(_("Hướng dẫn"))
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 22
    guide.append([_("Danh sách: %(kind)s") % {"kind": ImportKind(kind).label}])
    guide["A1"].font = Font(bold=True, size=13)
    for line in (
        _("Điền mỗi người một dòng ở trang “Danh sách”, giữ nguyên dòng tiêu đề. Cột có dấu * là bắt buộc."),
        _("Lưu tệp dạng Excel (.xlsx) hoặc “CSV UTF-8”. Không dùng công thức; không gộp ô."),
        _("Số định danh cá nhân: đủ 12 chữ số, cột đã định dạng Văn bản để giữ số 0 ở đầu."),
        _("Tệp được kiểm tra toàn bộ trước khi nhập: nếu có lỗi, không dòng nào được ghi và bạn nhận báo cáo lỗi."),
        _("Gửi lại danh sách đã cập nhật: người đã có (cùng số định danh) được cập nhật, không bị nhân đôi."),
    ):
        guide.append([line])
    guide.append([])
    guide.append([_("Cột"), _("Bắt buộc"), _("Cách ghi"), _("Ví dụ")])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for column in COLUMNS[ImportKind(kind)]:
        if column.key in TEMPLATE_HIDDEN:
            continue
        guide.append([column.header, _("Có") if column.required else _("Không"), str(column.help), column.example])
        guide.cell(row=guide.max_row, column=4).number_format = "@"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
