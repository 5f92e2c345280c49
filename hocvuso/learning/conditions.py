"""Conditions about one resident's learning, written once: the monitoring indicators and the outreach worklists
count "confirmed digitally literate" with the same function (see hocvuso.people.conditions)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists

from .models import LiteracyStatus


def literacy_confirmed(resident: Any, groups: Sequence[str] = ()) -> Exists:
    """The resident (an expression naming their id) was confirmed digitally literate, for one of `groups` (none
    named: any group)."""
    statuses = LiteracyStatus.objects.filter(resident=resident)
    return Exists(statuses.filter(group__in=list(groups)) if groups else statuses)


def household_has_literate_member(household: Any, groups: Sequence[str] = ()) -> Exists:
    """Someone of the household (an expression naming its id) was confirmed digitally literate."""
    statuses = LiteracyStatus.objects.filter(resident__household=household)
    return Exists(statuses.filter(group__in=list(groups)) if groups else statuses)
