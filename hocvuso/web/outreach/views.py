"""The leaders' and officers' pages of the field work (hocvuso/outreach/activity.py reads them):

- a team leader's teams (/to-cong-nghe-so/): activity per member and week, coverage of the team's households per
  village, the households not visited for N days;
- a commune's field work (/to-cong-nghe-so/xa/<code>/): coverage per village (households visited / assigned), the
  week's field summary, each team's activity per member and week;
- a commune's households not visited for N days (…/chua-tham/), N a setting (OUTREACH_NOT_VISITED_DAYS) the page
  lets one change;
- a village's worklist to print (…/danh-sach/?thon=…; the browser's "print", or "save as PDF") or to export as
  XLSX (…/danh-sach.xlsx), for a team without phones.

A commune's pages need MANAGE_PEOPLE over the commune (its officers, the province); a leader sees only the teams
they lead. These pages only read; the changes (team setup, reports, phones) are posted to hocvuso/web/outreach/setup.py.
"""

import datetime
import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hocvuso.accounts.access import requires
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import NotFound
from hocvuso.outreach import activity
from hocvuso.outreach.models import Team, TeamMembership
from hocvuso.outreach.selectors import active_devices, teams_managed_by
from hocvuso.outreach.services import record_worklist_export
from hocvuso.people.imports.report import neutralise
from hocvuso.territory.models import AdministrativeUnit, Level

from . import setup

MAX_DAYS = 366
# The needs of a worklist household, in words (the keys of hocvuso.outreach.selectors.household_needs).
NEED_LABELS = {
    "without_vneid_level_2": gettext_lazy("Chưa có VNeID mức 2"),
    "adults_not_literate": gettext_lazy("Người lớn chưa đạt phổ cập kỹ năng số"),
    "elderly_alone": gettext_lazy("Người cao tuổi sống một mình"),
    "without_bank_account": gettext_lazy("Chưa có tài khoản ngân hàng số"),
    "not_visited_recently": gettext_lazy("Lâu chưa được đến hỗ trợ"),
    "ethnic_minority": gettext_lazy("Hộ đồng bào dân tộc thiểu số"),
}


def _days(request: HttpRequest) -> int:
    """N of "not visited for N days": ?ngay= (1…366), else the setting."""
    try:
        days = int(request.GET.get("ngay", ""))
    except ValueError:
        return int(settings.OUTREACH_NOT_VISITED_DAYS)
    return min(max(days, 1), MAX_DAYS)


def _commune(unit: AdministrativeUnit) -> AdministrativeUnit:
    if unit.level != Level.COMMUNE:
        raise NotFound()
    return unit


def _villages(commune: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code"))


def _chosen_villages(request: HttpRequest, commune: AdministrativeUnit) -> tuple[list[AdministrativeUnit], Any]:
    """The villages of ?thon= (one of the commune's), else all of them; the chosen village or None."""
    villages = _villages(commune)
    code = request.GET.get("thon", "")
    if not code:
        return villages, None
    chosen = next((village for village in villages if village.code == code), None)
    if chosen is None:
        raise NotFound()
    return [chosen], chosen


def _week(request: HttpRequest, today: datetime.date) -> datetime.date:
    """The Monday of ?tuan= (any day of the week, YYYY-MM-DD), else of this week; never after this week."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("tuan", ""))
    except ValueError:
        day = today
    return activity.week_start(min(day, today))


@requires(Permission.MANAGE_TEAM)
def my_teams(request: HttpRequest) -> HttpResponse:
    """A team leader's teams: each one's activity per member and week, coverage per village, households not
    visited for N days."""
    day, days = timezone.localdate(), _days(request)
    teams = teams_managed_by(request.user).filter(leader_id=request.user.pk).order_by("name")
    cards = []
    for team in teams:
        households = activity.team_households(team, day=day)
        not_visited, total = activity.not_visited_since(households, day=day, days=days, limit=100)
        cards.append(
            {
                "activity": activity.team_activity(team, day=day),
                "coverage": activity.coverage_by_village(households, day=day, days=days, team=team),
                "not_visited": not_visited,
                "not_visited_total": total,
            }
        )
    context = {
        "cards": cards,
        "days": days,
        "day": day,
        "devices": list(active_devices(teams)),
        "revoke_url": reverse("web:outreach_leader_device_revoke"),
    }
    return render(request, "web/outreach/my_teams.html", context)


def commune_context(request: HttpRequest, commune: AdministrativeUnit, **bound: Any) -> dict[str, Any]:
    """What the commune page shows: coverage, the week, each team's activity, and the team setup (members, their
    phones, the forms; `bound` replaces a blank form by one that failed)."""
    day, days = timezone.localdate(), _days(request)
    start = _week(request, day)
    teams = list(Team.objects.filter(commune=commune).select_related("commune", "village").order_by("name"))
    previous = start - datetime.timedelta(days=7)
    following = start + datetime.timedelta(days=7)
    members = (
        TeamMembership.objects.in_force(day)
        .filter(team__in=teams)
        .select_related("resident", "organisation")
        .order_by("resident__full_name", "pk")
    )
    return {
        "unit": commune,
        "days": days,
        "coverage": activity.coverage_by_village(activity.commune_households(commune), day=day, days=days),
        "good": activity.COVERAGE_GOOD,
        "fair": activity.COVERAGE_FAIR,
        "summary": activity.weekly_summary(commune, start=start),
        "previous_week": previous,
        "next_week": following if following <= day else None,
        "teams": [activity.team_activity(team, day=day) for team in teams],
        "setup_teams": [(team, [m for m in members if m.team_id == team.pk]) for team in teams],
        "devices": list(active_devices(teams)),
        "revoke_url": reverse("web:outreach_commune_device_revoke", kwargs={"code": commune.code}),
        **setup.setup_forms(commune, teams, **bound),
    }


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
def commune_field(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A commune's field work: coverage per village, the week's summary, each team's activity; its team setup."""
    commune = _commune(unit)
    return render(request, "web/outreach/commune.html", commune_context(request, commune))


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
def commune_not_visited(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """The commune's households (or one village's, ?thon=) not visited for N days (?ngay=)."""
    commune = _commune(unit)
    day, days = timezone.localdate(), _days(request)
    villages, chosen = _chosen_villages(request, commune)
    households = activity.commune_households(commune).filter(village__in=villages)
    rows, total = activity.not_visited_since(households, day=day, days=days)
    context = {
        "unit": commune,
        "days": days,
        "villages": _villages(commune),
        "chosen": chosen,
        "rows": rows,
        "total": total,
        "limit": activity.LIST_LIMIT,
    }
    return render(request, "web/outreach/not_visited.html", context)


def _lines(request: HttpRequest, commune: AdministrativeUnit, villages: Sequence[AdministrativeUnit], fmt: str) -> Any:
    lines = activity.village_worklist(list(villages), day=timezone.localdate())
    record_worklist_export(villages=list(villages), fmt=fmt, households=len(lines), actor=request.user)
    return lines


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
def commune_worklist(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A village's worklist as a page to print (?thon=); without a village, the villages to choose from."""
    commune = _commune(unit)
    villages, chosen = _chosen_villages(request, commune)
    context: dict[str, Any] = {"unit": commune, "villages": villages, "chosen": chosen, "needs": NEED_LABELS}
    if chosen is not None:
        context["lines"] = [
            (line, [str(NEED_LABELS[need]) for need, count in line.household.needs.items() if count])
            for line in _lines(request, commune, villages, "print")
        ]
        context["day"] = timezone.localdate()
    return render(request, "web/outreach/worklist.html", context)


def worklist_xlsx(lines: Sequence[activity.VillageWorklistLine], village_names: dict[str, str]) -> bytes:
    """The worklist as a workbook: one row per person, the household's needs and member; every text cell is text
    (never a formula), neutralised like the other exports."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Danh sách hộ"))
    headers = [
        _("Thôn"),
        _("Mã hộ"),
        _("Chủ hộ"),
        _("Người phụ trách"),
        _("Cần hỗ trợ"),
        _("Họ và tên"),
        _("Năm sinh"),
        _("Số định danh (che)"),
        _("VNeID mức 2"),
        _("Đạt phổ cập"),
        _("Tài khoản ngân hàng số"),
        _("Lần hỗ trợ gần nhất"),
        _("Ngày đến"),
        _("Ghi chú"),
    ]
    for index, width in enumerate([20, 10, 24, 22, 40, 24, 9, 16, 10, 10, 12, 14, 12, 30], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)

    def cell(value: Any, strong: bool = False) -> Any:
        made = WriteOnlyCell(sheet, value=neutralise(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            made.data_type = "s"
        if isinstance(value, datetime.date):
            made.number_format = "DD/MM/YYYY"
        if strong:
            made.font = bold
        return made

    sheet.append([cell(header, strong=True) for header in headers])
    yes, no = _("Có"), _("Chưa")
    for line in lines:
        household = line.household
        needs = "; ".join(str(NEED_LABELS[need]) for need, count in household.needs.items() if count)
        first = [village_names.get(household.village_code, ""), household.code, household.head_name, line.member]
        people: list[Any] = list(household.people) or [None]
        for person in people:
            values: list[Any] = [*first, needs]
            if person is None:
                values += ["", None, "", "", "", "", household.last_visit, "", ""]
            else:
                values += [
                    person.full_name,
                    person.birth_year,
                    person.masked_national_id,
                    yes if person.vneid_level_2 else no,
                    yes if person.literate else no,
                    yes if person.has_bank_account else no,
                    household.last_visit,
                    "",
                    "",
                ]
            sheet.append([cell(value) for value in values])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
def commune_worklist_export(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A village's worklist (?thon=; without it, every village of the commune) as an XLSX file."""
    commune = _commune(unit)
    villages, chosen = _chosen_villages(request, commune)
    lines = _lines(request, commune, villages, "xlsx")
    content = worklist_xlsx(lines, {village.code: village.name for village in villages})
    name = f"danh-sach-ho-{(chosen or commune).code}-{timezone.localdate().isoformat()}.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
