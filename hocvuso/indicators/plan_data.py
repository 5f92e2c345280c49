"""The plan's indicators as a data file (data/plan_indicators.yaml), and the idempotent loader that applies it.

`apply_plan_indicators` is called by `manage.py load_plan_indicators` (the models of today) and by the migrations
(0002 seeds a new database, 0004 re-applies the file to one seeded before ages were named) with their
historical models — so it uses only the fields every one of those has. Applying it again changes nothing: an
indicator is matched by its code and its definition set to the file's; a default target of the plan's year and
an emulation weight are created when missing and never overwritten (they are the province's to tune, in the
admin or on the targets page).
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .computations import check_definition

PLAN_FILE = Path(__file__).resolve().parent / "data" / "plan_indicators.yaml"
DEFINITION_FIELDS = (
    "name_vi",
    "name_en",
    "description",
    "kind",
    "population",
    "numerator",
    "parameters",
    "levels",
    "direction",
    "measure",
    "source",
    "plan_reference",
    "position",
)


@dataclass(frozen=True)
class PlanLoad:
    """What applying the file did: indicators created and changed, targets and weights created."""

    created: int = 0
    changed: int = 0
    targets: int = 0
    weights: int = 0


def read_plan_indicators(path: Path = PLAN_FILE) -> dict[str, Any]:
    """The file's content: `year`, `outcomes`, `activities`, `not_built`, `weights` ({level: {code: weight}})."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"year", "outcomes", "activities", "weights"} <= set(data):
        raise ValueError(f"{path}: needs year, outcomes, activities and weights")
    return data


def definitions(data: dict[str, Any]) -> list[tuple[dict[str, Any], Decimal | None]]:
    """Every indicator of the file as model field values (in the file's order, positions 10, 20, …) with its
    default target (None for an activity). Raises ValueError naming the indicator and what is wrong when a
    definition does not pass `computations.check_definition`: nothing of a wrong file is applied."""
    rows: list[tuple[dict[str, Any], Decimal | None]] = []
    position = 0
    for outcome in data["outcomes"]:
        position += 10
        fields = {key: value for key, value in outcome.items() if key != "target"}
        fields.update(kind="outcome", direction="up", measure="percent", position=position)
        rows.append((fields, Decimal(str(outcome["target"]))))
    for activity in data["activities"]:
        position += 10
        fields = {"population": "", "parameters": {}, "direction": "up", "measure": "count", **activity}
        fields.update(kind="activity", position=position)
        if not fields.get("source"):  # its source part is not built yet
            fields.update(source=data["not_built"], description=data["not_built"])
        rows.append((fields, None))
    for fields, _target in rows:
        problems = check_definition(
            kind=fields["kind"],
            population=fields["population"],
            numerator=fields["numerator"],
            parameters=fields["parameters"],
            levels=fields["levels"],
        )
        if problems:
            raise ValueError(f"{fields['code']}: {' '.join(problems)}")
    return rows


def apply_plan_indicators(
    *, indicators: Any, targets: Any, weights: Any, data: dict[str, Any] | None = None
) -> PlanLoad:
    """Bring the indicators, default targets and weights in line with the file (see the module's docstring);
    `indicators`, `targets`, `weights` are the Indicator, Target and RankingWeight models (today's or a
    migration's). Returns the counts of what it did."""
    data = data if data is not None else read_plan_indicators()
    created = changed = target_count = weight_count = 0
    for fields, target in definitions(data):
        code = fields["code"]
        indicator = indicators.objects.filter(code=code).first()
        if indicator is None:
            indicator = indicators.objects.create(**fields)
            created += 1
        else:
            different = [name for name in DEFINITION_FIELDS if getattr(indicator, name) != fields.get(name)]
            if different:
                for name in different:
                    setattr(indicator, name, fields.get(name))
                indicator.save()
                changed += 1
        if target is not None:
            _target, made = targets.objects.get_or_create(
                indicator=indicator, year=int(data["year"]), unit=None, organisation=None, defaults={"value": target}
            )
            target_count += int(made)
    for level, by_code in data["weights"].items():
        for code, weight in by_code.items():
            _weight, made = weights.objects.get_or_create(
                level=level, indicator=indicators.objects.get(code=code), defaults={"weight": Decimal(str(weight))}
            )
            weight_count += int(made)
    return PlanLoad(created, changed, target_count, weight_count)


def plan_codes(data: dict[str, Any] | None = None) -> list[str]:
    data = data if data is not None else read_plan_indicators()
    return [fields["code"] for fields, _target in definitions(data)]
