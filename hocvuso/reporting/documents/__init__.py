"""A report's official documents: DOCX (Decree 30/2020/NĐ-CP format), PDF (LibreOffice) and the XLSX annex."""

from dataclasses import dataclass

from ..models import Report
from .docx import build_docx
from .pdf import docx_to_pdf
from .xlsx import build_xlsx


@dataclass(frozen=True)
class Documents:
    docx: bytes
    pdf: bytes
    xlsx: bytes


def build_documents(report: Report) -> Documents:
    """The three files of a report."""
    docx = build_docx(report)
    return Documents(docx=docx, pdf=docx_to_pdf(docx), xlsx=build_xlsx(report))


def file_stem(report: Report) -> str:
    """ "bao-cao-24631-2026-Q4" (the unit's or agency's code and the period)."""
    code = (
        report.unit.code if report.unit_id and report.unit else report.organisation.code if report.organisation else ""
    )
    kind = "bao-cao-tong-hop" if report.kind == "consolidated" else "bao-cao"
    return f"{kind}-{code}-{report.period_code}"


__all__ = ["Documents", "build_documents", "build_docx", "build_xlsx", "docx_to_pdf", "file_stem"]
