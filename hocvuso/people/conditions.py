"""Conditions about one resident, written once: the monitoring indicators (hocvuso.indicators.computations) and the
outreach worklists (hocvuso.outreach.selectors) both count people with them, so "without VNeID level 2" or "an
ethnic minority" means the same on a dashboard and in a team member's worklist.

Each takes `resident`, an expression naming the resident's id (an `OuterRef` in a correlated subquery, or `F("pk")`),
and returns an `Exists` or a `Q` to filter or annotate with.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from .ethnicity import KINH
from .models import DigitalIdentity, Resident


def vneid_level_at_least(resident: Any, level: int) -> Exists:
    """The resident's recorded VNeID level is `level` or higher (the digital-identity indicator)."""
    return Exists(DigitalIdentity.objects.filter(resident=resident, vneid_level__gte=level))


def has_digital_bank_account(resident: Any) -> Exists:
    """A digital bank account is recorded for the resident."""
    return Exists(DigitalIdentity.objects.filter(resident=resident, has_bank_account=True))


def ethnic_minority(prefix: str = "") -> Q:
    """The resident (through `prefix`, e.g. "members__") belongs to an ethnic minority: any of the 53 groups other
    than Kinh."""
    return ~Q(**{f"{prefix}ethnicity": KINH})


def lives_alone() -> Q:
    """For a resident row: they belong to a household of which they are the only member."""
    others = Resident.objects.filter(household=OuterRef("household")).exclude(pk=OuterRef("pk"))
    return Q(household__isnull=False) & ~Q(Exists(others))
