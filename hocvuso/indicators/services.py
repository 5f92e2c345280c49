"""Writes of the monitoring: facts (full rebuild, incremental refresh), the dirty-unit queue, targets, and the
VNeID certification record.

How facts stay fresh. Database triggers (capture.py) put every village and organisation whose numbers a
write changes into DirtyUnit, in the writer's transaction. `refresh_facts` — run every few seconds by Celery
beat ("refresh-indicators"), or without a worker by a thread of the web process (refresher.py) — takes the queue
and recomputes only those villages and organisations for the facts' day, then their communes' and
provinces' sums. A new day, a change of definitions or of the administrative units makes it rebuild
everything (`rebuild_facts`, also `manage.py rebuild_indicators`): one INSERT … SELECT … GROUP BY per
indicator and level, never a loop over people. Page views only read facts (selectors.py).
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import require
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.people.models import Organisation, Resident, age_thresholds
from hocvuso.territory.models import AdministrativeUnit, Level, follow_successors, passed_to_successor

from .computations import Counts, counts_by_organisation, is_registered, organisation_counts, village_counts
from .models import (
    DirtyKind,
    DirtyUnit,
    FactLevel,
    FactState,
    Indicator,
    IndicatorFact,
    RankingWeight,
    Target,
    VillageRollup,
    VneidCertification,
)
from .plan_data import PlanLoad, apply_plan_indicators


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: "full", "incremental", "none" (nothing changed) or "busy" (another one runs)."""

    kind: str
    day: date | None
    villages: int = 0
    organisations: int = 0
    seconds: float = 0.0


# --- The queue ------------------------------------------------------------------------------------------------


def mark_dirty(*, villages: Iterable[int] = (), organisations: Iterable[int] = ()) -> int:
    """Queue villages and organisations (by id) for recomputation; a unit already queued stays queued from its
    first mark. For writers the triggers do not see (none today). Returns how many ids were given."""
    rows = [DirtyUnit(kind=DirtyKind.VILLAGE, object_id=int(pk)) for pk in set(villages)]
    rows += [DirtyUnit(kind=DirtyKind.ORGANISATION, object_id=int(pk)) for pk in set(organisations)]
    DirtyUnit.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _claim_queue() -> list[tuple[str, int]]:
    """Take every queued unit off the queue (in the caller's transaction: a failure puts them back)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DirtyUnit._meta.db_table} RETURNING kind, object_id")  # noqa: S608
        return [(str(kind), int(object_id)) for kind, object_id in cursor.fetchall()]


# --- Where villages are counted -----------------------------------------------------------------------------


def _rebuild_rollup(on: date) -> None:
    """Recompute VillageRollup for the day: each village → the village in force standing for it (mergers
    followed through successors, as `territory.selectors.effective_unit`), its commune and province. The table
    is rewritten only when a row changed."""
    units = {
        pk: (level, parent, valid_to, successor)
        for pk, level, parent, valid_to, successor in AdministrativeUnit.objects.values_list(
            "pk", "level", "parent_id", "valid_to", "successor_id"
        )
    }

    successor_of = {
        pk: successor
        for pk, (_level, _parent, valid_to, successor) in units.items()
        if passed_to_successor(valid_to, successor, on)
    }

    def effective(pk: int) -> int:
        return follow_successors(pk, successor_of)

    rows: list[tuple[int, int, int, int]] = []
    for pk, (level, _parent, _valid_to, _successor) in units.items():
        if level != Level.VILLAGE:
            continue
        counted = effective(pk)
        commune_parent = units[counted][1]
        if commune_parent is None:
            continue
        commune = effective(commune_parent)
        province_parent = units[commune][1]
        if province_parent is None:
            continue
        rows.append((pk, counted, commune, effective(province_parent)))
    current = VillageRollup.objects.values_list("village_id", "counted_village_id", "commune_id", "province_id")
    if set(current) == set(rows):
        return  # most days nothing moved: a daily (or weekly) rebuild keeps the rows as they are
    VillageRollup.objects.all().delete()
    VillageRollup.objects.bulk_create(
        [
            VillageRollup(village_id=village, counted_village_id=counted, commune_id=commune, province_id=province)
            for village, counted, commune, province in rows
        ],
        batch_size=2000,
    )


# --- Computing facts ------------------------------------------------------------------------------------------


def _in(values: Sequence[int]) -> tuple[str, list[int]]:
    return "(" + ", ".join(["%s"] * len(values)) + ")", list(values)


def _sql(queryset: Any) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _insert_village_facts(indicator: Indicator, on: date, counted: Sequence[int] | None) -> None:
    restrict = None
    if counted is not None:
        restrict = VillageRollup.objects.filter(counted_village_id__in=list(counted)).values("village_id")
    counts: Counts = village_counts(
        population=indicator.population,
        numerator=indicator.numerator,
        parameters=indicator.parameters,
        day=on,
        villages=restrict,
    )
    denominators, denominator_params = _sql(counts.denominators)
    numerators, numerator_params = _sql(counts.numerators)
    where, where_params = "", list[int]()
    if counted is not None:
        placeholders, where_params = _in(counted)
        where = f"WHERE m.counted_village_id IN {placeholders}"
    # table names come from the models; every value is a bound parameter
    sql = f"""
        INSERT INTO {IndicatorFact._meta.db_table}
            (day, indicator_id, level, unit_id, organisation_id, parent_id, numerator, denominator)
        SELECT %s, %s, %s, m.counted_village_id, NULL, m.commune_id,
               COALESCE(SUM(n.total), 0), COALESCE(SUM(d.total), 0)
        FROM {VillageRollup._meta.db_table} m
        LEFT JOIN ({denominators}) d ON d.fact_village = m.village_id
        LEFT JOIN ({numerators}) n ON n.fact_village = m.village_id
        {where}
        GROUP BY m.counted_village_id, m.commune_id
    """  # noqa: S608
    params = [on, indicator.pk, FactLevel.VILLAGE, *denominator_params, *numerator_params, *where_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_organisation_facts(indicator: Indicator, on: date, organisations: Sequence[int] | None) -> None:
    counts = organisation_counts(
        population=indicator.population,
        numerator=indicator.numerator,
        parameters=indicator.parameters,
        day=on,
        organisations=list(organisations) if organisations is not None else None,
    )
    denominators, denominator_params = _sql(counts.denominators)
    numerators, numerator_params = _sql(counts.numerators)
    sql = f"""
        INSERT INTO {IndicatorFact._meta.db_table}
            (day, indicator_id, level, unit_id, organisation_id, parent_id, numerator, denominator)
        SELECT %s, %s, %s, NULL, d.organisation_id, NULL, COALESCE(n.total, 0), d.total
        FROM ({denominators}) d
        JOIN {Organisation._meta.db_table} o ON o.id = d.organisation_id
        LEFT JOIN ({numerators}) n ON n.organisation_id = d.organisation_id
    """  # noqa: S608
    params = [on, indicator.pk, FactLevel.ORGANISATION, *denominator_params, *numerator_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_rollups(on: date, communes: Sequence[int] | None, provinces: Sequence[int] | None) -> None:
    """Commune rows = the sums of their villages' rows; province rows = the sums of their communes' rows."""
    facts, rollup = IndicatorFact._meta.db_table, VillageRollup._meta.db_table
    commune_filter, commune_params = "", list[int]()
    if communes is not None:
        placeholders, commune_params = _in(communes)
        commune_filter = f"AND f.parent_id IN {placeholders}"
    province_filter, province_params = "", list[int]()
    if provinces is not None:
        placeholders, province_params = _in(provinces)
        province_filter = f"AND f.parent_id IN {placeholders}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {facts} (day, indicator_id, level, unit_id, organisation_id, parent_id, numerator, denominator)
            SELECT f.day, f.indicator_id, %s, f.parent_id, NULL, r.province_id, SUM(f.numerator), SUM(f.denominator)
            FROM {facts} f
            JOIN (SELECT DISTINCT commune_id, province_id FROM {rollup}) r ON r.commune_id = f.parent_id
            WHERE f.day = %s AND f.level = %s {commune_filter}
            GROUP BY f.day, f.indicator_id, f.parent_id, r.province_id
            """,  # noqa: S608
            [FactLevel.COMMUNE, on, FactLevel.VILLAGE, *commune_params],
        )
        cursor.execute(
            f"""
            INSERT INTO {facts} (day, indicator_id, level, unit_id, organisation_id, parent_id, numerator, denominator)
            SELECT f.day, f.indicator_id, %s, f.parent_id, NULL, NULL, SUM(f.numerator), SUM(f.denominator)
            FROM {facts} f
            WHERE f.day = %s AND f.level = %s AND f.parent_id IS NOT NULL {province_filter}
            GROUP BY f.day, f.indicator_id, f.parent_id
            """,  # noqa: S608
            [FactLevel.PROVINCE, on, FactLevel.COMMUNE, *province_params],
        )


def _computable_indicators() -> list[Indicator]:
    return [
        indicator
        for indicator in Indicator.objects.active()
        if is_registered(indicator.population, indicator.numerator)
    ]


def _definitions_fingerprint() -> str:
    """What the facts were computed with: the indicators' number and last change, and the age thresholds (a
    changed ADULT_AGE changes who is counted, as it changes the pages' target groups)."""
    summary = Indicator.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    changed = summary["changed"].isoformat() if summary["changed"] else "-"
    ages = "".join(f"{name[0]}{years}" for name, years in sorted(age_thresholds().items()))  # "a18d16e60"
    return f"{summary['count']}|{changed}|{ages}"


def _tune_session() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # room for the hash aggregates and joins over millions of rows, within this transaction only
            cursor.execute("SET LOCAL work_mem = '128MB'")


def _analyze_facts() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {IndicatorFact._meta.db_table}")
            cursor.execute(f"ANALYZE {VillageRollup._meta.db_table}")


def _compute_everything(on: date) -> tuple[int, int]:
    _tune_session()
    _rebuild_rollup(on)
    IndicatorFact.objects.filter(day=on).delete()
    for indicator in _computable_indicators():
        _insert_village_facts(indicator, on, None)
        if counts_by_organisation(indicator.population):
            _insert_organisation_facts(indicator, on, None)
    _insert_rollups(on, None, None)
    _analyze_facts()
    villages = VillageRollup.objects.values("counted_village_id").distinct().count()
    organisations = IndicatorFact.objects.filter(day=on, level=FactLevel.ORGANISATION).values("organisation_id")
    return villages, organisations.distinct().count()


def _compute_dirty(on: date, villages: set[int], organisations: set[int]) -> tuple[int, int]:
    indicators = _computable_indicators()
    counted: list[int] = []
    if villages:
        counted = sorted(
            set(
                VillageRollup.objects.filter(village_id__in=sorted(villages)).values_list(
                    "counted_village_id", flat=True
                )
            )
        )
    if counted:
        scope = VillageRollup.objects.filter(counted_village_id__in=counted)
        communes = sorted(set(scope.values_list("commune_id", flat=True)))
        provinces = sorted(set(scope.values_list("province_id", flat=True)))
        IndicatorFact.objects.filter(day=on, level=FactLevel.VILLAGE, unit_id__in=counted).delete()
        IndicatorFact.objects.filter(day=on, level=FactLevel.COMMUNE, unit_id__in=communes).delete()
        IndicatorFact.objects.filter(day=on, level=FactLevel.PROVINCE, unit_id__in=provinces).delete()
        for indicator in indicators:
            _insert_village_facts(indicator, on, counted)
        _insert_rollups(on, communes, provinces)
    if organisations:
        ids = sorted(organisations)
        IndicatorFact.objects.filter(day=on, level=FactLevel.ORGANISATION, organisation_id__in=ids).delete()
        for indicator in indicators:
            if counts_by_organisation(indicator.population):
                _insert_organisation_facts(indicator, on, ids)
    return len(counted), len(organisations)


def _state() -> FactState:
    state, _created = FactState.objects.get_or_create(pk=1)
    return state


def _locked_state() -> FactState | None:
    """The state row, locked for this transaction; None when another refresh holds it (PostgreSQL)."""
    _state()
    return FactState.objects.select_for_update(skip_locked=True).filter(pk=1).first()


def rebuild_facts(*, on: date | None = None, actor: Any = None) -> RefreshResult:
    """Recompute every fact of the day (today by default) from the registry, learning and identity records,
    and empty the dirty-unit queue. Set-based: one INSERT … SELECT … GROUP BY per indicator and level.
    Earlier days are kept (the trend history). Audited ("indicators.rebuild"; `actor` None is the system).
    Waits for a refresh that is running; returns what was done."""
    day = on or timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        _state()
        state = FactState.objects.select_for_update().get(pk=1)
        result = _rebuild_locked(state, day, started)
        record_audit(
            actor=actor,
            action="indicators.rebuild",
            object_type="indicators.fact",
            object_id=day.isoformat(),
            details={
                "villages": result.villages,
                "organisations": result.organisations,
                "seconds": round(result.seconds, 2),
            },
        )
    return result


def refresh_facts(*, on: date | None = None) -> RefreshResult:
    """Bring the facts up to date: recompute the queued villages and organisations for the facts' day (and
    their communes' and provinces' sums); rebuild everything instead when the day changed, the definitions
    changed or administrative units changed. Returns "none" quickly when nothing is queued, "busy" when
    another refresh is running (PostgreSQL). This is what the worker runs every few seconds."""
    day = on or timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        state = _locked_state()
        if state is None:
            return RefreshResult("busy", None)
        if state.day != day or state.definitions != _definitions_fingerprint():
            return _rebuild_locked(state, day, started)
        if not DirtyUnit.objects.exists():
            return RefreshResult("none", day)
        claimed = _claim_queue()
        if any(kind == DirtyKind.TERRITORY for kind, _pk in claimed):
            return _rebuild_locked(state, day, started)
        villages = {pk for kind, pk in claimed if kind == DirtyKind.VILLAGE}
        organisations = {pk for kind, pk in claimed if kind == DirtyKind.ORGANISATION}
        counted, organisation_count = _compute_dirty(day, villages, organisations)
        state.refreshed_at = timezone.now()
        state.save(update_fields=["refreshed_at"])
    return RefreshResult("incremental", day, counted, organisation_count, time.perf_counter() - started)


def _rebuild_locked(state: FactState, day: date, started: float) -> RefreshResult:
    _claim_queue()
    villages, organisations = _compute_everything(day)
    seconds = time.perf_counter() - started
    now = timezone.now()
    state.day, state.built_at, state.refreshed_at = day, now, now
    state.definitions = _definitions_fingerprint()
    state.build_seconds = seconds
    state.save()
    return RefreshResult("full", day, villages, organisations, seconds)


# --- The plan's indicators ---------------------------------------------------------------------------------


def load_plan_indicators(*, actor: Any = None) -> PlanLoad:
    """Apply the plan's data file (data/plan_indicators.yaml, see plan_data.py) in one transaction: indicators
    matched by code and set to the file's definition, missing default targets and weights created (existing
    ones kept). Idempotent; audited ("indicators.load_plan", `actor` None is the system). Returns the counts."""
    with transaction.atomic():
        result = apply_plan_indicators(indicators=Indicator, targets=Target, weights=RankingWeight)
        record_audit(
            actor=actor,
            action="indicators.load_plan",
            object_type="indicators.indicator",
            object_id="plan",
            details={
                "created": result.created,
                "changed": result.changed,
                "targets": result.targets,
                "weights": result.weights,
            },
        )
    return result


# --- Targets ------------------------------------------------------------------------------------------------


def set_target(
    *,
    indicator: Indicator,
    year: int,
    value: Decimal | int | float | str,
    actor: Any,
    unit: AdministrativeUnit | None = None,
    organisation: Organisation | None = None,
) -> Target:
    """Set the target of an indicator for a year: the province default (no unit, no organisation), or an
    override for a unit (applies to it and the units below unless they have their own) or an organisation.
    Returns the target. Raises NotFound when the actor may not manage the place (MANAGE_UNITS over the unit,
    the organisation, or a whole province for the default); DomainError for both a unit and an organisation, a
    unit no longer in force (its figures count under the unit that took it over), a negative value or a
    percentage above 100."""
    if unit is not None and organisation is not None:
        raise DomainError(_("Chọn đơn vị hoặc cơ quan, không chọn cả hai."), code="target_scope")
    if actor is not None:
        require(actor, Permission.MANAGE_UNITS, Target(indicator=indicator, unit=unit, organisation=organisation))
    if unit is not None and not unit.is_in_force():
        raise DomainError(
            _("Đơn vị này không còn hiệu lực; hãy đặt mục tiêu cho đơn vị đã tiếp nhận."), code="unit_ended"
        )
    amount = Decimal(str(value))
    if amount < 0 or (indicator.measure == "percent" and amount > 100):
        raise DomainError(_("Mục tiêu phải từ 0 đến 100%."), field="value", code="target_value")
    with transaction.atomic():
        target, created = Target.objects.update_or_create(
            indicator=indicator, year=year, unit=unit, organisation=organisation, defaults={"value": amount}
        )
        record_audit(
            actor=actor,
            action="indicators.set_target",
            target=target,
            details={
                "indicator": indicator.code,
                "year": year,
                "value": str(amount),
                "unit": unit.code if unit else "",
                "organisation": organisation.code if organisation else "",
                "created": created,
            },
        )
    return target


# --- The VNeID certification record -------------------------------------------------------------------------


def record_vneid_certification(
    *, resident: Resident, pushed_at: datetime, actor: Any, group: str = "", reference: str = ""
) -> VneidCertification:
    """Record that the resident's literacy certificate reached VNeID (the numerator of "adults certified on
    VNeID"); recording it again updates the time and reference. Until the credentials part pushes
    certificates itself, this is called by the system (actor None) or by staff who may manage the
    resident's village. Raises NotFound outside the actor's scope, DomainError for a time in the future."""
    if pushed_at > timezone.now():
        raise DomainError(_("Thời điểm đưa lên VNeID ở tương lai."), field="pushed_at", code="date_future")
    if actor is not None:
        require(actor, Permission.MANAGE_PEOPLE, resident)
    with transaction.atomic():
        certification, created = VneidCertification.objects.update_or_create(
            resident=resident, defaults={"pushed_at": pushed_at, "group": group, "reference": reference[:100]}
        )
        record_audit(
            actor=actor,
            action="indicators.record_vneid_certification",
            target=resident,
            details={"group": group, "created": created, "pushed_at": pushed_at.isoformat()},
        )
    return certification


__all__ = [
    "RefreshResult",
    "load_plan_indicators",
    "mark_dirty",
    "rebuild_facts",
    "record_vneid_certification",
    "refresh_facts",
    "set_target",
]
