"""Quarterly reports at province scale: the consolidated province report (124 communes and the plan's agencies,
DOCX + PDF + XLSX) and one commune's draft, on the 4,000,000-resident reference province and on a 40,000-resident
one — the facts are pre-aggregated, so the registry's size should not change the time.

The databases are bench_monitoring's (`hocvuso_bench_monitoring` at 4M, `hocvuso_bench_monitoring_small` at 40k:
registry, numerators and facts), built by its `build` when missing. On each: the plan is loaded
(`load_plan`, idempotent); then, ROUNDS times, the bench quarter's reports are deleted (bench data) and timed
afresh in one process: `draft_consolidated_report` (figures of the province and of every commune and agency frozen
from the facts, every section) and its three files (`build_documents`: python-docx, LibreOffice headless for the
PDF, openpyxl for the XLSX), each phase timed; the same for the first commune's draft. Figures: min / median / max
of the rounds, the load average around them, the annex's rows and the residents counted.

Budgets: consolidated report ≤ 10 s, a commune's draft ≤ 2 s (both with DOCX + PDF + XLSX, on 2 cores).

Environment (all optional): BENCH_REPORTING_DATABASE_URLS (comma-separated; default the two monitoring
databases), BENCH_REPORTING_RESIDENTS (residents of each database when it must be built, comma-separated in the
same order; default 4000000,40000), BENCH_REPORTING_ROUNDS (3).
Smoke run: BENCH_REPORTING_DATABASE_URLS=postgres://postgres@127.0.0.1:5432/hocvuso_reporting_bench_smoke
BENCH_REPORTING_RESIDENTS=5000 BENCH_REPORTING_ROUNDS=1 uv run python bench/run.py reporting
"""

import os
import statistics
import sys
from typing import Any

import bench_monitoring as monitoring

URLS = [
    url.strip()
    for url in os.environ.get("BENCH_REPORTING_DATABASE_URLS", f"{monitoring.LARGE_URL},{monitoring.SMALL_URL}").split(
        ","
    )
    if url.strip()
]
RESIDENTS = [int(value) for value in os.environ.get("BENCH_REPORTING_RESIDENTS", "4000000,40000").split(",")]
ROUNDS = int(os.environ.get("BENCH_REPORTING_ROUNDS", "3"))

MEASURE = r"""
import json, os, time
from django.conf import settings
from django.db import connection
from django.utils import timezone
from hocvuso.people.models import Resident
from hocvuso.reporting.documents import build_documents
from hocvuso.reporting.models import Report, ReportingAssignment
from hocvuso.reporting.periods import Quarter, due_date
from hocvuso.reporting.services import DEFAULT_PLAN_FILE, draft_consolidated_report, draft_report, load_plan_file
from hocvuso.territory.models import AdministrativeUnit

from hocvuso.indicators.services import refresh_facts
refresh_facts()  # today's facts (a full rebuild when the database's facts are of another day): set-up, not timed
province = AdministrativeUnit.objects.get(code=settings.PROVINCE_CODE, level="province")
load_plan_file(path=DEFAULT_PLAN_FILE, province=province, actor=None)
quarter = Quarter.of(timezone.localdate())
assignments = ReportingAssignment.objects.in_force(due_date(quarter))
commune = assignments.filter(unit__isnull=False).order_by("unit__code").first()
figures = {"residents": Resident.objects.count(), "rounds": []}

def timed(make):
    Report.objects.filter(year=quarter.year, quarter=quarter.number).delete()
    began = time.perf_counter()
    report = make()
    drafted = time.perf_counter()
    documents = build_documents(report)
    done = time.perf_counter()
    sizes = {"pdf_bytes": len(documents.pdf), "docx_bytes": len(documents.docx), "xlsx_bytes": len(documents.xlsx)}
    return report, {"draft": drafted - began, "files": done - drafted, "total": done - began, **sizes}

for _round in range({rounds}):
    load = os.getloadavg()
    consolidated, province_times = timed(
        lambda: draft_consolidated_report(province=province, quarter=quarter, actor=None)
    )
    unit_report, commune_times = timed(lambda: draft_report(assignment=commune, quarter=quarter, actor=None))
    annex = next(section for section in consolidated.content["sections"] if section["key"] == "annex")
    figures["rounds"].append({"province": province_times, "commune": commune_times, "load": load,
                              "annex_rows": len(annex["rows"])})
Report.objects.filter(year=quarter.year, quarter=quarter.number).delete()
print("BENCH_JSON " + json.dumps(figures))
"""


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def measure(url: str, residents: int) -> dict[str, Any]:
    monitoring.build(url, residents)  # reuses what is built (registry, numerators, facts)
    environment = monitoring.environment_for(url)
    result = monitoring.run_script(environment, MEASURE.replace("{rounds}", str(ROUNDS)))
    rounds = result["rounds"]
    label = f"{result['residents']:,} residents"
    return {
        f"{label}: consolidated report, draft + DOCX + PDF + XLSX, s (min / median / max)": _spread(
            [r["province"]["total"] for r in rounds]
        ),
        f"{label}: consolidated report, draft only, s (median)": round(
            statistics.median(r["province"]["draft"] for r in rounds), 2
        ),
        f"{label}: consolidated report, files only, s (median)": round(
            statistics.median(r["province"]["files"] for r in rounds), 2
        ),
        f"{label}: consolidated report, annex rows": rounds[0]["annex_rows"],
        f"{label}: consolidated report, PDF bytes": rounds[0]["province"]["pdf_bytes"],
        f"{label}: a commune's draft + DOCX + PDF + XLSX, s (min / median / max)": _spread(
            [r["commune"]["total"] for r in rounds]
        ),
        f"{label}: a commune's draft only, s (median)": round(
            statistics.median(r["commune"]["draft"] for r in rounds), 3
        ),
        f"{label}: load average before each round": "; ".join(
            " ".join(f"{value:.2f}" for value in r["load"]) for r in rounds
        ),
    }


SIZE = "residents of a database of its own (..._smoke: the full-size ones are kept); default: bench_monitoring's two"


def run(size: int | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {"rounds": ROUNDS}
    databases = list(zip(URLS, RESIDENTS, strict=False))
    if size:
        databases = [(f"{monitoring.LARGE_URL}_reporting_smoke", size)]
    for url, residents in databases:
        print(f"   reporting: {url.rsplit('/', 1)[-1]} ({residents:,} residents)", file=sys.stderr, flush=True)
        figures.update(measure(url, residents))
    figures["load average after"] = monitoring.load_average()
    return figures
