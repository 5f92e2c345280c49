"""Builders of roster files for the import tests: valid rows, and the hostile files made from them."""

import csv
import datetime
import io
from collections.abc import Sequence
from typing import Any

from hocvuso.people.models import DigitalIdentity, Household, Membership, Resident

RESIDENT_HEADER = [
    "STT",
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Mã hộ",
    "Quan hệ với chủ hộ",
    "Mã thôn",
    "Địa chỉ",
    "Số điện thoại",
]
ROSTER_HEADER = [
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Chức vụ, vị trí",
    "Mã thôn nơi cư trú",
]


def national_id(birth: datetime.date, sex: str, serial: int, province: str = "068") -> str:
    """A structurally valid 12-digit ID for someone born on `birth` of sex "M"/"F"."""
    century = (birth.year - 1900) // 100
    return f"{province}{century * 2 + (sex == 'F')}{birth.year % 100:02d}{serial:06d}"


def resident(
    serial: int,
    *,
    name: str = "Nguyễn Thị Đào",
    birth: datetime.date = datetime.date(1990, 9, 5),
    sex: str = "F",
    ethnicity: str = "Kinh",
    household: str | None = None,
    relation: str = "Chủ hộ",
    village: str = "24631.001",
    address: str = "Số 12, đường Hùng Vương",
    phone: str = "0912345678",
    national: str | None = None,
) -> list[Any]:
    """One row of a residents file (as cells, in RESIDENT_HEADER order)."""
    return [
        serial,
        national if national is not None else national_id(birth, sex, serial),
        name,
        f"{birth:%d/%m/%Y}",
        "Nữ" if sex == "F" else "Nam",
        ethnicity,
        household or f"HO-{serial:05d}",
        relation,
        village,
        address,
        phone,
    ]


def roster_member(
    serial: int,
    *,
    name: str = "Trần Văn Bình",
    birth: datetime.date = datetime.date(1985, 3, 14),
    sex: str = "M",
    ethnicity: str = "Kinh",
    position: str = "Chuyên viên",
    village: str = "24631.001",
    national: str | None = None,
) -> list[Any]:
    return [
        national if national is not None else national_id(birth, sex, serial),
        name,
        f"{birth:%d/%m/%Y}",
        "Nữ" if sex == "F" else "Nam",
        ethnicity,
        position,
        village,
    ]


def csv_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = RESIDENT_HEADER,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, header: Sequence[str] = RESIDENT_HEADER, title_rows: int = 0) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for number in range(title_rows):
        sheet.append([f"DANH SÁCH NHÂN KHẨU (dòng tiêu đề phụ {number + 1})"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the registry tables, in full, to compare before and after a refused import."""

    def rows(model: Any) -> list[tuple[Any, ...]]:
        fields = [field.attname for field in model._meta.concrete_fields]
        return [
            tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
            for row in model.objects.order_by("pk").values_list(*fields)
        ]

    return {
        "residents": rows(Resident),
        "households": rows(Household),
        "memberships": rows(Membership),
        "identities": rows(DigitalIdentity),
    }


def run_import(
    data: bytes,
    *,
    unit: Any,
    user: Any = None,
    kind: str = "residents",
    organisation: Any = None,
    dry_run: bool = False,
    file_name: str = "danh-sach.csv",
    date_order: str = "dmy",
) -> Any:
    """Submit and run an import as the background task would (synchronously); returns the finished job.

    The officer's date order is day first unless told (the sample rows' dates, 05/09/1990, read both ways)."""
    from hocvuso.people.imports.services import run_roster_import, submit_roster_import

    job = submit_roster_import(
        user=user,
        kind=kind,
        file_name=file_name,
        data=data,
        unit=unit,
        organisation=organisation,
        dry_run=dry_run,
        date_order=date_order,
        enqueue=False,
    )
    if job.duplicate:
        return job
    return run_roster_import(job_id=job.pk)


def problems_of(job: Any) -> list[tuple[Any, str, str]]:
    return list(job.problems.order_by("id").values_list("row", "column", "message"))
