"""Monitoring pages: the unit dashboard (province → commune → village), the organisation dashboard (staff,
students, workers) and their XLSX exports. Figures come only from `hocvuso.indicators.selectors` (facts, never the
registry); every view declares `@requires(Permission.VIEW_PROGRESS)`, and a unit or organisation that is missing
or not the user's answers 404."""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hocvuso.accounts.access import requires
from hocvuso.accounts.roles import Permission
from hocvuso.indicators.selectors import BANDS

from . import dashboards, exports
from .display import STATUS_HELP, STATUS_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INDICATOR_PARAMETER = "chi-tieu"
BANDS_SHOWN = ("met", "on_track", "at_risk", "off_track")


def _legend() -> list[tuple[str, str, str]]:
    """The status colours with their names and meanings (the colour is never the only signal)."""
    return [(BANDS[status], str(STATUS_LABELS[status]), str(STATUS_HELP[status])) for status in BANDS_SHOWN]


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    safe = re.sub(r"[^0-9A-Za-z.-]+", "-", name)
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response


@requires(Permission.VIEW_PROGRESS)
def monitoring_start(request: HttpRequest) -> HttpResponse:
    """Send the user to the top unit of their scope, or (an agency officer) to their organisation(s)."""
    start = dashboards.monitoring_start(request.user)
    if start.unit_code is not None:
        return redirect("web:monitoring_unit", code=start.unit_code)
    if start.organisation_code is not None:
        return redirect("web:monitoring_organisation", org_code=start.organisation_code)
    return redirect("web:monitoring_organisations")


@requires(Permission.VIEW_PROGRESS)
def unit_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's figures against each target, with its children as a table and a tile grid, each linking down."""
    unit = dashboards.unit_for(request.user, code)
    page = dashboards.unit_page(request.user, unit, indicator=request.GET.get(INDICATOR_PARAMETER, "")[:60])
    context = {"page": page, "legend": _legend(), "indicator_parameter": INDICATOR_PARAMETER}
    return render(request, "web/monitoring/unit.html", context)


@requires(Permission.VIEW_PROGRESS)
def unit_dashboard_export(request: HttpRequest, code: str) -> HttpResponse:
    """The unit dashboard as an XLSX file (the page's numbers; one sheet per view)."""
    unit = dashboards.unit_for(request.user, code)
    page = dashboards.unit_page(request.user, unit)
    return _xlsx(exports.unit_dashboard_xlsx(page), f"theo-doi-{page.place.code}-{page.day.isoformat()}")


@requires(Permission.VIEW_PROGRESS)
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every organisation the user follows, with its figure for each agency indicator."""
    page = dashboards.organisation_list_page(request.user)
    return render(request, "web/monitoring/organisations.html", {"page": page, "legend": _legend()})


@requires(Permission.VIEW_PROGRESS)
def organisation_dashboard(request: HttpRequest, org_code: str) -> HttpResponse:
    """An organisation's figures against the targets for its staff, students and workers."""
    organisation = dashboards.organisation_for(org_code)
    page = dashboards.organisation_page(request.user, organisation)
    return render(request, "web/monitoring/organisation.html", {"page": page, "legend": _legend()})


@requires(Permission.VIEW_PROGRESS)
def organisation_dashboard_export(request: HttpRequest, org_code: str) -> HttpResponse:
    """The organisation dashboard as an XLSX file."""
    organisation = dashboards.organisation_for(org_code)
    page = dashboards.organisation_page(request.user, organisation)
    return _xlsx(exports.organisation_dashboard_xlsx(page), f"theo-doi-{organisation.code}-{page.day.isoformat()}")
