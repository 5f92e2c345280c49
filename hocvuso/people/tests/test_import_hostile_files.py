"""Hostile and broken roster files: each gets a clear Vietnamese message and leaves the registry exactly as it was."""

import datetime
import io
import os
import random
import struct
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from hocvuso.core.errors import DomainError
from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.imports import readers
from hocvuso.people.tests.import_files import (
    RESIDENT_HEADER,
    csv_bytes,
    national_id,
    problems_of,
    resident,
    run_import,
    snapshot,
    xlsx_bytes,
)

OUTSIDER_ID = national_id(datetime.date(1970, 1, 2), "M", 999)


@pytest.fixture
def registry(territory: Any) -> Any:
    """A registry with two households in the importer's commune and one resident of another commune."""
    rows = [resident(1), resident(2, name="Lê Văn An", sex="M", relation="Chồng", household="HO-00001")]
    assert run_import(csv_bytes(rows), unit=territory.commune).status == ImportStatus.DONE
    outsider = resident(
        3,
        name="Người Xã Khác",
        sex="M",
        birth=datetime.date(1970, 1, 2),
        national=OUTSIDER_ID,
        household="NK-1",
        village="24751.001",
    )
    assert run_import(csv_bytes([outsider]), unit=territory.other_commune).status == ImportStatus.DONE
    return territory


def good_rows() -> list[list[Any]]:
    return [resident(10, household="HO-10"), resident(11, name="Hà Văn Tư", sex="M", relation="Con", household="HO-10")]


def with_row(**changes: Any) -> list[list[Any]]:
    row = resident(12, **{"household": "HO-12", **changes})
    return [*good_rows(), row]


def zip_bytes(parts: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return output.getvalue()


def xlsx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(good_rows()))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xlsx_with(name: str, content: bytes) -> bytes:
    parts = xlsx_parts()
    parts[name] = content
    return zip_bytes(parts)


def patch_central_directory(data: bytes, *, flag_bits: int | None = None, file_size: int | None = None) -> bytes:
    """Rewrite fields of every central-directory (and local) header: encryption flag, declared size."""
    buffer = bytearray(data)
    position = 0
    while (position := buffer.find(b"PK\x01\x02", position)) != -1:
        if flag_bits is not None:
            struct.pack_into("<H", buffer, position + 8, flag_bits)
        if file_size is not None:
            struct.pack_into("<I", buffer, position + 24, file_size)
        position += 4
    position = 0
    while flag_bits is not None and (position := buffer.find(b"PK\x03\x04", position)) != -1:
        struct.pack_into("<H", buffer, position + 6, flag_bits)
        position += 4
    return bytes(buffer)


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE sst [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&secret;</t></si></sst>"""


def entity_after_long_comment() -> bytes:
    """A DOCTYPE hidden behind 70 KB of comment, past the container check's prolog scan: defusedxml must still
    refuse it while the sheet is parsed."""
    comment = b"<!--" + b"x" * 70_000 + b"-->"
    return BILLION_LAUGHS.replace(b"<!DOCTYPE", comment + b"<!DOCTYPE", 1)


def zip_bomb() -> bytes:
    parts = xlsx_parts()
    parts["xl/worksheets/sheet1.xml"] = b" " * (30 * 1024 * 1024)  # 30 MB of spaces compress ~1,000×
    return zip_bytes(parts)


def too_many_entries() -> bytes:
    parts = xlsx_parts()
    for number in range(readers.MAX_ZIP_ENTRIES):
        parts[f"xl/media/image{number}.png"] = b""
    return zip_bytes(parts)


def cp1258_csv() -> bytes:
    return csv_bytes(good_rows()).decode("utf-8").encode("cp1258", errors="replace")


def tcvn3_csv() -> bytes:
    # "Nguyễn Thị Đào" in TCVN3 (ABC) is single bytes in 0x80–0xFF, never valid UTF-8 here.
    return csv_bytes(good_rows()).replace("Nguyễn Thị Đào".encode(), b"Nguy\xd6n Th\xde \xa7\xb5o")


def unclosed_quote_csv() -> bytes:
    text = csv_bytes(good_rows()).decode()
    return (text + '"13,"Broken "quoted" name,01/01/1990\r\n').encode()


def truncated_xlsx() -> bytes:
    data = xlsx_bytes(good_rows())
    return data[: len(data) // 2]


# (case id, builder of (bytes, file name), text the message must contain)
FILE_LEVEL: list[tuple[str, Callable[[], tuple[bytes, str]], str]] = [
    ("only-header", lambda: (csv_bytes([]), "a.csv"), "chỉ có dòng tiêu đề"),
    ("binary-garbage", lambda: (random.Random(1).randbytes(5000) + b"\x00" * 50, "a.csv"), "có byte rỗng"),
    ("high-bytes-garbage", lambda: (bytes(range(0x80, 0x100)) * 40, "a.csv"), "không đọc được theo mã UTF-8"),
    ("cp1258", lambda: (cp1258_csv(), "a.csv"), "TCVN3, VNI, Windows-1258"),
    ("tcvn3", lambda: (tcvn3_csv(), "a.csv"), "TCVN3, VNI, Windows-1258"),
    ("utf-32", lambda: (csv_bytes(good_rows(), encoding="utf-32"), "a.csv"), "UTF-32"),
    ("unclosed-quote", lambda: (unclosed_quote_csv(), "a.csv"), "sai cấu trúc"),
    ("truncated-xlsx", lambda: (truncated_xlsx(), "a.xlsx"), "bị hỏng hoặc không đầy đủ"),
    ("zip-bomb", lambda: (zip_bomb(), "a.xlsx"), "bom nén"),
    (
        "declared-huge",
        lambda: (patch_central_directory(xlsx_bytes(good_rows()), file_size=0xFFFF_FF00), "a.xlsx"),
        "bom nén",
    ),
    ("too-many-entries", lambda: (too_many_entries(), "a.xlsx"), "quá nhiều thành phần"),
    ("encrypted-entry", lambda: (patch_central_directory(xlsx_bytes(good_rows()), flag_bits=1), "a.xlsx"), "mã hóa"),
    (
        "missing-workbook",
        lambda: (zip_bytes({k: v for k, v in xlsx_parts().items() if k != "xl/workbook.xml"}), "a.xlsx"),
        "không phải bảng tính Excel đầy đủ",
    ),
    ("billion-laughs", lambda: (xlsx_with("xl/worksheets/sheet1.xml", BILLION_LAUGHS), "a.xlsx"), "DOCTYPE/ENTITY"),
    ("external-entity", lambda: (xlsx_with("xl/sharedStrings.xml", EXTERNAL_ENTITY), "a.xlsx"), "DOCTYPE/ENTITY"),
    (
        "entity-behind-comment",
        lambda: (xlsx_with("xl/worksheets/sheet1.xml", entity_after_long_comment()), "a.xlsx"),
        "DOCTYPE/ENTITY",
    ),
    ("garbage-sheet-xml", lambda: (xlsx_with("xl/worksheets/sheet1.xml", b"<worksheet><oops"), "a.xlsx"), "bị hỏng"),
    ("bzip2-entries", lambda: (zip_bytes(xlsx_parts(), compression=zipfile.ZIP_BZIP2), "a.xlsx"), "kiểu nén lạ"),
    (
        "missing-columns",
        lambda: (csv_bytes([row[:4] for row in good_rows()], header=RESIDENT_HEADER[:4]), "a.csv"),
        "Thiếu cột bắt buộc: “Giới tính”, “Dân tộc”, “Mã hộ”",
    ),
    ("no-header", lambda: (b"a,b,c\r\n1,2,3\r\n", "a.csv"), "Không tìm thấy dòng tiêu đề"),
    (
        "duplicate-columns",
        lambda: (
            csv_bytes([[*row, "01/01/1990"] for row in good_rows()], header=[*RESIDENT_HEADER, "NGÀY SINH"]),
            "a.csv",
        ),
        "xuất hiện hai lần",
    ),
    ("sheet-without-rows", lambda: (xlsx_bytes([], header=[]), "a.xlsx"), "Tệp Excel không có dòng dữ liệu nào"),
]


@pytest.mark.parametrize(("case", "build", "expected"), FILE_LEVEL, ids=[case[0] for case in FILE_LEVEL])
def test_a_broken_file_is_rejected_with_a_clear_message_and_changes_nothing(
    registry: Any, case: str, build: Callable[[], tuple[bytes, str]], expected: str
) -> None:
    before = snapshot()
    data, file_name = build()

    job = run_import(data, unit=registry.commune, file_name=file_name)

    assert job.status == ImportStatus.REJECTED
    assert expected in job.message
    assert problems_of(job) == [(None, "", job.message)]
    assert job.problem_count == 1
    assert snapshot() == before
    assert job.upload.chunks.count() == 0  # the refused personal data is not kept


AT_SUBMISSION: list[tuple[str, Callable[[], tuple[bytes, str]], str]] = [
    ("zero-bytes", lambda: (b"", "a.csv"), "Tệp rỗng"),
    ("whitespace", lambda: (b" \r\n\t ", "a.csv"), "Tệp rỗng"),
    ("old-xls", lambda: (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls"), "Excel 97–2003"),
    ("pdf", lambda: (b"%PDF-1.7\n" + b"x" * 100, "danh-sach.pdf"), "Tệp là PDF"),
    ("csv-named-xlsx", lambda: (csv_bytes(good_rows()), "a.xlsx"), "không phải tệp Excel hợp lệ"),
    ("empty-zip", lambda: (b"PK\x05\x06" + b"\x00" * 18, "a.xlsx"), "không có trang tính"),
]


@pytest.mark.parametrize(("case", "build", "expected"), AT_SUBMISSION, ids=[case[0] for case in AT_SUBMISSION])
def test_an_empty_or_foreign_file_is_refused_at_submission(
    registry: Any, case: str, build: Callable[[], tuple[bytes, str]], expected: str
) -> None:
    before = snapshot()
    data, file_name = build()

    with pytest.raises(DomainError, match=expected):
        run_import(data, unit=registry.commune, file_name=file_name)

    assert snapshot() == before
    assert ImportJob.objects.filter(unit=registry.commune).count() == 1  # only the registry fixture's import


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(registry: Any, settings: Any) -> None:
    settings.ROSTER_IMPORT_MAX_CSV_BYTES = 1_000
    before = snapshot()
    data = csv_bytes([resident(serial, household=f"HO-{serial}") for serial in range(100, 130)])

    with pytest.raises(DomainError, match=r"Tệp quá lớn \(.* MB, tối đa 0 MB\)"):
        run_import(data, unit=registry.commune)

    assert snapshot() == before


def test_a_file_with_more_rows_than_the_limit_is_rejected(registry: Any, settings: Any) -> None:
    settings.ROSTER_IMPORT_MAX_ROWS = 3
    before = snapshot()
    data = csv_bytes([resident(serial, household=f"HO-{serial}") for serial in range(100, 105)])

    job = run_import(data, unit=registry.commune)

    assert job.status == ImportStatus.REJECTED
    assert job.message == "Tệp có hơn 3 dòng dữ liệu. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
    assert snapshot() == before


def test_an_uncompressed_size_over_the_limit_is_rejected_before_unpacking(
    registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED_BYTES", 1_000)
    before = snapshot()

    job = run_import(xlsx_bytes(good_rows()), unit=registry.commune, file_name="a.xlsx")

    assert job.status == ImportStatus.REJECTED
    assert "vượt giới hạn 0 MB" in job.message
    assert snapshot() == before


# Row-level problems: (case id, rows, expected problems as (row, column, message)).
TODAY = datetime.date.today()
ROW_LEVEL: list[tuple[str, list[list[Any]], list[tuple[int, str, str]]]] = [
    (
        "id-with-letters",
        with_row(national="06819000ABCD"),
        [(4, "Số định danh cá nhân", "Số định danh cá nhân chỉ được gồm chữ số (nhận được ký tự khác).")],
    ),
    (
        "id-too-short",
        with_row(national="0681900012"),
        [
            (
                4,
                "Số định danh cá nhân",
                "Số định danh chỉ có 10 chữ số. Thêm số 0 ở đầu (như khi Excel xóa) thành 000681900012 thì không "
                "khớp: Ba chữ số đầu (000) không phải mã tỉnh nơi đăng ký khai sinh. Hãy nhập lại đủ 12 chữ số và "
                "định dạng cột là Văn bản.",
            )
        ],
    ),
    (
        "id-scientific-notation",
        with_row(national="6.81900E+11"),
        [
            (
                4,
                "Số định danh cá nhân",
                "Số định danh đã bị Excel đổi sang dạng số mũ (“6.81900E+11”) nên mất chữ số. Hãy định dạng cột là "
                "Văn bản (Text), nhập lại đủ 12 chữ số rồi lưu lại.",
            )
        ],
    ),
    (
        "id-wrong-sex-and-year",
        with_row(national="068085000012"),
        [
            (4, "Số định danh cá nhân", "Chữ số thứ 4 (0) chỉ giới tính nam, nhưng giới tính khai là nữ."),
            (4, "Số định danh cá nhân", "Chữ số thứ 5–6 (85) phải là hai số cuối của năm sinh (1990)."),
        ],
    ),
    (
        "id-unknown-province",
        with_row(national="999190000012"),
        [(4, "Số định danh cá nhân", "Ba chữ số đầu (999) không phải mã tỉnh nơi đăng ký khai sinh.")],
    ),
    (
        "id-duplicate-in-file",
        [*good_rows(), resident(10, household="HO-12")],
        [(4, "Số định danh cá nhân", "Trùng số định danh với dòng 2 trong cùng tệp.")],
    ),
    (
        "id-of-someone-outside-scope",
        with_row(national=OUTSIDER_ID, sex="M", birth=datetime.date(1970, 1, 2)),
        [
            (
                4,
                "Số định danh cá nhân",
                "Số định danh này không thuộc những người bạn quản lý, nên tệp không thể gắn, chuyển hay cập nhật "
                "người này. Nếu người này đã chuyển đến địa bàn hoặc làm việc, học tập ở đơn vị của bạn, hãy gửi yêu "
                "cầu chuyển tại trang “Yêu cầu chuyển” (/nguoi-dan/yeu-cau-chuyen/moi/): cấp xã nơi người đó đang cư "
                "trú hoặc cấp tỉnh sẽ duyệt.",
            )
        ],
    ),
    ("id-missing", with_row(national=""), [(4, "Số định danh cá nhân", "Thiếu số định danh cá nhân.")]),
    ("name-missing", with_row(name=""), [(4, "Họ và tên", "Thiếu họ và tên.")]),
    ("name-too-long", with_row(name="A" * 151), [(4, "Họ và tên", "Họ và tên dài quá 150 ký tự.")]),
    (
        "name-with-digits",
        with_row(name="Nguyễn Văn 2"),
        [
            (
                4,
                "Họ và tên",
                "Họ và tên chỉ gồm chữ cái, khoảng trắng, dấu nháy (K'Brơi) hoặc gạch nối; có ký tự không hợp lệ "
                "(chữ số, dấu ngoặc…). Tên gọi khác không ghi vào họ và tên.",
            )
        ],
    ),
    (
        "name-formula",
        with_row(name='=HYPERLINK("http://x","bấm")'),
        [
            (
                4,
                "Họ và tên",
                "Ô chứa công thức (bắt đầu bằng “=”). Hãy thay bằng giá trị (Dán đặc biệt → Giá trị).",
            )
        ],
    ),
    (
        "address-starting-with-at",
        with_row(address="@SUM(1+1)*cmd"),
        [(4, "Địa chỉ", "Ô bắt đầu bằng “@” (có thể bị bảng tính hiểu là công thức). Hãy bỏ ký tự đó.")],
    ),
    (
        "birth-date-31-february",
        [
            *good_rows(),
            [*resident(12, household="HO-12")[:3], "31/02/1990", *resident(12)[4:6], "HO-12", *resident(12)[7:]],
        ],
        [(4, "Ngày sinh", "Ngày sinh 31/02/1990 không tồn tại (ngày hoặc tháng sai).")],
    ),
    (
        "birth-date-in-the-future",
        [*good_rows(), [*resident(12)[:3], "01/01/2999", *resident(12)[4:6], "HO-12", *resident(12)[7:]]],
        [(4, "Ngày sinh", "Ngày sinh 01/01/2999 ở tương lai.")],
    ),
    (
        "birth-date-too-old",
        with_row(birth=datetime.date(1890, 5, 1), national="068890000012"),
        [
            (4, "Ngày sinh", "Ngày sinh 01/05/1890 cho tuổi trên 120 — hãy kiểm tra lại năm sinh."),
        ],
    ),
    (
        "birth-date-us-format",
        [*good_rows(), [*resident(12)[:3], "1990/13/45", *resident(12)[4:6], "HO-12", *resident(12)[7:]]],
        [(4, "Ngày sinh", "Ngày sinh “1990/13/45” không đúng dạng ngày/tháng/năm (ví dụ 05/09/1990).")],
    ),
    (
        "sex-unknown",
        [*good_rows(), [*resident(12)[:4], "X", *resident(12)[5:6], "HO-12", *resident(12)[7:]]],
        [(4, "Giới tính", "Giới tính “X” không hợp lệ; ghi Nam hoặc Nữ.")],
    ),
    (
        "ethnicity-unknown",
        with_row(ethnicity="Kinh Tế"),
        [(4, "Dân tộc", "Dân tộc “Kinh Tế” không có trong danh mục 54 dân tộc Việt Nam.")],
    ),
    (
        "phone-invalid",
        with_row(phone="12345"),
        [
            (
                4,
                "Số điện thoại",
                "Số điện thoại “12345” không hợp lệ: cần số di động 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
                "(có thể ghi +84).",
            )
        ],
    ),
    (
        "village-unknown-code",
        with_row(village="24631.999"),
        [(4, "Mã thôn", "Không có thôn mã “24631.999” trong Xã Quảng Khê. Hãy xem danh mục thôn của xã.")],
    ),
    (
        "village-of-another-commune",
        with_row(village="24751.001"),
        [(4, "Mã thôn", "Không có thôn mã “24751.001” trong Xã Quảng Khê. Hãy xem danh mục thôn của xã.")],
    ),
    (
        "household-with-two-heads",
        [*good_rows(), resident(12, household="HO-10")],
        [(4, "Quan hệ với chủ hộ", "Hộ HO-10 đã có chủ hộ ở dòng 2; mỗi hộ chỉ có một chủ hộ.")],
    ),
    (
        "household-code-invalid",
        with_row(household="HỘ SỐ 1"),
        [
            (
                4,
                "Mã hộ",
                "Mã hộ “HỘ SỐ 1” không hợp lệ: tối đa 40 ký tự gồm chữ, số, dấu chấm, gạch ngang, gạch chéo.",
            )
        ],
    ),
]


@pytest.mark.parametrize(("case", "rows", "expected"), ROW_LEVEL, ids=[case[0] for case in ROW_LEVEL])
def test_a_bad_row_is_reported_with_its_row_column_and_reason_and_nothing_is_written(
    registry: Any, case: str, rows: list[list[Any]], expected: list[tuple[int, str, str]]
) -> None:
    before = snapshot()

    job = run_import(csv_bytes(rows), unit=registry.commune)

    assert job.status == ImportStatus.REJECTED
    assert problems_of(job) == expected
    assert job.problem_count == len(expected)
    assert job.message == (
        f"Tệp có {len(expected)} lỗi; chưa có dữ liệu nào được ghi. Hãy sửa theo báo cáo lỗi rồi gửi lại."
    )
    assert snapshot() == before


def test_every_problem_of_every_row_is_reported_at_once(registry: Any) -> None:
    before = snapshot()
    rows = [
        resident(20, household="HO-20", name="", ethnicity="Sao Hỏa", phone="0000"),
        resident(21, household="HO-21", village="99999.001"),
        [*resident(22, household="HO-22")[:4], "", *resident(22)[5:6], "HO-22", *resident(22)[7:]],
    ]

    job = run_import(csv_bytes(rows), unit=registry.commune)

    assert problems_of(job) == [
        (2, "Họ và tên", "Thiếu họ và tên."),
        (2, "Dân tộc", "Dân tộc “Sao Hỏa” không có trong danh mục 54 dân tộc Việt Nam."),
        (
            2,
            "Số điện thoại",
            "Số điện thoại “0000” không hợp lệ: cần số di động 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
            "(có thể ghi +84).",
        ),
        (3, "Mã thôn", "Không có thôn mã “99999.001” trong Xã Quảng Khê. Hãy xem danh mục thôn của xã."),
        (4, "Giới tính", "Thiếu giới tính."),
    ]
    assert snapshot() == before


def test_xlsx_formula_cells_and_number_dates_are_reported_with_excel_row_numbers(registry: Any) -> None:
    before = snapshot()
    formula_row = resident(30, household="HO-30")
    formula_row[2] = '=CONCATENATE("Nguyễn"," An")'
    number_date_row = resident(31, household="HO-31")
    number_date_row[3] = 33000
    float_id_row = resident(32, household="HO-32")
    float_id_row[1] = 68190000003.5
    data = xlsx_bytes([formula_row, number_date_row, float_id_row], title_rows=2)

    job = run_import(data, unit=registry.commune, file_name="danh-sach.xlsx")

    assert problems_of(job) == [
        (4, "Họ và tên", "Ô chứa công thức (bắt đầu bằng “=”). Hãy thay bằng giá trị (Dán đặc biệt → Giá trị)."),
        (
            5,
            "Ngày sinh",
            "Ngày sinh là một con số (33000), không phải ngày. Hãy ghi dạng ngày/tháng/năm, ví dụ 05/09/1990, "
            "hoặc định dạng ô là Ngày.",
        ),
        (
            6,
            "Số định danh cá nhân",
            "Số định danh là một số thập phân hoặc quá lớn: Excel đã làm mất chữ số. Hãy định dạng cột là "
            "Văn bản (Text) và nhập lại đủ 12 chữ số.",
        ),
    ]
    assert snapshot() == before


def test_extra_cells_from_an_unquoted_comma_are_reported(registry: Any) -> None:
    before = snapshot()
    text = (
        csv_bytes(good_rows()).decode()
        + "12,068190000012,Nguyễn, Thị Đào,05/09/1990,Nữ,Kinh,HO-12,Chủ hộ,24631.001,Số 1,0912345678\r\n"
    )

    job = run_import(text.encode(), unit=registry.commune)

    assert problems_of(job) == [
        (
            4,
            "Họ và tên",
            "Dòng có nhiều ô hơn dòng tiêu đề — thường do dấu phẩy trong một ô không được đặt trong ngoặc kép. "
            "Hãy lưu lại tệp từ Excel.",
        )
    ]
    assert snapshot() == before


def test_the_zip_checks_run_before_openpyxl_unpacks_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    def must_not_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened a file that the container check should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    with pytest.raises(DomainError, match="bom nén"):
        readers.read_xlsx(io.BytesIO(zip_bomb()), score=lambda cells: 0)


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    from defusedxml import ElementTree as defused

    assert functions.iterparse is defused.iterparse
    assert os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True"
