"""A report as a DOCX in the format of administrative documents (Decree 30/2020/NĐ-CP, Appendix I):

A4 portrait (the annex landscape), margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, black;
page numbers centred in the top margin from page 2; the header table — the governing body (12, upright, capitals)
and the issuing body (12, bold, capitals) with a short line under it, "Số: …/BC-…" (13) — beside the national motto
"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (12, bold) over "Độc lập - Tự do - Hạnh phúc" (13, bold, a line as long as
it), and the place and date line (14, italic; a day below 10 and the months 1 and 2 with a leading zero); the
document type "BÁO CÁO" (14, bold) and its summary (14, bold) with a short line; the body (14, justified, first
line indented 1.27 cm, 6 pt between paragraphs); "Nơi nhận:" (12, bold italic) with its list (11) beside the
signature block — authority and title (14, bold, capitals), the signer's name (14, bold).
"""

import copy
import io
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.run import Run

from ..models import Report
from .issuer import Issuer, issuer_of

FONT = "Times New Roman"
MOTTO_TOP = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]
LANDSCAPE_TEXT_WIDTH = PAGE_HEIGHT - MARGINS["left"] - MARGINS["right"]
FIGURE_WEIGHTS = (3, 12, 4, 4, 4, 4, 5, 6)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
QUARTER_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# Characters XML 1.0 cannot hold (control characters but tab and line feed): dropped from any text, so a name or a
# narrative that holds one (the services refuse them; older data may not) never breaks the document.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return NOT_XML.sub("", text)


def date_line(place: str, day: date | None, year: int) -> str:
    """ "Quảng Khê, ngày 05 tháng 02 năm 2026": a day below 10 and the months 1 and 2 with a leading zero (Appendix
    I); without a day (a draft not yet sent), blanks to fill by hand."""
    if day is None:
        return f"{place}, ngày      tháng      năm {year}"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: str, symbol: str) -> str:
    """ "Số: 05/BC-UBND" (a number below 10 with a leading zero); blank to be filled by the clerical office."""
    text = number.strip()
    if text.isdigit() and int(text) < 10:
        text = f"{int(text):02d}"
    return f"Số: {text or '      '}/BC-{symbol}"


def _font(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> Any:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    return run


def _paragraph(
    container: Any,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    after: float = 0,
    indent: bool = False,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    _font(paragraph.add_run(clean(text)), size, bold=bold, italic=italic)
    return paragraph


def _rule(container: Any, *, inset: Any) -> None:
    """A horizontal line (the paragraph's bottom border), `inset` in from each side of the cell."""
    paragraph = container.add_paragraph()
    paragraph.paragraph_format.left_indent = inset
    paragraph.paragraph_format.right_indent = inset
    paragraph.paragraph_format.space_after = Pt(6)
    _font(paragraph.add_run(""), 2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_numbers(section: Any) -> None:
    """Page numbers centred in the top margin (13), none on the first page."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _font(paragraph.add_run(), 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _setup(section: Any, *, landscape: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(10)


def _widths(table: Any, widths: Sequence[Any]) -> None:
    """Fixed column widths (the grid and every cell: Word reads the cells, LibreOffice the grid)."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def _share(total: Any, weights: Sequence[float]) -> list[Any]:
    """Column widths in proportion to the weights, filling `total`."""
    whole = sum(weights)
    return [int(total * weight / whole) for weight in weights]


def _header(document: Any, issuer: Issuer, report: Report) -> None:
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [Cm(6.3), Cm(10.2)])
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    first = left.paragraphs[0]
    if issuer.governing_body:
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(first.add_run(issuer.governing_body.upper()), 12)
        for line in issuer.name_lines:
            _paragraph(left, line.upper(), 12, bold=True)
    else:
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(first.add_run(issuer.name_lines[0].upper()), 12, bold=True)
        for line in issuer.name_lines[1:]:
            _paragraph(left, line.upper(), 12, bold=True)
    _rule(left, inset=Cm(2.1))
    motto_top = right.paragraphs[0]
    motto_top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(motto_top.add_run(MOTTO_TOP), 12, bold=True)
    _paragraph(right, MOTTO, 13, bold=True)
    _rule(right, inset=Cm(2.2))
    number, place = table.rows[1].cells
    number.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.paragraphs[0].add_run(number_line(report.document_number, issuer.symbol)), 13)
    sent = timezone.localtime(report.submitted_at).date() if report.submitted_at else None
    place.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(place.paragraphs[0].add_run(date_line(issuer.place, sent, report.year)), 14, italic=True)


def _cell_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return clean(str(value))


def _weights(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Column weights from what each column must hold: its longest cell on one line, and its heading in at most
    four lines (never narrower than the heading's longest word) — between 6 and 26 characters, plus room for
    the cell's margins."""
    weights = []
    for index, heading in enumerate(columns):
        text = str(heading)
        word = max((len(part) for part in text.split()), default=1)
        cell = max((len(_cell_text(row[index])) for row in rows if index < len(row)), default=0)
        weights.append(min(max(word, len(text) // 4, round(cell * 1.15), 6), 26) + 3)
    return weights


def _run_properties(size: float, *, bold: bool = False) -> Any:
    """A run's properties as _font writes them, to copy into many runs."""
    run = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]
    _font(run, size, bold=bold)
    return run._r.rPr


def _text_run(properties: Any, text: str) -> Any:
    """A w:r with a copy of `properties` and the text (line breaks kept)."""
    run = OxmlElement("w:r")
    run.append(copy.deepcopy(properties))
    for number, line in enumerate(text.split("\n")):
        if number:
            run.append(OxmlElement("w:br"))
        element = OxmlElement("w:t")
        element.set(qn("xml:space"), "preserve")
        element.text = line
        run.append(element)
    return run


def _cell_paragraph(value: str, size: float) -> Any:
    """A cell paragraph's properties: aligned, and its paragraph mark as small as its text (else the mark keeps
    the Normal style's 14 pt and every row of a 9-pt table is as tall as a 14-pt line)."""
    properties = OxmlElement("w:pPr")
    justification = OxmlElement("w:jc")
    justification.set(qn("w:val"), value)
    properties.append(justification)
    mark = OxmlElement("w:rPr")
    for name in ("w:sz", "w:szCs"):
        element = OxmlElement(name)
        element.set(qn("w:val"), str(round(size * 2)))
        mark.append(element)
    properties.append(mark)
    return properties


def _table(
    document: Any,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    size: float = 12,
    weights: Sequence[float] | None = None,
    width: Any = TEXT_WIDTH,
) -> Any:
    """A bordered table: bold headings repeated on every page, numbers right-aligned, texts left; column widths
    from `weights`, else from the contents (`_weights`). The heading row is built with python-docx; each data
    row is a copy of a blank row of the same widths with its runs written directly (python-docx's per-run
    setters cost a hundred times more, and the annex has a row per commune and agency)."""
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, heading in zip(table.rows[0].cells, columns, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(clean(str(heading))), size, bold=True)
    _widths(table, _share(width, weights or _weights(columns, rows)))
    heading_row = table.rows[0]._tr
    blank = copy.deepcopy(heading_row)
    heading_row.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell in blank.tc_lst:
        for paragraph in cell.p_lst:
            for child in list(paragraph):
                paragraph.remove(child)
    plain = _run_properties(size)
    left, right = _cell_paragraph("left", size), _cell_paragraph("right", size)
    for values in rows:
        row = copy.deepcopy(blank)
        for cell, value in zip(row.tc_lst, values, strict=False):
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            paragraph = cell.p_lst[0]
            paragraph.append(copy.deepcopy(right if numeric else left))
            paragraph.append(_text_run(plain, _cell_text(value)))
        table._tbl.append(row)
    return table


FIGURE_COLUMNS = (
    "TT",
    "Chỉ tiêu",
    "Kết quả (%)",
    "Mục tiêu (%)",
    "Còn thiếu (điểm %)",
    "Thay đổi trong quý (điểm %)",
    "Số đã đạt / tổng số",
    "Đánh giá",
)


def figure_table_rows(figures: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """The indicator rows as the document's table shows them."""
    rows = []
    for index, figure in enumerate(figures, start=1):
        counts = (
            f"{_cell_text(figure.get('numerator'))} / {_cell_text(figure.get('denominator'))}"
            if figure.get("denominator") is not None
            else "—"
        )
        rows.append(
            [
                index,
                figure["name"],
                figure.get("value"),
                figure.get("target"),
                figure.get("gap"),
                figure.get("change"),
                counts,
                figure.get("status_label", ""),
            ]
        )
    return rows


def _heading(document: Any, text: str) -> None:
    _paragraph(document, text, 14, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=True)


def _body(document: Any, text: str) -> None:
    for line in [line.strip() for line in text.splitlines() if line.strip()] or ["…"]:
        paragraph = _paragraph(document, line, 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=True)
        paragraph.paragraph_format.line_spacing = 1.2


def annex_reference(report: Report, issuer: Issuer) -> str:
    """The annex's reference to its report (Appendix I): "(Kèm theo Báo cáo số 05/BC-SKHCN ngày 18 tháng 12 năm
    2026 của Sở Khoa học và Công nghệ tỉnh Lâm Đồng)"; number and day blank until filled and sent."""
    sent = timezone.localtime(report.submitted_at).date() if report.submitted_at else None
    dated = date_line("", sent, report.year).removeprefix(", ")
    number = number_line(report.document_number, issuer.symbol).removeprefix("Số: ")
    return f"(Kèm theo Báo cáo số {number} {dated} của {issuer.body_name})"


def period_title(report: Report) -> str:
    return f"Kết quả triển khai phong trào “Bình dân học vụ số” quý {QUARTER_ROMAN[report.quarter]} năm {report.year}"


def build_docx(report: Report) -> bytes:
    """The report as DOCX bytes (see the module docstring for the format)."""
    issuer = issuer_of(report)
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    normal.paragraph_format.space_after, normal.paragraph_format.line_spacing = Pt(0), 1.0
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    _setup(section)
    _page_numbers(section)
    _header(document, issuer, report)
    _paragraph(document, "", 6)
    _paragraph(document, "BÁO CÁO", 14, bold=True)
    _paragraph(document, period_title(report), 14, bold=True)
    _rule(document, inset=Cm(6))
    frozen = timezone.localtime(report.frozen_at)
    _body(
        document,
        f"Thực hiện Kế hoạch triển khai phong trào “Bình dân học vụ số” trên địa bàn tỉnh, {issuer.body_name} báo cáo "
        f"kết quả quý {QUARTER_ROMAN[report.quarter]} năm {report.year} (số liệu tính đến ngày "
        f"{report.frozen_on:%d/%m/%Y}, chốt lúc {frozen:%H:%M} ngày {frozen:%d/%m/%Y}) như sau:",
    )
    number = 0
    _heading(document, f"{ROMAN[number]}. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    number += 1
    if report.figures:
        _table(document, FIGURE_COLUMNS, figure_table_rows(report.figures), weights=FIGURE_WEIGHTS)
    else:
        _body(document, "Chưa có số liệu tổng hợp đến ngày chốt.")
    annex = None
    for part in report.content.get("sections", []):
        if part["key"] == "annex":
            annex = part
            continue
        _heading(document, f"{ROMAN[number]}. {part['title'].upper()}")
        number += 1
        if part["rows"]:
            _table(document, part["columns"], part["rows"])
        if part.get("note"):
            _body(document, part["note"])
    _heading(document, f"{ROMAN[number]}. ĐÁNH GIÁ CHUNG")
    number += 1
    for index, (label, text) in enumerate(
        (
            ("Kết quả đạt được", report.results),
            ("Ưu điểm", report.strengths),
            ("Hạn chế, nguyên nhân", report.limitations),
        ),
        start=1,
    ):
        _paragraph(document, f"{index}. {label}", 14, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=True)
        _body(document, text)
    _heading(document, f"{ROMAN[number]}. ĐỀ XUẤT, KIẾN NGHỊ")
    _body(document, report.proposals)
    _signature(document, issuer, report)
    if annex is not None:
        landscape = document.add_section()
        _setup(landscape, landscape=True)
        _paragraph(document, "PHỤ LỤC", 14, bold=True)
        _paragraph(document, annex["title"].removeprefix("Phụ lục: "), 13, bold=True, after=6)
        _paragraph(
            document,
            annex_reference(report, issuer),
            13,
            italic=True,
            after=6,
        )
        _table(document, annex["columns"], annex["rows"], size=9, width=LANDSCAPE_TEXT_WIDTH)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _signature(document: Any, issuer: Issuer, report: Report) -> None:
    _paragraph(document, "", 6)
    table = document.add_table(rows=1, cols=2)
    _widths(table, [Cm(7.5), Cm(9)])
    recipients, signature = table.rows[0].cells
    heading = recipients.paragraphs[0]
    heading.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _font(heading.add_run("Nơi nhận:"), 12, bold=True, italic=True)
    for recipient in issuer.recipients:
        _paragraph(recipients, f"- {recipient};", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(recipients, "- Lưu: VT.", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = signature.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [issuer.authority, issuer.signer_title] if issuer.authority else [issuer.signer_title]
    _font(first.add_run(lines[0].upper()), 14, bold=True)
    for line in lines[1:]:
        _paragraph(signature, line.upper(), 14, bold=True)
    for _blank in range(4):
        _paragraph(signature, "", 14)
    _paragraph(signature, report.signer_name or "", 14, bold=True)
