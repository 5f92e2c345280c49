"""The downloadable error report of a roster import (XLSX), with spreadsheet formulas neutralised."""

import io
from typing import Any

from django.utils.translation import gettext as _

from ..import_models import ImportJob

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets (OWASP
# "CSV injection"): it gets a leading apostrophe, which shows the text as it is.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """Text that cannot run as a formula when the report is opened: "=cmd…" → "'=cmd…"; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def build_error_report_xlsx(job: ImportJob) -> bytes:
    """The job's problems as an XLSX workbook (sheet "Lỗi": row, column, reason), headed by the file name,
    the status and the file-level message. Every text cell is neutralised, so nothing in it runs as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Lỗi"))
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 100
    bold = Font(bold=True)

    def text_cell(value: Any, *, strong: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=neutralise(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never "f" (formula), whatever the text looks like
        if strong:
            cell.font = bold
        return cell

    sheet.append([text_cell(_("Tệp"), strong=True), text_cell(job.file_name)])
    sheet.append([text_cell(_("Trạng thái"), strong=True), text_cell(str(job.get_status_display()))])
    sheet.append([text_cell(_("Số lỗi"), strong=True), job.problem_count])
    if job.message:
        sheet.append([text_cell(_("Thông báo"), strong=True), text_cell(job.message)])
    sheet.append([])
    sheet.append(
        [text_cell(_("Dòng"), strong=True), text_cell(_("Cột"), strong=True), text_cell(_("Lỗi"), strong=True)]
    )
    listed = 0
    for row, column, message in job.problems.order_by("id").values_list("row", "column", "message").iterator(2_000):
        sheet.append([row, text_cell(column), text_cell(message)])
        listed += 1
    if job.problem_count > listed:
        sheet.append(
            [
                None,
                None,
                text_cell(
                    _("… và %(count)s lỗi khác không liệt kê. Hãy sửa các lỗi trên rồi kiểm tra lại tệp.")
                    % {"count": job.problem_count - listed}
                ),
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
