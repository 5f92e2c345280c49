"""The PDF converter process: one LibreOffice started once and kept, converting DOCX to PDF on request.

Starting LibreOffice costs seconds; a conversion through a running one costs a fraction of a second. This program
runs under the system's Python, the one with LibreOffice's `uno` module (Debian's python3-uno) — NOT the
application's interpreter, and it imports nothing of the application:

    /usr/bin/python3 soffice_bridge.py --socket /run/hocvuso/pdf.sock [--soffice soffice] [--timeout 120]
                                       [--exit-with-parent]

It starts `soffice --headless` on a private profile, listening on a private UNO pipe, then serves requests on the
Unix socket (created 0600: only the same user may ask) one at a time — LibreOffice converts one document at a time
anyway, and the socket's backlog queues the rest. Each conversion is watched: past `--timeout` seconds LibreOffice
is killed and the request answered with an error; when LibreOffice dies (a crash, or that kill) it is started again
on a fresh profile, and a request that met a crash is retried once. SIGTERM or SIGINT stops LibreOffice and
removes the socket; with `--exit-with-parent` the converter also stops when the process that started it is gone.

Protocol (binary, one request per connection): the client sends a kind byte, b"C" (convert) then the DOCX as an
8-byte big-endian length and the bytes, or b"S" (status); the converter answers a status byte (b"0" success, b"1"
failure) then an 8-byte length and the payload: the PDF, a status line in JSON, or the failure in words.

The application's side is pdf.py (start, reuse, restart, fall back to one `soffice --convert-to` per document).
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

EXIT_NO_UNO = 3  # the interpreter has no `uno` module: the application falls back to one soffice per document
EXIT_NO_OFFICE = 4  # LibreOffice did not start
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
HEADER = struct.Struct(">Q")

try:
    import uno  # type: ignore[import-not-found,unused-ignore]
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover — checked by the application's fallback test
    uno = None
    PropertyValue = None


class ConversionError(Exception):
    """A request that failed (the words go back to the client)."""


def _property(name: str, value: Any) -> Any:
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


class Office:
    """One LibreOffice process and the UNO connection to it."""

    def __init__(self, soffice: str, start_timeout: float) -> None:
        self.soffice = soffice
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.profile: Path | None = None
        self.desktop: Any = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and self.desktop is not None

    def start(self) -> None:
        self.stop()
        self.profile = Path(tempfile.mkdtemp(prefix="hocvuso-office-"))
        pipe = f"hocvuso-pdf-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.process = subprocess.Popen(  # noqa: S603 — a fixed program and arguments, no shell
            [
                self.soffice,
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--invisible",
                "--nologo",
                "--nodefault",
                "--norestore",
                "--nolockcheck",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a kill takes oosplash and soffice.bin together
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception as error:  # NoConnectException until LibreOffice listens
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise ConversionError(f"LibreOffice did not start: {error}") from error
                time.sleep(0.05)
        self.desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Ask LibreOffice to quit, kill it when it does not within 5 s, remove its profile."""
        if self.process is not None:
            if self.process.poll() is None and self.desktop is not None:
                with contextlib.suppress(Exception):
                    self.desktop.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=5)
            self.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        self.process, self.desktop = None, None
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def convert(self, source: Path, target: Path) -> None:
        """DOCX file → PDF file (raises on any failure; the caller decides whether LibreOffice is still usable)."""
        document = self.desktop.loadComponentFromURL(
            source.as_uri(),
            "_blank",
            0,
            (
                _property("Hidden", True),
                _property("ReadOnly", True),
                _property("FilterName", "MS Word 2007 XML"),  # a DOCX or nothing: never guessed as text
            ),
        )
        if document is None:
            raise ConversionError("LibreOffice could not open the document as DOCX")
        try:
            document.storeToURL(target.as_uri(), (_property("FilterName", "writer_pdf_Export"),))
        finally:
            with contextlib.suppress(Exception):
                document.close(True)


class Bridge:
    def __init__(self, office: Office, timeout: float) -> None:
        self.office = office
        self.timeout = timeout
        self.conversions = 0
        self.restarts = 0

    def _ensure_office(self) -> None:
        if not self.office.alive():
            if self.office.process is not None:
                self.restarts += 1
            self.office.start()

    def _attempt(self, data: bytes) -> bytes:
        self._ensure_office()
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            self.office.kill()

        with tempfile.TemporaryDirectory(prefix="hocvuso-pdf-") as folder:
            source, target = Path(folder) / "document.docx", Path(folder) / "document.pdf"
            source.write_bytes(data)
            watchdog = threading.Timer(self.timeout, expire)
            watchdog.start()
            try:
                self.office.convert(source, target)
            except Exception as error:
                if timed_out.is_set():
                    raise TimeoutError(f"the conversion took longer than {self.timeout:g} s") from error
                raise
            finally:
                watchdog.cancel()
            if timed_out.is_set():
                raise TimeoutError(f"the conversion took longer than {self.timeout:g} s")
            if not target.exists():
                raise ConversionError("LibreOffice wrote no PDF")
            return target.read_bytes()

    def convert(self, data: bytes) -> bytes:
        """The PDF, or ConversionError. A crash of LibreOffice (it died under the request) is retried once on a
        new LibreOffice; a timeout or a document LibreOffice refuses is not."""
        for attempt in (1, 2):
            try:
                pdf = self._attempt(data)
                self.conversions += 1
                return pdf
            except TimeoutError as error:
                self.office.stop()
                raise ConversionError(str(error)) from error
            except ConversionError:
                if self.office.alive():
                    raise
                if attempt == 2:
                    raise
            except Exception as error:
                if self.office.process is not None and self.office.process.poll() is None:
                    raise ConversionError(f"LibreOffice failed: {type(error).__name__}: {error}") from error
                if attempt == 2:
                    raise ConversionError(f"LibreOffice crashed: {type(error).__name__}") from error
            self.office.stop()  # it died under the request: once more on a fresh LibreOffice
        raise ConversionError("unreachable")

    def status(self) -> dict[str, Any]:
        process = self.office.process
        return {
            "pid": os.getpid(),
            "office_pid": process.pid if process is not None and process.poll() is None else None,
            "conversions": self.conversions,
            "restarts": self.restarts,
        }


def receive_exactly(connection: socket.socket, size: int) -> bytes:
    """`size` bytes from the connection (both ends of the protocol read with it); ConnectionError when the other
    side closes it first."""
    chunks, left = [], size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _answer(connection: socket.socket, ok: bool, payload: bytes) -> None:
    connection.sendall((b"0" if ok else b"1") + HEADER.pack(len(payload)) + payload)


def serve_one(bridge: Bridge, connection: socket.socket) -> None:
    connection.settimeout(60)
    kind = receive_exactly(connection, 1)
    if kind == b"S":
        _answer(connection, True, json.dumps(bridge.status()).encode())
        return
    if kind != b"C":
        _answer(connection, False, b"unknown request")
        return
    (size,) = HEADER.unpack(receive_exactly(connection, HEADER.size))
    if size > MAX_DOCUMENT_BYTES:
        _answer(connection, False, b"document too large")
        return
    data = receive_exactly(connection, size)
    try:
        pdf = bridge.convert(data)
    except ConversionError as error:
        _answer(connection, False, str(error).encode())
        return
    _answer(connection, True, pdf)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--socket", required=True, help="path of the Unix socket to serve on")
    parser.add_argument("--soffice", default="soffice", help="the LibreOffice program")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one conversion may take")
    parser.add_argument("--start-timeout", type=float, default=60.0, help="seconds LibreOffice may take to start")
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the starting process is gone")
    args = parser.parse_args(argv)
    if uno is None:
        print("soffice_bridge: this Python has no `uno` module (install python3-uno)", file=sys.stderr)
        return EXIT_NO_UNO
    parent = os.getppid()
    stopping = threading.Event()

    def stop(_signal: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    office = Office(args.soffice, args.start_timeout)
    bridge = Bridge(office, args.timeout)
    try:
        office.start()  # before the socket exists: a client that can connect is served at once
    except ConversionError as error:
        print(f"soffice_bridge: {error}", file=sys.stderr)
        return EXIT_NO_OFFICE
    path = Path(args.socket)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a socket left by a converter that was killed
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(previous)
    server.listen(64)
    server.settimeout(1.0)
    try:
        while not stopping.is_set():
            if args.exit_with_parent and os.getppid() != parent:
                break
            try:
                connection, _address = server.accept()
            except TimeoutError:
                continue
            except InterruptedError:
                continue
            with connection:
                try:
                    serve_one(bridge, connection)
                except (OSError, ConnectionError, struct.error) as error:
                    print(f"soffice_bridge: request dropped: {error}", file=sys.stderr)
    finally:
        server.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        office.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
