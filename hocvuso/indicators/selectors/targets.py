"""Which target is in force where: for a unit (or an organisation) and a year, every outcome indicator that
applies there with the target that counts and where it comes from — the place's own override, the nearest
unit above it that has one, or the province default (the plan's value).

The choice is the dashboards' own rule (`_figures.Targets`: the latest year up to the asked year wins, then the
most specific place), so the targets page and the dashboards always show the same target.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Q

from hocvuso.accounts.access import require
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import NotFound
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit

from ..models import FactLevel
from ._figures import IndicatorInfo, Place, TargetRow, Targets, ancestor_paths, read_indicators

CENTS = Decimal("0.01")


class TargetSource(StrEnum):
    """Where the target in force at a place comes from."""

    OWN = "own"  # the place's own override
    INHERITED = "inherited"  # the override of the nearest unit above the place that has one
    DEFAULT = "default"  # the province default (the plan's value)
    NONE = "none"  # no target at all for the year


@dataclass(frozen=True)
class TargetInForce:
    """One indicator at one place for one year: the target that counts (`value`, None without one), where it
    comes from (`source`; `source_place` for an override — the place itself or the unit above it whose
    override applies), the year it was set for (`source_year`; `carried_forward` when that is an earlier year
    and no later target replaced it), and the place's own target set for exactly the asked year (`own_value`,
    what a form to change it starts from)."""

    indicator: IndicatorInfo
    value: Decimal | None
    source: TargetSource
    source_place: Place | None
    source_year: int | None
    carried_forward: bool
    own_value: Decimal | None


@dataclass(frozen=True)
class TargetsInForce:
    """The targets of a place for a year, in the indicators' order; `ancestors`, the units above the place
    (province first; for an organisation, the unit it is located in and the units above that)."""

    place: Place
    year: int
    targets: tuple[TargetInForce, ...]
    ancestors: tuple[Place, ...]

    def target(self, code: str) -> TargetInForce | None:
        return next((target for target in self.targets if target.indicator.code == code), None)


def _amount(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENTS)


def _unit_place(unit: AdministrativeUnit) -> Place:
    return Place(unit.pk, unit.code, unit.name, unit.level, unit.path, unit.kind)


def targets_in_force(
    *,
    user: Any,
    year: int,
    unit: AdministrativeUnit | None = None,
    organisation: Organisation | None = None,
) -> TargetsInForce:
    """Every active outcome indicator that applies at the place (a unit, at its level; an organisation, at the
    organisation level) with the target in force there for the year and where it comes from.

    Needs VIEW_PROGRESS on the unit, or on the organisation (assigned to it, or located in the user's
    subtrees); NotFound otherwise, and when given no place or both. Three queries (indicators, targets, the
    units above the place; select an organisation's `unit` with it), whatever the number of targets set.
    """
    if (unit is None) == (organisation is None):
        raise NotFound()
    organisation_id: int | None = None
    if unit is not None:
        require(user, Permission.VIEW_PROGRESS, unit)
        place, level = _unit_place(unit), unit.level
    else:
        assert organisation is not None
        require(user, Permission.VIEW_PROGRESS, organisation)
        organisation_id, level = organisation.pk, FactLevel.ORGANISATION
        place = Place(
            organisation.pk, organisation.code, organisation.name, level, organisation.unit.path, organisation.kind
        )
    # An organisation's own override comes first, then the overrides of the units it lies in, as on its dashboard.
    paths = ancestor_paths(place.path)
    scope = Q(unit__path__in=paths)
    if organisation_id is not None:
        scope |= Q(organisation_id=organisation_id)
    indicators = read_indicators(level=level, outcome_only=True)
    targets = Targets.read(indicator_ids=[info.pk for info in indicators], year=year, scope=scope)
    units = {found.path: _unit_place(found) for found in AdministrativeUnit.objects.filter(path__in=paths)}
    own_path = place.path if organisation_id is None else None
    ancestors = tuple(units[path] for path in paths if path in units and path != own_path)

    def is_own(row: TargetRow) -> bool:
        if organisation_id is not None:
            return row.organisation_id == organisation_id
        return row.organisation_id is None and row.path == own_path

    lines = []
    for info in indicators:
        own = next((row for row in targets.by_indicator.get(info.pk, ()) if row.year == year and is_own(row)), None)
        chosen = targets.chosen(info.pk, path=place.path, organisation_id=organisation_id)
        source_place: Place | None = None
        if chosen is None:
            source = TargetSource.NONE
        elif is_own(chosen):
            source, source_place = TargetSource.OWN, place
        elif chosen.path is not None:
            source, source_place = TargetSource.INHERITED, units.get(chosen.path)
        else:
            source = TargetSource.DEFAULT
        lines.append(
            TargetInForce(
                indicator=info,
                value=_amount(chosen.value) if chosen is not None else None,
                source=source,
                source_place=source_place,
                source_year=chosen.year if chosen is not None else None,
                carried_forward=chosen is not None and chosen.year < year,
                own_value=_amount(own.value) if own is not None else None,
            )
        )
    return TargetsInForce(place=place, year=year, targets=tuple(lines), ancestors=ancestors)


__all__ = ["TargetInForce", "TargetSource", "TargetsInForce", "targets_in_force"]
