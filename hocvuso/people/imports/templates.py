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


def check_rules(kind: str) -> list[str]:
    """Every rule the checker applies to a file of this kind, as the guide sheet explains them."""
    rules = [
        _(
            "Số định danh cá nhân: đúng 12 chữ số. Chữ số 1–3 là mã tỉnh nơi đăng ký khai sinh (001–096); chữ số 4 "
            "chỉ thế kỷ sinh và giới tính (0 = nam, 1 = nữ sinh 1900–1999; 2 = nam, 3 = nữ sinh 2000–2099); chữ "
            "số 5–6 là hai số cuối của năm sinh. Các chữ số này phải khớp với ngày sinh và giới tính của dòng."
        ),
        _(
            "Nếu Excel đã lưu số định danh dạng Số và xóa số 0 ở đầu (còn 10 hoặc 11 chữ số), hệ thống thêm lại "
            "số 0, đối chiếu như trên và báo trong phần tóm tắt; còn ít hơn thì phải nhập lại. Mỗi số chỉ xuất "
            "hiện một lần trong tệp."
        ),
        _(
            "Họ và tên: chữ cái có dấu, khoảng trắng, dấu nháy (K'Brơi, H'Hen) hoặc gạch nối; không chữ số, không "
            "ngoặc (tên gọi khác không ghi vào đây); tối đa 150 ký tự. Có thể tách thành cột “Họ” (hoặc “Họ và "
            "tên đệm”), “Tên đệm”, “Tên”: các cột được ghép lại; riêng một cột “Tên” không được coi là họ và tên."
        ),
        _(
            "Ngày sinh: ngày/tháng/năm (05/09/1990) hoặc ô kiểu Ngày của Excel; không ở tương lai, tuổi không quá "
            "120. Nếu chỉ biết năm sinh, ghi năm (1950 hoặc 00/00/1950): người đó được ghi “năm 1950”."
        ),
        _(
            "Thứ tự ngày tháng được xác định cho cả tệp: nếu có ngày chỉ đọc được theo một cách (như 25/09/1990) "
            "thì cả tệp theo cách đó; nếu mọi ngày đều đọc được hai cách (như 03/04/1990), bạn sẽ được hỏi chọn."
        ),
        _("Giới tính: Nam hoặc Nữ. Dân tộc: một trong 54 dân tộc, có hoặc không dấu."),
        _("Số điện thoại (không bắt buộc): số di động 10 chữ số bắt đầu bằng 03, 05, 07, 08, 09 (có thể ghi +84)."),
    ]
    if kind == ImportKind.RESIDENTS:
        rules.append(
            _(
                "Thôn: ghi mã thôn hoặc tên thôn đúng danh mục của xã. Mã hộ: chữ, số, dấu chấm, gạch; các thành "
                "viên một hộ ghi cùng mã, cùng thôn; mỗi hộ một người “Chủ hộ”."
            )
        )
    else:
        rules.append(
            _(
                "Người chưa có trong sổ dân cư cần thêm dân tộc và thôn nơi cư trú; người đã có được nhận theo số "
                "định danh."
            )
        )
    rules += [
        _(
            "Tệp có thể có dòng tiêu đề phụ phía trên, tiêu đề hai tầng, dòng đánh số cột, dòng tổng cộng và phần "
            "chữ ký phía dưới: các phần đó được bỏ qua và báo lại. Mọi trang tính có dòng tiêu đề danh sách đều "
            "được đọc."
        ),
        _(
            "Tệp CSV nên lưu dạng “CSV UTF-8”; tệp bảng mã cũ (TCVN3/ABC, VNI, Windows-1258) được chuyển sang "
            "Unicode và báo lại."
        ),
    ]
    return [str(rule) for rule in rules]


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
    guide.append([_("Các quy tắc kiểm tra")])
    guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    for line in check_rules(kind):
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
