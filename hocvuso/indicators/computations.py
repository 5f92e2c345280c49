"""The formulas behind the indicators, keyed by name: populations (denominators) and numerators.

An `Indicator` row names one population and one numerator and gives their parameters (data); the formulas
are here (code). A population is a queryset of the people (or households) an indicator counts on a day,
built from the registry's own QuerySet methods (`alive_on`, `aged_at_least`, `members_on`), each row with the
village it is counted in — a person recorded as dead is counted nowhere from the day of death; a numerator is the
condition, over learning, identity or certification records, that a member of the population meets. services.py
compiles both to SQL and runs one INSERT … SELECT … GROUP BY per indicator and level, so a rebuild never loops over
people in Python.

Adding an indicator whose source exists needs no code: choose the keys and parameters. Adding a source
(weekly classes…) adds a population or numerator here; until then an activity indicator names a key that is not
registered and shows as "source not built yet".

The outreach source (home visits of the community digital teams) counts through the same machinery: a visit
carries its household's village, so "visits in the last 7 days" is a population of visits; a team is counted in
its village, or — a commune-wide team — in its commune's first village (by id), which only carries it to the
commune's sum (the team indicators apply at commune and province level). A count indicator shows its numerator;
its population is what the count is taken among (the teams, of which the active ones are counted).

Weekly community classes count the same way: a commune (counted in its first village) has held a class in the 7
days up to the day when a session of it had someone present; the attendances of those days are a population of
their own, counted in their commune's first village.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.learning.conditions import household_has_literate_member, literacy_confirmed
from hocvuso.learning.models import TargetGroup
from hocvuso.outreach.families import household_is_digital_family
from hocvuso.outreach.markets import market_is_digital, trader_complete
from hocvuso.outreach.models import ClassAttendance, Event, Market, Outcome, Team, Trader, Visit, VisitOutcome
from hocvuso.people.conditions import vneid_level_at_least
from hocvuso.people.models import AgeGroup, Household, Membership, MembershipKind, Resident, VneidLevel
from hocvuso.territory.models import AdministrativeUnit, Level

from .models import FactLevel, Indicator, IndicatorKind, VneidCertification

RESIDENT = "resident"
HOUSEHOLD = "household"
VISIT = "visit"
TEAM = "team"
TRADER = "trader"
MARKET = "market"
EVENT = "event"
COMMUNE = "commune"
ATTENDANCE = "attendance"
# A team is active when it made at least one visit in this many days up to the day (plan IV.4.4).
ACTIVE_TEAM_DAYS = 30
# "Visits per week": the visits of the 7 days up to the day, the day included.
WEEK_DAYS = 7

Parameters = Mapping[str, Any]


@dataclass(frozen=True)
class Population:
    """Who an indicator counts (its denominator), with the village each is counted in.

    `rows(parameters, day)` is a queryset of the counted entities (residents, households, visits, teams) with a
    column naming the village (`village`, "village_id" unless said). `membership_kind` names the parameter that
    makes the population the members of organisations: such populations are counted per organisation too.
    """

    key: str
    label: Promise
    entity: str
    rows: Callable[[Parameters, date], QuerySet[Any]]
    required: tuple[str, ...] = ()
    membership_kind: str | None = None
    village: str = "village_id"


@dataclass(frozen=True)
class Numerator:
    """What a member of the population must have (its numerator): `condition(parameters, entity, day)` is an
    Exists over the source records up to the day, correlated with `entity` (an OuterRef to the entity's id)."""

    key: str
    label: Promise
    entity: str
    condition: Callable[[Parameters, Any, date], Exists]
    required: tuple[str, ...] = ()
    source: Promise = field(default=_("Sổ dân cư"))


def _groups(parameters: Parameters) -> list[str]:
    return list(parameters.get("literacy_groups") or [])


def _residents_aged(parameters: Parameters, day: date) -> QuerySet[Any]:
    return Resident.objects.alive_on(day).in_age_group(str(parameters["age"]), day)


def _members(parameters: Parameters, day: date) -> QuerySet[Any]:
    return Resident.objects.alive_on(day).members_on(str(parameters["membership_kind"]), day)


def _households(parameters: Parameters, day: date) -> QuerySet[Any]:
    return Household.objects.all()


def _visits_in_week(parameters: Parameters, day: date) -> QuerySet[Any]:
    since = date.fromordinal(day.toordinal() - (WEEK_DAYS - 1))
    return Visit.objects.filter(visited_at__date__gte=since, visited_at__date__lte=day)


def _first_village_of_commune(commune: str = "commune_id") -> Subquery:
    return Subquery(
        AdministrativeUnit.objects.filter(parent_id=OuterRef(commune), level=Level.VILLAGE)
        .order_by("pk")
        .values("pk")[:1]
    )


def _week(day: date) -> tuple[date, date]:
    return date.fromordinal(day.toordinal() - (WEEK_DAYS - 1)), day


def _communes(parameters: Parameters, day: date) -> QuerySet[Any]:
    """The communes in force on the day, each counted in its first village (see the module's docstring)."""
    return AdministrativeUnit.objects.communes().in_force(day).annotate(counted_village=_first_village_of_commune("pk"))


def _attendances_in_week(parameters: Parameters, day: date) -> QuerySet[Any]:
    """Attendances at community-class sessions of the 7 days up to the day, counted in their commune's first
    village (a walk-in not yet confirmed counts: the person was there)."""
    return ClassAttendance.objects.filter(day__range=_week(day)).annotate(counted_village=_first_village_of_commune())


def _teams(parameters: Parameters, day: date) -> QuerySet[Any]:
    """The teams set up by the day, each with the village it is counted in (see the module's docstring)."""
    return Team.objects.filter(created_at__date__lte=day).annotate(
        counted_village=Coalesce("village", _first_village_of_commune())
    )


def _traders(parameters: Parameters, day: date) -> QuerySet[Any]:
    """The traders registered by the day, each counted in their market's village (else its commune's first)."""
    return Trader.objects.filter(registered_on__lte=day).annotate(
        counted_village=Coalesce("market__village", _first_village_of_commune("market__commune_id"))
    )


def _markets(parameters: Parameters, day: date) -> QuerySet[Any]:
    """The markets registered by the day, each counted in its village (else its commune's first)."""
    return Market.objects.filter(created_at__date__lte=day).annotate(
        counted_village=Coalesce("village", _first_village_of_commune())
    )


def _events_in_year(parameters: Parameters, day: date) -> QuerySet[Any]:
    """The events that started in the day's year, by the day, each counted in its commune's first village."""
    return Event.objects.filter(starts_on__year=day.year, starts_on__lte=day).annotate(
        counted_village=_first_village_of_commune()
    )


def _trader_complete(parameters: Parameters, entity: Any, day: date) -> Exists:
    return Exists(Trader.objects.filter(pk=entity).filter(trader_complete(OuterRef("pk"), day)))


def _market_digital(parameters: Parameters, entity: Any, day: date) -> Exists:
    return market_is_digital(entity, day)


def _event_held(parameters: Parameters, entity: Any, day: date) -> Exists:
    return Exists(Event.objects.filter(pk=entity))


def _digital_family(parameters: Parameters, entity: Any, day: date) -> Exists:
    return household_is_digital_family(entity)


def _visit_recorded(parameters: Parameters, entity: Any, day: date) -> Exists:
    return Exists(Visit.objects.filter(pk=entity))


def _household_visited(parameters: Parameters, entity: Any, day: date) -> Exists:
    return Exists(Visit.objects.filter(household_id=entity, visited_at__date__lte=day))


def _team_active(parameters: Parameters, entity: Any, day: date) -> Exists:
    since = date.fromordinal(day.toordinal() - (ACTIVE_TEAM_DAYS - 1))
    return Exists(Visit.objects.filter(team_id=entity, visited_at__date__gte=since, visited_at__date__lte=day))


def _helped_to_level_2(parameters: Parameters, entity: Any, day: date) -> Exists:
    return Exists(
        VisitOutcome.objects.filter(resident_id=entity, outcome=Outcome.VNEID_LEVEL_2, visit__visited_at__date__lte=day)
    )


def _class_held_in_week(parameters: Parameters, entity: Any, day: date) -> Exists:
    """A community-class session of the commune in the 7 days up to the day had someone present (a session with no
    attendance was not held)."""
    return Exists(ClassAttendance.objects.filter(commune_id=entity, day__range=_week(day)))


def _attendance_recorded(parameters: Parameters, entity: Any, day: date) -> Exists:
    return Exists(ClassAttendance.objects.filter(pk=entity))


def _literate(parameters: Parameters, entity: Any, day: date) -> Exists:
    return literacy_confirmed(entity, _groups(parameters))


def _certified(parameters: Parameters, entity: Any, day: date) -> Exists:
    return Exists(VneidCertification.objects.filter(resident=entity))


def _vneid_level(parameters: Parameters, entity: Any, day: date) -> Exists:
    return vneid_level_at_least(entity, int(parameters.get("min_vneid_level", VneidLevel.LEVEL_1)))


def _household_literate(parameters: Parameters, entity: Any, day: date) -> Exists:
    return household_has_literate_member(entity, _groups(parameters))


POPULATIONS: dict[str, Population] = {
    population.key: population
    for population in [
        Population(
            "residents_aged",
            _("Người dân từ một độ tuổi trở lên (tham số age: adult, digital_identity, elderly)"),
            RESIDENT,
            _residents_aged,
            required=("age",),
        ),
        Population(
            "members",
            _("Thành viên tổ chức theo nhóm (tham số membership_kind: staff, student, worker)"),
            RESIDENT,
            _members,
            required=("membership_kind",),
            membership_kind="membership_kind",
        ),
        Population("households", _("Hộ gia đình"), HOUSEHOLD, _households),
        Population("visits_in_week", _("Lượt hỗ trợ tại hộ trong 7 ngày qua"), VISIT, _visits_in_week),
        Population("teams", _("Tổ công nghệ số cộng đồng"), TEAM, _teams, village="counted_village"),
        Population(
            "traders", _("Tiểu thương, nông dân học theo mô hình 4T"), TRADER, _traders, village="counted_village"
        ),
        Population("markets", _("Chợ, điểm kinh doanh"), MARKET, _markets, village="counted_village"),
        Population("events_in_year", _("Sự kiện trong năm đến nay"), EVENT, _events_in_year, village="counted_village"),
        Population("communes", _("Xã, phường"), COMMUNE, _communes, village="counted_village"),
        Population(
            "class_attendances_in_week",
            _("Lượt người học tại buổi học cộng đồng trong 7 ngày qua"),
            ATTENDANCE,
            _attendances_in_week,
            village="counted_village",
        ),
    ]
}

NUMERATORS: dict[str, Numerator] = {
    numerator.key: numerator
    for numerator in [
        Numerator(
            "literate",
            _("Đã được xác nhận đạt phổ cập kỹ năng số (nhóm: tham số literacy_groups; để trống: mọi nhóm)"),
            RESIDENT,
            _literate,
            source=_("Học tập: xác nhận đạt phổ cập"),
        ),
        Numerator(
            "vneid_certified",
            _("Xác nhận đạt phổ cập đã đưa lên VNeID"),
            RESIDENT,
            _certified,
            source=_("Chứng nhận: xác nhận đã đưa lên VNeID"),
        ),
        Numerator(
            "vneid_level_at_least",
            _("Có tài khoản VNeID từ một mức trở lên (tham số min_vneid_level)"),
            RESIDENT,
            _vneid_level,
            source=_("Sổ dân cư: danh tính số"),
        ),
        Numerator(
            "household_has_literate_member",
            _("Hộ có ít nhất một thành viên đạt phổ cập kỹ năng số"),
            HOUSEHOLD,
            _household_literate,
            source=_("Học tập: xác nhận đạt phổ cập"),
        ),
        Numerator(
            "digital_family",
            _("Hộ đạt Gia đình số theo quy tắc (hocvuso/outreach/data/rules.yaml)"),
            HOUSEHOLD,
            _digital_family,
            source=_("Học tập × Sổ dân cư (danh tính số) × Hỗ trợ cộng đồng (lượt hỗ trợ tại hộ)"),
        ),
        Numerator(
            "trader_4t_complete",
            _("Tiểu thương đạt đủ 4T"),
            TRADER,
            _trader_complete,
            source=_("Chợ số: tiêu chí 4T đã đạt"),
        ),
        Numerator(
            "digital_market",
            _("Chợ đạt Chợ số theo quy tắc (hocvuso/outreach/data/rules.yaml)"),
            MARKET,
            _market_digital,
            source=_("Chợ số: tiêu chí 4T đã đạt"),
        ),
        Numerator("event_held", _("Sự kiện đã tổ chức"), EVENT, _event_held, source=_("Sự kiện")),
        Numerator(
            "visit_recorded",
            _("Lượt hỗ trợ đã ghi nhận"),
            VISIT,
            _visit_recorded,
            source=_("Hỗ trợ cộng đồng: lượt hỗ trợ tại hộ"),
        ),
        Numerator(
            "household_visited",
            _("Hộ đã được tổ công nghệ số đến hỗ trợ ít nhất một lần"),
            HOUSEHOLD,
            _household_visited,
            source=_("Hỗ trợ cộng đồng: lượt hỗ trợ tại hộ"),
        ),
        Numerator(
            "team_active",
            _("Tổ có ít nhất một lượt hỗ trợ trong 30 ngày qua"),
            TEAM,
            _team_active,
            source=_("Hỗ trợ cộng đồng: lượt hỗ trợ tại hộ"),
        ),
        Numerator(
            "class_held_in_week",
            _("Xã có buổi học cộng đồng (có người học) trong 7 ngày qua"),
            COMMUNE,
            _class_held_in_week,
            source=_("Hỗ trợ cộng đồng: điểm danh buổi học cộng đồng"),
        ),
        Numerator(
            "class_attendance_recorded",
            _("Lượt người học đã điểm danh"),
            ATTENDANCE,
            _attendance_recorded,
            source=_("Hỗ trợ cộng đồng: điểm danh buổi học cộng đồng"),
        ),
        Numerator(
            "helped_to_vneid_level_2",
            _("Được tổ công nghệ số giúp nâng lên VNeID mức 2 tại hộ"),
            RESIDENT,
            _helped_to_level_2,
            source=_("Hỗ trợ cộng đồng: lượt hỗ trợ tại hộ"),
        ),
    ]
}


def is_registered(population: str, numerator: str) -> bool:
    """Whether both formulas exist in code: the indicator can be computed."""
    return population in POPULATIONS and numerator in NUMERATORS


def is_computable(indicator: Indicator) -> bool:
    """Whether the indicator's formulas exist in code (its source part is built)."""
    return is_registered(indicator.population, indicator.numerator)


def check_definition(
    *, kind: str, population: str, numerator: str, parameters: Parameters, levels: Sequence[str] = ()
) -> list[str]:
    """What is wrong with an indicator's definition (empty when nothing): unknown keys for an outcome
    indicator, a numerator about other things than the population, missing or invalid parameters, unknown
    levels. The plan's data file is checked with it before anything is applied (plan_data.py)."""
    problems: list[str] = []
    unknown_levels = set(levels) - set(FactLevel.values)
    if unknown_levels:
        problems.append(str(_("Cấp không hợp lệ: %(levels)s.") % {"levels": ", ".join(sorted(unknown_levels))}))
    if not is_registered(population, numerator):
        if kind == IndicatorKind.OUTCOME:
            problems.append(str(_("Chỉ tiêu kết quả phải dùng công thức đã có (mẫu số và tử số).")))
        return problems
    counted, condition = POPULATIONS[population], NUMERATORS[numerator]
    if counted.entity != condition.entity:
        problems.append(str(_("Tử số và mẫu số phải đếm cùng một loại đối tượng.")))
    for name in counted.required + condition.required:
        if name not in parameters:
            problems.append(str(_("Thiếu tham số %(name)s.") % {"name": name}))
    if "min_age" in parameters:
        problems.append(str(_("Tham số min_age không còn dùng: đặt age là adult, digital_identity hoặc elderly.")))
    if "age" in parameters and parameters["age"] not in AgeGroup.values:
        problems.append(str(_("Tham số age phải là adult, digital_identity hoặc elderly.")))
    if "membership_kind" in parameters and parameters["membership_kind"] not in MembershipKind.values:
        problems.append(str(_("Tham số membership_kind phải là staff, student hoặc worker.")))
    unknown = set(parameters.get("literacy_groups") or []) - set(TargetGroup.values)
    if unknown:
        problems.append(str(_("Nhóm đối tượng không có: %(groups)s.") % {"groups": ", ".join(sorted(unknown))}))
    if "min_vneid_level" in parameters and parameters["min_vneid_level"] not in VneidLevel.values:
        problems.append(str(_("Tham số min_vneid_level phải là 0, 1 hoặc 2.")))
    return problems


# --- Counting queries ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Two aggregate queries over the same key column: how many are counted (`denominators`) and how many
    of them meet the numerator (`numerators`), each row (key, total)."""

    key: str
    denominators: QuerySet[Any]
    numerators: QuerySet[Any]


def village_counts(
    *, population: str, numerator: str, parameters: Parameters, day: date, villages: QuerySet[Any] | None = None
) -> Counts:
    """Per recorded village (column `fact_village`): the indicator's denominator and numerator on the day.
    `villages` (a queryset of village ids) limits the count to those villages (an incremental update)."""
    spec = POPULATIONS[population]
    counted = spec.rows(parameters, day)
    if villages is not None:
        counted = counted.filter(**{f"{spec.village}__in": villages})
    condition = NUMERATORS[numerator].condition(parameters, OuterRef("pk"), day)
    place = {"fact_village": F(spec.village)}
    return Counts(
        key="fact_village",
        denominators=counted.order_by().values(**place).annotate(total=Count("pk")),
        numerators=counted.filter(condition).order_by().values(**place).annotate(total=Count("pk")),
    )


def counts_by_organisation(population: str) -> bool:
    """Whether the population is the members of organisations (and so is counted per organisation)."""
    return population in POPULATIONS and POPULATIONS[population].membership_kind is not None


def organisation_counts(
    *,
    population: str,
    numerator: str,
    parameters: Parameters,
    day: date,
    organisations: list[int] | None = None,
) -> Counts:
    """Per organisation: its members of the population's kind on the day (memberships in force, the end day
    included, as `ResidentQuerySet.members_on`) and how many of them meet the numerator."""
    spec = POPULATIONS[population]
    assert spec.membership_kind is not None
    alive = Q(resident__died_on__isnull=True) | Q(resident__died_on__gt=day)
    memberships = Membership.objects.filter(alive, kind=str(parameters[spec.membership_kind])).in_force(day)
    if organisations is not None:
        memberships = memberships.filter(organisation_id__in=organisations)
    condition = NUMERATORS[numerator].condition(parameters, OuterRef("resident_id"), day)
    return Counts(
        key="organisation_id",
        denominators=memberships.order_by()
        .values("organisation_id")
        .annotate(total=Count("resident_id", distinct=True)),
        numerators=memberships.filter(condition)
        .order_by()
        .values("organisation_id")
        .annotate(total=Count("resident_id", distinct=True)),
    )
