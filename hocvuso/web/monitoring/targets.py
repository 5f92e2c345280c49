"""The targets page of a unit: for a year (?nam=, the current year by default), each outcome indicator with the
target in force there and where it comes from (the unit's own, the nearest unit above it that set one, or the
plan's default), read by `targets_in_force` — the dashboards' own rule, so both show the same target.

Whoever follows the unit's progress (VIEW_PROGRESS) sees the page; whoever manages the unit (MANAGE_UNITS: the
province administrator, a commune officer for their commune) also gets a form per indicator that sets the unit's
target for the year through `set_target` (audited), then redirects back (POST-redirect-GET). A unit that is
missing or not the user's answers 404, and so does a change by a user who may only look.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hocvuso.accounts.access import AnyUser, can, can_reach, requires
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.indicators.models import Indicator, Measure
from hocvuso.indicators.selectors import IndicatorInfo, TargetInForce, TargetsInForce, TargetSource, targets_in_force
from hocvuso.indicators.services import set_target
from hocvuso.territory.models import AdministrativeUnit

from .dashboards import Crumb
from .display import indicator_name
from .forms import FIRST_TARGET_YEAR, TargetForm, YearForm, target_years


@dataclass(frozen=True)
class TargetLine:
    """One indicator on the page: its target in force in words, and the form that changes it (None for a user
    who may only look)."""

    target: TargetInForce
    name: str
    value_text: str
    source_text: str
    form: TargetForm | None

    @property
    def code(self) -> str:
        return self.target.indicator.code


def amount_text(value: Decimal, info: IndicatorInfo) -> str:
    """A target in the page's language, without needless zeros: "80 %", "72,5 %" (Vietnamese), "12"."""
    trimmed = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    text = number_format(trimmed)
    return f"{text}\xa0%" if info.measure == Measure.PERCENT else text


def source_text(target: TargetInForce) -> str:
    """Where the target in force at a unit comes from, in words."""
    if target.source == TargetSource.OWN:
        text = _("Mục tiêu riêng của đơn vị này")
    elif target.source == TargetSource.INHERITED:
        if target.source_place is not None:
            text = _("Theo mục tiêu của %(unit)s") % {"unit": target.source_place.name}
        else:
            text = _("Theo mục tiêu của đơn vị cấp trên")
    elif target.source == TargetSource.DEFAULT:
        text = _("Mục tiêu chung của kế hoạch")
    else:
        return _("Chưa có mục tiêu")
    if target.carried_forward and target.source_year is not None:
        text += " " + _("(đặt cho năm %(year)s, vẫn áp dụng)") % {"year": target.source_year}
    return text


def may_set_targets(user: AnyUser, unit: AdministrativeUnit) -> bool:
    """Whether the user may change the unit's targets: MANAGE_UNITS over it (the check `set_target` makes) and
    the unit still in force (an ended unit's figures count under its successor)."""
    return unit.is_in_force() and can(user, Permission.MANAGE_UNITS, unit)


def _crumbs(user: AnyUser, result: TargetsInForce) -> list[Crumb]:
    crumbs = [
        Crumb(place.code, place.name, can_reach(user, Permission.VIEW_PROGRESS, path=place.path))
        for place in result.ancestors
    ]
    return [*crumbs, Crumb(result.place.code, result.place.name, False)]


def _blank_form(target: TargetInForce, year: int, indicators: dict[str, IndicatorInfo], years: list[int]) -> TargetForm:
    own = amount_text(target.own_value, target.indicator).removesuffix("\xa0%") if target.own_value is not None else ""
    return TargetForm(
        indicators=indicators,
        years=years,
        initial={"indicator": target.indicator.code, "year": year, "value": own},
        auto_id=f"target-{target.indicator.code}-%s",
    )


def _render(
    request: HttpRequest,
    unit: AdministrativeUnit,
    *,
    year_form: YearForm,
    years: list[int],
    result: TargetsInForce | None,
    can_change: bool,
    bound: TargetForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lines = []
    if result is not None:
        indicators = {target.indicator.code: target.indicator for target in result.targets}
        for target in result.targets:
            form = None
            if can_change:
                if bound is not None and bound.data.get("indicator") == target.indicator.code:
                    form = bound
                else:
                    form = _blank_form(target, result.year, indicators, years)
            value_text = amount_text(target.value, target.indicator) if target.value is not None else ""
            lines.append(TargetLine(target, indicator_name(target.indicator), value_text, source_text(target), form))
    context = {
        "unit": unit,
        "result": result,
        "year": result.year if result is not None else None,
        "crumb_suffix": f"?nam={result.year}" if result is not None else "",
        "year_form": year_form,
        "lines": lines,
        "crumbs": _crumbs(request.user, result) if result is not None else [],
        "can_change": can_change,
        "in_force": unit.is_in_force(),
        "bound": bound,
    }
    return render(request, "web/monitoring/targets_page.html", context, status=status)


def _default_year() -> int:
    return max(timezone.localdate().year, FIRST_TARGET_YEAR)


@requires(Permission.VIEW_PROGRESS, unit_kwarg="code")
@require_http_methods(["GET", "POST"])
def unit_targets(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """The unit's targets for the year ?nam= (the current year by default; a year not offered shows the message,
    status 400), with a form per indicator for users who manage the unit."""
    years = target_years(timezone.localdate().year)
    can_change = may_set_targets(request.user, unit)
    if request.method == "POST":
        if not can_change:
            raise NotFound()
        return _submit(request, unit, years)
    year_form = YearForm({"nam": request.GET.get("nam", "") or str(_default_year())}, years=years)
    if not year_form.is_valid():
        return _render(request, unit, year_form=year_form, years=years, result=None, can_change=can_change, status=400)
    result = targets_in_force(user=request.user, year=year_form.cleaned_data["nam"], unit=unit)
    return _render(request, unit, year_form=year_form, years=years, result=result, can_change=can_change)


def _submit(request: HttpRequest, unit: AdministrativeUnit, years: list[int]) -> HttpResponse:
    """Set the target the form names; on a refusal show the page again with the message (status 400)."""
    posted_year = str(request.POST.get("year", "")).strip()
    year = int(posted_year) if posted_year in {str(offered) for offered in years} else _default_year()
    result = targets_in_force(user=request.user, year=year, unit=unit)
    indicators = {target.indicator.code: target.indicator for target in result.targets}
    code = str(request.POST.get("indicator", ""))
    form = TargetForm(
        request.POST,
        indicators=indicators,
        years=years,
        auto_id=f"target-{code}-%s" if code in indicators else "target-%s",
    )
    if form.is_valid():
        info: IndicatorInfo = form.cleaned_data["indicator"]
        try:
            target = set_target(
                indicator=Indicator.objects.get(pk=info.pk),
                year=form.cleaned_data["year"],
                value=form.cleaned_data["value"],
                actor=request.user,
                unit=unit,
            )
        except NotFound:
            raise
        except DomainError as error:
            form.add_error("value" if error.field == "value" else None, str(error.message))
        else:
            messages.success(
                request,
                _("Đã đặt mục tiêu “%(indicator)s” năm %(year)s cho %(unit)s: %(value)s.")
                % {
                    "indicator": indicator_name(info),
                    "year": target.year,
                    "unit": unit.name,
                    "value": amount_text(target.value, info),
                },
            )
            address = reverse("web:monitoring_targets", kwargs={"code": unit.code})
            return redirect(f"{address}?nam={target.year}#target-{info.code}")
    year_form = YearForm({"nam": str(result.year)}, years=years)
    year_form.is_valid()
    return _render(
        request, unit, year_form=year_form, years=years, result=result, can_change=True, bound=form, status=400
    )
