"""Benchmark runner (`make bench`): prints the machine, then runs every bench/bench_*.py and prints its figures.

    uv run python bench/run.py          # every benchmark
    uv run python bench/run.py http     # only bench/bench_http.py

Each benchmark module has a `run()` that returns its named figures ({name: number or text}); the runner
prints them and keeps every run's figures with the machine in bench/results/ (not committed). Benchmarks
are not tests: record the figures that matter in docs/BENCHMARKS.md.
"""

import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def memory() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def postgres_version() -> str:
    """The server version of the PostgreSQL the benchmarks use (BENCH_POSTGRES_URL, else the local one)."""
    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as connection:
            row = connection.execute("SELECT version()").fetchone()
            return str(row[0]).split(" on ")[0] if row else "unknown"
    except Exception as error:
        return f"not reachable ({type(error).__name__})"


def git_commit() -> str:
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return result.stdout.strip()

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def tool_version(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": postgres_version(),
        "wrk": tool_version(["wrk", "--version"]),
        "git commit": git_commit(),
        "load average before": " ".join(f"{value:.2f}" for value in load),
    }


def benchmark_modules(names: list[str]) -> list[Path]:
    available = sorted(BENCH_DIR.glob("bench_*.py"))
    if not names:
        return available
    chosen = []
    for name in names:
        stem = name if name.startswith("bench_") else f"bench_{name}"
        path = BENCH_DIR / f"{stem.removesuffix('.py')}.py"
        if path not in available:
            known = ", ".join(p.stem.removeprefix("bench_") for p in available)
            raise SystemExit(f"No benchmark {name!r}; there are: {known}")
        chosen.append(path)
    return chosen


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def show(title: str, figures: dict[str, Any]) -> None:
    print(f"\n== {title}")
    width = max((len(name) for name in figures), default=0)
    for name, value in figures.items():
        text = f"{value:,.1f}" if isinstance(value, float) else str(value)
        print(f"  {name:<{width}}  {text}")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH_DIR))
    about = machine()
    show("Machine", about)
    results: dict[str, Any] = {"machine": about, "benchmarks": {}}
    failed = []
    for path in benchmark_modules(argv):
        module = load(path)
        runner: Callable[[], dict[str, Any]] = module.run
        name = path.stem.removeprefix("bench_")
        print(f"\n-- running {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        started = time.monotonic()
        try:
            figures = runner()
        except Exception as error:
            failed.append(name)
            print(f"!! {name} failed: {type(error).__name__}: {error}")
            continue
        figures = {**figures, "wall time, s": round(time.monotonic() - started, 1)}
        results["benchmarks"][name] = figures
        show(name, figures)
    if hasattr(os, "getloadavg"):
        about["load average after"] = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"\nload average after: {about['load average after']}")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    output = RESULTS_DIR / f"{stamp}.json"
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"\nFigures kept in {output.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
