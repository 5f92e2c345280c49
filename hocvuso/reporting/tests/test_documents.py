"""The official documents: the DOCX read back with python-docx and opened by LibreOffice (Decree 30/2020/NĐ-CP,
Appendix I), the PDF rendered with pdftoppm and its text compared with the dashboard, the XLSX annex's cells."""

import io
import subprocess
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from docx.shared import Pt

from hocvuso.indicators.selectors import unit_dashboard
from hocvuso.reporting.documents import build_docx, build_xlsx, docx_to_pdf
from hocvuso.reporting.documents.docx import date_line, number_line
from hocvuso.reporting.services import draft_report, save_report_text, submit_report

from .conftest import quarter_of_today


@pytest.fixture
def report(registry, commune_assignment, commune_officer):
    report = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)
    return save_report_text(
        report=report,
        changes={"results": '=HYPERLINK("http://x")', "document_number": "5", "signer_name": "Lê Văn Cường"},
        actor=commune_officer,
    )


def test_the_date_line_pads_days_below_10_and_the_first_two_months():
    assert date_line("Quảng Khê", date(2026, 2, 5), 2026) == "Quảng Khê, ngày 05 tháng 02 năm 2026"
    assert date_line("Quảng Khê", date(2026, 12, 19), 2026) == "Quảng Khê, ngày 19 tháng 12 năm 2026"
    assert date_line("Lâm Đồng", date(2026, 3, 1), 2026) == "Lâm Đồng, ngày 01 tháng 3 năm 2026"
    assert number_line("5", "UBND") == "Số: 05/BC-UBND" and number_line("", "SNV") == "Số:       /BC-SNV"


def _mm(length):
    """A length in whole millimetres (DOCX keeps twentieths of a point)."""
    return round(length.mm)


def _texts(document):
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [paragraph.text for paragraph in cell.paragraphs]
    return texts


def _runs_with(document, text):
    return [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.text == text
    ] + [run for paragraph in document.paragraphs for run in paragraph.runs if run.text == text]


def test_the_docx_follows_the_administrative_format(report, commune_officer):
    submit_report(report=report, actor=commune_officer)
    report.refresh_from_db()
    document = Document(io.BytesIO(build_docx(report)))

    section = document.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)
    assert [
        _mm(section.top_margin),
        _mm(section.bottom_margin),
        _mm(section.left_margin),
        _mm(section.right_margin),
    ] == [
        20,
        20,
        30,
        15,
    ]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    fonts = {run.font.name for paragraph in document.paragraphs for run in paragraph.runs}
    assert fonts == {"Times New Roman"}
    texts = _texts(document)
    sent = timezone.localtime(report.submitted_at).date()
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "XÃ QUẢNG KHÊ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/BC-UBND",
        date_line("Quảng Khê", sent, report.year),
        "BÁO CÁO",
        "Nơi nhận:",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Lê Văn Cường",
    ):
        assert expected in texts, expected
    (motto_top,) = _runs_with(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert motto_top.font.size == Pt(12) and motto_top.font.bold
    (motto,) = _runs_with(document, "Độc lập - Tự do - Hạnh phúc")
    assert motto.font.size == Pt(13) and motto.font.bold
    (place,) = _runs_with(document, date_line("Quảng Khê", sent, report.year))
    assert place.font.italic and place.font.size == Pt(14)
    (recipients,) = _runs_with(document, "Nơi nhận:")
    assert recipients.font.bold and recipients.font.italic and recipients.font.size == Pt(12)
    (archive,) = _runs_with(document, "- Lưu: VT.")
    assert archive.font.size == Pt(11)
    (kind,) = _runs_with(document, "BÁO CÁO")
    assert kind.font.bold and kind.font.size == Pt(14)
    figures = document.tables[1]
    assert figures.rows[0].cells[1].text == "Chỉ tiêu"
    adults = next(row for row in figures.rows if row.cells[1].text.startswith("Người dân trong độ tuổi"))
    assert [adults.cells[index].text for index in (2, 3, 4, 5, 6)] == ["75,0", "80,0", "5,0", "50,0", "3 / 4"]


def test_libreoffice_opens_the_docx_and_the_pdf_shows_the_dashboards_figures(
    report, commune_officer, territory, tmp_path
):
    pdf = docx_to_pdf(build_docx(report))
    (tmp_path / "bao-cao.pdf").write_bytes(pdf)

    info = subprocess.run(["pdfinfo", str(tmp_path / "bao-cao.pdf")], capture_output=True, text=True, check=True)
    assert "A4" in info.stdout
    pages = int(next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "bao-cao.pdf"), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == pages >= 2
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "bao-cao.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    dashboard = unit_dashboard(user=commune_officer, unit=territory.commune).unit.figure("adults-digital-skills")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Số: 05/BC-UBND" in text
    assert (
        f"{dashboard.value:.1f}".replace(".", ",") in text
        and f"{dashboard.numerator} / {dashboard.denominator}" in text
    )


def test_the_xlsx_annex_has_every_figure_and_no_formula(report):
    book = openpyxl.load_workbook(io.BytesIO(build_xlsx(report)))

    sheet = book["Chỉ tiêu"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["adults-digital-skills"][2:8] == (75.0, 80.0, 5.0, 50.0, 3, 4)
    for worksheet in book.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_draft_report_writes_the_three_files(territory, registry, commune_assignment, tmp_path):
    call_command("draft_report", unit="24631", quarter=str(quarter_of_today()).replace("-", ""), out=str(tmp_path))

    names = sorted(path.name for path in tmp_path.iterdir())
    stem = f"bao-cao-24631-{quarter_of_today()}"
    assert names == [f"{stem}.docx", f"{stem}.pdf", f"{stem}.xlsx"]
    assert (tmp_path / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")


def test_draft_report_of_the_province_writes_the_consolidated_report_with_its_annex(
    territory, registry, plan, tmp_path
):
    call_command("draft_report", unit="68", quarter=str(quarter_of_today()), out=str(tmp_path))

    docx = next(tmp_path.glob("bao-cao-tong-hop-68-*.docx"))
    document = Document(io.BytesIO(docx.read_bytes()))
    annex = document.sections[-1]
    assert (_mm(annex.page_width), _mm(annex.page_height)) == (297, 210)
    assert "Xã Nhân Cơ" in _texts(document)
    assert "(Kèm theo Báo cáo số       /BC-SKHCN ngày      tháng      năm " in " ".join(_texts(document))
    assert "KT. GIÁM ĐỐC" in _texts(document) and any(
        text.startswith("Số:") and "/BC-SKHCN" in text for text in _texts(document)
    )


def test_every_table_run_is_times_new_roman_at_its_size_and_headings_repeat(territory, registry, plan, tmp_path):
    from hocvuso.reporting.services import draft_consolidated_report

    report = draft_consolidated_report(province=territory.province, quarter=quarter_of_today(), actor=None)
    document = Document(io.BytesIO(build_docx(report)))

    annex = document.tables[-1]
    assert annex.rows[0].cells[1].text == "Đơn vị" and "Xã Nhân Cơ" in [row.cells[1].text for row in annex.rows]
    grids = [table for table in document.tables if table.style is not None and table.style.name == "Table Grid"]
    assert grids[-1]._tbl is annex._tbl and len(grids) >= 4
    for table in grids[:-1]:  # the figures and the sections (12 pt), then the annex (9 pt)
        for row in table.rows:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    assert (run.font.name, run.font.size) == ("Times New Roman", Pt(12)), run.text
        assert "w:tblHeader" in table.rows[0]._tr.xml
    sizes = {run.font.size for row in annex.rows for cell in row.cells for run in cell.paragraphs[0].runs}
    assert sizes == {Pt(9)}
    numbers = [cell for row in annex.rows[1:] for cell in row.cells[5:] if cell.text[:1].isdigit()]
    assert numbers and all(cell.paragraphs[0].alignment == 2 for cell in numbers)  # WD_ALIGN_PARAGRAPH.RIGHT


def _words(pdf_path, page):
    """(xMin, yMin, xMax, yMax, text) of every word LibreOffice placed on the page, in points."""
    import re

    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(float(a), float(b), float(c), float(d), text) for a, b, c, d, text in re.findall(pattern, html)]


def test_libreoffice_lays_the_report_out_with_the_decrees_page_margins_and_font(
    territory, registry, plan, commune_officer, report, tmp_path
):
    from hocvuso.reporting.services import draft_consolidated_report

    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(docx_to_pdf(build_docx(report)))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    families = {line.split()[0].split("+")[-1].split("-")[0] for line in fonts.splitlines()[2:]}
    assert families <= {"LiberationSerif", "TimesNewRomanPSMT", "TimesNewRoman"}, fonts  # Times or its metric twin
    mm = 72 / 25.4
    words = _words(path, 1)
    assert words and "CỘNG" in [word[4] for word in words]
    assert min(word[0] for word in words) == pytest.approx(30 * mm, abs=1.5)  # left margin 30 mm
    assert max(word[2] for word in words) <= (210 - 15) * mm + 1  # right margin 15 mm
    assert min(word[1] for word in words) >= 20 * mm - 1  # top margin 20 mm
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(path)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    if pages > 1:
        numbered = _words(path, 2)
        assert "2" in [word[4] for word in numbered if word[1] < 20 * mm]  # the page number in the top margin

    consolidated = draft_consolidated_report(province=territory.province, quarter=quarter_of_today(), actor=None)
    whole = tmp_path / "tong-hop.pdf"
    whole.write_bytes(docx_to_pdf(build_docx(consolidated)))
    info = subprocess.run(["pdfinfo", "-l", "99", str(whole)], capture_output=True, text=True, check=True).stdout
    sizes = [
        line.split("size:")[1].split("pts")[0].split(" x ")
        for line in info.splitlines()
        if line.startswith("Page ") and "size:" in line
    ]
    sizes = [(round(float(width)), round(float(height))) for width, height in sizes]
    assert sizes[0] == (595, 842) and sizes[-1] == (842, 595)  # A4 portrait, the annex A4 landscape
    annex_page = len(sizes)
    annex_words = [word[4] for word in _words(whole, annex_page)]
    assert "PHỤ" in annex_words and "Nhân" in annex_words


def test_a_control_character_is_refused_in_the_narrative_and_dropped_from_names(
    territory, registry, commune_assignment, commune_officer
):
    from hocvuso.core.errors import DomainError

    report = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)
    with pytest.raises(DomainError) as refused:
        save_report_text(report=report, changes={"results": "Kết quả\x0b tốt", "proposals": "Đề xuất"}, actor=None)
    assert (refused.value.code, refused.value.field) == ("control_character", "results")
    report.refresh_from_db()
    assert report.results == "" and report.proposals == ""  # nothing saved
    saved = save_report_text(report=report, changes={"results": "Dòng 1\n\tDòng 2"}, actor=None)
    assert saved.results == "Dòng 1\n\tDòng 2"

    saved.content["sections"][0]["rows"][0][0] = "Tên\x01 lạ\x1f"  # older data, a name from elsewhere
    document = Document(io.BytesIO(build_docx(saved)))
    assert "Tên lạ" in _texts(document)
    assert docx_to_pdf(build_docx(saved)).startswith(b"%PDF-")


def test_the_annex_refers_to_its_report_by_number_day_and_issuer(report, commune_officer):
    from hocvuso.reporting.documents.docx import annex_reference
    from hocvuso.reporting.documents.issuer import issuer_of

    sent = submit_report(report=report, actor=commune_officer)
    day = timezone.localtime(sent.submitted_at).date()
    expected = date_line("", day, sent.year).removeprefix(", ")
    assert annex_reference(sent, issuer_of(sent)) == (
        f"(Kèm theo Báo cáo số 05/BC-UBND {expected} của Ủy ban nhân dân xã Quảng Khê)"
    )
