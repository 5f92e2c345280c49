"""Fixtures of the monitoring tests: a small registry in the shared territory, and helpers that record what
the numerators count (a literacy confirmation, a VNeID level, a certificate pushed to VNeID)."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from hocvuso.accounts.tests.factories import UserFactory
from hocvuso.indicators.models import IndicatorFact
from hocvuso.learning.models import LiteracyRule, LiteracyStatus
from hocvuso.people.models import DigitalIdentity, Household, Resident
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory


def birthday(age: int, on: date) -> date:
    """The birth date of someone who turns `age` on the day."""
    return on.replace(year=on.year - age)


def confirm_literacy(resident: Resident, group: str = "citizens") -> LiteracyStatus:
    """A literacy confirmation for the resident (as the learning service writes it), with an account."""
    rule, _created = LiteracyRule.objects.get_or_create(group=group, defaults={"name": f"Quy tắc {group}"})
    user = resident.user or UserFactory()
    return LiteracyStatus.objects.create(user=user, resident=resident, group=group, rule=rule)


def set_vneid(resident: Resident, level: int) -> DigitalIdentity:
    identity, _created = DigitalIdentity.objects.update_or_create(
        resident=resident,
        defaults={"vneid_level": level, "vneid_source": "self" if level else "", "vneid_recorded_on": date(2025, 9, 1)},
    )
    return identity


def facts_of(day: date) -> dict[tuple[str, str, str], tuple[int, int]]:
    """{(indicator code, level, unit or organisation code): (numerator, denominator)} for the day."""
    rows = IndicatorFact.objects.filter(day=day).values_list(
        "indicator__code", "level", "unit__code", "organisation__code", "numerator", "denominator"
    )
    return {(code, level, unit or organisation): (n, d) for code, level, unit, organisation, n, d in rows}


@pytest.fixture
def household() -> Callable[..., Household]:
    def make(village: Any, **kwargs: Any) -> Household:
        return HouseholdFactory(village=village, **kwargs)

    return make


@pytest.fixture
def resident() -> Callable[..., Resident]:
    def make(village: Any = None, *, age: int = 30, on: date | None = None, **kwargs: Any) -> Resident:
        kwargs.setdefault("birth_date", birthday(age, on or timezone.localdate()))
        if village is not None:
            kwargs["village"] = village
        return ResidentFactory(**kwargs)

    return make


def ids(objects: list[Model]) -> list[int]:
    return [item.pk for item in objects]
