"""The printable certificate: an A4 PDF in Vietnamese (province, learner, group, competences, date, a QR code that
opens the public verification page), rendered with fpdf2 and a TrueType font with Vietnamese glyphs embedded as a
subset (CREDENTIALS_PDF_FONT, CREDENTIALS_PDF_FONT_BOLD; Debian's fonts-liberation by default). The QR code is
drawn as vector squares. Rendered on the first download and kept (`Certificate.pdf`)."""

from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from hocvuso.core.errors import DomainError

from .documents import verification_url
from .selectors import public_verification


def render_certificate_pdf(certificate: Any) -> bytes:
    """The certificate's PDF (A4 portrait)."""
    facts = public_verification(certificate.pk)
    url = verification_url(certificate.pk)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Chứng nhận đạt phổ cập kỹ năng số — {certificate.holder_name}")
    pdf.set_author(facts.issuer)
    pdf.set_creator("Học Vụ Số")
    pdf.add_font("Serif", "", settings.CREDENTIALS_PDF_FONT)
    pdf.add_font("Serif", "B", settings.CREDENTIALS_PDF_FONT_BOLD)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(30, 60, 120)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 190, 277)
    width = 170
    pdf.set_font("Serif", "B", 13)
    pdf.cell(width, 7, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 7, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Serif", "B", 14)
    pdf.cell(width, 8, facts.issuer.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Serif", "B", 24)
    pdf.set_text_color(30, 60, 120)
    pdf.cell(width, 12, "CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 15)
    pdf.cell(width, 9, "ĐẠT PHỔ CẬP KỸ NĂNG SỐ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(8)
    pdf.set_font("Serif", "", 13)
    pdf.cell(width, 8, "Chứng nhận Ông/Bà:", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 20)
    pdf.cell(width, 12, certificate.holder_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 13)
    pdf.multi_cell(width, 7, f"Nhóm đối tượng: {facts.group_label}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(
        width, 7,
        "đã đạt phổ cập kiến thức, kỹ năng số cơ bản theo Quyết định 757/QĐ-BKHCN ngày 29/4/2025 của Bộ Khoa học "
        f"và Công nghệ, bậc năng lực {facts.level} theo Thông tư 02/2025/TT-BGDĐT, với các năng lực:",
        align="C", new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.ln(2)
    pdf.set_font("Serif", "", 11)
    for competence in facts.competences[:24]:
        pdf.set_x(35)
        pdf.multi_cell(140, 5.5, f"•  {competence}", new_x="LMARGIN", new_y="NEXT")
    issued = timezone.localtime(certificate.issued_at)
    pdf.set_y(215)
    pdf.set_font("Serif", "", 12)
    pdf.set_x(110)
    pdf.cell(80, 7, f"Ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}", align="C",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_x(110)
    pdf.set_font("Serif", "B", 12)
    pdf.multi_cell(80, 6, facts.issuer.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(110)
    pdf.set_font("Serif", "", 10)
    pdf.multi_cell(80, 5, "(ký số theo chuẩn W3C Verifiable Credentials, eddsa-rdfc-2022)", align="C",
                   new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    _draw_qr(pdf, url, x=25, y=212, size=42)
    pdf.set_font("Serif", "", 9)
    pdf.set_xy(20, 256)
    pdf.multi_cell(
        width, 4.5,
        f"Quét mã QR hoặc mở {url} để kiểm tra chứng nhận còn hiệu lực. Số chứng nhận: {certificate.pk}.",
        align="L", new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    content = bytes(pdf.output())
    missing = sorted({glyph for font in pdf.fonts.values() for glyph in getattr(font, "missing_glyphs", [])})
    if missing:  # a font without Vietnamese glyphs prints boxes: refuse rather than print a wrong name
        raise DomainError(
            _("Phông chữ của bản in thiếu %(count)s ký tự tiếng Việt; hãy cấu hình CREDENTIALS_PDF_FONT.")
            % {"count": len(missing)},
            code="font_glyphs",
        )
    return content


def _draw_qr(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    code = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=2)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for row_number, row in enumerate(rows):
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                pdf.rect(x + start * module, y + row_number * module, (column - start) * module, module, style="F")
            else:
                column += 1
