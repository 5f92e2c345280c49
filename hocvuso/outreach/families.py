"""Gia đình số (plan IV.4.1): the digital-family rule (data, rules.py) compiled to queries, and the reads built on it —
where a household stands (which member meets which condition, what is missing) and a village's recognised digital
families. The `digital-families` indicator counts households with `household_is_digital_family` (one query per
village, pre-aggregated in the indicator facts); the pages read one household or one village at a time.

Every condition reads records other parts keep — learning (enrolments, completed lessons, literacy confirmations),
the registry (VNeID level, digital bank account) and the teams' home visits (outcomes) — so nothing is entered twice.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from hocvuso.learning.conditions import literacy_confirmed
from hocvuso.learning.models import Enrolment, LessonCompletion
from hocvuso.people.conditions import has_digital_bank_account, vneid_level_at_least
from hocvuso.people.models import Household, Resident
from hocvuso.territory.models import AdministrativeUnit

from .models import VisitOutcome
from .rules import Condition, Evidence, FamilyRule, rules


def _evidence(evidence: Evidence, resident: Any) -> Any:
    """The condition (an Exists or a comparison) that the resident (an expression naming their id) has the record."""
    if evidence.record == "enrolled":
        return Exists(Enrolment.objects.filter(resident=resident))
    if evidence.record == "lessons_completed":
        done = LessonCompletion.objects.filter(enrolment__resident=resident)
        if evidence.at_least <= 1:
            return Exists(done) if evidence.at_least == 1 else Q(pk__isnull=False)
        count = done.order_by().values("enrolment__resident").annotate(n=Count("pk")).values("n")[:1]
        return GreaterThanOrEqual(Coalesce(Subquery(count), 0), evidence.at_least)
    if evidence.record == "literacy_confirmed":
        return literacy_confirmed(resident, evidence.groups)
    if evidence.record == "vneid_level":
        return vneid_level_at_least(resident, evidence.at_least)
    if evidence.record == "digital_bank_account":
        return has_digital_bank_account(resident)
    if evidence.record == "visit_outcome":
        return Exists(VisitOutcome.objects.filter(resident=resident, outcome__in=list(evidence.outcomes)))
    raise ValueError(evidence.record)  # rules.py refuses unknown records before they get here


def meets(condition: Condition, resident: Any) -> Q:
    """The resident (an expression naming their id, e.g. OuterRef("pk") inside a Resident query) meets the condition:
    any of its records."""
    met = Q(pk__in=[])
    for evidence in condition.any_of:
        met |= Q(_evidence(evidence, resident))
    return met


def qualifying_member(rule: FamilyRule | None = None) -> Q:
    """For a Resident query: the resident meets every condition of the rule (the rule in force unless given)."""
    rule = rule or rules().digital_family
    everything = Q()
    for condition in rule.conditions:
        everything &= meets(condition, OuterRef("pk"))
    return everything


def household_is_digital_family(household: Any, rule: FamilyRule | None = None) -> Exists:
    """The household (an expression naming its id) has a member who meets every condition: a digital family."""
    return Exists(Resident.objects.filter(household=household).filter(qualifying_member(rule)))


@dataclass(frozen=True)
class MemberStanding:
    """A member of the household and the conditions they meet (by key, in the rule's order)."""

    resident: Resident
    met: dict[str, bool]

    @property
    def met_count(self) -> int:
        return sum(self.met.values())


@dataclass(frozen=True)
class FamilyStanding:
    """Where a household stands: each member's conditions, whether it is a digital family, and — for the member
    nearest to it — the conditions still missing."""

    rule: FamilyRule
    members: list[MemberStanding]
    nearest: MemberStanding | None

    @property
    def recognised(self) -> bool:
        return self.nearest is not None and self.nearest.met_count == len(self.rule.conditions)

    @property
    def missing(self) -> list[Condition]:
        if self.nearest is None:
            return list(self.rule.conditions)
        return [condition for condition in self.rule.conditions if not self.nearest.met[condition.key]]


def household_standing(household: Household, rule: FamilyRule | None = None) -> FamilyStanding:
    """Where the household stands against the digital-family rule (one query). The caller has checked the user may
    see the household."""
    rule = rule or rules().digital_family
    flags = {
        f"family_{index}": ExpressionWrapper(meets(condition, OuterRef("pk")), output_field=BooleanField())
        for index, condition in enumerate(rule.conditions)
    }
    members = []
    for resident in Resident.objects.filter(household=household).annotate(**flags).order_by("birth_date", "pk"):
        met = {condition.key: bool(getattr(resident, f"family_{i}")) for i, condition in enumerate(rule.conditions)}
        members.append(MemberStanding(resident=resident, met=met))
    nearest = max(members, key=lambda member: member.met_count, default=None)
    return FamilyStanding(rule=rule, members=members, nearest=nearest)


@dataclass(frozen=True)
class RecognisedFamily:
    household: Household
    members: list[Resident]


def recognised_families(
    villages: QuerySet[AdministrativeUnit], rule: FamilyRule | None = None
) -> list[RecognisedFamily]:
    """The digital families of the villages (households of those villages with a member who meets every condition),
    by village and household code, each with the members who meet them (two queries). The caller has checked the user
    may see the villages' households."""
    rule = rule or rules().digital_family
    qualifying = list(
        Resident.objects.filter(household__village__in=villages)
        .filter(qualifying_member(rule))
        .select_related("household__village", "household__head")
        .order_by("household__village__code", "household__code", "full_name")
    )
    families: dict[int, RecognisedFamily] = {}
    for resident in qualifying:
        household = resident.household
        assert household is not None
        families.setdefault(household.pk, RecognisedFamily(household=household, members=[])).members.append(resident)
    return list(families.values())
