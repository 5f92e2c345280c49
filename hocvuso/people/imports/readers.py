"""Reading roster files as offices send them: CSV (UTF-8 with or without BOM, UTF-16 "Unicode text") and XLSX.

Each reader streams rows as `(row_number, cells)` — the row number as Excel shows it — so a million-row file
never sits in memory as Python objects. Every file is checked before it is trusted: an XLSX is a zip, so its
directory is inspected (entry count, declared sizes, compression ratio, encryption, required parts, no XML
entity declarations) BEFORE any part is unpacked, and its XML is parsed by defusedxml. Every rejection raises
DomainError with a Vietnamese message saying what is wrong with the file and what to do.
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

from .encodings import decode_legacy, guess_legacy_encoding

Row = Sequence[object]
HeaderScore = Callable[[Row], int]

MAX_ZIP_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # 1 GiB of XML: a full 1,048,576-row sheet stays well below
MAX_COMPRESSION_RATIO = 200  # real sheets compress 5–50×; a zip bomb ~1,000×
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # small parts (styles, a tiny sheet) can compress better, harmlessly
XML_PROLOG_SCAN_BYTES = 64 * 1024
REQUIRED_XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
HEADER_SEARCH_ROWS = 20
ROSTER_HEADER_COLUMNS = 3  # a row naming this many known columns makes a worksheet a roster
SNIFF_BYTES = 64 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_DELIMITERS = (",", ";", "\t", "|")
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class Table:
    """One table of a file: a CSV, or one worksheet of a workbook (`name` is the sheet's name, "" for a CSV)."""

    name: str
    rows: Iterator[tuple[int, Row]]


@dataclass
class TableSource:
    """The tables of a file (a CSV has one; a workbook one per worksheet that has a roster header), how far
    through the file the reading is (0..1, for progress) and notes for the summary (an encoding converted,
    sheets not read)."""

    format: str  # "csv" or "xlsx"
    tables: list[Table]
    fraction_read: Callable[[], float]
    close: Callable[[], None]
    notes: list[str] = field(default_factory=list)
    sheets_without_header: list[str] = field(default_factory=list)
    legacy_encoding: str = ""  # "windows-1258", "tcvn3" or "vni" when a CSV was converted

    @property
    def rows(self) -> Iterator[tuple[int, Row]]:
        """The rows of the first table (a CSV's only one)."""
        return self.tables[0].rows


def nfc(text: str) -> str:
    """Text in Unicode NFC (Vietnamese typed on a Mac or copied from some PDFs arrives decomposed, NFD)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def nfc_row(cells: list[str]) -> list[str]:
    """A CSV row's cells in NFC (`nfc`): a row already in NFC — nearly every row — is checked in one call."""
    if unicodedata.is_normalized("NFC", "".join(cells)):
        return cells
    return [nfc(cell) for cell in cells]


def sniff_format(head: bytes, file_name: str) -> str:
    """'xlsx' or 'csv' from the file's first bytes (the name's extension is only a hint for the messages).

    Raises DomainError for an old Excel 97–2003 file or a password-protected workbook (both OLE2 containers),
    an empty zip, and files that are plainly not tables (PDF, images).
    """
    if head.startswith(_OLE_MAGIC):
        raise DomainError(
            _(
                "Tệp là bảng tính Excel 97–2003 (.xls) hoặc tệp Excel có đặt mật khẩu. Hãy mở tệp bằng Excel, "
                "bỏ mật khẩu nếu có, rồi lưu lại dạng “Excel Workbook (.xlsx)” hoặc “CSV UTF-8”."
            ),
            code="file_format",
        )
    if head.startswith(_EMPTY_ZIP_MAGIC):
        raise DomainError(_("Tệp .xlsx rỗng (không có trang tính nào). Hãy dùng tệp mẫu."), code="file_format")
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    for magic, label in ((b"%PDF", "PDF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF")):
        if head.startswith(magic):
            raise DomainError(
                _("Tệp là %(kind)s, không phải bảng tính. Hãy gửi tệp .xlsx hoặc .csv theo mẫu.") % {"kind": label},
                code="file_format",
            )
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise DomainError(
            _(
                "Tệp có đuôi .xlsx nhưng không phải tệp Excel hợp lệ (có thể bị hỏng hoặc bị đổi đuôi). "
                "Hãy mở tệp bằng Excel và lưu lại dạng .xlsx."
            ),
            code="file_format",
        )
    return "csv"


# --- CSV ---------------------------------------------------------------------------------------------------


def detect_text_encoding(head: bytes) -> str:
    """The codec to read a text file with, from its first bytes: UTF-8 (with or without BOM) or UTF-16 (with a
    BOM, as Excel's "Unicode text" writes it, or without one when every other byte is zero).

    Raises DomainError for UTF-32 and for binary content (zero bytes in a file that is not UTF-16).
    """
    if head.startswith(_UTF32_BOMS):
        raise DomainError(
            _("Tệp được mã hóa UTF-32, không được hỗ trợ. Hãy lưu lại dạng “CSV UTF-8” hoặc “Unicode Text”."),
            code="encoding",
        )
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le-bom"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be-bom"
    sample = head[:4096]
    if b"\x00" in sample:
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        half = len(sample) // 2
        if half and odd_zeros > 0.6 * half and even_zeros < 0.1 * half:
            return "utf-16-le"
        if half and even_zeros > 0.6 * half and odd_zeros < 0.1 * half:
            return "utf-16-be"
        raise DomainError(
            _(
                "Tệp không phải văn bản hay bảng tính (có byte rỗng): có thể là tệp nhị phân bị đổi đuôi. "
                "Hãy gửi tệp .xlsx hoặc lưu dạng “CSV UTF-8”."
            ),
            code="encoding",
        )
    return "utf-8"


def _decoding_error(error: UnicodeDecodeError, encoding: str) -> DomainError:
    label = "UTF-16" if encoding.startswith("utf-16") else "UTF-8"
    return DomainError(
        _(
            "Tệp không đọc được theo mã %(encoding)s (byte không hợp lệ). Có thể tệp được lưu bằng bảng mã cũ "
            "(TCVN3, VNI, Windows-1258). Hãy mở tệp bằng Excel và lưu lại dạng “CSV UTF-8 (Comma delimited)”."
        )
        % {"encoding": label},
        code="encoding",
    )


def _choose_delimiter(sample_text: str, score: HeaderScore) -> str:
    """The delimiter under which some early line reads as the best header (ties: the most common one)."""
    lines = sample_text.splitlines()[:HEADER_SEARCH_ROWS]
    best, best_score = ",", -1
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        value = max((score(row) for row in rows), default=0)
        value = value * 1000 + sum(line.count(delimiter) for line in lines[:2])
        if value > best_score:
            best, best_score = delimiter, value
    return best


_ENCODING_LABELS = {"windows-1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


def _legacy_text(binary: IO[bytes], head: bytes) -> tuple[str, str] | None:
    """The whole file decoded from the legacy encoding its first bytes are in, with the encoding's name, or
    None when no legacy reading is clearly Vietnamese."""
    encoding = guess_legacy_encoding(head)
    if encoding is None:
        return None
    binary.seek(0)
    try:
        return decode_legacy(binary.read(), encoding), encoding
    except UnicodeDecodeError:
        return None


def read_csv(binary: IO[bytes], *, size: int, score: HeaderScore) -> TableSource:
    """Rows of a delimited text file (comma, semicolon, tab or bar, chosen by which one reveals the header row).

    UTF-8 (with or without BOM) and UTF-16 are read as they stream; a file that is not UTF-8 is read in the
    legacy encoding (Windows-1258, TCVN3, VNI) whose reading is Vietnamese, with a note for the summary.
    Cells are NFC strings. Raises DomainError for unreadable encodings, binary content and broken quoting
    (with the row where reading stopped).
    """
    binary.seek(0)
    head = binary.read(SNIFF_BYTES)
    encoding = detect_text_encoding(head)
    offset = {"utf-8-sig": 3, "utf-16-le-bom": 2, "utf-16-be-bom": 2}.get(encoding, 0)
    codec = {"utf-8-sig": "utf-8", "utf-16-le-bom": "utf-16-le", "utf-16-be-bom": "utf-16-be"}.get(encoding, encoding)
    notes: list[str] = []
    legacy_encoding = ""
    stream: IO[str]
    try:
        sample = codecs.getincrementaldecoder(codec)("strict").decode(head[offset:], final=len(head) < SNIFF_BYTES)
        binary.seek(offset)
        stream = io.TextIOWrapper(binary, encoding=codec, errors="strict", newline="")
    except UnicodeDecodeError as error:
        legacy = _legacy_text(binary, head) if encoding == "utf-8" else None
        if legacy is None:
            raise _decoding_error(error, encoding) from error
        text, legacy_encoding = legacy
        notes.append(
            _(
                "Tệp được lưu bằng bảng mã cũ %(encoding)s; đã chuyển sang Unicode. Hãy xem lại vài họ tên trong "
                "phần xem trước; lần sau hãy lưu dạng “CSV UTF-8”."
            )
            % {"encoding": _ENCODING_LABELS[legacy_encoding]}
        )
        sample = text[:SNIFF_BYTES]
        stream = io.StringIO(text, newline="")
    delimiter = _choose_delimiter(sample, score)
    reader = csv.reader(stream, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)

    def rows() -> Iterator[tuple[int, Row]]:
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                yield number, nfc_row(record)
        except UnicodeDecodeError as error:
            raise _decoding_error(error, encoding) from error
        except csv.Error as error:
            raise DomainError(
                _(
                    "Tệp CSV sai cấu trúc gần dòng %(row)s (thường do dấu ngoặc kép không đóng hoặc ô quá dài). "
                    "Hãy mở tệp bằng Excel, kiểm tra dòng đó và lưu lại dạng “CSV UTF-8”."
                )
                % {"row": number + 1},
                code="csv_structure",
            ) from error

    def fraction_read() -> float:
        try:
            return min(1.0, binary.tell() / size) if size else 1.0
        except (OSError, ValueError):
            return 0.0

    def close() -> None:
        if isinstance(stream, io.TextIOWrapper):
            stream.detach()

    return TableSource("csv", [Table("", rows())], fraction_read, close, notes, legacy_encoding=legacy_encoding)


# --- XLSX --------------------------------------------------------------------------------------------------


def _prolog_declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when an XML part declares a DTD or entities before its root element (billion laughs, XXE).

    Reads at most 64 KiB of the part: a declaration can only come before the first element.
    """
    with archive.open(info) as part:
        head = part.read(XML_PROLOG_SCAN_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:2] in (b"<\x00", b"\x00<"):
        try:
            head = head.decode("utf-16", errors="replace").encode("utf-8")
        except UnicodeError:
            return True
    element = _ELEMENT_START.search(head)
    prolog = head if element is None else head[: element.start()]
    return bool(_ENTITY_DECLARATION.search(prolog)) or (element is None and len(head) == XML_PROLOG_SCAN_BYTES)


def check_xlsx_container(binary: IO[bytes]) -> None:
    """Inspect an XLSX (a zip) before anything in it is unpacked.

    Checks: a readable zip directory; at most 1,000 entries; at most 1 GiB declared uncompressed; no part
    compressed more than 200× (zip bomb); no encrypted entry; only stored or deflated entries; the workbook
    parts present; no XML part declaring a DTD or entities. Python's zip reader also stops at the declared size
    and checks the CRC, so a part that lies about its size fails while being read. Raises DomainError.
    """
    broken = _(
        "Tệp Excel bị hỏng hoặc không đầy đủ (có thể tải lên bị ngắt giữa chừng). Hãy mở tệp bằng Excel, "
        "lưu lại dạng .xlsx rồi gửi lại."
    )
    try:
        archive = zipfile.ZipFile(binary)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise DomainError(broken, code="xlsx_broken") from error
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise DomainError(
                _("Tệp Excel có quá nhiều thành phần (%(count)s, tối đa %(limit)s): không phải bảng tính thông thường.")
                % {"count": len(entries), "limit": MAX_ZIP_ENTRIES},
                code="xlsx_too_many_entries",
            )
        total = 0
        names = set()
        for info in entries:
            names.add(info.filename)
            if info.flag_bits & 0x1:
                raise DomainError(
                    _("Tệp Excel có phần được mã hóa (đặt mật khẩu). Hãy bỏ mật khẩu, lưu lại rồi gửi lại."),
                    code="xlsx_encrypted",
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise DomainError(
                    _("Tệp Excel dùng kiểu nén lạ, không phải do Excel tạo ra. Hãy mở bằng Excel và lưu lại .xlsx."),
                    code="xlsx_compression",
                )
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_CHECK_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
                raise DomainError(
                    _(
                        "Tệp Excel bị từ chối: một phần của tệp nén tới %(ratio)s lần (“bom nén”), không phải "
                        "bảng tính thông thường. Hãy xuất lại danh sách từ phần mềm gốc."
                    )
                    % {"ratio": int(ratio)},
                    code="xlsx_bomb",
                )
        if total > MAX_UNCOMPRESSED_BYTES:
            raise DomainError(
                _(
                    "Tệp Excel bị từ chối: khi giải nén sẽ chiếm %(size)s MB, vượt giới hạn %(limit)s MB. "
                    "Hãy chia danh sách thành nhiều tệp nhỏ hơn."
                )
                % {"size": total // (1024 * 1024), "limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
                code="xlsx_bomb",
            )
        missing = [part for part in REQUIRED_XLSX_PARTS if part not in names]
        if missing or not any(name.startswith("xl/worksheets/") and name.endswith(".xml") for name in names):
            raise DomainError(
                _(
                    "Tệp không phải bảng tính Excel đầy đủ (thiếu phần sổ làm việc hoặc trang tính). "
                    "Hãy mở tệp bằng Excel và lưu lại dạng .xlsx."
                ),
                code="xlsx_parts",
            )
        try:
            for info in entries:
                if info.filename.endswith((".xml", ".rels")) and _prolog_declares_entities(archive, info):
                    raise DomainError(
                        _(
                            "Tệp Excel chứa khai báo thực thể XML (DOCTYPE/ENTITY), một kiểu tấn công đã biết; "
                            "Excel không bao giờ tạo ra như vậy. Tệp bị từ chối — hãy xuất lại từ phần mềm gốc."
                        ),
                        code="xlsx_entities",
                    )
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            raise DomainError(broken, code="xlsx_broken") from error


def _xlsx_failure(error: Exception) -> DomainError:
    from defusedxml import DefusedXmlException

    if isinstance(error, DefusedXmlException):
        return DomainError(
            _(
                "Tệp Excel chứa khai báo thực thể XML (DOCTYPE/ENTITY), một kiểu tấn công đã biết; Excel không bao "
                "giờ tạo ra như vậy. Tệp bị từ chối — hãy xuất lại từ phần mềm gốc."
            ),
            code="xlsx_entities",
        )
    return DomainError(
        _(
            "Không đọc được nội dung tệp Excel (tệp bị hỏng hoặc không do Excel tạo ra). Hãy mở tệp bằng Excel, "
            "lưu lại dạng .xlsx rồi gửi lại."
        ),
        code="xlsx_broken",
    )


def read_xlsx(binary: IO[bytes], *, score: HeaderScore) -> TableSource:
    """The worksheets that have a recognisable header row in their first rows (openpyxl, read-only, streaming),
    each as a table; the names of the filled sheets without one are listed for the summary.

    Cells keep their types (text, int, float, datetime, bool): the validator needs them to tell an ID that
    Excel turned into a number. Formula cells come as their formula text ("=…"). Raises DomainError.
    """
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # the parser must refuse entities; never read an XLSX without defusedxml
        raise DomainError(_("Máy chủ chưa sẵn sàng đọc tệp Excel an toàn; hãy gửi tệp CSV."), code="xlsx_unsafe")
    check_xlsx_container(binary)
    binary.seek(0)
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception as error:  # openpyxl raises many kinds (KeyError, ParseError, ValueError…) for broken files
        raise _xlsx_failure(error) from error

    chosen: list[Any] = []
    without_header: list[str] = []
    first_filled: Any = None
    first_rows = estimated_rows = 0
    try:
        for candidate in workbook.worksheets:
            if not hasattr(candidate, "iter_rows"):
                continue
            declared_rows = candidate.max_row or 0
            candidate.reset_dimensions()  # dimensions written by other tools can be wrong: read every row
            early = list(candidate.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True))
            filled = any(any(cell is not None and cell != "" for cell in row) for row in early)
            if any(score([nfc(c) if isinstance(c, str) else c for c in row]) >= ROSTER_HEADER_COLUMNS for row in early):
                chosen.append(candidate)
                estimated_rows += declared_rows
            elif filled:
                without_header.append(str(candidate.title))
                if first_filled is None:
                    first_filled, first_rows = candidate, declared_rows
    except Exception as error:
        workbook.close()
        raise _xlsx_failure(error) from error
    if not chosen and first_filled is not None:
        # No sheet has a roster header: read the first filled one, so the header search says what is missing.
        chosen, estimated_rows = [first_filled], first_rows
        without_header.remove(str(first_filled.title))
    if not chosen:
        workbook.close()
        raise DomainError(_("Tệp Excel không có dòng dữ liệu nào. Hãy dùng tệp mẫu."), code="empty")
    position = [0]

    def rows(sheet: Any) -> Iterator[tuple[int, Row]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                position[0] += 1
                # Every text cell in NFC: Vietnamese typed on a Mac or pasted from a PDF arrives decomposed.
                yield number, [nfc(value) if type(value) is str else value for value in values]
        except DomainError:
            raise
        except Exception as error:
            raise _xlsx_failure(error) from error

    def fraction_read() -> float:
        return min(1.0, position[0] / estimated_rows) if estimated_rows else 0.0

    tables = [Table(str(sheet.title), rows(sheet)) for sheet in chosen]
    return TableSource("xlsx", tables, fraction_read, workbook.close, sheets_without_header=without_header)


def open_table(binary: IO[bytes], *, file_name: str, size: int, score: HeaderScore) -> TableSource:
    """Open a roster file of either format (decided by its content). Raises DomainError."""
    binary.seek(0)
    head = binary.read(4096)
    blank = head.replace(codecs.BOM_UTF8, b"").replace(codecs.BOM_UTF16_LE, b"").strip(b" \t\r\n\x00,;")
    if size == 0 or (size <= len(head) and not blank):
        raise DomainError(_("Tệp rỗng. Hãy điền danh sách vào tệp mẫu rồi gửi lại."), code="empty")
    kind = sniff_format(head, file_name)
    if kind == "xlsx":
        return read_xlsx(binary, score=score)
    return read_csv(binary, size=size, score=score)
