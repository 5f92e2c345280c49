"""The digital-family and digital-market rules counted in plain Python over the rows, written apart from the queries
of families.py and markets.py: the property tests compare the indicator facts with these."""

from collections import Counter, defaultdict
from datetime import date

from hocvuso.learning.models import Enrolment, LessonCompletion, LiteracyStatus
from hocvuso.outreach.models import FourT, Market, Trader, TraderStep, VisitOutcome
from hocvuso.outreach.rules import Evidence, FamilyRule, MarketRule
from hocvuso.people.models import DigitalIdentity, Resident


def digital_family_households(rule: FamilyRule) -> set[int]:
    """The ids of the households with a member who meets every condition of the rule."""
    enrolled = set(Enrolment.objects.exclude(resident=None).values_list("resident_id", flat=True))
    lessons = Counter(
        LessonCompletion.objects.exclude(enrolment__resident=None).values_list("enrolment__resident_id", flat=True)
    )
    literacy: dict[int, set[str]] = defaultdict(set)
    for resident_id, group in LiteracyStatus.objects.exclude(resident=None).values_list("resident_id", "group"):
        literacy[resident_id].add(group)
    identity = {
        row[0]: row[1:] for row in DigitalIdentity.objects.values_list("resident_id", "vneid_level", "has_bank_account")
    }
    outcomes: dict[int, set[str]] = defaultdict(set)
    for resident_id, outcome in VisitOutcome.objects.values_list("resident_id", "outcome"):
        outcomes[resident_id].add(outcome)

    def has(evidence: Evidence, resident_id: int) -> bool:
        if evidence.record == "enrolled":
            return resident_id in enrolled
        if evidence.record == "lessons_completed":
            return lessons[resident_id] >= evidence.at_least
        if evidence.record == "literacy_confirmed":
            groups = literacy[resident_id]
            return bool(groups & set(evidence.groups)) if evidence.groups else bool(groups)
        if evidence.record == "vneid_level":
            return resident_id in identity and identity[resident_id][0] >= evidence.at_least
        if evidence.record == "digital_bank_account":
            return resident_id in identity and bool(identity[resident_id][1])
        return bool(outcomes[resident_id] & set(evidence.outcomes))

    found = set()
    for resident_id, household_id in Resident.objects.exclude(household=None).values_list("pk", "household_id"):
        if all(any(has(evidence, resident_id) for evidence in condition.any_of) for condition in rule.conditions):
            found.add(household_id)
    return found


def traders_reached(day: date) -> dict[int, set[str]]:
    """For every trader registered by the day, the Ts reached by the day."""
    reached: dict[int, set[str]] = {
        pk: set() for pk in Trader.objects.filter(registered_on__lte=day).values_list("pk", flat=True)
    }
    for trader_id, step in TraderStep.objects.filter(achieved_on__lte=day).values_list("trader_id", "step"):
        if trader_id in reached:
            reached[trader_id].add(step)
    return reached


def complete_traders(day: date) -> set[int]:
    return {pk for pk, steps in traders_reached(day).items() if steps >= set(FourT.values)}


def digital_markets(rule: MarketRule, day: date) -> set[int]:
    """The ids of the markets (registered by the day) that are digital markets on the day."""
    reached = traders_reached(day)
    by_market: dict[int, list[set[str]]] = defaultdict(list)
    for pk, market_id in Trader.objects.filter(pk__in=list(reached)).values_list("pk", "market_id"):
        by_market[market_id].append(reached[pk])
    found = set()
    for market_id in Market.objects.filter(created_at__date__lte=day).values_list("pk", flat=True):
        traders = by_market[market_id]
        paying = sum(1 for steps in traders if set(rule.steps) <= steps)
        if len(traders) >= rule.min_traders and paying * 100 >= rule.min_share_percent * len(traders):
            found.add(market_id)
    return found
