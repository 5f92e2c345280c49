"""Benchmark: `manage.py generate_population` of 4,000,000 residents into a dedicated PostgreSQL database.

Creates (or recreates) the database named by BENCH_POPULATION_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hocvuso_bench_population), migrates it, loads the national units, then
times the command in a fresh process on an empty registry (emptied with TRUNCATE before each run, outside the
timing: `--replace` on a full province would time deleting the last run's 4,000,000 residents too),
RUNS times (bench/repeat.py), and counts what it stored straight from the database. It goes through the public
command only, wherever the generator's code lives. Prints `name: value` lines and returns the figures (for
bench/run.py). The size (`bench/run.py generate_population=N`, or BENCH_POPULATION_RESIDENTS) is the number of
residents (default 4,000,000). Budget (docs/ARCHITECTURE.md): ≤ 5 minutes on the 2-core machine, worst run.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bench_http as shared
import psycopg
import repeat

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hocvuso_bench_population"
SIZE = "residents generated (BENCH_POPULATION_RESIDENTS, default 4,000,000)"
BUDGET_S = 300.0
TABLES = {
    "residents": "people_resident",
    "households": "people_household",
    "digital identities": "people_digitalidentity",
    "memberships": "people_membership",
    "organisations": "people_organisation",
}


def _manage(environment: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL
    )


def _counts(url: str) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    with psycopg.connect(url) as connection:
        for name, table in TABLES.items():
            row = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
            counts[name] = int(row[0]) if row else 0
    return counts


def _empty_registry(url: str) -> None:
    """Empty the registry's tables before a run (outside its timing): every run does the same work."""
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(sql.Identifier(t) for t in TABLES.values()))
        )


def run(size: int | None = None) -> dict[str, Any]:
    url = os.environ.get("BENCH_POPULATION_DATABASE_URL", DEFAULT_URL)
    residents = size or int(os.environ.get("BENCH_POPULATION_RESIDENTS", "4000000"))
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
    }
    shared.create_database(url, replace=True)
    _manage(environment, "migrate", "--no-input")
    _manage(environment, "load_admin_units")
    command = ["generate_population", "--province", "68", "--residents", str(residents), "--seed", "68", "--replace"]

    def once() -> dict[str, Any]:
        _empty_registry(url)
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            check=False,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"generation failed: {completed.stderr[-3000:]}")
        wall = time.perf_counter() - started
        return {"process wall time, s": wall, **_counts(url)}

    runs = repeat.repeat("generate_population", once)
    last = runs[-1]
    figures: dict[str, Any] = {name: last[name] for name in TABLES}
    figures.update(repeat.summarise("generate_population", runs, ["process wall time, s"]))
    worst = max(run["process wall time, s"] for run in runs)
    rows = sum(last[name] for name in ("residents", "households", "digital identities", "memberships"))
    figures["worst run, s"] = round(worst, 1)
    figures["residents/s (worst run)"] = round(last["residents"] / worst)
    figures["rows/s, all four tables (worst run)"] = round(rows / worst)
    budget = repeat.Budget(
        f"generate_population, {residents:,} residents",
        BUDGET_S,
        "s",
        higher_is_better=False,
        values=[run["process wall time, s"] for run in runs],
    )
    for name, value in figures.items():
        print(f"{name}: {value}")
    return {**figures, **repeat.budgets_figure([budget])}


if __name__ == "__main__":
    run()
