"""The pages of the movement's activities (issue 13; the domain is hocvuso/outreach/families.py, markets.py,
events.py):

- Gia đình số: a village's recognised digital families, to print (/gia-dinh-so/<code>/, a village, or a commune's
  villages); the household page (hocvuso/web/people) shows where a household stands.
- Chợ số 4T: a commune's markets, their traders and the Ts each reached, whether each market is a digital market; the
  officer registers a market, a trader (a resident of the commune, found with the registry search of the people
  pages within the commune, ?q=, and chosen, ?nguoi=) and a T with its evidence (/cho-so/xa/<code>/ and the POST
  routes under it). MANAGE_PEOPLE over the commune.
- Events: the province calendar (/su-kien/, the events of the communes one may see, by month; the learning festival
  days marked) and a commune's events with the form to record one (/su-kien/xa/<code>/, MANAGE_UNITS); an event's
  edit page (/su-kien/<id>/sua/, the same form) and its deletion (/su-kien/<id>/xoa/, POST), for those who manage
  its commune and its organiser unit.

Every change is a POST (CSRF) to its own route; a GET of a POST-only route answers 405. An id outside the commune
answers 404 like a missing one; a refusal of the domain is shown next to its field.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.access import home_unit, requires, units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.outreach import events, families, markets
from hocvuso.outreach.models import Event, EventKind, FourT, Market, MarketKind, Trader
from hocvuso.outreach.rules import rules
from hocvuso.people.models import Organisation, Resident
from hocvuso.people.selectors import search_residents
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within

MAX_TEXT = 200
TRADER_SEARCH_LIMIT = 20


def _commune(unit: AdministrativeUnit) -> AdministrativeUnit:
    if unit.level != Level.COMMUNE:
        raise NotFound()
    return unit


def _villages(commune: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code"))


def _set_choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field: Any = form.fields[name]
    field.choices = choices


def _show(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


# --- Gia đình số ---------------------------------------------------------------------------------------------------


@requires(Permission.VIEW_PEOPLE, unit_kwarg="code")
def digital_families(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """The recognised digital families of a village (or of each village of a commune), to print."""
    if unit.level == Level.VILLAGE:
        villages = AdministrativeUnit.objects.filter(pk=unit.pk)
    elif unit.level == Level.COMMUNE:
        villages = AdministrativeUnit.objects.filter(parent=unit, level=Level.VILLAGE)
    else:
        raise NotFound()
    found = families.recognised_families(villages)
    by_village: dict[int, list[families.RecognisedFamily]] = {}
    for family in found:
        by_village.setdefault(family.household.village_id, []).append(family)
    groups = [(village, by_village.get(village.pk, [])) for village in villages.order_by("code")]
    context = {
        "unit": unit,
        "groups": groups,
        "total": len(found),
        "rule": rules().digital_family,
        "day": timezone.localdate(),
    }
    return render(request, "web/outreach/digital_families.html", context)


# --- Chợ số 4T -----------------------------------------------------------------------------------------------------


class MarketForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên chợ, điểm kinh doanh"), max_length=150)
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=MarketKind.choices)
    village = forms.TypedChoiceField(label=gettext_lazy("Thôn (không bắt buộc)"), required=False, coerce=int)

    def __init__(self, *args: Any, commune: AdministrativeUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "village", [("", _("Cả xã"))] + [(v.pk, v.name) for v in _villages(commune)])


class TraderForm(forms.Form):
    market = forms.TypedChoiceField(label=gettext_lazy("Chợ"), coerce=int)
    resident = forms.IntegerField(
        label=gettext_lazy("Số hồ sơ người dân"),
        min_value=1,
        max_value=2**62,
        help_text=gettext_lazy("Tìm người dân ở ô “Tìm trong sổ dân cư của xã” rồi bấm “Chọn”; số được điền vào đây."),
    )
    stall = forms.CharField(label=gettext_lazy("Quầy, sạp (không bắt buộc)"), max_length=60, required=False)

    def __init__(self, *args: Any, market_list: list[Market], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "market", [("", "—")] + [(m.pk, m.name) for m in market_list])


class StepForm(forms.Form):
    trader = forms.TypedChoiceField(label=gettext_lazy("Tiểu thương"), coerce=int)
    step = forms.ChoiceField(label=gettext_lazy("Tiêu chí 4T"), choices=FourT.choices)
    evidence = forms.CharField(
        label=gettext_lazy("Minh chứng"),
        max_length=markets.MAX_EVIDENCE,
        help_text=gettext_lazy("Điều đã thấy: địa chỉ gian hàng trực tuyến, mã QR tại sạp, tài khoản tiết kiệm số…"),
    )
    achieved_on = forms.DateField(label=gettext_lazy("Ngày đạt"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, traders: list[Trader], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "trader",
            [("", "—")] + [(t.pk, f"{t.resident.full_name} — {t.market.name} {t.stall}".strip()) for t in traders],
        )


def _trader_search(request: HttpRequest, commune: AdministrativeUnit) -> dict[str, Any]:
    """The registry search of the market page (?q=, the people pages' `search_residents` within the commune and the
    officer's scope, masked IDs), and the resident chosen from it (?nguoi=<id>, one the same search may find)."""
    query = request.GET.get("q", "").strip()[:100]
    found: list[Resident] = []
    error = ""
    if query:
        try:
            found = list(
                search_residents(user=request.user, query=query, limit=TRADER_SEARCH_LIMIT, within=commune)
                .select_related("village")
                .defer("national_id_ciphertext", "phone_ciphertext")
            )
        except DomainError as refused:  # a search by full ID refused (not allowed, or too many this hour)
            error = str(refused.message)
    chosen_id = request.GET.get("nguoi", "")
    chosen = (
        Resident.objects.visible_to(request.user, Permission.VIEW_PEOPLE)
        .filter(lies_within(commune, through="village"), pk=int(chosen_id))
        .select_related("village")
        .first()
        if chosen_id.isdigit() and len(chosen_id) < 19
        else None
    )
    return {"query": query, "found": found, "search_error": error, "chosen": chosen, "limit": TRADER_SEARCH_LIMIT}


def _market_page(request: HttpRequest, commune: AdministrativeUnit, **bound: forms.Form) -> HttpResponse:
    rows = markets.market_rows(commune)
    market_list = [row.market for row in rows]
    traders = [trader_row.trader for row in rows for trader_row in row.traders]
    search = _trader_search(request, commune) if request.method == "GET" else {}
    chosen = search.get("chosen")
    forms_: dict[str, forms.Form] = {
        "market_form": MarketForm(commune=commune, prefix="market"),
        "trader_form": TraderForm(
            market_list=market_list, prefix="trader", initial={"resident": chosen.pk} if chosen else None
        ),
        "step_form": StepForm(
            traders=traders, prefix="step", initial={"achieved_on": timezone.localdate().isoformat()}
        ),
    }
    forms_.update(bound)
    context = {
        "unit": commune,
        "rows": rows,
        "steps": FourT.choices,
        "rule": rules().digital_market,
        "traders_total": len(traders),
        "complete_total": sum(row.complete_count for row in rows),
        "trader_ids": {trader.resident_id for trader in traders},
        **search,
        **forms_,
    }
    return render(request, "web/outreach/markets.html", context)


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
def market_page(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A commune's markets, traders and their Ts, with the forms to register them."""
    return _market_page(request, _commune(unit))


def _market_list(commune: AdministrativeUnit) -> list[Market]:
    return list(Market.objects.filter(commune=commune).select_related("commune").order_by("name"))


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def market_create(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Register a market or trading place of the commune."""
    commune = _commune(unit)
    form = MarketForm(request.POST, commune=commune, prefix="market")
    if form.is_valid():
        data = form.cleaned_data
        village = next((v for v in _villages(commune) if v.pk == data["village"]), None) if data["village"] else None
        try:
            markets.create_market(
                commune=commune, name=data["name"], kind=data["kind"], village=village, actor=request.user
            )
        except NotFound:
            raise
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Đã đăng ký chợ."))
            return redirect("web:markets", code=commune.code)
    return _market_page(request, commune, market_form=form)


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def trader_register(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Register a resident of the commune as a trader of one of its markets."""
    commune = _commune(unit)
    market_list = _market_list(commune)
    form = TraderForm(request.POST, market_list=market_list, prefix="trader")
    if form.is_valid():
        data = form.cleaned_data
        market = next(m for m in market_list if m.pk == data["market"])
        resident = (
            Resident.objects.filter(lies_within(commune, through="village"), pk=data["resident"])
            .select_related("village")
            .first()
        )
        if resident is None:  # outside the commune looks the same as missing
            form.add_error("resident", _("Không tìm thấy người dân này trong xã."))
        else:
            try:
                markets.register_trader(market=market, resident=resident, stall=data["stall"], actor=request.user)
            except NotFound:
                raise
            except DomainError as error:
                _show(form, error)
            else:
                messages.success(request, _("Đã đăng ký tiểu thương %(name)s.") % {"name": resident.full_name})
                return redirect("web:markets", code=commune.code)
    return _market_page(request, commune, trader_form=form)


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_POST
def trader_step(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Record one T a trader of the commune reached, with its evidence and day."""
    commune = _commune(unit)
    traders = list(
        Trader.objects.filter(market__commune=commune).select_related("resident", "market__commune").order_by("pk")
    )
    form = StepForm(request.POST, traders=traders, prefix="step")
    if form.is_valid():
        data = form.cleaned_data
        trader = next(t for t in traders if t.pk == data["trader"])
        try:
            markets.record_trader_step(
                trader=trader,
                step=data["step"],
                evidence=data["evidence"],
                achieved_on=data["achieved_on"],
                actor=request.user,
            )
        except NotFound:
            raise
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Đã ghi nhận tiêu chí 4T."))
            return redirect("web:markets", code=commune.code)
    return _market_page(request, commune, step_form=form)


# --- Events ------------------------------------------------------------------------------------------------------


def _int(value: str, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


@requires(Permission.VIEW_UNITS)
def event_calendar(request: HttpRequest) -> HttpResponse:
    """The province calendar: the events of a year (?nam=) or one month (?thang=) in the communes the user may see,
    by month, with the learning festival days marked."""
    today = timezone.localdate()
    year = _int(request.GET.get("nam", ""), 2000, 2100) or today.year
    month = _int(request.GET.get("thang", ""), 1, 12)
    found = list(events.calendar(request.user, year=year, month=month))
    months: dict[int, list[Event]] = {}
    for event in found:
        months.setdefault(event.starts_on.month, []).append(event)
    manages = home_unit(request.user, Permission.MANAGE_UNITS)
    communes = (
        list(units_visible_to(request.user, Permission.MANAGE_UNITS).filter(level=Level.COMMUNE).order_by("name")[:200])
        if manages is not None
        else []
    )
    context = {
        "year": year,
        "month": month,
        "months": sorted(months.items()),
        "total": len(found),
        "festivals": events.festival_days(year),
        "festival_held": {e.starts_on for e in found if e.kind == EventKind.FESTIVAL},
        "communes": communes,
        "previous": year - 1,
        "following": year + 1,
    }
    return render(request, "web/outreach/events.html", context)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại sự kiện"), choices=EventKind.choices)
    title = forms.CharField(label=gettext_lazy("Tên sự kiện"), max_length=MAX_TEXT)
    place = forms.CharField(label=gettext_lazy("Địa điểm"), max_length=MAX_TEXT)
    starts_on = forms.DateField(label=gettext_lazy("Ngày bắt đầu"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=gettext_lazy("Ngày kết thúc (không bắt buộc)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    organiser = forms.ChoiceField(label=gettext_lazy("Đơn vị, tổ chức chủ trì"))
    activities = forms.CharField(
        label=gettext_lazy("Hoạt động"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    registered = forms.IntegerField(
        label=gettext_lazy("Số người đăng ký"), min_value=0, max_value=events.MAX_PARTICIPANTS, initial=0
    )
    participants = forms.IntegerField(
        label=gettext_lazy("Số người tham gia, đếm tại chỗ (không bắt buộc)"),
        min_value=0,
        max_value=events.MAX_PARTICIPANTS,
        required=False,
    )

    def __init__(self, *args: Any, commune: AdministrativeUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {
            unit.pk: unit
            for unit in AdministrativeUnit.objects.filter(code__in=commune.ancestor_codes).order_by("-path")
            if commune.is_within(unit)
        }
        self.organisations = {
            organisation.pk: organisation
            for organisation in Organisation.objects.filter(lies_within(commune, through="unit"))
            .select_related("unit")
            .order_by("name")[:300]
        }
        choices = [(f"unit:{pk}", unit.name) for pk, unit in self.units.items()]
        choices += [(f"org:{pk}", organisation.name) for pk, organisation in self.organisations.items()]
        _set_choices(self, "organiser", choices)

    def organiser_of(self) -> dict[str, Any]:
        kind, _sep, pk = str(self.cleaned_data["organiser"]).partition(":")
        if kind == "unit":
            return {"organiser_unit": self.units[int(pk)]}
        return {"organiser_organisation": self.organisations[int(pk)]}

    def event_fields(self) -> dict[str, Any]:
        """What `events.record_event` and `events.update_event` take (the form is valid)."""
        data = self.cleaned_data
        names = ("kind", "title", "place", "starts_on", "ends_on", "activities", "registered", "participants")
        return {name: data[name] for name in names} | self.organiser_of()

    @staticmethod
    def initial_of(event: Event) -> dict[str, Any]:
        """The form's initial values for editing `event`."""
        organiser = (
            f"org:{event.organiser_organisation_id}"
            if event.organiser_organisation_id
            else f"unit:{event.organiser_unit_id}"
        )
        names = ("kind", "title", "place", "starts_on", "ends_on", "activities", "registered", "participants")
        return {name: getattr(event, name) for name in names} | {"organiser": organiser}


def _event_page(request: HttpRequest, commune: AdministrativeUnit, form: EventForm | None = None) -> HttpResponse:
    found = list(
        Event.objects.filter(commune=commune)
        .select_related("commune", "organiser_unit", "organiser_organisation")
        .order_by("-starts_on", "-pk")[:100]
    )
    context = {
        "unit": commune,
        "form": form or EventForm(commune=commune, prefix="event"),
        "events": found,
        "editable": {event.pk for event in found if events.may_edit_event(request.user, event)},
        "festivals": events.festival_days(timezone.localdate().year),
    }
    return render(request, "web/outreach/commune_events.html", context)


@requires(Permission.MANAGE_UNITS, unit_kwarg="code")
def commune_events(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A commune's events, and (POST) recording one held there."""
    commune = _commune(unit)
    if request.method != "POST":
        return _event_page(request, commune)
    form = EventForm(request.POST, commune=commune, prefix="event")
    if form.is_valid():
        try:
            events.record_event(commune=commune, actor=request.user, **form.event_fields())
        except NotFound:
            raise
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Đã ghi nhận sự kiện."))
            return redirect("web:commune_events", code=commune.code)
    return _event_page(request, commune, form)


@requires(Permission.MANAGE_UNITS)
@require_http_methods(["GET", "POST"])
def edit_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """Edit an event with the form that records one (the same fields and validation). Only for those who manage
    its commune and its organiser unit (`events.may_edit_event`); any other event answers 404."""
    event = events.event_for(user=request.user, event_id=event_id)
    form = EventForm(request.POST or None, commune=event.commune, prefix="event", initial=EventForm.initial_of(event))
    if request.method == "POST" and form.is_valid():
        try:
            events.update_event(event=event, actor=request.user, **form.event_fields())
        except NotFound:
            raise
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi của sự kiện."))
            return redirect("web:commune_events", code=event.commune.code)
    return render(request, "web/outreach/event_edit.html", {"event": event, "form": form, "unit": event.commune})


@requires(Permission.MANAGE_UNITS)
def delete_event(request: HttpRequest, event_id: int) -> HttpResponse:
    """Delete an event recorded by mistake (POST, with an optional reason; audited). The event is looked up before
    the method is checked, so one out of reach answers 404 whatever the method."""
    event = events.event_for(user=request.user, event_id=event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    commune = event.commune
    events.delete_event(event=event, actor=request.user, reason=request.POST.get("reason", "")[:500])
    messages.success(request, _("Đã xóa sự kiện."))
    return redirect("web:commune_events", code=commune.code)
