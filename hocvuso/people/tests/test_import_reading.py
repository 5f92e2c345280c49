"""Reading roster files as offices really send them (issue 9): split name columns, the date order of a file,
every sheet of a workbook, title rows, two-level headers and what sits under the table, NFD text in XLSX, IDs
that Excel turned into numbers, years of birth alone, legacy encodings — each stored exactly as meant, or
refused with the row, column and reason."""

import datetime
import io
import unicodedata
from typing import Any

import pytest
from openpyxl import Workbook

from hocvuso.people.import_models import ImportStatus
from hocvuso.people.imports.encodings import decode_tcvn3, decode_vni, guess_legacy_encoding, is_vietnamese_syllable
from hocvuso.people.models import BirthDatePrecision, Resident
from hocvuso.people.tests.import_files import (
    RESIDENT_HEADER,
    csv_bytes,
    national_id,
    problems_of,
    resident,
    run_import,
    snapshot,
)
from hocvuso.people.tests.legacy_encoders import encode_tcvn3, encode_vni, encode_windows_1258


def workbook_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def stored(national: str) -> Resident:
    from hocvuso.core.crypto import lookup_hash

    return Resident.objects.get(national_id_hash=lookup_hash(national))


# --- split name columns ------------------------------------------------------------------------------------

SPLIT_HEADER = ["Số định danh cá nhân", "Họ", "Tên đệm", "Tên", "Ngày sinh", "Giới tính", "Dân tộc", "Mã hộ", "Mã thôn"]


def split_row(serial: int, family: str, middle: str, given: str) -> list[Any]:
    row = resident(serial, birth=datetime.date(1990, 9, 25))
    return [row[1], family, middle, given, row[3], row[4], row[5], row[6], row[8]]


@pytest.mark.parametrize(
    ("header", "cells", "expected"),
    [
        (["Họ", "Tên đệm", "Tên"], ["Nguyễn", "Thị", "Đào"], "Nguyễn Thị Đào"),
        (["Họ và tên đệm", None, "Tên"], ["Nguyễn Thị", None, "Đào"], "Nguyễn Thị Đào"),
        (["Họ", None, "Tên"], ["  Nguyễn  Thị ", None, " Đào "], "Nguyễn Thị Đào"),
    ],
)
def test_split_name_columns_are_joined(territory: Any, header: list[Any], cells: list[Any], expected: str) -> None:
    columns = [SPLIT_HEADER[0], *[h for h in header if h], *SPLIT_HEADER[4:]]
    row = split_row(1, *[c or "" for c in cells])
    values = [row[0], *[c for c, h in zip(cells, header, strict=True) if h], *row[4:]]

    job = run_import(csv_bytes([values], header=columns), unit=territory.commune)

    assert (job.status, problems_of(job)) == (ImportStatus.DONE, [])
    assert stored(row[0]).full_name == expected


def test_a_column_of_given_names_is_never_taken_for_full_names(territory: Any) -> None:
    header = ["Số định danh cá nhân", "Tên", "Ngày sinh", "Giới tính", "Dân tộc", "Mã hộ", "Mã thôn"]
    row = resident(1, birth=datetime.date(1990, 9, 25))
    before = snapshot()

    job = run_import(
        csv_bytes([[row[1], "Đào", row[3], row[4], row[5], row[6], row[8]]], header=header), unit=territory.commune
    )

    assert job.status == ImportStatus.REJECTED
    assert "chỉ là tên gọi, không phải họ và tên" in job.message
    assert snapshot() == before


def test_a_full_name_column_wins_over_a_given_name_column(territory: Any) -> None:
    header = ["Số định danh cá nhân", "Họ và tên", "Tên", "Ngày sinh", "Giới tính", "Dân tộc", "Mã hộ", "Mã thôn"]
    row = resident(1, birth=datetime.date(1990, 9, 25))

    job = run_import(
        csv_bytes([[row[1], row[2], "Đào", row[3], row[4], row[5], row[6], row[8]]], header=header),
        unit=territory.commune,
    )

    assert job.status == ImportStatus.DONE
    assert stored(row[1]).full_name == "Nguyễn Thị Đào"


def test_a_missing_given_name_is_a_row_problem(territory: Any) -> None:
    row = split_row(1, "Nguyễn", "Thị", "")

    job = run_import(csv_bytes([row], header=SPLIT_HEADER), unit=territory.commune)

    assert problems_of(job) == [(2, "Tên", "Thiếu tên (cột Tên trống).")]


# --- the date order of a file ------------------------------------------------------------------------------


def with_birth(serial: int, text: str, birth: datetime.date) -> list[Any]:
    row = resident(serial, birth=birth)
    row[3] = text
    return row


def test_a_month_first_file_is_read_month_first_and_says_so(territory: Any) -> None:
    rows = [
        with_birth(1, "9/25/1990", datetime.date(1990, 9, 25)),  # only month first
        with_birth(2, "3/4/1985", datetime.date(1985, 3, 4)),  # both ways: month first like the rest
    ]

    job = run_import(csv_bytes(rows), unit=territory.commune, date_order="")

    assert (job.status, problems_of(job)) == (ImportStatus.DONE, [])
    assert stored(rows[1][1]).birth_date == datetime.date(1985, 3, 4)
    assert job.summary["date_order"] == "mdy"
    assert "tháng/ngày/năm" in " ".join(job.summary["notes"])


def test_a_day_first_file_is_read_day_first(territory: Any) -> None:
    rows = [
        with_birth(1, "25/09/1990", datetime.date(1990, 9, 25)),
        with_birth(2, "03/04/1985", datetime.date(1985, 4, 3)),
    ]

    job = run_import(csv_bytes(rows), unit=territory.commune, date_order="")

    assert job.status == ImportStatus.DONE
    assert stored(rows[1][1]).birth_date == datetime.date(1985, 4, 3)


def test_an_ambiguous_file_is_never_guessed(territory: Any) -> None:
    rows = [
        with_birth(1, "03/04/1985", datetime.date(1985, 4, 3)),
        with_birth(2, "05/06/1990", datetime.date(1990, 6, 5)),
    ]
    before = snapshot()

    check = run_import(csv_bytes(rows), unit=territory.commune, date_order="", dry_run=True)
    imported = run_import(csv_bytes(rows), unit=territory.commune, date_order="")

    assert (check.status, check.needs_date_order, check.status_label) == (
        ImportStatus.DONE,
        True,
        "Đã kiểm tra, chưa nhập",
    )
    assert check.summary["date_examples"] == [
        {"value": "03/04/1985", "dmy": "03/04/1985", "mdy": "04/03/1985"},
        {"value": "05/06/1990", "dmy": "05/06/1990", "mdy": "06/05/1990"},
    ]
    assert imported.status == ImportStatus.REJECTED
    assert snapshot() == before


def test_the_officers_choice_is_a_parameter_of_the_confirm_step(territory: Any) -> None:
    from hocvuso.core.errors import DomainError
    from hocvuso.people.imports.services import confirm_roster_import, run_roster_import

    rows = [with_birth(1, "03/04/1985", datetime.date(1985, 3, 4))]
    check = run_import(csv_bytes(rows), unit=territory.commune, date_order="", dry_run=True)

    with pytest.raises(DomainError) as missing:
        confirm_roster_import(user=None, job=check, enqueue=False)
    job = confirm_roster_import(user=None, job=check, date_order="mdy", enqueue=False)
    job = run_roster_import(job_id=job.pk)

    assert missing.value.code == "date_order_needed"
    assert (job.status, job.date_order) == (ImportStatus.DONE, "mdy")
    assert stored(rows[0][1]).birth_date == datetime.date(1985, 3, 4)


def test_a_choice_that_contradicts_the_file_is_refused(territory: Any) -> None:
    from hocvuso.core.errors import DomainError
    from hocvuso.people.imports.services import confirm_roster_import

    rows = [with_birth(1, "25/09/1990", datetime.date(1990, 9, 25))]
    check = run_import(csv_bytes(rows), unit=territory.commune, date_order="", dry_run=True)

    with pytest.raises(DomainError) as refused:
        confirm_roster_import(user=None, job=check, date_order="mdy", enqueue=False)

    assert refused.value.code == "date_order_conflict"


def test_a_file_mixing_both_orders_is_rejected_at_the_minority_rows(territory: Any) -> None:
    rows = [
        with_birth(1, "25/09/1990", datetime.date(1990, 9, 25)),
        with_birth(2, "26/09/1990", datetime.date(1990, 9, 26)),
        with_birth(3, "9/27/1990", datetime.date(1990, 9, 27)),
    ]
    before = snapshot()

    job = run_import(csv_bytes(rows), unit=territory.commune, date_order="")

    assert job.status == ImportStatus.REJECTED
    assert problems_of(job) == [
        (
            4,
            "Ngày sinh",
            "Ngày sinh không đọc được theo thứ tự ngày/tháng/năm như các ngày khác của tệp (ví dụ “9/27/1990”). "
            "Hãy ghi mọi ngày cùng một thứ tự.",
        )
    ]
    assert snapshot() == before


def test_excel_date_cells_need_no_choice(territory: Any) -> None:
    row = resident(1, birth=datetime.date(1985, 3, 4))
    row[3] = datetime.datetime(1985, 3, 4)
    data = workbook_bytes({"Danh sách": [RESIDENT_HEADER, row]})

    job = run_import(data, unit=territory.commune, date_order="", file_name="ds.xlsx")

    assert job.status == ImportStatus.DONE
    assert stored(row[1]).birth_date == datetime.date(1985, 3, 4)


# --- year of birth alone -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["1950", "00/00/1950", "năm 1950", 1950])
def test_a_year_alone_is_a_birth_date_of_unknown_day(territory: Any, cell: Any) -> None:
    row = resident(1, birth=datetime.date(1950, 1, 1))
    row[3] = cell
    data = workbook_bytes({"Danh sách": [RESIDENT_HEADER, row]})

    job = run_import(data, unit=territory.commune, file_name="ds.xlsx")

    person = stored(row[1])
    assert (job.status, person.birth_date, person.birth_date_precision) == (
        ImportStatus.DONE,
        datetime.date(1950, 1, 1),
        BirthDatePrecision.YEAR,
    )
    assert person.birth_date_display == "năm 1950"
    assert "chỉ có năm sinh" in " ".join(job.summary["notes"])


def test_a_year_alone_is_checked_against_the_ids_year_digits(territory: Any) -> None:
    row = resident(1, birth=datetime.date(1950, 1, 1))
    row[3] = "1951"

    job = run_import(csv_bytes([row]), unit=territory.commune)

    assert problems_of(job) == [
        (2, "Số định danh cá nhân", "Chữ số thứ 5–6 (50) phải là hai số cuối của năm sinh (1951).")
    ]


def test_a_year_alone_keeps_the_full_date_the_registry_has(territory: Any) -> None:
    row = resident(1, birth=datetime.date(1950, 6, 15))
    run_import(csv_bytes([row]), unit=territory.commune)
    row[3] = "1950"

    job = run_import(csv_bytes([row]), unit=territory.commune)

    person = stored(row[1])
    assert (job.unchanged_count, person.birth_date, person.birth_date_precision) == (
        1,
        datetime.date(1950, 6, 15),
        "day",
    )


def test_a_year_in_the_future_is_refused(territory: Any) -> None:
    row = resident(1)
    row[3] = str(datetime.date.today().year + 1)

    job = run_import(csv_bytes([row]), unit=territory.commune)

    assert (2, "Ngày sinh", f"Ngày sinh {datetime.date.today().year + 1} ở tương lai.") in problems_of(job)


# --- IDs that Excel turned into numbers --------------------------------------------------------------------


def test_ids_of_provinces_001_to_009_get_both_zeros_back_with_a_note(territory: Any) -> None:
    birth = datetime.date(1990, 9, 25)
    hanoi = national_id(birth, "F", 7, province="001")
    row = resident(1, birth=birth, national=hanoi)
    row[1] = int(hanoi)  # typed as a number: 10 digits left
    data = workbook_bytes({"Danh sách": [RESIDENT_HEADER, row]})

    job = run_import(data, unit=territory.commune, file_name="ds.xlsx")

    assert (job.status, problems_of(job)) == (ImportStatus.DONE, [])
    assert stored(hanoi).national_id_last4 == hanoi[-4:]
    assert any("thêm lại số 0" in note for note in job.summary["notes"])


def test_an_id_with_too_few_digits_says_excel_dropped_zeros(territory: Any) -> None:
    row = resident(1, birth=datetime.date(1990, 9, 25))
    row[1] = 123456789
    data = workbook_bytes({"Danh sách": [RESIDENT_HEADER, row]})

    job = run_import(data, unit=territory.commune, file_name="ds.xlsx")

    (problem,) = [p for p in problems_of(job) if p[1] == "Số định danh cá nhân"]
    assert "Excel đã xóa các số 0 ở đầu" in problem[2] and "Văn bản (Text)" in problem[2]


# --- sheets, title rows, two-level headers, the rows under the table ----------------------------------------


def test_every_sheet_with_a_roster_header_is_read_and_listed(territory: Any) -> None:
    first = resident(1, birth=datetime.date(1990, 9, 25))
    second = resident(2, birth=datetime.date(1991, 9, 26), village="24631.002")
    data = workbook_bytes(
        {
            "Thôn 1": [RESIDENT_HEADER, first],
            "Thôn 2": [["DANH SÁCH NHÂN KHẨU THÔN 2"], [], RESIDENT_HEADER, second],
            "Ghi chú": [["Danh sách lập ngày 1/10"]],
        }
    )

    job = run_import(data, unit=territory.commune, file_name="ds.xlsx")

    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    assert job.summary["sheets"] == [
        {"name": "Thôn 1", "rows": 1, "header_row": 1},
        {"name": "Thôn 2", "rows": 1, "header_row": 3},
    ]
    assert "Không đọc các trang không có dòng tiêu đề danh sách: “Ghi chú”." in job.summary["notes"]


def test_a_problem_in_the_second_sheet_names_the_sheet(territory: Any) -> None:
    data = workbook_bytes(
        {
            "Thôn 1": [RESIDENT_HEADER, resident(1, birth=datetime.date(1990, 9, 25))],
            "Thôn 2": [RESIDENT_HEADER, resident(2, birth=datetime.date(1990, 9, 25), ethnicity="Sao Hỏa")],
        }
    )

    job = run_import(data, unit=territory.commune, file_name="ds.xlsx")

    assert problems_of(job) == [
        (2, "Thôn 2: Dân tộc", "Dân tộc “Sao Hỏa” không có trong danh mục 54 dân tộc Việt Nam.")
    ]


def test_a_sheet_that_looks_like_a_roster_but_lacks_columns_is_rejected_by_name(territory: Any) -> None:
    data = workbook_bytes(
        {
            "Thôn 1": [RESIDENT_HEADER, resident(1, birth=datetime.date(1990, 9, 25))],
            "Thôn 2": [["Số định danh cá nhân", "Họ và tên", "Ngày sinh"], ["068190000002", "Lê Văn An", "25/09/1990"]],
        }
    )

    job = run_import(data, unit=territory.commune, file_name="ds.xlsx")

    assert job.status == ImportStatus.REJECTED
    assert "trang “Thôn 2”" in job.message


def test_two_level_headers_column_numbers_totals_and_signatures(territory: Any) -> None:
    upper = [
        "STT",
        "Số định danh cá nhân",
        "Họ và tên",
        None,
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Mã hộ",
        "Nơi cư trú",
        None,
    ]
    lower = [None, None, "Họ", "Tên", None, None, None, None, "Mã thôn", "Địa chỉ"]
    numbers = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)"]
    row = resident(1, birth=datetime.date(1990, 9, 25))
    data_row = [1, row[1], "Nguyễn Thị", "Đào", row[3], row[4], row[5], row[6], row[8], "Số 5"]
    data = workbook_bytes(
        {
            "Danh sách": [
                ["ỦY BAN NHÂN DÂN XÃ ĐAM RÔNG"],
                ["DANH SÁCH NHÂN KHẨU"],
                [],
                upper,
                lower,
                numbers,
                data_row,
                [None, "Tổng cộng: 1 người"],
                [],
                [None, None, None, None, None, "Đam Rông, ngày 05 tháng 10 năm 2026"],
                [None, "Người lập biểu", None, None, None, "TM. UBND XÃ"],
                [None, "(Ký, ghi rõ họ tên)"],
                [None, "Nguyễn Văn Lập"],
            ]
        }
    )

    job = run_import(data, unit=territory.commune, file_name="ds.xlsx")

    assert (job.status, problems_of(job), job.message) == (ImportStatus.DONE, [], "")
    person = stored(row[1])
    assert (person.full_name, person.household.address) == ("Nguyễn Thị Đào", "Số 5")
    assert any(note.startswith("Bỏ qua 5 dòng cuối bảng, từ dòng 8") for note in job.summary["notes"])


def test_a_row_with_an_id_under_the_signature_block_is_not_ignored(territory: Any) -> None:
    rows = [
        RESIDENT_HEADER,
        resident(1, birth=datetime.date(1990, 9, 25)),
        [None, "Người lập biểu"],
        resident(2, birth=datetime.date(1990, 9, 25)),
    ]

    job = run_import(workbook_bytes({"Danh sách": rows}), unit=territory.commune, file_name="ds.xlsx")

    assert job.status == ImportStatus.REJECTED
    assert [(p[0], p[1]) for p in problems_of(job)] == [(4, "Số định danh cá nhân")]


# --- NFC, encodings ----------------------------------------------------------------------------------------


def test_nfd_text_in_an_xlsx_is_stored_in_nfc(territory: Any) -> None:
    row = resident(1, birth=datetime.date(1990, 9, 25))
    row = [unicodedata.normalize("NFD", cell) if isinstance(cell, str) else cell for cell in row]
    header = [unicodedata.normalize("NFD", cell) for cell in RESIDENT_HEADER]

    job = run_import(workbook_bytes({"Danh sách": [header, row]}), unit=territory.commune, file_name="ds.xlsx")

    person = stored(row[1])
    assert (job.status, person.full_name, person.household.address) == (
        ImportStatus.DONE,
        "Nguyễn Thị Đào",
        "Số 12, đường Hùng Vương",
    )
    assert unicodedata.is_normalized("NFC", person.household.address)


@pytest.mark.parametrize(
    ("encoder", "label"),
    [(encode_windows_1258, "Windows-1258"), (encode_tcvn3, "TCVN3 (ABC)"), (encode_vni, "VNI")],
)
def test_legacy_encodings_are_converted_and_said(territory: Any, encoder: Any, label: str) -> None:
    rows = [
        resident(1, name="Nguyễn Thị Ánh Tuyết", birth=datetime.date(1990, 9, 25)),
        resident(2, name="Trần Văn Hưởng", sex="M", birth=datetime.date(1985, 10, 30), ethnicity="Tày"),
        resident(3, name="Lê Thị Ngọc Diệp", birth=datetime.date(1970, 12, 13), ethnicity="Mường"),
    ]
    text = csv_bytes(rows).decode("utf-8")

    job = run_import(encoder(text), unit=territory.commune)

    assert (job.status, problems_of(job)) == (ImportStatus.DONE, [])
    assert sorted(Resident.objects.values_list("full_name", flat=True)) == [
        "Lê Thị Ngọc Diệp",
        "Nguyễn Thị Ánh Tuyết",
        "Trần Văn Hưởng",
    ]
    assert any(label in note for note in job.summary["notes"])


def test_a_file_in_no_known_encoding_is_refused(territory: Any) -> None:
    data = csv_bytes([resident(1)]) + bytes(range(0x80, 0x100)) * 3

    job = run_import(data, unit=territory.commune)

    assert job.status == ImportStatus.REJECTED
    assert "bảng mã cũ" in job.message


def test_the_legacy_decoders_on_known_words() -> None:
    assert decode_tcvn3(b"Nguy\xd4n V\xa8n \xaea") == "Nguyễn Văn đa"
    assert decode_tcvn3(b"TH\xde H\xa6\xeaNG") == "THỊ HƯỜNG"
    assert decode_vni("Nguyeãn Vaên Ñaøo".encode("cp1252")) == "Nguyễn Văn Đào"
    assert decode_vni("Tröông Thò Lôïi".encode("cp1252")) == "Trương Thị Lợi"
    assert guess_legacy_encoding("Nguyeãn Vaên Ñaøo, Tröông Thò Lôïi".encode("cp1252")) == "vni"
    assert is_vietnamese_syllable("Nguyễn") and is_vietnamese_syllable("khuya") and is_vietnamese_syllable("gì")
    assert not is_vietnamese_syllable("Nguyơn") and not is_vietnamese_syllable("Vaên")


# --- one set of rules for the form, the services and the importer ------------------------------------------


@pytest.mark.parametrize(
    ("changes", "column", "code"),
    [
        ({"full_name": "An (Tèo)"}, "Họ và tên", "name_characters"),
        ({"birth_date": datetime.date(1890, 1, 1)}, "Ngày sinh", "birth_date_too_early"),
    ],
)
def test_the_form_and_the_importer_refuse_the_same_values_with_the_same_reason(
    territory: Any, changes: dict[str, Any], column: str, code: str
) -> None:
    from hocvuso.core.errors import DomainError
    from hocvuso.people.services import correct_resident

    row = resident(1, birth=datetime.date(1990, 9, 25))
    run_import(csv_bytes([row]), unit=territory.commune)
    person = stored(row[1])
    bad = resident(1, birth=datetime.date(1990, 9, 25))
    if "full_name" in changes:
        bad[2] = changes["full_name"]
    else:
        bad[3] = f"{changes['birth_date']:%d/%m/%Y}"

    with pytest.raises(DomainError) as form_error:
        correct_resident(resident=person, changes=changes, actor=None)
    job = run_import(csv_bytes([bad]), unit=territory.commune)

    assert form_error.value.code == code
    assert (2, column, str(form_error.value.message)) in problems_of(job)


def test_a_birth_date_split_into_nam_and_nu_columns_gives_the_date_and_the_sex(territory: Any) -> None:
    upper = [
        "Số định danh cá nhân",
        "Họ và tên",
        "Ngày sinh",
        None,
        "Dân tộc",
        "Mã hộ",
        "Quan hệ với chủ hộ",
        "Mã thôn",
    ]
    lower = [None, None, "Nam", "Nữ", None, None, None, None]
    him = resident(1, sex="M", birth=datetime.date(1968, 4, 30), name="Nguyễn Văn Hùng", household="HO-1")
    her = resident(2, sex="F", birth=datetime.date(1990, 9, 25), relation="Con", household="HO-1")
    rows = [
        upper,
        lower,
        [him[1], him[2], "30/04/1968", None, "Kinh", "HO-1", "Chủ hộ", "24631.001"],
        [her[1], her[2], None, "25/09/1990", "Kinh", "HO-1", "Con", "24631.001"],
    ]

    job = run_import(workbook_bytes({"Danh sách": rows}), unit=territory.commune, file_name="ds.xlsx")

    assert (job.status, problems_of(job)) == (ImportStatus.DONE, [])
    assert (stored(him[1]).sex, stored(her[1]).sex) == ("M", "F")
    assert stored(her[1]).birth_date == datetime.date(1990, 9, 25)


def test_a_date_in_both_nam_and_nu_columns_is_a_row_problem(territory: Any) -> None:
    her = resident(1, sex="F", birth=datetime.date(1990, 9, 25))
    rows = [
        ["Số định danh cá nhân", "Họ và tên", "Ngày sinh", None, "Dân tộc", "Mã hộ", "Mã thôn"],
        [None, None, "Nam", "Nữ", None, None, None],
        [her[1], her[2], "25/09/1990", "25/09/1990", "Kinh", "HO-1", "24631.001"],
    ]

    job = run_import(workbook_bytes({"Danh sách": rows}), unit=territory.commune, file_name="ds.xlsx")

    assert problems_of(job) == [
        (3, "Ngày sinh (Nam)", "Ngày sinh ghi ở cả cột Nam và cột Nữ; chỉ ghi ở cột đúng giới tính."),
        (3, "Ngày sinh (Nam)", "Không rõ giới tính: ngày sinh phải ghi ở đúng một trong hai cột Nam, Nữ."),
    ]
