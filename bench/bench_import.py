"""Benchmark: validated roster import of a 1,000,000-row residents CSV, against django-import-export on it.

Recreates the PostgreSQL database named by BENCH_IMPORT_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hocvuso_bench_import), migrates it, loads the national units and the demo
villages of province 68, writes a synthetic CSV (valid IDs, households of 1–7 people spread over the province's
villages), then, RUNS times (bench/repeat.py) and alternating, each side in a fresh process on an empty registry
(bench/import_sides.py says how each is written):
- ours: `submit_roster_import` + `run_roster_import` (validate every row, then one transaction);
- django-import-export on the SAME whole file, written as its documentation recommends for bulk loads
  (use_bulk, batch_size, skip_diff, force_init_instance, cached foreign-key widgets), with the same checks,
  hashing and encryption, all or nothing.
After each run the registry's content is fingerprinted (decrypted IDs and phones included): both sides must have
stored the same rows. Figures: rows/s and peak RSS of each run (the same file, so memory is compared at the same
size), the load around each. When django-import-export runs past 30 minutes it is not repeated, and its rate is
its measured rate over that whole run (said so). No figure is extrapolated.
Budget (docs/ARCHITECTURE.md): ≥ 20,000 rows/s, ≤ 500 MB, ≥ 10× django-import-export — on our worst run.
The size (`bench/run.py import=20000`, or BENCH_IMPORT_ROWS) is the number of rows (default 1,000,000).
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
import repeat

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


def _side(environment: dict[str, str], *arguments: str) -> dict[str, Any]:
    """Run one side (bench/import_sides.py) in a fresh process; its RESULT line."""
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_sides.py"), *arguments],
        cwd=ROOT,
        env=environment,
        check=False,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{arguments[0]} failed: {completed.stdout[-1500:]} {completed.stderr[-3000:]}")
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]


def _python(environment: dict[str, str], code: str) -> Any:
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, check=False, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark process failed: {completed.stderr[-3000:]}")
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def _reset_registry(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "TRUNCATE people_membership, people_digitalidentity, people_resident, people_household, "
            "people_importproblem, people_importjob, people_rosteruploadchunk, people_rosterupload CASCADE"
        )


SIZE = "rows of the residents file, imported by both sides (BENCH_IMPORT_ROWS, default 1,000,000)"
RATE_BUDGET = 20_000.0
MEMORY_BUDGET_MB = 500.0
RATIO_BUDGET = 10.0
THEIR_LIMIT_S = 30 * 60  # past this, django-import-export is run once only (its rate over that whole run)
# How many of the rounds run django-import-export too (BENCH_IMPORT_THEIR_RUNS; default every round), the last ones.
# Its side is the comparison, not a budget: fewer runs save ~9 minutes each at 1,000,000 rows, and the figures say
# how many.
THEIR_RUNS = int(os.environ.get("BENCH_IMPORT_THEIR_RUNS", "0")) or None


def run(size: int | None = None) -> dict[str, Any]:
    url = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_URL)
    rows = size or int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
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
        "PYTHONPATH": str(ROOT),
    }
    shared.create_database(url, replace=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    villages: list[str] = _python(
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
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "theirs": []}
    stored: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        path = Path(folder) / f"roster-{rows}.csv"
        households = write_roster(path, rows, villages)
        size_mb = path.stat().st_size / 1024 / 1024
        # The two sides alternate, on an empty registry each time, so both meet the same load of the machine.
        for number in range(1, repeat.RUNS + 1):
            for side in ("ours", "theirs"):
                if side == "theirs" and runs["theirs"] and runs["theirs"][0]["seconds"] > THEIR_LIMIT_S:
                    continue
                # with fewer rounds of django-import-export, they are the last ones: our runs come first
                if side == "theirs" and THEIR_RUNS is not None and number <= repeat.RUNS - THEIR_RUNS:
                    continue
                print(f"   import: {side}, run {number}/{repeat.RUNS}", file=sys.stderr, flush=True)
                _reset_registry(url)
                before = repeat.load_average()
                result = _side(environment, side, str(path))
                result.update({"load before": before, "load after": repeat.load_average()})
                if result["status"] != "done":
                    raise RuntimeError(f"{side}: the import did not finish: {result}")
                result["rows/s"] = result["rows"] / result["seconds"]
                print(f"   import: {side}, run {number}: {json.dumps(result, ensure_ascii=False)}", file=sys.stderr)
                runs[side].append(result)
                stored.append({"side": side, **_side(environment, "stored")})
        _reset_registry(url)
    ours, theirs = runs["ours"], runs["theirs"]
    fingerprints = {json.dumps({k: v for k, v in entry.items() if k != "side"}, sort_keys=True) for entry in stored}
    same = len(fingerprints) == 1
    expected = stored[0]
    figures: dict[str, Any] = {
        "file, rows": rows,
        "file size, MB": round(size_mb, 1),
        "file, households": households,
        "villages": len(villages),
        "stored by each run (residents / households / heads / phones)": (
            f"{expected['residents']:,} / {expected['households']:,} / {expected['heads']:,} / {expected['phones']:,}"
        ),
        "both sides stored the same rows (decrypted IDs and phones, names, dates, codes, heads), every run": (
            "yes" if same and expected["residents"] == rows else f"NO: {stored}"
        ),
    }
    figures.update(
        repeat.summarise("ours", ours, ["rows/s", "seconds", "peak RSS, MB", "Python CPU, s", "PostgreSQL CPU, s"])
    )
    figures.update(repeat.summarise("django-import-export", theirs, ["rows/s", "seconds", "peak RSS, MB"]))
    our_worst = min(run["rows/s"] for run in ours)
    their_best = max(run["rows/s"] for run in theirs)
    figures["ours: worst rows/s"] = round(our_worst)
    figures["django-import-export: best rows/s"] = round(their_best)
    figures["ratio, our worst run / their best run, ×"] = round(our_worst / their_best, 1)
    figures["peak RSS at the same size, MB (ours, theirs: the larger of their runs)"] = (
        f"{max(run['peak RSS, MB'] for run in ours):,.0f}, {max(run['peak RSS, MB'] for run in theirs):,.0f}"
    )
    if THEIR_RUNS is not None and len(theirs) < len(ours):
        figures["note"] = f"django-import-export ran {len(theirs)} of the {len(ours)} rounds (BENCH_IMPORT_THEIR_RUNS)"
    if theirs[0]["seconds"] > THEIR_LIMIT_S:
        figures["note"] = (
            f"django-import-export ran past {THEIR_LIMIT_S // 60} min on the whole file, so it ran once: its rate "
            "is its measured rate over that whole run"
        )
    budgets = [
        repeat.Budget(
            f"validated import of {rows:,} rows", RATE_BUDGET, "rows/s", True, [run["rows/s"] for run in ours]
        ),
        repeat.Budget(
            f"peak memory, {rows:,} rows", MEMORY_BUDGET_MB, "MB", False, [run["peak RSS, MB"] for run in ours]
        ),
        # each of our runs against django-import-export's best run: the worst ratio is the one judged
        repeat.Budget(
            "× django-import-export on the same file",
            RATIO_BUDGET,
            "×",
            True,
            [run["rows/s"] / their_best for run in ours],
        ),
        repeat.Budget("both sides stored the same rows", 1, "", True, [1.0 if same else 0.0]),
    ]
    for name, value in figures.items():
        print(f"{name}: {value}")
    return {**figures, **repeat.budgets_figure(budgets)}


if __name__ == "__main__":
    run()
