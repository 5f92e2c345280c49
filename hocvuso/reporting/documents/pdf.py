"""DOCX → PDF with LibreOffice headless (`soffice`, Debian's libreoffice-writer-nogui; Times New Roman metrics
from fonts-liberation). Each conversion uses its own LibreOffice profile folder, so conversions can run at the same
time (in workers, in tests) without waiting on one another's lock."""

import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF of a DOCX document. Raises DomainError when LibreOffice is missing, fails or takes longer than
    REPORTING_PDF_TIMEOUT_SECONDS."""
    with tempfile.TemporaryDirectory(prefix="hocvuso-pdf-") as folder:
        work = Path(folder)
        source = work / "bao-cao.docx"
        source.write_bytes(data)
        command = [
            settings.REPORTING_SOFFICE,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 — a fixed program and arguments, no shell
                command, check=True, capture_output=True, timeout=settings.REPORTING_PDF_TIMEOUT_SECONDS
            )
        except FileNotFoundError as error:
            raise DomainError(_("Máy chủ chưa cài LibreOffice để tạo tệp PDF."), code="pdf_unavailable") from error
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise DomainError(_("Không tạo được tệp PDF."), code="pdf_failed") from error
        result = work / "bao-cao.pdf"
        if not result.exists():
            raise DomainError(_("Không tạo được tệp PDF."), code="pdf_failed")
        return result.read_bytes()
