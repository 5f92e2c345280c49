"""Repeated runs, their spread, the load around them, and budgets judged on the worst run (used by bench_*.py).

A throughput figure from one run on a shared 2-core machine says little: the same run gives 150 or 400 req/s
depending on what else runs. So every throughput measurement runs RUNS times (≥ 3 by default; `bench/run.py
--runs N`), each with the load average just before and just after it, and a budget is "met" only when the
worst of the runs meets it. This module is not a benchmark itself (bench/run.py runs only bench_*.py).
"""

import os
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RUNS = max(1, int(os.environ.get("BENCH_RUNS", "3")))


def load_average() -> str:
    """The 1, 5 and 15-minute load averages now."""
    if hasattr(os, "getloadavg"):
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    return "unknown"


def spread(values: list[float], digits: int = 1) -> str:
    """`min – max (median m, n runs)` of some runs' values."""
    if not values:
        return "no run"
    low, high, middle = min(values), max(values), statistics.median(values)
    return f"{low:,.{digits}f} – {high:,.{digits}f} (median {middle:,.{digits}f}, {len(values)} runs)"


@dataclass
class Budget:
    """One budget judged on every run: `met` only if the worst run meets it."""

    what: str
    limit: float
    unit: str
    higher_is_better: bool
    values: list[float] = field(default_factory=list)

    @property
    def worst(self) -> float | None:
        if not self.values:
            return None
        return min(self.values) if self.higher_is_better else max(self.values)

    @property
    def met(self) -> bool:
        worst = self.worst
        if worst is None:
            return False
        return worst >= self.limit if self.higher_is_better else worst <= self.limit

    def as_dict(self) -> dict[str, Any]:
        sign = "≥" if self.higher_is_better else "≤"
        return {
            "what": self.what,
            "budget": f"{sign} {self.limit:,g} {self.unit}",
            "runs": len(self.values),
            "values": [round(value, 2) for value in self.values],
            "worst": None if self.worst is None else round(self.worst, 2),
            "met": self.met,
        }


def repeat(name: str, measure: Callable[[], dict[str, Any]], runs: int | None = None) -> list[dict[str, Any]]:
    """Call `measure` `runs` times; each result gets the load average before and after it."""
    results = []
    total = runs or RUNS
    for number in range(1, total + 1):
        print(f"   {name}: run {number}/{total}", file=sys.stderr, flush=True)
        before = load_average()
        measured = measure()
        results.append({**measured, "load before": before, "load after": load_average()})
    return results


def summarise(name: str, results: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    """Figures of repeated runs: for each numeric key its spread, then each run's values with its loads."""
    figures: dict[str, Any] = {}
    for key in keys:
        values = [float(result[key]) for result in results if isinstance(result.get(key), int | float)]
        figures[f"{name}: {key} (min – max over runs)"] = spread(values, digits=2 if "ms" in key else 1)
    for number, result in enumerate(results, start=1):
        shown = ", ".join(
            f"{key} {result[key]:,.1f}" if isinstance(result[key], float) else f"{key} {result[key]}"
            for key in keys
            if key in result
        )
        figures[f"{name}: run {number}"] = f"{shown}; load {result['load before']} → {result['load after']}"
    return figures


def budgets_figure(budgets: list[Budget]) -> dict[str, Any]:
    """The `budgets` entry a benchmark returns with its figures (bench/run.py prints them as a table)."""
    return {"budgets": [budget.as_dict() for budget in budgets]}
