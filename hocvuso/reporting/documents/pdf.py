"""DOCX → PDF with LibreOffice headless (Debian's libreoffice-writer-nogui; Times New Roman metrics from
fonts-liberation), through a converter that keeps one LibreOffice running (soffice_bridge.py).

Starting LibreOffice takes 1–3 s; converting a report through a running one takes 0.05–0.5 s. So:

- REPORTING_PDF_SOCKET set (production): the converter is a service of its own (`manage.py pdf_converter`, see
  docs/OPERATIONS.md) that every web and worker process shares through that Unix socket. When it cannot be
  reached, the conversion falls back to one `soffice --convert-to` for the document (slow, but the officer gets
  the PDF) and says so in the log.
- Otherwise (`make run`, the tests, the benchmarks, a management command) the process starts its own converter on
  its first PDF and keeps it: `stop_converter()` (at the process's exit, or a test session's end) stops it, and the
  converter also stops by itself when the process that started it is gone. A converter that died is started again
  once for the request; one that cannot start (no python3-uno) leaves the process on the fallback for a minute
  before it tries again.
- REPORTING_PDF_CONVERTER = "oneshot" skips the converter: one LibreOffice per document, each with its own profile.

A conversion longer than REPORTING_PDF_TIMEOUT_SECONDS is stopped (the converter kills LibreOffice and starts a new
one) and fails with a DomainError, as does a document LibreOffice cannot read. Conversions of one process are
serialised by a lock; the converter serves one request at a time, so concurrent processes queue on its socket.
"""

import atexit
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

from .soffice_bridge import EXIT_NO_UNO, HEADER, receive_exactly

logger = logging.getLogger(__name__)

BRIDGE = Path(__file__).with_name("soffice_bridge.py")
RETRY_AFTER_SECONDS = 60.0


class ConverterUnavailable(Exception):
    """The converter could not be reached, or went away before answering (the request may be tried elsewhere)."""


class ConversionFailed(Exception):
    """The converter answered that this document cannot be converted (a timeout, a document it cannot read)."""


def _failed() -> DomainError:
    return DomainError(_("Không tạo được tệp PDF."), code="pdf_failed")


def request(path: str, kind: bytes, data: bytes = b"", *, timeout: float) -> bytes:
    """One request to the converter at `path` (see soffice_bridge.py for the protocol); its payload."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    try:
        try:
            connection.connect(path)
        except OSError as error:
            raise ConverterUnavailable(f"cannot connect to {path}: {error}") from error
        try:
            connection.sendall(kind + (HEADER.pack(len(data)) + data if kind == b"C" else b""))
            status = receive_exactly(connection, 1)
            (size,) = HEADER.unpack(receive_exactly(connection, HEADER.size))
            payload = receive_exactly(connection, size)
        except (TimeoutError, OSError) as error:
            raise ConverterUnavailable(f"no answer from the converter: {error}") from error
    finally:
        connection.close()
    if status != b"0":
        raise ConversionFailed(payload.decode(errors="replace"))
    return payload


def _client_timeout() -> float:
    """How long a client waits for its answer: its own conversion's limit, plus one other request's before it
    in the converter's queue, plus a LibreOffice restart."""
    return 2 * float(settings.REPORTING_PDF_TIMEOUT_SECONDS) + 30


def _is_libreoffice(pid: int) -> bool:
    """Whether the process is still a LibreOffice (never signal a process that took its number since)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"soffice" in command or b"oosplash" in command


@dataclass
class LocalConverter:
    """A converter process this process started and owns (see the module docstring)."""

    python: str
    soffice: str
    timeout: float
    start_timeout: float = 60.0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self.office_pid: int | None = None
        self.broken_until = 0.0
        self.starts = 0

    @property
    def socket_path(self) -> str:
        assert self.folder is not None
        return str(self.folder / "pdf.sock")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def status(self) -> dict[str, Any]:
        """The converter's own account (its pid, LibreOffice's pid, conversions, restarts of LibreOffice)."""
        result: dict[str, Any] = json.loads(request(self.socket_path, b"S", timeout=10))
        return result

    def _start(self) -> None:
        self._cleanup()
        self.folder = Path(tempfile.mkdtemp(prefix="hocvuso-converter-"))  # 0700: only this user reaches the socket
        self.starts += 1
        log = self.folder / "converter.log"  # its complaints, read when it fails to start (a pipe could fill up)
        with log.open("wb") as errors:
            self.process = self._spawn(errors)
        deadline = time.monotonic() + self.start_timeout + 5
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if os.path.exists(self.socket_path):
                try:
                    self.office_pid = self.status().get("office_pid")
                    return
                except (ConverterUnavailable, ConversionFailed):
                    pass
            time.sleep(0.02)
        code = self.process.poll()
        said = log.read_bytes()[-2000:].decode(errors="replace") if log.exists() else ""
        self._cleanup()
        reason = "python3-uno missing" if code == EXIT_NO_UNO else f"exit code {code}"
        raise ConverterUnavailable(f"the PDF converter did not start ({reason}): {said}")

    def _spawn(self, errors: Any) -> "subprocess.Popen[bytes]":
        return subprocess.Popen(  # noqa: S603 — a fixed program and arguments, no shell
            [
                self.python,
                str(BRIDGE),
                "--socket",
                self.socket_path,
                "--soffice",
                self.soffice,
                "--timeout",
                str(self.timeout),
                "--start-timeout",
                str(self.start_timeout),
                "--exit-with-parent",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )

    def _cleanup(self) -> None:
        """Stop the converter (SIGTERM: it stops LibreOffice), kill what is left, remove its folder."""
        process, self.process = self.process, None
        stopped_cleanly = False
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                stopped_cleanly = process.wait(timeout=15) == 0
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        office, self.office_pid = self.office_pid, None
        if office is not None and not stopped_cleanly and _is_libreoffice(office):
            # the converter died (or was killed) before it could stop its LibreOffice: stop it here
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(office, signal.SIGKILL)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def stop(self) -> None:
        with self.lock:
            self._cleanup()

    def convert(self, data: bytes) -> bytes:
        """The PDF; ConverterUnavailable when no converter can run here, ConversionFailed for this document."""
        with self.lock:
            if time.monotonic() < self.broken_until:
                raise ConverterUnavailable("the PDF converter failed to start a moment ago")
            for attempt in (1, 2):
                try:
                    if not self.running():
                        self._start()
                    return request(self.socket_path, b"C", data, timeout=_client_timeout())
                except ConverterUnavailable:
                    self._cleanup()
                    if attempt == 2:
                        self.broken_until = time.monotonic() + RETRY_AFTER_SECONDS
                        raise
            raise ConverterUnavailable("unreachable")


_local: LocalConverter | None = None
_local_lock = threading.Lock()


def local_converter() -> LocalConverter:
    """This process's converter (made on first use, stopped at exit)."""
    global _local
    with _local_lock:
        if _local is None:
            _local = LocalConverter(
                python=settings.REPORTING_UNO_PYTHON,
                soffice=settings.REPORTING_SOFFICE,
                timeout=float(settings.REPORTING_PDF_TIMEOUT_SECONDS),
            )
            atexit.register(stop_converter)
        return _local


def _forget_after_fork() -> None:
    """A forked child (a Celery prefork worker, a test) starts a converter of its own: the parent's stays the
    parent's, never stopped or used by the child."""
    global _local, _local_lock
    _local, _local_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def stop_converter() -> None:
    """Stop this process's converter if it started one (at exit; a test session's end)."""
    global _local
    with _local_lock:
        converter, _local = _local, None
    if converter is not None:
        converter.stop()


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF of a DOCX document (see the module docstring). Raises DomainError when LibreOffice is missing,
    cannot read the document or takes longer than REPORTING_PDF_TIMEOUT_SECONDS."""
    if settings.REPORTING_PDF_CONVERTER != "oneshot":
        try:
            if settings.REPORTING_PDF_SOCKET:
                return request(settings.REPORTING_PDF_SOCKET, b"C", data, timeout=_client_timeout())
            return local_converter().convert(data)
        except ConversionFailed as error:
            logger.warning("PDF conversion failed: %s", error)
            raise _failed() from error
        except ConverterUnavailable as error:
            logger.warning("PDF converter unavailable, converting with one soffice for this document: %s", error)
    return convert_once(data)


def convert_once(data: bytes) -> bytes:
    """The PDF from a LibreOffice started for this document alone (its own profile folder, so such conversions
    can run at the same time)."""
    with tempfile.TemporaryDirectory(prefix="hocvuso-pdf-") as folder:
        work = Path(folder)
        source = work / "bao-cao.docx"
        source.write_bytes(data)
        command = [
            settings.REPORTING_SOFFICE,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--infilter=MS Word 2007 XML",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            process = subprocess.Popen(  # noqa: S603 — a fixed program and arguments, no shell
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: a timeout kills oosplash and soffice.bin
            )
        except FileNotFoundError as error:
            raise DomainError(_("Máy chủ chưa cài LibreOffice để tạo tệp PDF."), code="pdf_unavailable") from error
        try:
            code = process.wait(timeout=float(settings.REPORTING_PDF_TIMEOUT_SECONDS))
        except subprocess.TimeoutExpired as error:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise _failed() from error
        if code != 0:
            raise _failed()
        result = work / "bao-cao.pdf"
        if not result.exists():
            raise _failed()
        return result.read_bytes()


__all__ = ["LocalConverter", "convert_once", "docx_to_pdf", "local_converter", "request", "stop_converter"]
