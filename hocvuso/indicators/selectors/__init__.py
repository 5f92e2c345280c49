"""Reads of the monitoring: dashboards (a unit and its children; organisations), the emulation ranking, the
"leave no one behind" list, the public page, the targets in force (targets.py), figures over a period for
reports (periods.py) and whether the figures are fresh (health.py). Every selector reads pre-aggregated facts
(or definitions and targets) only — never the registry, but for the list of the people not reached yet
(not_reached.py) — in a fixed number of queries, whatever the number of units (pinned in tests/test_selectors.py).
"""

from ._figures import (
    BANDS,
    STATUS_LABELS,
    TREND_WEEKS,
    Figure,
    Freshness,
    IndicatorInfo,
    Place,
    Row,
    Status,
    TrendPoint,
    read_freshness,
)
from .dashboards import OrganisationDashboard, UnitDashboard, organisation_dashboard, unit_dashboard
from .health import figures_health
from .not_reached import NotReached, not_reached_filter, not_reached_residents
from .periods import PeriodFigures, PeriodRow, organisation_period_figures, unit_period_figures
from .rankings import (
    SUPPRESS_BELOW,
    EmulationRanking,
    FurthestFromTarget,
    Gap,
    PublicFigure,
    PublicProgress,
    PublicRow,
    Quarter,
    RankingEntry,
    ScorePart,
    emulation_ranking,
    furthest_from_target,
    public_progress,
)
from .targets import TargetInForce, TargetsInForce, TargetSource, targets_in_force

__all__ = [
    "BANDS",
    "STATUS_LABELS",
    "SUPPRESS_BELOW",
    "TREND_WEEKS",
    "EmulationRanking",
    "Figure",
    "Freshness",
    "FurthestFromTarget",
    "Gap",
    "IndicatorInfo",
    "NotReached",
    "OrganisationDashboard",
    "PeriodFigures",
    "PeriodRow",
    "Place",
    "PublicFigure",
    "PublicProgress",
    "PublicRow",
    "Quarter",
    "RankingEntry",
    "Row",
    "ScorePart",
    "Status",
    "TargetInForce",
    "TargetSource",
    "TargetsInForce",
    "TrendPoint",
    "UnitDashboard",
    "emulation_ranking",
    "figures_health",
    "furthest_from_target",
    "not_reached_filter",
    "not_reached_residents",
    "organisation_dashboard",
    "organisation_period_figures",
    "public_progress",
    "read_freshness",
    "targets_in_force",
    "unit_dashboard",
    "unit_period_figures",
]
