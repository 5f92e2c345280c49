"""XLSX exports of the monitoring dashboards: the same rounded numbers as the page (hocvuso/web/monitoring/
display.py), one sheet per view, Vietnamese headers. Every text cell goes through the roster import report's
`neutralise` and is typed as text, so a unit or organisation name cannot run as a formula when opened."""

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hocvuso.people.imports.report import neutralise

from .dashboards import OrganisationPage, UnitPage
from .display import Shown, day_text, indicator_name, moment_text, show

PERCENT_FORMAT = "0.0"
DATE_FORMAT = "DD/MM/YYYY"


class _Book:
    """A write-only workbook whose cells are typed: text (neutralised), whole numbers, one-decimal numbers, dates."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self.bold = Font(bold=True)

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int]) -> Any:
        sheet = self.workbook.create_sheet(title)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([self.cell(sheet, header, strong=True) for header in headers])
        return sheet

    def cell(self, sheet: Any, value: Any, *, strong: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=neutralise(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            cell.data_type = "s"  # never "f" (formula), whatever the text looks like
        elif isinstance(value, Decimal):
            cell.number_format = PERCENT_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        if strong:
            cell.font = self.bold
        return cell

    def append(self, sheet: Any, values: Iterable[Any]) -> None:
        sheet.append([self.cell(sheet, value) for value in values])

    def save(self) -> bytes:
        output = io.BytesIO()
        self.workbook.save(output)
        return output.getvalue()


def _figure_headers() -> list[str]:
    return [
        _("Tỷ lệ đạt (%)"),
        _("Mục tiêu (%)"),
        _("Còn thiếu (điểm %)"),
        _("Số người cần thêm để đạt"),
        _("Tình trạng"),
        _("Dự báo ngày đạt"),
        _("Ghi chú dự báo"),
        _("Số người đã đạt"),
        _("Tổng số người"),
        _("Số người chưa đạt"),
        _("Tốc độ (điểm %/tuần)"),
    ]


def _figure_values(shown: Shown) -> list[Any]:
    return [
        shown.value,
        shown.target,
        shown.gap,
        shown.to_reach,
        shown.status_label,
        shown.forecast,
        shown.forecast_note,
        shown.numerator,
        shown.denominator,
        shown.not_reached,
        shown.pace,
    ]


FIGURE_WIDTHS = [14, 14, 16, 18, 20, 16, 30, 16, 14, 16, 18]


def _indicator_sheet(book: _Book, cards: Sequence[Shown]) -> None:
    sheet = book.sheet(_("Chỉ tiêu"), [_("Mã chỉ tiêu"), _("Chỉ tiêu"), *_figure_headers()], [26, 48, *FIGURE_WIDTHS])
    for shown in cards:
        book.append(sheet, [shown.code, shown.name, *_figure_values(shown)])


def _trend_sheet(book: _Book, cards: Sequence[Shown]) -> None:
    days = next((tuple(cell.day for cell in shown.trend) for shown in cards if shown.trend), ())
    headers = [_("Mã chỉ tiêu"), _("Chỉ tiêu"), *(_("Tuần đến %(day)s (%%)") % {"day": day_text(day)} for day in days)]
    sheet = book.sheet(_("Xu hướng theo tuần"), headers, [26, 48, *[16] * len(days)])
    for shown in cards:
        if shown.trend:
            book.append(sheet, [shown.code, shown.name, *(cell.value for cell in shown.trend)])


def _about_sheet(book: _Book, rows: Sequence[tuple[str, Any]], freshness: Any, day: date) -> None:
    sheet = book.sheet(_("Thông tin"), [_("Mục"), _("Giá trị")], [28, 48])
    for label, value in [
        *rows,
        (_("Ngày của số liệu"), day),
        (_("Số liệu tính đến"), moment_text(freshness.as_of) or _("Chưa có số liệu tổng hợp")),
        (_("Đơn vị đang chờ cập nhật"), freshness.pending),
        (_("Xuất lúc"), moment_text(timezone.now())),
    ]:
        book.append(sheet, [label, value])


def unit_dashboard_xlsx(page: UnitPage) -> bytes:
    """The unit dashboard as XLSX: sheet "Chỉ tiêu" (the unit's figures, as the cards), "Đơn vị trực thuộc"
    (each child × each indicator of the children's table), "Xu hướng theo tuần" and "Thông tin"."""
    book = _Book()
    _indicator_sheet(book, page.cards)
    if page.child_level is not None:
        sheet = book.sheet(
            _("Đơn vị trực thuộc"),
            [_("Mã đơn vị"), _("Tên đơn vị"), _("Mã chỉ tiêu"), _("Chỉ tiêu"), *_figure_headers()],
            [14, 32, 26, 40, *FIGURE_WIDTHS],
        )
        for child in page.children:
            for info in page.choices:
                figure = child.figure(info.code)
                if figure is not None:
                    shown = show(figure)
                    book.append(
                        sheet,
                        [child.place.code, child.place.name, info.code, indicator_name(info), *_figure_values(shown)],
                    )
    _trend_sheet(book, page.cards)
    _about_sheet(book, [(_("Đơn vị"), page.place.name), (_("Mã đơn vị"), page.place.code)], page.freshness, page.day)
    return book.save()


def organisation_dashboard_xlsx(page: OrganisationPage) -> bytes:
    """An organisation's dashboard as XLSX: sheets "Chỉ tiêu", "Xu hướng theo tuần" and "Thông tin"."""
    book = _Book()
    _indicator_sheet(book, page.cards)
    _trend_sheet(book, page.cards)
    organisation = page.organisation
    _about_sheet(
        book,
        [
            (_("Cơ quan, tổ chức"), organisation.name),
            (_("Mã cơ quan, tổ chức"), organisation.code),
            (_("Loại"), str(organisation.get_kind_display())),
        ],
        page.freshness,
        page.day,
    )
    return book.save()
