"""The pages that change a commune's community digital teams (hocvuso/outreach/services.py does the work, checks
access again and audits):

- a commune officer decides the "moved away" / "deceased" reports of visits (/to-cong-nghe-so/xa/<code>/bao-cao/);
- a commune officer sets up teams on the commune's page: create a team, add and end a member, "Giao hộ" (assign a
  village's households, balanced);
- a commune officer (on the commune's page) and a team leader (on "Tổ của tôi") revoke a member's phone;
- a commune officer (…/xa/<code>/to/giao-lai/) and a team leader (/to-cong-nghe-so/giao-lai/) give one household of
  a team to another of its members (outreach.services.reassign_household).

Every change is a POST (CSRF) to its own route; a GET there answers 405. An object id outside the commune, or a team
the leader does not lead, answers 404 like a missing one. A refusal of the domain is shown next to its field.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts.access import requires
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.outreach import services
from hocvuso.outreach.models import FieldDevice, RegistryChangeReport, SendingBody, Team, TeamMembership
from hocvuso.outreach.selectors import (
    candidate_members,
    pending_reports,
    team_assignments,
    team_villages,
    teams_managed_by,
)
from hocvuso.people.models import Household, Organisation
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within

# How many households the re-assignment page lists at once (a village narrows it).
REASSIGN_LIMIT = 500


def commune_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    if unit.level != Level.COMMUNE:
        raise NotFound()
    return unit


def _villages(commune: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code"))


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field: Any = form.fields[name]
    field.choices = choices


def _choice(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CreateTeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên tổ"), max_length=150)
    village = forms.TypedChoiceField(label=gettext_lazy("Thôn (không bắt buộc)"), required=False, coerce=int)
    leader = forms.TypedChoiceField(label=gettext_lazy("Tổ trưởng"), coerce=int)

    def __init__(self, *args: Any, commune: AdministrativeUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commune = commune
        _choices(self, "village", [("", _("Cả xã"))] + [(v.pk, v.name) for v in _villages(commune)])
        _choices(
            self,
            "leader",
            [("", "—")] + [(r.user_id, f"{r.full_name} ({r.village.name})") for r in candidate_members(commune)],
        )


class AddMemberForm(forms.Form):
    team = forms.TypedChoiceField(label=gettext_lazy("Tổ"), coerce=int)
    user = forms.TypedChoiceField(label=gettext_lazy("Người tham gia"), coerce=int)
    sent_by = forms.ChoiceField(label=gettext_lazy("Đơn vị cử (không bắt buộc)"), required=False)
    organisation = forms.TypedChoiceField(
        label=gettext_lazy("Cơ quan, tổ chức cử (không bắt buộc)"), required=False, coerce=int
    )

    def __init__(self, *args: Any, commune: AdministrativeUnit, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "team", [("", "—")] + [(t.pk, t.name) for t in teams])
        _choices(
            self,
            "user",
            [("", "—")] + [(r.user_id, f"{r.full_name} ({r.village.name})") for r in candidate_members(commune)],
        )
        _choices(self, "sent_by", list(SendingBody.choices))
        organisations = Organisation.objects.filter(lies_within(commune, through="unit")).order_by("name")
        _choices(self, "organisation", [("", "—")] + [(o.pk, o.name) for o in organisations])


class AssignForm(forms.Form):
    team = forms.TypedChoiceField(label=gettext_lazy("Tổ"), coerce=int)
    village = forms.TypedChoiceField(label=gettext_lazy("Thôn"), coerce=int)

    def __init__(self, *args: Any, commune: AdministrativeUnit, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "team", [("", "—")] + [(t.pk, t.name) for t in teams])
        _choices(self, "village", [("", "—")] + [(v.pk, v.name) for v in _villages(commune)])


def setup_forms(commune: AdministrativeUnit, teams: list[Team], **bound: forms.Form) -> dict[str, forms.Form]:
    """The commune page's team-setup forms, blank unless one is given bound (with its errors)."""
    made: dict[str, forms.Form] = {
        "create_form": CreateTeamForm(commune=commune, prefix="create"),
        "member_form": AddMemberForm(commune=commune, teams=teams, prefix="member"),
        "assign_form": AssignForm(commune=commune, teams=teams, prefix="assign"),
    }
    made.update(bound)
    return made


def _show_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _back(commune: AdministrativeUnit) -> HttpResponse:
    return redirect("web:outreach_commune", code=commune.code)


def _again(request: HttpRequest, commune: AdministrativeUnit, **bound: forms.Form) -> HttpResponse:
    """The commune page again, with the form that failed and its errors."""
    from .views import commune_context  # the page's own view module builds the rest of it

    return render(request, "web/outreach/commune.html", commune_context(request, commune, **bound))


def _team_of(commune: AdministrativeUnit, team_id: int) -> Team:
    team = Team.objects.filter(commune=commune, pk=team_id).select_related("commune").first()
    if team is None:
        raise NotFound()
    return team


def _member_of(commune: AdministrativeUnit, user_id: int) -> Any:
    resident = candidate_members(commune).filter(user_id=user_id).first()
    if resident is None:
        raise NotFound()
    return resident


# --- Reports from visits ------------------------------------------------------------------------------------------


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_GET
def commune_reports(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """The commune's pending "moved away" / "deceased" reports, to confirm or reject."""
    commune = commune_of(unit)
    return render(request, "web/outreach/reports.html", {"unit": commune, "reports": list(pending_reports(commune))})


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def decide_report(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Confirm (decision=confirm) or reject (decision=reject) one of the commune's reports (report=<id>)."""
    commune = commune_of(unit)
    decision = request.POST.get("decision", "")
    report_id = _choice(request.POST.get("report"))
    if decision not in {"confirm", "reject"} or report_id is None:
        messages.error(request, _("Hãy chọn một báo cáo và xác nhận hoặc không xác nhận."))
        return redirect("web:outreach_reports", code=commune.code)
    report = RegistryChangeReport.objects.filter(
        lies_within(commune, through="resident__village"), pk=report_id
    ).first()
    if report is None:
        raise NotFound()
    try:
        services.decide_registry_report(report=report, confirm=decision == "confirm", actor=request.user)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if decision == "confirm":
            messages.success(request, _("Đã xác nhận báo cáo; sổ nhân khẩu đã được cập nhật."))
        else:
            messages.success(request, _("Đã ghi nhận: báo cáo không được xác nhận."))
    return redirect("web:outreach_reports", code=commune.code)


# --- Team setup ---------------------------------------------------------------------------------------------------


def _teams(commune: AdministrativeUnit) -> list[Team]:
    return list(Team.objects.filter(commune=commune).select_related("commune", "village").order_by("name"))


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def create_team(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Create a team of the commune (optionally of a village) with its leader."""
    commune = commune_of(unit)
    form = CreateTeamForm(request.POST, commune=commune, prefix="create")
    if form.is_valid():
        data = form.cleaned_data
        leader = _member_of(commune, data["leader"]).user
        village = AdministrativeUnit.objects.filter(pk=data["village"]).first() if data["village"] else None
        try:
            team = services.create_team(
                commune=commune, name=data["name"], leader=leader, village=village, actor=request.user
            )
        except NotFound:
            raise
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã lập tổ “%(name)s”.") % {"name": team.name})
            return _back(commune)
    return _again(request, commune, create_form=form)


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def add_member(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Add a user of the commune (linked to their registry record) to one of its teams from today."""
    commune = commune_of(unit)
    form = AddMemberForm(request.POST, commune=commune, teams=_teams(commune), prefix="member")
    if form.is_valid():
        data = form.cleaned_data
        team = _team_of(commune, data["team"])
        resident = _member_of(commune, data["user"])
        organisation = Organisation.objects.filter(pk=data["organisation"]).first() if data["organisation"] else None
        try:
            services.add_team_member(
                team=team,
                user=resident.user,
                resident=resident,
                valid_from=timezone.localdate(),
                sent_by=data["sent_by"],
                organisation=organisation,
                actor=request.user,
            )
        except NotFound:
            raise
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Đã thêm %(name)s vào tổ “%(team)s”.") % {"name": resident.full_name, "team": team.name}
            )
            return _back(commune)
    return _again(request, commune, member_form=form)


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def end_member(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """End a membership (membership=<id>) of one of the commune's teams today; their households become unassigned."""
    commune = commune_of(unit)
    membership_id = _choice(request.POST.get("membership"))
    if membership_id is None:
        messages.error(request, _("Hãy chọn một thành viên."))
        return _back(commune)
    membership = (
        TeamMembership.objects.filter(pk=membership_id, team__commune=commune)
        .select_related("team__commune", "resident")
        .first()
    )
    if membership is None:
        raise NotFound()
    try:
        services.end_team_member(membership=membership, valid_to=timezone.localdate(), actor=request.user)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(name)s đã rời tổ; các hộ của người này chờ giao lại.") % {
            "name": membership.resident.full_name})  # fmt: skip
    return _back(commune)


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def assign(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """ "Giao hộ": give a village's households that the team does not look after yet to its members, balanced."""
    commune = commune_of(unit)
    form = AssignForm(request.POST, commune=commune, teams=_teams(commune), prefix="assign")
    if form.is_valid():
        team = _team_of(commune, form.cleaned_data["team"])
        village = AdministrativeUnit.objects.filter(pk=form.cleaned_data["village"]).first()
        if village is None:
            raise NotFound()
        try:
            created = services.assign_households(
                team=team, village=village, on=timezone.localdate(), actor=request.user
            )
        except NotFound:
            raise
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã giao %(count)s hộ của %(village)s cho tổ “%(team)s”.") % {
                "count": len(created), "village": village.name, "team": team.name})  # fmt: skip
            return _back(commune)
    return _again(request, commune, assign_form=form)


# --- Devices ------------------------------------------------------------------------------------------------------


def _revoke(request: HttpRequest, device: FieldDevice | None) -> None:
    if device is None:
        raise NotFound()
    was_active = device.revoked_at is None
    services.revoke_device(device=device, actor=request.user)
    if was_active:
        messages.success(request, _("Đã thu hồi điện thoại “%(name)s”; máy sẽ xóa dữ liệu khi kết nối lại.") % {
            "name": device.name})  # fmt: skip
    else:
        messages.info(request, _("Điện thoại này đã được thu hồi trước đó."))


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def commune_revoke_device(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Revoke the phone (device=<id>) of a member of one of the commune's teams."""
    commune = commune_of(unit)
    device_id = _choice(request.POST.get("device"))
    if device_id is None:
        messages.error(request, _("Hãy chọn một điện thoại."))
        return _back(commune)
    _revoke(request, FieldDevice.objects.filter(pk=device_id, membership__team__commune=commune).first())
    return _back(commune)


@requires(Permission.MANAGE_TEAM)
@require_POST
def leader_revoke_device(request: HttpRequest) -> HttpResponse:
    """A team leader revokes the phone (device=<id>) of a member of a team they lead."""
    device_id = _choice(request.POST.get("device"))
    if device_id is None:
        messages.error(request, _("Hãy chọn một điện thoại."))
        return redirect("web:outreach_my_teams")
    led = teams_managed_by(request.user).filter(leader_id=request.user.pk)
    _revoke(request, FieldDevice.objects.filter(pk=device_id, membership__team__in=led).first())
    return redirect("web:outreach_my_teams")


# --- Re-assigning one household -------------------------------------------------------------------------------------


def _reassign_page(request: HttpRequest, teams: list[Team], base: str) -> HttpResponse:
    """The re-assignment page of one of `teams` (?to=<id>; without it, the teams to choose from), its households by
    village (?thon=<code> keeps one village) each with its member and a form to give it to another member."""
    day = timezone.localdate()
    team_id = _choice(request.GET.get("to"))
    context: dict[str, Any] = {"teams": teams, "team": None, "base": base}
    if team_id is not None:
        team = next((t for t in teams if t.pk == team_id), None)
        if team is None:
            raise NotFound()
        villages = team_villages(team)
        code = request.GET.get("thon", "")
        chosen = next((v for v in villages if v.code == code), None) if code else None
        if code and chosen is None:
            raise NotFound()
        members = list(
            TeamMembership.objects.in_force(day)
            .filter(team=team)
            .exclude(valid_to=day)
            .select_related("resident")
            .order_by("resident__full_name", "pk")
        )
        context.update(
            team=team,
            villages=villages,
            chosen=chosen,
            members=members,
            rows=list(team_assignments(team, village=chosen, limit=REASSIGN_LIMIT + 1)),
            limit=REASSIGN_LIMIT,
        )
    return render(request, "web/outreach/reassign.html", context)


def _reassign(request: HttpRequest, teams: list[Team], base: str) -> HttpResponse:
    """Give the household (household=<id>) of a team (team=<id>) to another of its members (membership=<id>) from
    today. An id outside `teams`, or a household outside the team's commune, answers 404."""
    team_id, household_id, membership_id = (
        _choice(request.POST.get(name)) for name in ("team", "household", "membership")
    )
    if team_id is None:
        messages.error(request, _("Hãy chọn một tổ."))
        return redirect(base)
    team = next((t for t in teams if t.pk == team_id), None)
    if team is None:
        raise NotFound()
    query: dict[str, Any] = {"to": team.pk}
    village_code = request.POST.get("thon", "")
    if any(village.code == village_code for village in team_villages(team)):
        query["thon"] = village_code
    back = f"{base}?{urlencode(query)}"
    if household_id is None or membership_id is None:
        messages.error(request, _("Hãy chọn một hộ và người nhận."))
        return redirect(back)
    household = Household.objects.filter(lies_within(team.commune, through="village"), pk=household_id).first()
    membership = (
        TeamMembership.objects.filter(pk=membership_id, team__commune=team.commune).select_related("resident").first()
    )
    if household is None or membership is None:
        raise NotFound()
    try:
        services.reassign_household(
            team=team, household=household, membership=membership, on=timezone.localdate(), actor=request.user
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Hộ %(code)s nay do %(name)s phụ trách.") % {
            "code": household.code, "name": membership.resident.full_name})  # fmt: skip
    return redirect(back)


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_http_methods(["GET", "POST"])
def commune_reassign(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A commune officer gives one household of a team of the commune to another member (GET: the page; POST: the
    change)."""
    commune = commune_of(unit)
    base = reverse("web:outreach_reassign", kwargs={"code": commune.code})
    if request.method == "POST":
        return _reassign(request, _teams(commune), base)
    return _reassign_page(request, _teams(commune), base)


@requires(Permission.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def leader_reassign(request: HttpRequest) -> HttpResponse:
    """A team leader gives one household of a team they lead to another member (GET: the page; POST: the change)."""
    teams = list(
        teams_managed_by(request.user).filter(leader_id=request.user.pk).select_related("commune").order_by("name")
    )
    base = reverse("web:outreach_leader_reassign")
    if request.method == "POST":
        return _reassign(request, teams, base)
    return _reassign_page(request, teams, base)
