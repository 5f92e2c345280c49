"""Reads over administrative units: drill-down, breadcrumbs, and resolving units across mergers."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from django.utils import timezone

from .models import AdministrativeUnit, UnitQuerySet


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
    seen = set()
    while unit.valid_to is not None and unit.valid_to < on and unit.successor_id is not None:
        if unit.pk in seen:  # a cycle in successor links is a data error; stop rather than loop
            break
        seen.add(unit.pk)
        unit = AdministrativeUnit.objects.get(pk=unit.successor_id)
    return unit


def rollup_to_effective_units(counts: Mapping[int, int], *, on: date | None = None) -> dict[int, int]:
    """Sum counts recorded per unit id under the units in force on the day (following mergers).

    Data recorded against a unit before a merger is reported under its successor after it.
    """
    on = on or timezone.localdate()
    successor_of = dict(
        AdministrativeUnit.objects.filter(successor__isnull=False, valid_to__lt=on).values_list("pk", "successor_id")
    )
    totals: dict[int, int] = defaultdict(int)
    for unit_id, count in counts.items():
        current, hops = unit_id, 0
        while current in successor_of and hops < 50:
            current, hops = successor_of[current], hops + 1
        totals[current] += count
    return dict(totals)
