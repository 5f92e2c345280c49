"""The rules of the movement's activities, read from data (data/rules.yaml) and checked before use: which records
make a household a digital family ("Gia đình số", plan IV.4.1) and what makes a market a digital market ("Chợ số",
plan IV.4.2). families.py and markets.py compile them to queries; the indicators count with the same compiled rules,
so a household page, a printed list and the dashboard cannot disagree.

A rule file that does not pass the checks is refused whole (ValueError naming what is wrong), never half applied.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.learning.models import TargetGroup

from .activity_models import FourT
from .models import Outcome

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.yaml"

# The conditions a digital-family rule may name, with what they mean on a household page.
CONDITION_LABELS: dict[str, Promise] = {
    "learned": _("Đã học kỹ năng số"),
    "literate": _("Được xác nhận đạt phổ cập kỹ năng số"),
    "uses_digital_services": _("Sử dụng dịch vụ số (VNeID, tài khoản ngân hàng số)"),
    "guides_others": _("Hướng dẫn lại người thân trong gia đình"),
}
# The records a condition may be met by (see data/rules.yaml), with the parameters each takes.
RECORDS: dict[str, frozenset[str]] = {
    "enrolled": frozenset(),
    "lessons_completed": frozenset({"at_least"}),
    "literacy_confirmed": frozenset({"groups"}),
    "vneid_level": frozenset({"at_least"}),
    "digital_bank_account": frozenset(),
    "visit_outcome": frozenset({"outcomes"}),
}


@dataclass(frozen=True)
class Evidence:
    """One kind of record that meets a condition, with its parameters."""

    record: str
    at_least: int = 1
    groups: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """A condition one member must meet: any of its evidence."""

    key: str
    any_of: tuple[Evidence, ...]

    @property
    def label(self) -> Promise:
        return CONDITION_LABELS[self.key]


@dataclass(frozen=True)
class FamilyRule:
    """A household is a digital family when one member meets every condition."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class MarketRule:
    """A market is a digital market with at least `min_traders` traders, `min_share_percent` % of whom reached every
    T in `steps`."""

    steps: tuple[str, ...]
    min_share_percent: int
    min_traders: int


@dataclass(frozen=True)
class Rules:
    digital_family: FamilyRule
    digital_market: MarketRule


def _evidence(raw: Any, where: str) -> Evidence:
    if not isinstance(raw, dict) or raw.get("record") not in RECORDS:
        raise ValueError(f"{where}: record must be one of {', '.join(sorted(RECORDS))}")
    record = str(raw["record"])
    extra = set(raw) - {"record"} - RECORDS[record]
    if extra:
        raise ValueError(f"{where}: {record} takes no {', '.join(sorted(extra))}")
    at_least = raw.get("at_least", 1)
    if isinstance(at_least, bool) or not isinstance(at_least, int) or not 0 <= at_least <= 1000:
        raise ValueError(f"{where}: at_least must be a whole number from 0 to 1000")
    groups = raw.get("groups") or []
    if not isinstance(groups, list) or set(groups) - set(TargetGroup.values):
        raise ValueError(f"{where}: groups must be among {', '.join(TargetGroup.values)}")
    outcomes = raw.get("outcomes") or []
    if record == "visit_outcome" and (
        not isinstance(outcomes, list) or not outcomes or set(outcomes) - set(Outcome.values)
    ):
        raise ValueError(f"{where}: outcomes must be a non-empty list of visit outcomes")
    return Evidence(record=record, at_least=at_least, groups=tuple(groups), outcomes=tuple(outcomes))


def _family(raw: Any) -> FamilyRule:
    if not isinstance(raw, dict) or not isinstance(raw.get("conditions"), list) or not raw["conditions"]:
        raise ValueError("digital_family: needs a non-empty list of conditions")
    conditions = []
    for index, item in enumerate(raw["conditions"]):
        where = f"digital_family.conditions[{index}]"
        if not isinstance(item, dict) or item.get("key") not in CONDITION_LABELS:
            raise ValueError(f"{where}: key must be one of {', '.join(CONDITION_LABELS)}")
        alternatives = item.get("any_of")
        if not isinstance(alternatives, list) or not alternatives:
            raise ValueError(f"{where}: any_of must list at least one record")
        conditions.append(
            Condition(
                key=item["key"],
                any_of=tuple(_evidence(entry, f"{where}.any_of[{n}]") for n, entry in enumerate(alternatives)),
            )
        )
    keys = [condition.key for condition in conditions]
    if len(set(keys)) != len(keys):
        raise ValueError("digital_family: a condition is named twice")
    return FamilyRule(conditions=tuple(conditions))


def _market(raw: Any) -> MarketRule:
    if not isinstance(raw, dict):
        raise ValueError("digital_market: needs steps, min_share_percent and min_traders")
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps or set(steps) - set(FourT.values):
        raise ValueError(f"digital_market.steps: a non-empty list among {', '.join(FourT.values)}")
    share, least = raw.get("min_share_percent"), raw.get("min_traders")
    if isinstance(share, bool) or not isinstance(share, int) or not 0 < share <= 100:
        raise ValueError("digital_market.min_share_percent: a whole number from 1 to 100")
    if isinstance(least, bool) or not isinstance(least, int) or not 1 <= least <= 10000:
        raise ValueError("digital_market.min_traders: a whole number from 1 to 10000")
    return MarketRule(steps=tuple(dict.fromkeys(steps)), min_share_percent=share, min_traders=least)


def parse_rules(data: Any) -> Rules:
    """The rules of a parsed file; raises ValueError naming the first thing wrong."""
    if not isinstance(data, dict) or not {"digital_family", "digital_market"} <= set(data):
        raise ValueError("rules: needs digital_family and digital_market")
    return Rules(digital_family=_family(data["digital_family"]), digital_market=_market(data["digital_market"]))


@cache
def rules() -> Rules:
    """The rules in force (data/rules.yaml), read once per process."""
    return parse_rules(yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")))
