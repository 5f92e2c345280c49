"""Writes over administrative units: the national list, villages per commune, mergers."""

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.core.text import decode_text_file

from .models import REFORM_DATE, VILLAGE_KINDS, AdministrativeUnit, Level

MAX_VILLAGE_FILE_BYTES = 2 * 1024 * 1024


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _national_divisions() -> list[dict[str, Any]]:
    return json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))


def _upsert_unit(
    result: LoadResult,
    existing: dict[str, AdministrativeUnit],
    *,
    code: str,
    name: str,
    level: str,
    kind: str,
    parent: AdministrativeUnit | None,
) -> AdministrativeUnit:
    unit = existing.get(code)
    path = AdministrativeUnit.path_for(code, parent)
    if unit is None:
        unit = AdministrativeUnit.objects.create(
            code=code, name=name, level=level, kind=kind, parent=parent, path=path, valid_from=REFORM_DATE
        )
        result.created += 1
    elif (unit.name, unit.level, unit.kind, unit.parent_id, unit.path) != (
        name,
        level,
        kind,
        parent.pk if parent else None,
        path,
    ):
        unit.name, unit.level, unit.kind, unit.parent, unit.path = name, level, kind, parent, path
        unit.save()
        result.updated += 1
    else:
        result.unchanged += 1
    return unit


@transaction.atomic
def load_admin_units(*, actor: Any = None) -> LoadResult:
    """Create or update the 34 provinces and 3,321 communes in force since 1 July 2025 (idempotent).

    Source: the `vietnam-provinces` package (General Statistics Office codes). Returns how many units
    were created, updated and left unchanged; a second run changes nothing.
    """
    result = LoadResult()
    existing = {
        unit.code: unit for unit in AdministrativeUnit.objects.filter(level__in=[Level.PROVINCE, Level.COMMUNE])
    }
    for province_data in _national_divisions():
        province = _upsert_unit(
            result,
            existing,
            code=str(province_data["code"]).zfill(2),
            name=province_data["name"],
            level=Level.PROVINCE,
            kind=province_data["division_type"],
            parent=None,
        )
        for ward in province_data["wards"]:
            _upsert_unit(
                result,
                existing,
                code=str(ward["code"]).zfill(5),
                name=ward["name"],
                level=Level.COMMUNE,
                kind=ward["division_type"],
                parent=province,
            )
    if result.created or result.updated:
        record_audit(
            actor=actor,
            action="territory.load_admin_units",
            object_type="territory.administrativeunit",
            details={"created": result.created, "updated": result.updated},
        )
    return result


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class VillageImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors


VILLAGE_COLUMNS = {"code": "Mã thôn", "name": "Tên thôn", "kind": "Loại"}


def _normalise_header(text: str) -> str:
    return " ".join(text.strip().lower().split())


def import_villages(
    *, commune: AdministrativeUnit, data: bytes, actor: Any, dry_run: bool = False
) -> VillageImportReport:
    """Import the villages of one commune from a CSV file (columns "Mã thôn", "Tên thôn", "Loại").

    Every row is checked before anything is written; any bad row rejects the whole file, and the report
    lists each bad row with its column and reason. A village that already exists with the same code and
    name is left unchanged, so sending the file again creates nothing. With `dry_run` nothing is written.
    Raises DomainError for a file that cannot be read at all.
    """
    if commune.level != Level.COMMUNE:
        raise DomainError(_("Chỉ nhập thôn cho một xã, phường hoặc đặc khu."))
    if len(data) > MAX_VILLAGE_FILE_BYTES:
        raise DomainError(_("Tệp quá lớn (tối đa 2 MB)."))
    if not data.strip():
        raise DomainError(_("Tệp rỗng."))
    text = decode_text_file(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    positions = {_normalise_header(name): index for index, name in enumerate(header)}
    missing = [label for label in (VILLAGE_COLUMNS["name"],) if _normalise_header(label) not in positions]
    if missing:
        raise DomainError(
            _("Thiếu cột bắt buộc: %(columns)s. Tải tệp mẫu để xem đúng tiêu đề cột.") % {"columns": ", ".join(missing)}
        )
    report = VillageImportReport()
    existing = {unit.code: unit for unit in AdministrativeUnit.objects.filter(parent=commune)}
    existing_names = {unit.name.casefold(): unit for unit in existing.values()}
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    to_create: list[tuple[str, str, str]] = []

    def cell(row: list[str], key: str) -> str:
        index = positions.get(_normalise_header(VILLAGE_COLUMNS[key]))
        return row[index].strip() if index is not None and index < len(row) else ""

    next_number = len(existing) + 1
    for row_number, row in enumerate(reader, start=2):
        if not any(value.strip() for value in row):
            continue
        report.rows += 1
        name, kind, code = cell(row, "name"), cell(row, "kind").lower() or "thôn", cell(row, "code")
        if not name:
            report.errors.append(RowError(row_number, VILLAGE_COLUMNS["name"], _("Thiếu tên thôn.")))
            continue
        if len(name) > 200:
            report.errors.append(RowError(row_number, VILLAGE_COLUMNS["name"], _("Tên thôn dài quá 200 ký tự.")))
            continue
        if kind not in VILLAGE_KINDS:
            report.errors.append(
                RowError(
                    row_number,
                    VILLAGE_COLUMNS["kind"],
                    _("Loại “%(kind)s” không hợp lệ; dùng một trong: %(kinds)s.")
                    % {"kind": kind, "kinds": ", ".join(VILLAGE_KINDS)},
                )
            )
            continue
        if not code:
            code = f"{commune.code}.{next_number:03d}"
            next_number += 1
        elif not code.startswith(f"{commune.code}.") or not code[len(commune.code) + 1 :].isdigit():
            report.errors.append(
                RowError(
                    row_number,
                    VILLAGE_COLUMNS["code"],
                    _("Mã thôn phải có dạng %(code)s.NNN (mã xã, dấu chấm, số thứ tự).") % {"code": commune.code},
                )
            )
            continue
        if code in seen_codes:
            report.errors.append(
                RowError(
                    row_number,
                    VILLAGE_COLUMNS["code"],
                    _("Mã thôn trùng với dòng %(row)s.") % {"row": seen_codes[code]},
                )
            )
            continue
        if name.casefold() in seen_names:
            report.errors.append(
                RowError(
                    row_number,
                    VILLAGE_COLUMNS["name"],
                    _("Tên thôn trùng với dòng %(row)s.") % {"row": seen_names[name.casefold()]},
                )
            )
            continue
        seen_codes[code], seen_names[name.casefold()] = row_number, row_number
        current = existing.get(code) or existing_names.get(name.casefold())
        if current is not None:
            if current.code == code and current.name == name:
                report.unchanged += 1
                continue
            report.errors.append(
                RowError(
                    row_number,
                    VILLAGE_COLUMNS["code"],
                    _("Thôn đã có với mã %(code)s, tên “%(name)s”; không nhập chồng.")
                    % {"code": current.code, "name": current.name},
                )
            )
            continue
        if AdministrativeUnit.objects.filter(code=code).exists():
            report.errors.append(RowError(row_number, VILLAGE_COLUMNS["code"], _("Mã thôn đã được dùng ở nơi khác.")))
            continue
        to_create.append((code, name, kind))
    if report.rows == 0:
        raise DomainError(_("Tệp không có dòng dữ liệu nào."))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for code, name, kind in to_create:
            AdministrativeUnit.objects.create(
                code=code,
                name=name,
                level=Level.VILLAGE,
                kind=kind,
                parent=commune,
                path=AdministrativeUnit.path_for(code, commune),
                valid_from=commune.valid_from,
            )
        report.created = len(to_create)
        report.committed = True
        record_audit(
            actor=actor,
            action="territory.import_villages",
            target=commune,
            details={"created": report.created, "unchanged": report.unchanged},
        )
    return report


@transaction.atomic
def merge_units(
    *, units: list[AdministrativeUnit], into: AdministrativeUnit, effective: date, actor: Any
) -> AdministrativeUnit:
    """Merge `units` into `into` from the day `effective`: each merged unit ends the day before and names
    `into` as its successor. Nothing is deleted, so data recorded against the old units keeps its
    history and is reported under the successor. Raises DomainError for an impossible merger.
    """
    if not units:
        raise DomainError(_("Chọn ít nhất một đơn vị để sáp nhập."))
    for unit in units:
        if unit.pk == into.pk:
            raise DomainError(_("Không thể sáp nhập một đơn vị vào chính nó."))
        if unit.level != into.level:
            raise DomainError(_("Chỉ sáp nhập các đơn vị cùng cấp."))
        if unit.valid_to is not None:
            raise DomainError(_("Đơn vị “%(name)s” đã hết hiệu lực.") % {"name": unit.name})
        if effective <= unit.valid_from:
            raise DomainError(_("Ngày sáp nhập phải sau ngày đơn vị bắt đầu hiệu lực."))
    for unit in units:
        unit.valid_to = effective - timedelta(days=1)
        unit.successor = into
        unit.save(update_fields=["valid_to", "successor", "updated_at"])
        record_audit(actor=actor, action="territory.merge_unit", target=unit, details={"into": into.code})
    return into


@transaction.atomic
def generate_demo_villages(
    *, province: AdministrativeUnit, seed: int = 68, per_commune: tuple[int, int] = (12, 28)
) -> int:
    """Give every commune of the province that has no village a generated list of villages.

    Names follow local custom (thôn, bon and buôn in the highlands, tổ dân phố in wards); the same seed
    gives the same villages. Returns the number of villages created.
    """
    rng = random.Random(seed)
    created: list[AdministrativeUnit] = []
    communes = AdministrativeUnit.objects.filter(parent=province, level=Level.COMMUNE).order_by("code")
    with_villages = set(
        AdministrativeUnit.objects.filter(parent__in=communes, level=Level.VILLAGE).values_list("parent_id", flat=True)
    )
    minority_names = [
        "Bu Đăng",
        "N'Jriêng",
        "Bon Ja Ráh",
        "R'Lơm",
        "Ka Đơn",
        "Liêng Trang",
        "Đạ Nhar",
        "B'Sre",
        "K'Long",
        "Ya Tang",
    ]
    for commune in communes:
        if commune.pk in with_villages:
            continue
        count = rng.randint(*per_commune)
        for number in range(1, count + 1):
            if commune.kind == "phường":
                kind, name = "tổ dân phố", f"Tổ dân phố {number}"
            elif rng.random() < 0.3:
                kind = rng.choice(["bon", "buôn"])
                name = f"{kind.capitalize()} {rng.choice(minority_names)} {number}"
            else:
                kind, name = "thôn", f"Thôn {number}"
            code = f"{commune.code}.{number:03d}"
            created.append(
                AdministrativeUnit(
                    code=code,
                    name=name,
                    level=Level.VILLAGE,
                    kind=kind,
                    parent=commune,
                    path=AdministrativeUnit.path_for(code, commune),
                    valid_from=commune.valid_from,
                )
            )
    AdministrativeUnit.objects.bulk_create(created, batch_size=1000)
    return len(created)
