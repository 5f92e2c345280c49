"""The two sides of the roster-import comparison (bench_import.py), each run in a process of its own:

    python bench/import_sides.py ours FILE        # our importer, through its public services
    python bench/import_sides.py theirs FILE      # django-import-export, written as its documentation says
    python bench/import_sides.py stored           # what the registry holds now (for checking both stored the same)

Each prints one `RESULT {json}` line. Not a benchmark itself (bench/run.py runs only bench_*.py).

django-import-export's side follows its "Bulk imports → Performance tuning" page: `use_bulk` with a
`batch_size` (not None, which its tests found slower), `skip_diff`, `force_init_instance` (the file only creates
rows: the registry is empty before each run), and `CachedForeignKeyWidget` for the village and household (one
query for all of them, not one per row). It gives the same answer as our importer: all or nothing
(`use_transactions` with `rollback_on_validation_errors`), the same checks per row (the ID's 12 digits and its
consistency with the birth date and sex, the name's letters and length, the date's form and range, sex, one of
the 54 ethnic groups, a mobile phone, a village of the province, a household code of the allowed form whose
village agrees on every row, no ID twice in the file, no cell that a spreadsheet would read as a formula), the
same stored form (keyed hash and AES-GCM ciphertext of the ID and phone, their last digits, the folded name
key), households with their address and head. Households come first (a second resource over the distinct
household codes, as the documentation's foreign-key pattern needs them to exist), residents next, heads last.
"""

import datetime
import hashlib
import json
import os
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

import django

PROVINCE = "68"
HEAD_RELATIONS = {"chu ho", "chuho", "ch"}
SEX = {"nam": "M", "nu": "F", "m": "M", "f": "F"}
NAME_CHARS = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’ʼ.\-])*$")
HOUSEHOLD_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/\-]{0,39}$")
PHONE = re.compile(r"^0[35789]\d{8}$")
DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
FORMULA_START = ("=", "+", "-", "@")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu_s() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far (read from /proc: the server runs on this
    machine in the benchmark), or None where it cannot be read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ours(path: Path) -> dict[str, Any]:
    """Our importer as a web request and its worker run it: store the file, then validate every row and import
    it all in one transaction."""
    from hocvuso.people.imports.services import run_roster_import, submit_roster_import
    from hocvuso.territory.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(code=PROVINCE)
    server_before = _server_cpu_s()
    cpu_before = _cpu_s()
    started = time.perf_counter()
    job = submit_roster_import(
        user=None,
        kind="residents",
        file_name=path.name,
        data=path.read_bytes(),
        unit=unit,
        dry_run=False,
        enqueue=False,
    )  # like a web view, the caller keeps no copy of the bytes
    submitted = time.perf_counter()
    job = run_roster_import(job_id=job.pk)
    finished = time.perf_counter()
    cpu = _cpu_s() - cpu_before
    server_after = _server_cpu_s()
    return {
        # CPU time is steadier than the wall time on a shared machine: Python's (this process, its threads) and
        # the main connection's PostgreSQL backend (the COPY, indexes, triggers, foreign-key checks, the commit)
        "Python CPU, s": round(cpu, 1),
        "PostgreSQL CPU, s": (
            round(server_after - server_before, 1) if server_before is not None and server_after is not None else None
        ),
        "status": job.status,
        "message": str(job.message),
        "rows": job.rows_total,
        "submit, s": submitted - started,
        "validate + import, s": finished - submitted,
        "seconds": finished - started,
        "peak RSS, MB": _peak_mb(),
    }


def theirs(path: Path) -> dict[str, Any]:
    """django-import-export on the same file (see the module's docstring)."""
    import tablib
    from django.core.exceptions import ValidationError
    from import_export import fields, resources, widgets

    from hocvuso.core.crypto import encrypt, lookup_hash
    from hocvuso.core.text import fold_diacritics, search_key
    from hocvuso.people.ethnicity import ethnicity_code
    from hocvuso.people.models import Household, Resident
    from hocvuso.people.national_id import check_national_id, normalise_national_id
    from hocvuso.territory.models import AdministrativeUnit

    today = datetime.date.today()
    oldest = today.replace(year=today.year - 120)

    def plain(value: Any) -> str:
        text = "" if value is None else str(value).strip()
        if text.startswith(FORMULA_START):
            raise ValueError(f"Ô bắt đầu bằng “{text[0]}” (có thể bị bảng tính hiểu là công thức).")
        return text

    class NationalIdWidget(widgets.CharWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            from hocvuso.core.errors import DomainError

            try:
                return normalise_national_id(plain(value))
            except DomainError as error:
                raise ValueError(str(error.message)) from error

    class NameWidget(widgets.CharWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            text = " ".join(plain(value).split())
            if not text or len(text) > 150 or not NAME_CHARS.fullmatch(text):
                raise ValueError("Họ và tên thiếu, quá dài hoặc có ký tự không hợp lệ.")
            return text

    class BirthDateWidget(widgets.DateWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> datetime.date:
            match = DMY.fullmatch(plain(value))
            if not match:
                raise ValueError("Ngày sinh không đúng dạng ngày/tháng/năm.")
            day, month, year = (int(part) for part in match.groups())
            birth = datetime.date(year, month, day)  # ValueError for a day that does not exist
            if not oldest <= birth <= today:
                raise ValueError("Ngày sinh ở tương lai hoặc cho tuổi trên 120.")
            return birth

    class SexWidget(widgets.CharWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            sex = SEX.get(fold_diacritics(plain(value)))
            if sex is None:
                raise ValueError("Giới tính phải là Nam hoặc Nữ.")
            return sex

    class EthnicityWidget(widgets.IntegerWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
            code = ethnicity_code(plain(value))
            if code is None:
                raise ValueError("Dân tộc không có trong danh mục 54 dân tộc.")
            return code

    class ProvinceVillageWidget(widgets.CachedForeignKeyWidget):
        """A village of the importer's province, looked up in one query for the whole file."""

        def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
            return AdministrativeUnit.objects.filter(level="village", path__startswith=f"/{PROVINCE}/")

    class HouseholdWidget(widgets.CachedForeignKeyWidget):
        def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
            return Household.objects.filter(village__path__startswith=f"/{PROVINCE}/")

    class HouseholdResource(resources.ModelResource):
        code = fields.Field(attribute="code", column_name="Mã hộ")
        village = fields.Field(
            attribute="village", column_name="Mã thôn", widget=ProvinceVillageWidget(AdministrativeUnit, "code")
        )
        address = fields.Field(attribute="address", column_name="Địa chỉ")

        class Meta:
            model = Household
            fields = ["code", "village", "address"]
            import_id_fields = ["code"]
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

    class ResidentResource(resources.ModelResource):
        # the cleaned 12 digits land in national_id_hash first; import_instance turns them into the keyed hash
        national_id = fields.Field(
            attribute="national_id_hash", column_name="Số định danh cá nhân", widget=NationalIdWidget()
        )
        full_name = fields.Field(attribute="full_name", column_name="Họ và tên", widget=NameWidget())
        birth_date = fields.Field(attribute="birth_date", column_name="Ngày sinh", widget=BirthDateWidget())
        sex = fields.Field(attribute="sex", column_name="Giới tính", widget=SexWidget())
        ethnicity = fields.Field(attribute="ethnicity", column_name="Dân tộc", widget=EthnicityWidget())
        village = fields.Field(
            attribute="village", column_name="Mã thôn", widget=ProvinceVillageWidget(AdministrativeUnit, "code")
        )
        household = fields.Field(attribute="household", column_name="Mã hộ", widget=HouseholdWidget(Household, "code"))

        class Meta:
            model = Resident
            fields = ["national_id", "full_name", "birth_date", "sex", "ethnicity", "village", "household"]
            import_id_fields = ["national_id"]
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

        def __init__(self) -> None:
            super().__init__()
            self.seen_ids: set[str] = set()
            self.heads: list[tuple[str, str]] = []  # (household code, ID hash)

        def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            errors: dict[str, list[str]] = {}
            try:
                super().import_instance(instance, row, **kwargs)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            national_id = instance.national_id_hash
            if not national_id:  # the widget refused it: the error is in `errors` already
                raise ValidationError(errors)
            if national_id in self.seen_ids:
                errors.setdefault("national_id", []).append("Số định danh xuất hiện hai lần trong tệp.")
            self.seen_ids.add(national_id)
            if "birth_date" not in errors and "sex" not in errors:
                problems = check_national_id(national_id, birth_date=instance.birth_date, sex=instance.sex)
                errors.setdefault("national_id", []).extend(str(problem) for problem in problems)
            try:
                phone = plain(row["Số điện thoại"]).replace(" ", "")
            except ValueError as error:
                errors.setdefault("phone", []).append(str(error))
                phone = ""
            if phone and not PHONE.fullmatch(phone):
                errors.setdefault("phone", []).append("Số điện thoại di động không hợp lệ.")
            household = instance.household if "household" not in errors else None
            if household is not None and instance.village_id != household.village_id:
                errors.setdefault("village", []).append("Hộ này đã ghi ở một thôn khác trên dòng khác.")
            if any(errors.values()):
                raise ValidationError({key: value for key, value in errors.items() if value})
            instance.national_id_hash = lookup_hash(national_id)
            instance.national_id_ciphertext = encrypt(national_id)
            instance.national_id_last4 = national_id[-4:]
            instance.name_key = search_key(instance.full_name)[:150]
            if phone:
                instance.phone_ciphertext = encrypt(phone)
                instance.phone_last3 = phone[-3:]
            if fold_diacritics(plain(row["Quan hệ với chủ hộ"])) in HEAD_RELATIONS:
                self.heads.append((household.code, instance.national_id_hash))

    started = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="csv")
    # The households: distinct codes, each with the village and address of its first row, checked to agree.
    households = tablib.Dataset(headers=["Mã hộ", "Mã thôn", "Địa chỉ"])
    village_of: dict[str, str] = {}
    codes, villages, addresses = dataset["Mã hộ"], dataset["Mã thôn"], dataset["Địa chỉ"]
    for code, village, address in zip(codes, villages, addresses, strict=True):
        if village_of.setdefault(code, village) != village or not HOUSEHOLD_CODE.fullmatch(code):
            raise SystemExit(f"household {code!r}: bad code or two villages")
        if len(village_of) > len(households):
            households.append([code, village, " ".join(plain(address).split())])
    loaded = time.perf_counter()
    from django.db import transaction

    with transaction.atomic():  # households and residents together: all or nothing
        first = HouseholdResource().import_data(
            households, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        if first.has_errors() or first.has_validation_errors():
            raise SystemExit(f"households refused: {first.invalid_rows[:3]} {first.base_errors[:3]}")
        residents = ResidentResource()
        second = residents.import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        if second.has_errors() or second.has_validation_errors():
            invalid = [(row.number, row.error_dict) for row in second.invalid_rows[:3]]
            raise SystemExit(f"residents refused: {invalid} {[error.error for error in second.base_errors[:3]]}")
        heads = dict(
            Resident.objects.filter(national_id_hash__in=[hash_ for _code, hash_ in residents.heads]).values_list(
                "national_id_hash", "pk"
            )
        )
        by_code = {code: heads[hash_] for code, hash_ in residents.heads}
        changed = list(Household.objects.filter(code__in=by_code))
        for household in changed:
            household.head_id = by_code[household.code]
        Household.objects.bulk_update(changed, ["head_id"], batch_size=1000)
    finished = time.perf_counter()
    return {
        "status": "done",
        "rows": len(dataset),
        "households": len(households),
        "read file, s": loaded - started,
        "seconds": finished - started,
        "peak RSS, MB": _peak_mb(),
    }


def stored() -> dict[str, Any]:
    """The registry as a fingerprint: every resident's decrypted ID and phone, name, birth date, sex, ethnic
    group, village and household codes, and every household's code, village, address and head's ID — sorted
    and hashed, with the counts. Equal fingerprints: both sides stored the same rows."""
    from django.db import connection

    from hocvuso.core.crypto import decrypt

    residents = hashlib.sha256()
    households = hashlib.sha256()
    counts = {"residents": 0, "households": 0, "heads": 0, "phones": 0}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.national_id_ciphertext, r.phone_ciphertext, r.full_name, r.name_key, r.birth_date, r.sex, "
            "r.ethnicity, v.code, h.code, r.national_id_last4, r.phone_last3 FROM people_resident r "
            "JOIN territory_administrativeunit v ON v.id = r.village_id "
            "LEFT JOIN people_household h ON h.id = r.household_id ORDER BY r.national_id_hash"
        )
        for row in cursor:
            national_id = decrypt(row[0])
            phone = decrypt(row[1]) if row[1] is not None else ""
            counts["residents"] += 1
            counts["phones"] += bool(phone)
            residents.update(repr((national_id, phone, *row[2:])).encode())
        cursor.execute(
            "SELECT h.code, v.code, h.address, r.national_id_hash FROM people_household h "
            "JOIN territory_administrativeunit v ON v.id = h.village_id "
            "LEFT JOIN people_resident r ON r.id = h.head_id ORDER BY h.code"
        )
        for row in cursor:
            counts["households"] += 1
            counts["heads"] += row[3] is not None
            households.update(repr(row).encode())
    return {**counts, "residents sha256": residents.hexdigest(), "households sha256": households.hexdigest()}


if __name__ == "__main__":
    django.setup()
    side = sys.argv[1]
    if side == "ours":
        result = ours(Path(sys.argv[2]))
    elif side == "theirs":
        result = theirs(Path(sys.argv[2]))
    elif side == "stored":
        result = stored()
    else:
        raise SystemExit(__doc__)
    print("RESULT " + json.dumps(result, ensure_ascii=False))
