"""The people an indicator does not count yet — the list behind a "leave no one behind" figure.

Unlike the other selectors of this package it reads the registry (residents, households, memberships), through
the indicator's own formulas (computations.py), so the list's length is the figure's "not reached": the same
population and numerator the facts are counted with. Scoped through `accounts.access`.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from hocvuso.accounts.access import AnyUser, access_unit
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import NotFound
from hocvuso.people.models import Membership, Organisation, Resident
from hocvuso.territory.models import AdministrativeUnit, lies_within

from ..computations import HOUSEHOLD, NUMERATORS, POPULATIONS, RESIDENT, is_computable
from ..models import Indicator


@dataclass(frozen=True)
class NotReached:
    """The list behind a "leave no one behind" figure: the people of a unit (or the members of an organisation)
    an indicator does not count yet. For an indicator over households, the members of the households not yet
    counted (`households` is True)."""

    indicator: Indicator
    unit: AdministrativeUnit | None
    organisation: Organisation | None
    households: bool

    @property
    def place_name(self) -> str:
        place = self.unit if self.unit is not None else self.organisation
        return place.name if place is not None else ""

    @property
    def indicator_name(self) -> str:
        """The indicator's name in the page's language (its English name when the page is in English)."""
        if get_language() == "en" and self.indicator.name_en:
            return self.indicator.name_en
        return self.indicator.name_vi


def not_reached_filter(
    user: AnyUser, *, indicator_code: str, unit_code: str = "", organisation_code: str = ""
) -> NotReached:
    """Resolve the filter: the active, computable indicator with that code, and the unit (VIEW_PEOPLE, through
    `access_unit`) or the organisation (assigned to the user or located in their subtrees) with that code.
    An organisation only goes with an indicator that counts members of organisations; an indicator that counts visits
    or teams has no people behind it. Raises NotFound for
    anything unknown, out of scope or not fitting — the cases are not told apart. At most two queries."""
    indicator = Indicator.objects.active().filter(code=indicator_code).first()
    if indicator is None or not is_computable(indicator):
        raise NotFound()
    population = POPULATIONS[indicator.population]
    if population.entity not in (RESIDENT, HOUSEHOLD):  # visits or teams: there are no people to list
        raise NotFound()
    if unit_code:
        unit = access_unit(user, unit_code, Permission.VIEW_PEOPLE)
        return NotReached(indicator, unit, None, population.entity == HOUSEHOLD)
    if population.membership_kind is None:
        raise NotFound()
    organisation = Organisation.objects.visible_to(user, Permission.VIEW_PEOPLE).filter(code=organisation_code).first()
    if organisation is None:
        raise NotFound()
    return NotReached(indicator, None, organisation, False)


def not_reached_residents(selection: NotReached, *, on: date | None = None) -> QuerySet[Resident]:
    """The residents behind `selection` on the day (today by default), by village and name: those of the
    indicator's population (its formula in `hocvuso.indicators.computations`) living in the unit's subtree, or
    members of the organisation of the population's kind in force that day, who do not meet its numerator;
    for a household indicator, the members of the unit's households that do not. The same formulas the facts
    are counted with, so the list's length is the figure's "not reached" — for people recorded in the
    unit itself (after a merger, the people still recorded in a merged village are listed under it)."""
    day = on or timezone.localdate()
    indicator = selection.indicator
    population = POPULATIONS[indicator.population]
    parameters = indicator.parameters or {}
    missing = ~NUMERATORS[indicator.numerator].condition(parameters, OuterRef("pk"), day)
    rows = population.rows(parameters, day).filter(missing)
    if selection.unit is not None:
        rows = rows.filter(lies_within(selection.unit, through="village"))
    if population.entity == HOUSEHOLD:
        residents = Resident.objects.filter(household__in=rows.values("pk"))
    else:
        residents = Resident.objects.filter(pk__in=rows.values("pk"))
    if selection.organisation is not None and population.membership_kind is not None:
        in_force = Membership.objects.filter(
            resident=OuterRef("pk"),
            organisation=selection.organisation,
            kind=str(parameters[population.membership_kind]),
        ).in_force(day)
        residents = residents.filter(Exists(in_force))
    return (
        residents.select_related("village__parent", "household")
        .defer("national_id_ciphertext", "phone_ciphertext")
        .order_by("village__path", "name_key", "birth_date", "pk")
    )
