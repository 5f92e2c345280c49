"""Reads over administrative units: drill-down, breadcrumbs, and resolving units across mergers."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from django.utils import timezone

from .models import MAX_MERGER_HOPS, AdministrativeUnit, UnitQuerySet, follow_successors, passed_to_successor


def child_units(unit: AdministrativeUnit, *, on: date | None = None) -> UnitQuerySet:
    """The units directly below `unit` that are in force on the day, by name."""
    return AdministrativeUnit.objects.filter(parent=unit).in_force(on).order_by("name")


def breadcrumb(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit's ancestors from the province down to the unit itself, in one query."""
    units = AdministrativeUnit.objects.filter(code__in=unit.ancestor_codes)
    return sorted(units, key=lambda item: len(item.path))


def effective_unit(unit: AdministrativeUnit, *, on: date | None = None) -> AdministrativeUnit:
    """The unit that stands for `unit` on the day: itself while in force, else its successor's effective unit.

    A unit that ended without successor (abolished) stands for itself.
    """
    on = on or timezone.localdate()
    for _hop in range(MAX_MERGER_HOPS):  # a cycle in successor links is a data error; stop rather than loop
        successor = unit.successor_id
        if successor is None or not passed_to_successor(unit.valid_to, successor, on):
            break
        unit = AdministrativeUnit.objects.get(pk=successor)
    return unit


def rollup_to_effective_units(counts: Mapping[int, int], *, on: date | None = None) -> dict[int, int]:
    """Sum counts recorded per unit id under the units in force on the day (following mergers).

    Data recorded against a unit before a merger is reported under its successor after it.
    """
    successor_of = AdministrativeUnit.objects.successors_on(on or timezone.localdate())
    totals: dict[int, int] = defaultdict(int)
    for unit_id, count in counts.items():
        totals[follow_successors(unit_id, successor_of)] += count
    return dict(totals)
