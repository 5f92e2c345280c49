"""What the monitoring pages show, built from the dashboards of `hocvuso.indicators.selectors` — the only reads of
figures (facts, never the registry) — plus the breadcrumb and the organisation named in the URL.

Access goes through `hocvuso.accounts.access` (and the dashboards' own checks): a unit or organisation that is
missing and one the user may not follow both raise NotFound.
"""

import html
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.access import AnyUser, access_unit, can, can_reach, home_unit
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import NotFound
from hocvuso.indicators.selectors import (
    Figure,
    Freshness,
    IndicatorInfo,
    Place,
    Row,
    Status,
    organisation_dashboard,
    unit_dashboard,
)
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit, is_unit_code

from .display import Shown, cards_html, indicator_name, show

MAX_ORGANISATION_CODE = 40


def unit_for(user: AnyUser, code: str) -> AdministrativeUnit:
    """The unit with this code if the user may follow its progress (VIEW_PROGRESS); NotFound for a malformed
    code, an unknown one or one outside the user's subtrees."""
    if not is_unit_code(code):
        raise NotFound()
    return access_unit(user, code, Permission.VIEW_PROGRESS)


def organisation_for(code: str) -> Organisation:
    """The organisation with this code (with its unit), NotFound for a malformed or unknown code. Whether the
    user may follow it is the organisation dashboard's check."""
    if not code or len(code) > MAX_ORGANISATION_CODE or not code.isprintable():
        raise NotFound()
    organisation = Organisation.objects.select_related("unit").filter(code=code).first()
    if organisation is None:
        raise NotFound()
    return organisation


@dataclass(frozen=True)
class Start:
    """Where `theo-doi/` sends the user: a unit dashboard, one organisation, or the organisation list."""

    unit_code: str | None = None
    organisation_code: str | None = None
    organisations: bool = False


def monitoring_start(user: AnyUser) -> Start:
    """The top unit of the user's VIEW_PROGRESS scope; else (an agency officer) their organisation, or the list
    of their organisations when they follow several. NotFound when they follow nothing."""
    unit = home_unit(user, Permission.VIEW_PROGRESS)
    if unit is not None:
        return Start(unit_code=unit.code)
    codes = list(Organisation.objects.visible_to(user, Permission.VIEW_PROGRESS).values_list("code", flat=True)[:2])
    if len(codes) == 1:
        return Start(organisation_code=codes[0])
    if codes:
        return Start(organisations=True)
    raise NotFound()


# Reversed once per page with this in place of the code, then filled in for each child of a province.
_PLACEHOLDER = "0CODE0"


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str
    linked: bool


@dataclass(frozen=True)
class Line:
    """A child unit with its figure for the chosen indicator and the address of its own dashboard."""

    place: Place
    shown: Shown
    href: str


@dataclass(frozen=True)
class UnitPage:
    """The unit dashboard page: the unit's figures (cards), its children's figures for one chosen indicator
    (table and tile grid), the breadcrumb and how fresh the facts are."""

    requested: AdministrativeUnit
    place: Place
    day: date
    freshness: Freshness
    crumbs: tuple[Crumb, ...]
    cards: tuple[Shown, ...]
    child_level: str | None
    choices: tuple[IndicatorInfo, ...]
    choice_links: tuple[tuple[str, str], ...]
    chosen: IndicatorInfo | None
    chosen_name: str
    lines: tuple[Line, ...]
    children: tuple[Row, ...]
    can_view_unit: bool

    @property
    def measured(self) -> tuple[Shown, ...]:
        """The cards of indicators whose source part is built."""
        return tuple(shown for shown in self.cards if shown.status != Status.NO_SOURCE)

    @property
    def unmeasured(self) -> tuple[Shown, ...]:
        """Indicators whose source part is not built yet: listed, never shown as 0."""
        return tuple(shown for shown in self.cards if shown.status == Status.NO_SOURCE)

    @property
    def measured_html(self) -> SafeString:
        """The measured indicators' cards (kept while what they show is the same: display.cards_html)."""
        return cards_html(self.measured, "unit-")

    @property
    def merged(self) -> bool:
        """The requested unit ended; the page shows the unit that absorbed it."""
        return self.requested.pk != self.place.pk

    # The children's tiles and table rows are built here rather than with template tags: a province has 124
    # communes, and rendering their dozen values each through the template engine was the largest part of the
    # province page's time (bench/bench_monitoring.py); `_html` escapes every value as format_html would.

    @property
    def child_columns(self) -> tuple[str, ...]:
        return tuple(str(label) for label in CHILD_COLUMNS)

    @property
    def tiles_html(self) -> SafeString:
        return mark_safe(  # noqa: S308 — every value escaped (_html)
            "\n".join(
                f'<li><a class="tile tile-{_html(line.shown.band)}" href="{_html(line.href)}">'
                f'<span class="tile-name">{_html(line.place.name)}</span> '
                f'<span class="tile-value">{_html(_value(line.shown))}</span> '
                f'<span class="tile-status">{_html(line.shown.status_label)}</span></a></li>'
                for line in self.lines
            )
        )

    @property
    def rows_html(self) -> SafeString:
        # each column's label is escaped once, not once per child
        name, value, target, gap, to_reach, status, forecast = (_html(label) for label in self.child_columns)
        return mark_safe(  # noqa: S308 — every value escaped (_html)
            "\n".join(
                f'<tr data-child="{_html(line.place.code)}"><td data-label="{name}">'
                f'<a href="{_html(line.href)}">{_html(line.place.name)}</a></td>'
                f'<td data-label="{value}" data-figure="value">{_html(_value(line.shown))}</td>'
                f'<td data-label="{target}" data-figure="target">{_html(_percent(line.shown.target_text))}</td>'
                f'<td data-label="{gap}" data-figure="gap">{_html(line.shown.gap_text or "—")}</td>'
                f'<td data-label="{to_reach}" data-figure="to_reach">{_html(line.shown.to_reach_text or "—")}</td>'
                f'<td data-label="{status}" data-figure="status"><span class="status-badge '
                f'status-{_html(line.shown.band)}">{_html(line.shown.status_label)}</span></td>'
                f'<td data-label="{forecast}" data-figure="forecast">{_html(line.shown.forecast_text or "—")}</td></tr>'
                for line in self.lines
            )
        )


def _html(value: str) -> str:
    """The value escaped for HTML, as format_html does (a SafeString as it is): the children's rows and tiles
    are written with f-strings, their ~2,800 values escaped here rather than through format_html's lazy wrappers."""
    return value if isinstance(value, SafeString) else html.escape(value)


# The columns of the children's table, in order (the table's header and each cell's label on a phone).
CHILD_COLUMNS = (
    _("Đơn vị"),
    _("Tỷ lệ đạt"),
    _("Mục tiêu"),
    _("Còn thiếu (điểm phần trăm)"),
    _("Cần thêm (người)"),
    _("Tình trạng"),
    _("Dự báo đạt"),
)


def _value(shown: Shown) -> SafeString | str:
    """A child's figure: a count as it is, a percentage with its sign."""
    if shown.is_count:
        return shown.numerator_text or "—"
    return _percent(shown.value_text)


def _percent(text: str) -> SafeString | str:
    return SafeString(html.escape(text) + "&nbsp;%") if text else "—"  # escaped (a province page writes ~370)


def _choose(choices: list[IndicatorInfo], unit_row: Row, wanted: str) -> IndicatorInfo | None:
    """The indicator asked for, else the first with a figure for the unit, else the first."""
    for info in choices:
        if info.code == wanted:
            return info
    for info in choices:
        figure = unit_row.figure(info.code)
        if figure is not None and figure.value is not None:
            return info
    return choices[0] if choices else None


def unit_page(user: AnyUser, unit: AdministrativeUnit, *, indicator: str = "", on: date | None = None) -> UnitPage:
    """The unit dashboard page for a user who may follow the unit: the dashboard selector's figures (four
    queries) and the breadcrumb (one query), whatever the number of children."""
    dashboard = unit_dashboard(user=user, unit=unit, on=on)
    place = dashboard.unit.place
    codes = [part for part in place.path.split("/") if part]
    names = dict(AdministrativeUnit.objects.filter(code__in=codes).values_list("code", "name"))
    crumbs = []
    for index, code in enumerate(codes):
        path = "/" + "/".join(codes[: index + 1]) + "/"
        crumbs.append(Crumb(code, names.get(code, code), can_reach(user, Permission.VIEW_PROGRESS, path=path)))
    choices = [
        info
        for info in dashboard.indicators
        if info.computable and dashboard.child_level is not None and info.applies_at(dashboard.child_level)
    ]
    chosen = _choose(choices, dashboard.unit, indicator) if dashboard.children else None
    lines = []
    if chosen is not None:
        address = reverse("web:monitoring_unit", kwargs={"code": _PLACEHOLDER})
        for child in dashboard.children:
            figure = child.figure(chosen.code)
            if figure is not None:
                lines.append(Line(child.place, show(figure), address.replace(_PLACEHOLDER, quote(child.place.code))))
    return UnitPage(
        requested=unit,
        place=place,
        day=dashboard.day,
        freshness=dashboard.freshness,
        crumbs=tuple(crumbs),
        cards=tuple(show(figure) for figure in dashboard.unit.figures),
        child_level=dashboard.child_level,
        choices=tuple(choices),
        choice_links=tuple((info.code, indicator_name(info)) for info in choices),
        chosen=chosen,
        chosen_name=indicator_name(chosen) if chosen is not None else "",
        lines=tuple(lines),
        children=dashboard.children,
        can_view_unit=can_reach(user, Permission.VIEW_UNITS, path=place.path),
    )


@dataclass(frozen=True)
class OrganisationPage:
    """One organisation's dashboard: its figures for staff, students and workers."""

    organisation: Organisation
    day: date
    freshness: Freshness
    cards: tuple[Shown, ...]
    can_view_unit: bool

    @property
    def cards_html(self) -> SafeString:
        return cards_html(self.cards, "organisation-")


def organisation_page(user: AnyUser, organisation: Organisation, *, on: date | None = None) -> OrganisationPage:
    """The organisation dashboard page (NotFound when the user may not follow the organisation). An organisation
    without facts yet shows every indicator as "no data"."""
    dashboard = organisation_dashboard(user=user, organisation=organisation, on=on)
    row = dashboard.rows[0] if dashboard.rows else None
    cards = []
    for info in dashboard.indicators:
        figure = row.figure(info.code) if row is not None else None
        cards.append(show(figure) if figure is not None else show(_no_data(info)))
    return OrganisationPage(
        organisation=organisation,
        day=dashboard.day,
        freshness=dashboard.freshness,
        cards=tuple(cards),
        can_view_unit=can(user, Permission.VIEW_PROGRESS, organisation.unit),
    )


def _no_data(info: IndicatorInfo) -> Figure:
    return Figure(info, Status.NO_SOURCE if not info.computable else Status.NO_DATA)


@dataclass(frozen=True)
class OrganisationListPage:
    """Every organisation the user follows, with its figure for each agency indicator."""

    day: date
    freshness: Freshness
    indicators: tuple[IndicatorInfo, ...]
    names: tuple[str, ...]
    rows: tuple[tuple[Place, tuple[Shown, ...]], ...]


def organisation_list_page(user: AnyUser, *, on: date | None = None) -> OrganisationListPage:
    """The agency view over every organisation the user may follow (the dashboard selector, five queries)."""
    dashboard = organisation_dashboard(user=user, on=on)
    return OrganisationListPage(
        day=dashboard.day,
        freshness=dashboard.freshness,
        indicators=dashboard.indicators,
        names=tuple(indicator_name(info) for info in dashboard.indicators),
        rows=tuple((row.place, tuple(show(figure) for figure in row.figures)) for row in dashboard.rows),
    )
