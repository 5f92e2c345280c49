"""Benchmark: `generate_population` of 4,000,000 residents into a dedicated PostgreSQL database.

Creates (or recreates) the database named by BENCH_POPULATION_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hocvuso_bench_population), migrates it, loads the national units, then
times the generation in a fresh process. Prints `name: value` lines and returns the figures (for
bench/run.py). BENCH_POPULATION_RESIDENTS overrides the size (default 4,000,000). Budget
(docs/ARCHITECTURE.md): ≤ 5 minutes on the 2-core machine.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bench_http as shared

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hocvuso_bench_population"

_GENERATE = """
import json, django
django.setup()
from hocvuso.demo.population.generator import generate_population
result = generate_population(province_code="68", residents={residents}, seed=68, replace=True)
print("RESULT " + json.dumps({{"residents": result.residents, "households": result.households,
    "identities": result.identities, "memberships": result.memberships, "organisations": result.organisations,
    "seconds": result.seconds, "timings": result.timings}}))
"""


def _manage(environment: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL
    )


def run() -> dict[str, Any]:
    url = os.environ.get("BENCH_POPULATION_DATABASE_URL", DEFAULT_URL)
    residents = int(os.environ.get("BENCH_POPULATION_RESIDENTS", "4000000"))
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
    }
    shared.create_database(url, replace=True)
    _manage(environment, "migrate", "--no-input")
    _manage(environment, "load_admin_units")
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", _GENERATE.format(residents=residents)],
        cwd=ROOT,
        env=environment,
        check=False,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"generation failed: {completed.stderr[-3000:]}")
    wall = time.perf_counter() - started
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    rows = result["residents"] + result["households"] + result["identities"] + result["memberships"]
    figures: dict[str, Any] = {
        "residents": result["residents"],
        "households": result["households"],
        "digital identities": result["identities"],
        "memberships": result["memberships"],
        "total time, s": round(result["seconds"], 1),
        "process wall time, s": round(wall, 1),
    }
    for name, seconds in result["timings"].items():
        figures[f"{name.replace('_', ' ')} time, s"] = round(seconds, 1)
    figures["residents/s"] = round(result["residents"] / result["seconds"])
    figures["rows/s (all four tables)"] = round(rows / result["seconds"])
    for name, value in figures.items():
        print(f"{name}: {value}")
    return figures


if __name__ == "__main__":
    run()
