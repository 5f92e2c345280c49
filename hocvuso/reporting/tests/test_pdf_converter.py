"""The PDF converter that keeps one LibreOffice running (documents/soffice_bridge.py, documents/pdf.py): reuse,
LibreOffice's crash, the converter's own death, the time limit, documents it cannot read, concurrent callers, the
shared service and the fallback to one LibreOffice per document. Real LibreOffice everywhere."""

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from hocvuso.core.errors import DomainError
from hocvuso.reporting.documents import pdf
from hocvuso.reporting.documents.pdf import ConversionFailed, LocalConverter, docx_to_pdf, request

UNO_PYTHON = "/usr/bin/python3"
pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and os.path.exists(UNO_PYTHON) and shutil.which("pdftotext")),
    reason="LibreOffice, the system Python (python3-uno) and poppler-utils are needed",
)


def docx(text: str, rows: int = 0) -> bytes:
    document = Document()
    document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=rows, cols=8)
        for row in table.rows:
            for index, cell in enumerate(row.cells):
                cell.text = f"Ô {index} của {text}"
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def alive(pid: int | None) -> bool:
    """A process that exists and is not a zombie."""
    if pid is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def gone(pid: int | None, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def converter():
    converter = LocalConverter(python=UNO_PYTHON, soffice="soffice", timeout=60)
    yield converter
    converter.stop()


@pytest.fixture
def short_folder():
    """A short folder for Unix sockets (their paths are limited to 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="hvs-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_one_libreoffice_serves_every_conversion_and_stops_with_the_converter(converter):
    first = converter.convert(docx("Báo cáo thứ nhất"))
    folder = converter.folder
    status = converter.status()
    second = converter.convert(docx("Báo cáo thứ hai", rows=40))

    assert "Báo cáo thứ nhất" in pdf_text(first) and "Báo cáo thứ hai" in pdf_text(second)
    again = converter.status()
    assert (again["pid"], again["office_pid"]) == (status["pid"], status["office_pid"]) and alive(again["office_pid"])
    assert again["conversions"] == 2 and again["restarts"] == 0 and converter.starts == 1
    assert oct(os.stat(converter.socket_path).st_mode & 0o777) == "0o600"

    converter.stop()
    assert gone(status["pid"]) and gone(status["office_pid"]) and folder is not None and not folder.exists()


def test_a_crashed_libreoffice_is_started_again_for_the_next_document(converter):
    converter.convert(docx("Trước sự cố"))
    before = converter.status()["office_pid"]
    os.killpg(before, signal.SIGKILL)
    assert gone(before)

    assert "Sau sự cố" in pdf_text(converter.convert(docx("Sau sự cố")))
    after = converter.status()
    assert after["office_pid"] != before and alive(after["office_pid"]) and after["restarts"] == 1
    assert converter.starts == 1  # the same converter process


def test_a_killed_converter_is_started_again_and_its_libreoffice_does_not_linger(converter):
    converter.convert(docx("Trước"))
    status = converter.status()
    os.kill(status["pid"], signal.SIGKILL)
    assert gone(status["pid"])

    assert "Sau" in pdf_text(converter.convert(docx("Sau")))
    assert converter.starts == 2 and converter.status()["pid"] != status["pid"]
    assert gone(status["office_pid"])


def test_a_conversion_past_the_time_limit_fails_and_libreoffice_is_replaced():
    converter = LocalConverter(python=UNO_PYTHON, soffice="soffice", timeout=0.05)
    try:
        with pytest.raises(ConversionFailed, match="longer than"):
            converter.convert(docx("Rất dài", rows=600))
        status = converter.status()
        assert converter.running() and status["office_pid"] is None  # stopped; a new one starts on demand
    finally:
        converter.stop()


def test_a_document_libreoffice_cannot_read_is_refused_and_the_converter_goes_on(converter, settings):
    for hostile in (b"not a document at all", b"PK\x03\x04 a broken zip", docx("x")[:200]):
        with pytest.raises(ConversionFailed, match=r"could not open|failed"):
            converter.convert(hostile)
    assert "Vẫn chạy" in pdf_text(converter.convert(docx("Vẫn chạy")))
    assert converter.starts == 1


def test_the_application_entry_point_turns_a_refused_document_into_a_clear_error(settings):
    settings.REPORTING_UNO_PYTHON = UNO_PYTHON
    pdf.stop_converter()
    try:
        with pytest.raises(DomainError) as raised:
            docx_to_pdf(b"<html>not a docx</html>")
        assert raised.value.code == "pdf_failed"
        assert "Thử lại" in pdf_text(docx_to_pdf(docx("Thử lại")))
        assert pdf.local_converter().running()
    finally:
        pdf.stop_converter()


def test_concurrent_callers_each_get_their_own_document(converter):
    results: dict[int, bytes] = {}

    def convert(index: int) -> None:
        results[index] = converter.convert(docx(f"Đơn vị số {index}", rows=10))

    threads = [threading.Thread(target=convert, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [0, 1, 2, 3]
    for index, data in results.items():
        assert f"Đơn vị số {index}" in pdf_text(data)
    assert converter.starts == 1 and converter.status()["conversions"] == 4


def test_without_python3_uno_the_pdf_still_comes_from_one_libreoffice_per_document(settings):
    settings.REPORTING_UNO_PYTHON = sys.executable  # the application's Python: no `uno` module
    pdf.stop_converter()
    try:
        assert "Dự phòng" in pdf_text(docx_to_pdf(docx("Dự phòng")))
        converter = pdf.local_converter()
        assert not converter.running() and converter.broken_until > time.monotonic()
    finally:
        pdf.stop_converter()


def test_the_shared_service_serves_the_application_and_a_missing_one_falls_back(settings, short_folder):
    path = str(short_folder / "pdf.sock")
    service = subprocess.Popen(  # as `manage.py pdf_converter` runs it
        [UNO_PYTHON, str(pdf.BRIDGE), "--socket", path, "--soffice", "soffice", "--timeout", "60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(path) and time.monotonic() < deadline and service.poll() is None:
            time.sleep(0.05)
        settings.REPORTING_PDF_SOCKET = path
        assert "Dịch vụ chung" in pdf_text(docx_to_pdf(docx("Dịch vụ chung")))
        assert '"conversions": 1' in request(path, b"S", timeout=10).decode()
        assert pdf._local is None  # the process started no converter of its own

        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=30) == 0 and not os.path.exists(path)
        assert "Dịch vụ vắng" in pdf_text(docx_to_pdf(docx("Dịch vụ vắng")))  # one soffice for this document
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()


def test_the_pdf_converter_command_needs_a_socket(settings):
    settings.REPORTING_PDF_SOCKET = ""
    with pytest.raises(CommandError, match="REPORTING_PDF_SOCKET"):
        call_command("pdf_converter")


def test_the_oneshot_setting_skips_the_converter(settings):
    settings.REPORTING_PDF_CONVERTER = "oneshot"
    pdf.stop_converter()
    assert "Mỗi lần một" in pdf_text(docx_to_pdf(docx("Mỗi lần một")))
    assert pdf._local is None


def test_a_forked_child_starts_its_own_converter_and_leaves_the_parents_alone(settings):
    settings.REPORTING_UNO_PYTHON = UNO_PYTHON
    pdf.stop_converter()
    try:
        docx_to_pdf(docx("Tiến trình cha"))
        before = pdf.local_converter().status()
        child = os.fork()
        if child == 0:  # pragma: no cover — runs in the child, which reports through its exit code
            code = 3
            try:
                converted = "Tiến trình con" in pdf_text(docx_to_pdf(docx("Tiến trình con")))
                own = pdf.local_converter().status()["pid"] != before["pid"]
                pdf.stop_converter()
                code = 0 if converted and own else 2
            finally:
                os._exit(code)
        _pid, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert pdf.local_converter().status() == before  # untouched: same process, same LibreOffice, no conversion
        assert "Lần hai" in pdf_text(docx_to_pdf(docx("Lần hai")))
    finally:
        pdf.stop_converter()
