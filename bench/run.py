"""Benchmark runner (`make bench`): prints the machine, then runs every bench/bench_*.py and prints its figures.

    uv run python bench/run.py                      # every benchmark at full size, 3 runs of each measurement
    uv run python bench/run.py http                 # only bench/bench_http.py
    uv run python bench/run.py import=20000         # a smoke run: bench_import.py on a 20,000-row file
    uv run python bench/run.py --runs 5 learning    # 5 runs of each throughput measurement
    uv run python bench/run.py --sizes              # what the size of each benchmark counts

Each benchmark module has a `run(size=None)` that returns its named figures ({name: number or text}) and a
`SIZE` that says what `size` counts (None: its full size). Throughput measurements run `--runs` times
(≥ 3 by default, bench/repeat.py), each with the load average before and after it; a benchmark returns its
budgets under "budgets", and a budget is "met" only when the worst of the runs meets it. The runner prints the
load average before and after each benchmark, then a table of every budget, and keeps the figures with the
machine in bench/results/ (not committed). Benchmarks are not tests: record the figures in docs/BENCHMARKS.md.
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


def load_average() -> str:
    """The 1, 5 and 15-minute load averages now."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> dict[str, str]:
    """What the figures were measured on."""
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
        "load average before": load_average(),
    }


def benchmark_modules(names: list[str]) -> list[tuple[Path, int | None]]:
    """The benchmarks named (`name` or `name=size`), each with its size (None: full size); all when none is."""
    available = sorted(BENCH_DIR.glob("bench_*.py"))
    if not names:
        return [(path, None) for path in available]
    chosen = []
    for argument in names:
        name, _, size_text = argument.partition("=")
        stem = name if name.startswith("bench_") else f"bench_{name}"
        path = BENCH_DIR / f"{stem.removesuffix('.py')}.py"
        if path not in available:
            known = ", ".join(p.stem.removeprefix("bench_") for p in available)
            raise SystemExit(f"No benchmark {name!r}; there are: {known}")
        size = None
        if size_text:
            digits = size_text.replace("_", "").replace(",", "")
            if not digits.isdigit() or int(digits) < 1:
                raise SystemExit(f"The size of {name!r} must be a whole number ≥ 1, not {size_text!r}")
            size = int(digits)
        chosen.append((path, size))
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


def show_budgets(budgets: list[tuple[str, dict[str, Any]]]) -> None:
    """Every budget of the run: met only if the worst of its runs meets it."""
    if not budgets:
        return
    print("\n== Budgets (met only if the worst run meets the budget)")
    for benchmark, budget in budgets:
        values = ", ".join(f"{value:,g}" for value in budget["values"]) or "no run"
        status = "met" if budget["met"] else "NOT MET"
        print(
            f"  [{benchmark}] {budget['what']}: {budget['budget']}; worst of {budget['runs']} runs "
            f"{budget['worst']}; runs {values}: {status}"
        )
    sys.stdout.flush()


def parse(argv: list[str]) -> tuple[list[str], int | None, bool]:
    names: list[str] = []
    runs = None
    sizes = False
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--sizes":
            sizes = True
        elif argument == "--runs" or argument.startswith("--runs="):
            value = argument.partition("=")[2] or next(arguments, "")
            if not value.isdigit() or int(value) < 1:
                raise SystemExit(f"--runs takes a whole number ≥ 1, not {value!r}")
            runs = int(value)
        elif argument.startswith("-"):
            raise SystemExit(__doc__)
        else:
            names.append(argument)
    return names, runs, sizes


def main(argv: list[str]) -> int:
    names, runs, sizes = parse(argv)
    if runs is not None:
        os.environ["BENCH_RUNS"] = str(runs)  # read by bench/repeat.py when the benchmarks import it
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH_DIR))
    chosen = benchmark_modules(names)
    if sizes:
        for path, _size in chosen:
            print(f"{path.stem.removeprefix('bench_')}: {getattr(load(path), 'SIZE', 'no size argument')}")
        return 0
    about = machine()
    about["runs of each throughput measurement"] = os.environ.get("BENCH_RUNS", "3")
    show("Machine", about)
    results: dict[str, Any] = {"machine": about, "benchmarks": {}}
    failed = []
    budgets: list[tuple[str, dict[str, Any]]] = []
    for path, size in chosen:
        module = load(path)
        runner: Callable[..., dict[str, Any]] = module.run
        name = path.stem.removeprefix("bench_")
        print(f"\n-- running {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        if size is not None:
            print(f"   size {size:,}: {getattr(module, 'SIZE', '?')} (a smoke run, not a measurement of the budget)")
        started = time.monotonic()
        load_before = load_average()
        try:
            figures = runner(size=size) if size is not None else runner()
        except Exception as error:
            failed.append(name)
            print(f"!! {name} failed: {type(error).__name__}: {error}")
            continue
        judged = figures.pop("budgets", [])
        if size is not None:
            for budget in judged:
                budget["what"] += f" (size {size:,}, smoke)"
        budgets += [(name, budget) for budget in judged]
        figures = {
            **({"size": size} if size is not None else {}),
            **figures,
            "wall time, s": round(time.monotonic() - started, 1),
            "load average before": load_before,
            "load average after": load_average(),
        }
        results["benchmarks"][name] = {**figures, "budgets": judged}
        show(name, figures)
    show_budgets(budgets)
    about["load average after"] = load_average()
    print(f"\nload average after: {about['load average after']}")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    output = RESULTS_DIR / f"{stamp}.json"
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"\nFigures kept in {output.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
