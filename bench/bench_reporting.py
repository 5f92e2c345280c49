"""Quarterly reports at province scale: the consolidated province report (124 communes and ~15 agencies,
DOCX + PDF + XLSX) and one commune's draft, on the 4,000,000-resident reference province and on a 40,000-resident
one — the figures are frozen from the pre-aggregated facts (per place and day, not per resident), so the
registry's size should not change the time; the two sizes in one run show it.

The databases are bench_monitoring's (`hocvuso_bench_monitoring` at 4M, `hocvuso_bench_monitoring_small` at 40k:
registry, numerators and facts), built by its `build` when missing. On each: the plan is loaded (`load_plan`,
idempotent) and, to the budget's ~15 agencies, the plan's 6 reporting agencies are joined by the synthetic
province's first state agencies (an assignment each: bench data). The PDF converter (one LibreOffice kept
running, as the production service is) is started before timing by one commune draft; its start-up is printed.
Then, ROUNDS times, the bench quarter's reports are deleted (bench data) and timed afresh in one process:
`draft_consolidated_report` (figures of the province and of every commune and agency frozen from the facts,
every section) and its three files (`build_documents`: python-docx, the PDF through the converter, openpyxl for
the XLSX), each phase timed; the same for the first commune's draft; and that commune's draft again with one
LibreOffice started for its PDF (REPORTING_PDF_CONVERTER=oneshot, the former way) — the comparison, on the same
work in the same round. Every round's figures are printed with the load average before it; the verdict takes the
worst round against the budget.

Budgets: consolidated report ≤ 10 s, a commune's draft ≤ 2 s (both with DOCX + PDF + XLSX, on 2 cores).

Environment (all optional): BENCH_REPORTING_DATABASE_URLS (comma-separated; default the two monitoring
databases), BENCH_REPORTING_RESIDENTS (residents of each database when it must be built, comma-separated in the
same order; default 4000000,40000), BENCH_REPORTING_ROUNDS (3), BENCH_REPORTING_AGENCIES (15).
Smoke run (a size of your own): BENCH_REPORTING_DATABASE_URLS=postgres://postgres@127.0.0.1:5432/hocvuso_reporting_bench_smoke
BENCH_REPORTING_RESIDENTS=5000 BENCH_REPORTING_ROUNDS=3 uv run python bench/run.py reporting
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

AGENCIES = int(os.environ.get("BENCH_REPORTING_AGENCIES", "15"))
CONSOLIDATED_BUDGET_S = 10.0
COMMUNE_BUDGET_S = 2.0

MEASURE = r"""
import json, os, time
from datetime import date
from django.conf import settings
from django.db import connection
from django.utils import timezone
from hocvuso.people.models import Organisation, Resident
from hocvuso.reporting.documents import build_documents, pdf
from hocvuso.reporting.models import Report, ReportingAssignment
from hocvuso.reporting.periods import Quarter, due_date
from hocvuso.reporting.services import DEFAULT_PLAN_FILE, draft_consolidated_report, draft_report, load_plan_file
from hocvuso.territory.models import AdministrativeUnit

from hocvuso.indicators.services import refresh_facts
refresh_facts()  # today's facts (a full rebuild when the database's facts are of another day): set-up, not timed
province = AdministrativeUnit.objects.get(code=settings.PROVINCE_CODE, level="province")
plan = load_plan_file(path=DEFAULT_PLAN_FILE, province=province, actor=None).plan
quarter = Quarter.of(timezone.localdate())
due = due_date(quarter)
# The budget's shape: 124 communes and ~15 agencies. The plan names 6 reporting agencies; the rest are the
# synthetic province's state agencies (with members, so with figures), given an assignment here (bench data).
reporting = ReportingAssignment.objects.in_force(due).filter(organisation__isnull=False)
missing = {agencies} - reporting.count()
if missing > 0:
    extra = (Organisation.objects.filter(kind="state_agency", unit__parent=province)
             .exclude(pk__in=ReportingAssignment.objects.filter(organisation__isnull=False).values("organisation_id"))
             .order_by("code")[:missing])
    for organisation in extra:
        ReportingAssignment.objects.create(organisation=organisation, valid_from=date(plan.year, 1, 1))
assignments = ReportingAssignment.objects.in_force(due)
commune = assignments.filter(unit__isnull=False).order_by("unit__code").first()
figures = {"residents": Resident.objects.count(), "rounds": [],
           "communes": assignments.filter(unit__isnull=False).count(),
           "agencies": assignments.filter(organisation__isnull=False).count()}

# The converter (one LibreOffice kept running) is started before timing, as the production service is running
# before the first report; its start-up is a figure of its own.

def timed(make, mode="bridge"):
    settings.REPORTING_PDF_CONVERTER = mode
    Report.objects.filter(year=quarter.year, quarter=quarter.number).delete()
    began = time.perf_counter()
    report = make()
    drafted = time.perf_counter()
    documents = build_documents(report)
    done = time.perf_counter()
    sizes = {"pdf_bytes": len(documents.pdf), "docx_bytes": len(documents.docx), "xlsx_bytes": len(documents.xlsx)}
    return report, {"draft": drafted - began, "files": done - drafted, "total": done - began, **sizes}

started = time.perf_counter()
timed(lambda: draft_report(assignment=commune, quarter=quarter, actor=None))  # starts the converter: set-up
figures["converter_start"] = time.perf_counter() - started

for _round in range({rounds}):
    load = os.getloadavg()
    consolidated, province_times = timed(
        lambda: draft_consolidated_report(province=province, quarter=quarter, actor=None)
    )
    unit_report, commune_times = timed(lambda: draft_report(assignment=commune, quarter=quarter, actor=None))
    _report, oneshot_times = timed(lambda: draft_report(assignment=commune, quarter=quarter, actor=None), "oneshot")
    annex = next(section for section in consolidated.content["sections"] if section["key"] == "annex")
    figures["rounds"].append({"province": province_times, "commune": commune_times, "oneshot": oneshot_times,
                              "load": load, "annex_rows": len(annex["rows"])})
Report.objects.filter(year=quarter.year, quarter=quarter.number).delete()
pdf.stop_converter()
print("BENCH_JSON " + json.dumps(figures))
"""


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def _verdict(worst: float, budget: float) -> str:
    within = "within" if worst <= budget else "OVER"
    verdict = f"{worst:.2f} s worst of {ROUNDS} rounds vs budget {budget:g} s: {within}"
    return verdict if ROUNDS >= 3 else verdict + " (fewer than 3 rounds: a smoke run, not a measurement)"


def measure(url: str, residents: int) -> dict[str, Any]:
    monitoring.build(url, residents)  # reuses what is built (registry, numerators, facts)
    environment = monitoring.environment_for(url)
    script = MEASURE.replace("{rounds}", str(ROUNDS)).replace("{agencies}", str(AGENCIES))
    result = monitoring.run_script(environment, script)
    rounds = result["rounds"]
    label = f"{result['residents']:,} residents"
    figures: dict[str, Any] = {
        f"{label}: units reporting (communes + agencies)": f"{result['communes']} + {result['agencies']}",
        f"{label}: converter start-up (one LibreOffice, before timing), s": round(result["converter_start"], 2),
    }
    for index, r in enumerate(rounds, start=1):
        figures[f"{label}: round {index}: consolidated / commune / commune with one soffice per PDF, s"] = (
            f"{r['province']['total']:.2f} / {r['commune']['total']:.2f} / {r['oneshot']['total']:.2f}"
            f" (load {' '.join(f'{value:.2f}' for value in r['load'])})"
        )
    figures.update(
        {
            f"{label}: consolidated report, draft + DOCX + PDF + XLSX, s (min / median / max)": _spread(
                [r["province"]["total"] for r in rounds]
            ),
            f"{label}: consolidated report, against budget": _verdict(
                max(r["province"]["total"] for r in rounds), CONSOLIDATED_BUDGET_S
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
            f"{label}: a commune's draft, against budget": _verdict(
                max(r["commune"]["total"] for r in rounds), COMMUNE_BUDGET_S
            ),
            f"{label}: a commune's draft only, s (median)": round(
                statistics.median(r["commune"]["draft"] for r in rounds), 3
            ),
            f"{label}: the same with one soffice per PDF (the former way), s (min / median / max)": _spread(
                [r["oneshot"]["total"] for r in rounds]
            ),
        }
    )
    return figures


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
