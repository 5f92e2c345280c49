"""Benchmark: validated roster import of a 1,000,000-row residents CSV, against django-import-export.

Recreates the PostgreSQL database named by BENCH_IMPORT_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hocvuso_bench_import), migrates it, loads the national units and the demo
villages of province 68, writes a synthetic CSV (valid IDs, households of 1–7 people spread over the province's
villages), then in a fresh process for each:
- ours: `submit_roster_import` + `run_roster_import` (validate every row, then one transaction) — rows/s and
  peak RSS of that process (ru_maxrss, which includes the file's bytes held by the caller);
- django-import-export: a ModelResource for Resident on the same columns (hash and encryption of the ID, name
  key, village and household by code, created on the fly) with use_bulk, on the first BENCH_IMPORT_IEX_ROWS
  rows of the same file (default 100,000; 0 = the whole file) — rows/s, extrapolated when it is a subset
  (said so in the output).
Budget (docs/ARCHITECTURE.md): ≥ 20,000 rows/s, ≤ 500 MB, ≥ 10× django-import-export.
BENCH_IMPORT_ROWS overrides the size (default 1,000,000).
"""

import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import bench_http as shared
import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hocvuso_bench_import"
HEADER = [
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
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "K'", "Điểu"]
MIDDLE_NAMES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Kim"]
GIVEN_NAMES = ["An", "Bình", "Cường", "Dung", "Đào", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quân", "Tâm", "Yến"]
ETHNICITIES = ["Kinh"] * 8 + ["Mnông", "Cơ Ho", "Ê Đê", "Tày", "Nùng", "Mạ"]

_OURS = """
import json, resource, time, django
django.setup()
from pathlib import Path
from hocvuso.territory.models import AdministrativeUnit
from hocvuso.people.imports.services import submit_roster_import, run_roster_import
path = Path({path!r})
unit = AdministrativeUnit.objects.get(code="68")
started = time.perf_counter()
job = submit_roster_import(user=None, kind="residents", file_name=path.name, data=path.read_bytes(), unit=unit,
                           dry_run=False, enqueue=False)  # like a web view, the caller keeps no copy of the bytes
submitted = time.perf_counter()
job = run_roster_import(job_id=job.pk)
finished = time.perf_counter()
print("RESULT " + json.dumps({{"status": job.status, "message": job.message, "rows": job.rows_total,
    "created": job.created_count, "households": job.households_created, "submit": submitted - started,
    "run": finished - submitted, "seconds": finished - started,
    "validated_at": job.started_at.timestamp(), "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""

_IMPORT_EXPORT = """
import json, resource, time, django
django.setup()
import tablib
from import_export import fields, resources, widgets
from hocvuso.core.crypto import encrypt, lookup_hash
from hocvuso.core.text import fold_diacritics
from hocvuso.people.ethnicity import ethnicity_code
from hocvuso.people.models import Household, Resident
from hocvuso.territory.models import AdministrativeUnit

class ResidentResource(resources.ModelResource):
    national_id_hash = fields.Field(attribute="national_id_hash", column_name="national_id_hash")
    full_name = fields.Field(attribute="full_name", column_name="Họ và tên")
    birth_date = fields.Field(attribute="birth_date", column_name="Ngày sinh", widget=widgets.DateWidget("%d/%m/%Y"))
    sex = fields.Field(attribute="sex", column_name="sex")
    ethnicity = fields.Field(attribute="ethnicity", column_name="ethnicity", widget=widgets.IntegerWidget())
    village = fields.Field(attribute="village", column_name="Mã thôn",
                           widget=widgets.ForeignKeyWidget(AdministrativeUnit, "code"))
    household = fields.Field(attribute="household", column_name="Mã hộ",
                             widget=widgets.ForeignKeyWidget(Household, "code"))

    class Meta:
        model = Resident
        import_id_fields = ["national_id_hash"]
        fields = ["national_id_hash", "full_name", "birth_date", "sex", "ethnicity", "village", "household"]
        use_bulk = True
        batch_size = 1000
        skip_diff = True

    def before_import_row(self, row, **kwargs):
        national_id = row["Số định danh cá nhân"]
        row["national_id_hash"] = lookup_hash(national_id)
        row["sex"] = "F" if row["Giới tính"] == "Nữ" else "M"
        row["ethnicity"] = ethnicity_code(row["Dân tộc"])
        Household.objects.get_or_create(code=row["Mã hộ"], defaults={{
            "village": AdministrativeUnit.objects.get(code=row["Mã thôn"]), "address": row["Địa chỉ"]}})

    def before_save_instance(self, instance, row, **kwargs):
        instance.name_key = fold_diacritics(instance.full_name)
        instance.national_id_ciphertext = encrypt(row["Số định danh cá nhân"])
        instance.national_id_last4 = row["Số định danh cá nhân"][-4:]
        if row["Số điện thoại"]:
            instance.phone_ciphertext = encrypt(row["Số điện thoại"])
            instance.phone_last3 = row["Số điện thoại"][-3:]

path = {path!r}
limit = {limit}
started = time.perf_counter()
with open(path, encoding="utf-8-sig", newline="") as handle:
    lines = [next(handle) for _ in range(limit + 1)] if limit else handle.readlines()
dataset = tablib.Dataset().load("".join(lines), format="csv")
for computed in ("national_id_hash", "sex", "ethnicity"):  # filled per row by before_import_row
    dataset.append_col([""] * len(dataset), header=computed)
result = ResidentResource().import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
seconds = time.perf_counter() - started
print("RESULT " + json.dumps({{"rows": len(dataset), "errors": result.has_errors(),
    "invalid": result.has_validation_errors(), "created": Resident.objects.count(), "seconds": seconds,
    "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def national_id(birth: datetime.date, sex: str, serial: int) -> str:
    century = (birth.year - 1900) // 100
    return f"068{century * 2 + (sex == 'F')}{birth.year % 100:02d}{serial:06d}"


def write_roster(path: Path, rows: int, villages: list[str], seed: int = 2026) -> int:
    """A residents CSV of `rows` rows: households of 1–7 people (the first is the head), one village each.
    Serial numbers per (birth year, sex) keep every ID unique and consistent with its birth date and sex."""
    rng = random.Random(seed)
    serials: dict[tuple[int, str], int] = {}
    households = 0
    written = 0
    today = datetime.date(2026, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as output:
        output.write(",".join(HEADER) + "\r\n")
        while written < rows:
            households += 1
            code = f"HB-{households:07d}"
            village = rng.choice(villages)
            address = f"Số {rng.randint(1, 300)}, đường {rng.choice(GIVEN_NAMES)}"
            family = rng.choice(FAMILY_NAMES)
            size = min(rng.randint(1, 7), rows - written)
            for member in range(size):
                sex = rng.choice("MF")
                birth = today - datetime.timedelta(days=rng.randint(365, 365 * 90))
                key = (birth.year, sex)
                serials[key] = serials.get(key, 0) + 1
                name = f"{family} {'Thị' if sex == 'F' else rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
                phone = f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.6 else ""
                output.write(
                    f"{national_id(birth, sex, serials[key])},{name},{birth:%d/%m/%Y},{'Nữ' if sex == 'F' else 'Nam'},"
                    f"{rng.choice(ETHNICITIES)},{code},{'Chủ hộ' if member == 0 else 'Con'},{village},"
                    f'"{address}",{phone}\r\n'
                )
                written += 1
    return households


def _python(environment: dict[str, str], code: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, check=False, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark process failed: {completed.stderr[-3000:]}")
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]


def _reset_registry(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "TRUNCATE people_membership, people_digitalidentity, people_resident, people_household, "
            "people_importproblem, people_importjob, people_rosteruploadchunk, people_rosterupload CASCADE"
        )


def run() -> dict[str, Any]:
    url = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_URL)
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
    iex_rows = int(os.environ.get("BENCH_IMPORT_IEX_ROWS", "100000"))
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        # Production settings (DEBUG off: no query log in memory), with throwaway keys for the benchmark.
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.production"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS", "localhost"),
        "FIELD_ENCRYPTION_KEY": os.environ.get("FIELD_ENCRYPTION_KEY", "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE="),
        "LOOKUP_HASH_KEY": os.environ.get("LOOKUP_HASH_KEY", "YmVuY2gtb25seS1sb29rdXAta2V5LTMyLWJ5dGVzISE="),
        "REDIS_URL": "",
    }
    shared.create_database(url, replace=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    setup = _python(
        environment,
        "import json, django\ndjango.setup()\n"
        "from hocvuso.territory.models import AdministrativeUnit\n"
        "from hocvuso.territory.services import generate_demo_villages, load_admin_units\n"
        "load_admin_units(actor=None)\n"
        "generate_demo_villages(province=AdministrativeUnit.objects.get(code='68'))\n"
        "codes = list(AdministrativeUnit.objects.filter(level='village', path__startswith='/68/')"
        ".values_list('code', flat=True))\n"
        "print('RESULT ' + json.dumps(codes))",
    )
    villages: list[str] = setup  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        path = Path(folder) / "roster-1m.csv"
        households = write_roster(path, rows, villages)
        size_mb = path.stat().st_size / 1024 / 1024

        ours = _python(environment, _OURS.format(path=str(path)))
        if ours["status"] != "done":
            raise RuntimeError(f"our import did not finish: {ours}")
        _reset_registry(url)
        subset = rows if iex_rows == 0 else min(iex_rows, rows)
        theirs = _python(environment, _IMPORT_EXPORT.format(path=str(path), limit=0 if subset == rows else subset))

    our_rate = ours["rows"] / ours["seconds"]
    their_rate = theirs["rows"] / theirs["seconds"]
    figures: dict[str, Any] = {
        "file, rows": ours["rows"],
        "file size, MB": round(size_mb, 1),
        "file, households": households,
        "villages": len(villages),
        "ours: residents created, rows": ours["created"],
        "ours: households created, rows": ours["households"],
        "ours: submit (store file), s": round(ours["submit"], 1),
        "ours: validate + import, s": round(ours["run"], 1),
        "ours: total, s": round(ours["seconds"], 1),
        "ours: validated import, rows/s": round(our_rate),
        "ours: peak RSS, MB": round(ours["peak_rss_kb"] / 1024),
        "django-import-export: rows measured, rows": theirs["rows"],
        "django-import-export: errors": theirs["errors"] or theirs["invalid"],
        "django-import-export: residents created, rows": theirs["created"],
        "django-import-export: time, s": round(theirs["seconds"], 1),
        "django-import-export: import, rows/s": round(their_rate),
        "django-import-export: peak RSS, MB": round(theirs["peak_rss_kb"] / 1024),
        "django-import-export: measured on": "the same file"
        if theirs["rows"] == ours["rows"]
        else (f"the first {theirs['rows']:,} rows of the same file (rate extrapolated to the whole file)"),
        "django-import-export: projected time for the whole file, s": round(ours["rows"] / their_rate),
        "ratio of rates (ours / django-import-export), ×": round(our_rate / their_rate, 1),
    }
    for name, value in figures.items():
        label, _, unit = name.partition(", ")
        print(f"{label}: {value} {unit}".rstrip())
    return figures


if __name__ == "__main__":
    run()
