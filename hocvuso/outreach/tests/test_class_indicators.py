"""Community classes feed the monitoring through the pre-aggregated facts: an attendance queues its commune's first
village, the next refresh moves "communes that held a class this week" and "class attendance per week", and the
incremental facts equal a full rebuild."""

import datetime
import random

from django.utils import timezone

from hocvuso.indicators.models import DirtyUnit, IndicatorFact
from hocvuso.indicators.selectors._figures import Status
from hocvuso.indicators.selectors.dashboards import unit_dashboard
from hocvuso.indicators.services import rebuild_facts, refresh_facts
from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassAttendance, ClassSession
from hocvuso.people.tests.factories import ResidentFactory

CODES = ("weekly-classes-held", "class-attendance")


def _facts(unit_code: str) -> dict[str, tuple[int, int]]:
    rows = IndicatorFact.objects.filter(day=timezone.localdate(), unit__code=unit_code, indicator__code__in=CODES)
    return {code: (n, d) for code, n, d in rows.values_list("indicator__code", "numerator", "denominator")}


def _all_facts() -> set[tuple[int, int, int, int]]:
    return set(
        IndicatorFact.objects.filter(day=timezone.localdate(), indicator__code__in=CODES).values_list(
            "unit_id", "indicator_id", "numerator", "denominator"
        )
    )


def test_attendance_moves_the_class_figures_and_incremental_equals_rebuild(setup, territory):
    rebuild_facts()
    assert _facts(territory.commune.code) == {"weekly-classes-held": (0, 1), "class-attendance": (0, 0)}
    assert _facts(territory.province.code) == {"weekly-classes-held": (0, 2), "class-attendance": (0, 0)}

    classes.record_attendance(
        session=setup.today_session, resident=setup.elder, method="registry", actor=setup.instructor
    )
    classes.record_attendance(session=setup.today_session, resident=setup.elder, method="card", actor=setup.instructor)
    classes.record_walk_in(
        session=setup.today_session,
        full_name="Y Bih",
        birth_year=1958,
        sex="F",
        ethnicity=5,
        village=territory.village_b,
        actor=setup.instructor,
    )
    assert DirtyUnit.objects.filter(kind="village", object_id=territory.village.pk).exists()

    result = refresh_facts()

    assert result.kind == "incremental"
    assert _facts(territory.commune.code) == {"weekly-classes-held": (1, 1), "class-attendance": (2, 2)}
    assert _facts(territory.province.code) == {"weekly-classes-held": (1, 2), "class-attendance": (2, 2)}
    assert _facts(territory.other_commune.code) == {"weekly-classes-held": (0, 1), "class-attendance": (0, 0)}
    incremental = _all_facts()
    rebuild_facts()
    assert _all_facts() == incremental


def test_a_session_older_than_the_week_does_not_count_and_the_dashboard_has_a_source(setup, territory, province_admin):
    week_ago = ClassSession.objects.get(
        community_class=setup.community_class, day=timezone.localdate() - datetime.timedelta(days=7)
    )
    classes.record_attendance(session=week_ago, resident=setup.elder, method="registry", actor=setup.instructor)
    rebuild_facts()
    assert _facts(territory.commune.code) == {"weekly-classes-held": (0, 1), "class-attendance": (0, 0)}
    page = unit_dashboard(user=province_admin, unit=territory.province)
    held = page.unit.figure("weekly-classes-held")
    assert held is not None and held.status != Status.NO_SOURCE and held.value == 0
    assert ClassAttendance.objects.count() == 1


def test_incremental_equals_rebuild_over_random_histories(setup, territory, make_user):
    """A property over a few deterministic random histories: whatever attendances, walk-ins and decisions come in
    whatever order, the refreshed facts equal a full rebuild."""
    residents = [
        ResidentFactory(village=territory.village if index % 2 else territory.village_b, full_name=f"Người {index}")
        for index in range(6)
    ]
    sessions = list(
        ClassSession.objects.filter(
            community_class=setup.community_class,
            day__lte=timezone.localdate(),
            day__gte=timezone.localdate() - datetime.timedelta(days=7),
        )
    )
    for seed in range(3):
        chooser = random.Random(seed)
        rebuild_facts()
        for _step in range(6):
            session = chooser.choice(sessions)
            first = ClassAttendance.objects.filter(session=session).order_by("pk").first()
            if chooser.random() < 0.2 and first is not None:
                first.delete()  # an attendance taken back (the admin): the capture sees deletes too
            else:
                classes.record_attendance(
                    session=session, resident=chooser.choice(residents), method="registry", actor=setup.instructor
                )
            refresh_facts()
        incremental = _all_facts()
        rebuild_facts()
        assert _all_facts() == incremental
