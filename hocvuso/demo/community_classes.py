"""The demo's weekly community classes: in the demo commune and a few others, a weekly class that began some months
ago and runs on for two months, with the attendance of every past session (between 8 and 20 adults of the commune,
through `classes.sync_attendances` as the instructor's phone would send it; the history with `as_of` the session's
day), a week skipped now and then (so the calendars show a flagged week), two walk-ins waiting for the demo commune
to confirm them, and one commune whose class ended a while ago (flagged this week on the province's page).
Deterministic by the seed; idempotent: nothing is made when the demo commune has classes already.
"""

import datetime
import random
import uuid
from dataclasses import dataclass

from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.learning.models import Course, LiteracyRule, TargetGroup
from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassSession, CommunityClass, Recurrence
from hocvuso.people.models import Resident
from hocvuso.territory.models import AdministrativeUnit, Level

WEEKS_HELD = 16  # about four months of classes
WEEKS_AHEAD = 8
OTHER_COMMUNES = 3  # communes with a class besides the demo commune (the last one's class has ended)
ATTENDANCE = (8, 20)
SKIPPED_WEEK = 0.1  # the share of past sessions cancelled (a holiday, a storm)


@dataclass(frozen=True)
class DemoClasses:
    classes: int
    sessions_held: int
    attendances: int


def _instructor(commune: AdministrativeUnit, given: User | None) -> User:
    if given is not None:
        return given
    username = f"giangvien.{commune.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(username=username, password=None, full_name=f"Giảng viên {commune.name}")
        assign_role(user=user, role=Role.INSTRUCTOR, unit=commune, organisation=None, assigned_by=None)
    return user


def _course() -> Course | None:
    rule = LiteracyRule.objects.filter(group=TargetGroup.CITIZENS, is_active=True).order_by("pk").first()
    final = rule.required_assessments.order_by("pk").first() if rule is not None else None
    return final.course if final is not None else Course.objects.order_by("pk").first()


def _class_of(
    commune: AdministrativeUnit, instructor: User, course: Course, weeks_ago: int, weeks_ahead: int, index: int
) -> CommunityClass:
    today = timezone.localdate()
    return classes.schedule_class(
        commune=commune,
        title=f"Lớp kỹ năng số cộng đồng — {commune.name}",
        place=f"Nhà văn hóa {commune.name}",
        target_group=TargetGroup.CITIZENS if index % 2 == 0 else TargetGroup.ELDERLY,
        capacity=30,
        instructors=[instructor],
        recurrence=Recurrence.WEEKLY,
        weekday=(today.weekday() - index) % 7,
        first_day=today - datetime.timedelta(weeks=weeks_ago),
        last_day=today + datetime.timedelta(weeks=weeks_ahead),
        starts_at=datetime.time(19, 0) if index % 2 == 0 else datetime.time(8, 0),
        course=course,
        actor=None,
    )


def _attend(community_class: CommunityClass, instructor: User, rng: random.Random) -> tuple[int, int]:
    """Every past session: cancelled now and then, else attended by some of the commune's adults."""
    today = timezone.localdate()
    adults = list(
        Resident.objects.filter(village__parent=community_class.commune, birth_date__year__lte=today.year - 18)
        .values_list("pk", flat=True)
        .order_by("pk")[:400]
    )
    held = present = 0
    sessions = ClassSession.objects.filter(community_class=community_class, day__lte=today).order_by("day")
    for session in sessions:
        if session.day < today and rng.random() < SKIPPED_WEEK:
            classes.cancel_session(session=session, actor=None, reason="Nghỉ lễ")
            continue
        chosen = rng.sample(adults, min(len(adults), rng.randint(*ATTENDANCE)))
        moment = timezone.make_aware(datetime.datetime.combine(session.day, session.starts_at))
        moment = min(moment, timezone.now())
        records = [
            {"id": str(uuid.UUID(int=rng.getrandbits(128))), "session": str(session.pk), "recorded_at": moment,
             "method": "registry", "resident": pk}
            for pk in chosen
        ]  # fmt: skip
        results = classes.sync_attendances(actor=instructor, records=records, as_of=session.day)
        made = sum(1 for result in results if result.status == classes.CREATED)
        held += bool(made)
        present += made
    return held, present


def load_demo_classes(*, commune: AdministrativeUnit, instructor: User, seed: int) -> DemoClasses:
    """The demo's community classes (see the module's docstring). Returns the counts made."""
    if CommunityClass.objects.filter(commune=commune).exists():
        return DemoClasses(0, 0, 0)
    course = _course()
    if course is None:
        return DemoClasses(0, 0, 0)
    rng = random.Random(seed * 1_000 + 13)
    others = [
        unit
        for unit in AdministrativeUnit.objects.filter(parent_id=commune.parent_id, level=Level.COMMUNE)
        .exclude(pk=commune.pk)
        .in_force()
        .order_by("code")[:20]
        if Resident.objects.filter(village__parent=unit).exists()
    ][:OTHER_COMMUNES]
    made = held = present = 0
    for index, place in enumerate([commune, *others]):
        teacher = _instructor(place, instructor if place == commune else None)
        ended = index == OTHER_COMMUNES  # the last commune's class ended three weeks ago: flagged this week
        community_class = _class_of(place, teacher, course, WEEKS_HELD, -3 if ended else WEEKS_AHEAD, index)
        made += 1
        sessions, people = _attend(community_class, teacher, rng)
        held, present = held + sessions, present + people
    # Two walk-ins at the demo commune's latest session held, for its officer to confirm.
    latest = (
        ClassSession.objects.filter(commune=commune, cancelled_at__isnull=True, day__lte=timezone.localdate())
        .order_by("-day")
        .first()
    )
    village = AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code").first()
    if latest is not None and village is not None and (timezone.localdate() - latest.day).days <= 7:
        for full_name, year, sex, ethnicity in (("Y Blô Niê", 1956, "M", 5), ("H'Linh Êban", 1990, "F", 5)):
            classes.record_walk_in(
                session=latest,
                full_name=full_name,
                birth_year=year,
                sex=sex,
                ethnicity=ethnicity,
                village=village,
                actor=instructor,
            )
    return DemoClasses(made, held, present)
