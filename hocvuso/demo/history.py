"""The demo movement's past months, replayed week by week so the monitoring's history is the one production keeps.

Production keeps the facts of every day it rebuilt (`rebuild_facts`): each day's figures are the registry,
learning and identity records as they stood that day. The demo does the same: it draws, from the seed, who
enrols and passes which week (rates that differ by commune, target group and age), whose VNeID level and
digital bank account are recorded which week, and whose literacy confirmation reached VNeID; then, week by week
from HISTORY_WEEKS ago to today, it writes that week's records — dated in that week — and runs the monitoring's
own full rebuild for the week's last day. So trends, paces, forecasts, reports frozen on a quarter's last day and
the emulation ranking read real past facts, not invented ones.

The records are the rows the services write when people learn: a learner account linked to the resident, the
enrolment in their group's course, the literacy confirmation under the group's rule, the VNeID and bank-account
record of a visit or of VNeID itself, and the VNeID confirmation of the certificate. Learners who learned online
(most staff and students, fewer elderly people) completed the course's lessons, in order, before their final
assessment, and their enrolment is completed with the last lesson; those assessed in a community class's supervised
session have no lesson completions and their enrolment stays open — as `complete_lesson` leaves it in real use.
These are written in bulk, one week at a time (per-person service calls would take minutes), with the columns and
rules of the services, and dated in the week they stand for. Each confirmation follows the submitted, passed attempt
of the group's rule's final assessment (one in FAILED_FIRST_SHARE failed it a week before): the questions drawn by its
blueprint from the course's bank and their options shuffled as `start_attempt` does, the answers scored by the
submission's own scoring (`score_rows`); class-assessed learners sat it in a supervised session of their commune's
class, opened by its instructor. (The instructor's class, `hocvuso.demo.services`, goes through those services person
by person.)

The community digital teams and their visits are loaded before the replay (`hocvuso.demo.outreach`). Some weeks
after a resident of a household a team looks after is confirmed literate, a home visit may find them guiding the
others of their household — the Gia đình số rule's last condition — at a share that differs by commune; those
visits go through the field app's own services (`prepare_visit` as the assigned member, then `store_visits`), in
the week they are dated, so each past week's digital families count only the visits made by then.
"""

import hashlib
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.indicators.models import VneidCertification
from hocvuso.indicators.services import rebuild_facts
from hocvuso.learning.models import (
    Assessment,
    Attempt,
    AttemptAnswer,
    AttemptState,
    Enrolment,
    Lesson,
    LessonCompletion,
    LiteracyRule,
    LiteracyStatus,
    Question,
    SupervisedSession,
    TargetGroup,
)
from hocvuso.learning.scoring import make_layout, right_answer, score_answer
from hocvuso.learning.services.attempts import draw_by_blueprint, score_rows
from hocvuso.outreach.models import HouseholdAssignment, Outcome
from hocvuso.outreach.visits import PreparedVisit, preload_visits, prepare_visit, store_visits
from hocvuso.people.bulk import BulkTable
from hocvuso.people.models import DigitalIdentity, EvidenceSource, Household, Membership, MembershipKind, Resident
from hocvuso.territory.models import AdministrativeUnit, lies_within

HISTORY_WEEKS = 40  # about nine months of weekly figures, today included
EARLY_WEEKS = 8  # the movement's first weeks, before the oldest point: its first figure is not 0
ADULT, IDENTITY, ELDERLY = 18, 16, 60

# Of a target group, the share who pass by today in a commune of average drive (before the age factor).
_PASS_SHARE: dict[str, float] = {
    TargetGroup.STAFF: 0.82,
    TargetGroup.STUDENTS: 0.7,
    TargetGroup.WORKERS: 0.5,
    TargetGroup.CITIZENS: 0.55,
    TargetGroup.ELDERLY: 0.25,
}
# Of a group's learners, the share who learn online — the course's lessons on the platform, then its final assessment —
# rather than in a community class, assessed in the class's supervised session without lessons done on the platform.
_ONLINE_SHARE: dict[str, float] = {
    TargetGroup.STAFF: 0.85,
    TargetGroup.STUDENTS: 0.9,
    TargetGroup.WORKERS: 0.6,
    TargetGroup.CITIZENS: 0.5,
    TargetGroup.ELDERLY: 0.15,
}
# Of the literate people of the households a community digital team looks after, the share a later home visit finds
# guiding the others of their household (Gia đình số), in a commune of average drive.
GUIDE_SHARE = 0.35
# Of the confirmed, the share who failed the final assessment once, a week before passing it.
FAILED_FIRST_SHARE = 0.15
_MEMBERSHIP_GROUP: dict[str, str] = {
    MembershipKind.STAFF: TargetGroup.STAFF,
    MembershipKind.STUDENT: TargetGroup.STUDENTS,
    MembershipKind.WORKER: TargetGroup.WORKERS,
}
_NAMESPACE = uuid.UUID("6f1c3a52-9d1e-4c4b-8f7e-2b5d0c68a001")


@dataclass
class _Week:
    """What happens in one week: new learners (enrolled), confirmations, identity and bank records, VNeID pushes."""

    enrolments: list[tuple[int, str, datetime]] = field(default_factory=list)  # resident, group, when
    passes: list[tuple[int, datetime, bool]] = field(default_factory=list)  # resident, when, learned online
    levels: list[tuple[int, int, str, date]] = field(default_factory=list)  # resident, level, source, day
    banks: list[tuple[int, str, date]] = field(default_factory=list)  # resident, source, day
    pushes: list[tuple[int, datetime]] = field(default_factory=list)  # resident, when
    guides: list[tuple[int, datetime]] = field(default_factory=list)  # resident seen guiding their household, when


@dataclass(frozen=True)
class _Sitting:
    """One replayed attempt at a final assessment: what the attempt-start service fixed and the submission scored."""

    id: uuid.UUID
    resident: int
    assessment: Assessment
    number: int
    started: datetime
    submitted: datetime
    questions: list[Question]
    layouts: list[dict[str, list[int]]]
    answers: list[Any]
    session: uuid.UUID | None
    instructor: int | None


@dataclass(frozen=True)
class HistoryResult:
    days: tuple[date, ...]
    learners: int
    confirmations: int
    identities: int
    banks: int
    pushes: int
    lesson_completions: int
    guides: int
    attempts: int = 0


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _moment(rng: random.Random, day: date) -> datetime:
    """A working-hours moment of the six days before `day` (never `day` itself: its rebuild counts it)."""
    when = day - timedelta(days=1 + rng.randrange(6))
    return timezone.make_aware(datetime.combine(when, time(7 + rng.randrange(10), rng.randrange(60))))


def _commune_drive(rng: random.Random, communes: list[int]) -> dict[int, tuple[float, int]]:
    """Each commune's drive (how far its people go, 0.25–1.7, 1 on average) and the week it started in earnest."""
    drive = {}
    for commune in communes:
        strength = min(1.7, max(0.25, rng.lognormvariate(0.0, 0.45)))
        drive[commune] = (strength, rng.randrange(-EARLY_WEEKS, 14))
    return drive


def _week_between(rng: random.Random, start: int, last: int, accelerating: float = 0.7) -> int:
    """A week in [start, last], more of them late (the movement gathers pace)."""
    start = min(start, last)
    return start + int((last - start + 1) * rng.random() ** accelerating)


def plan_history(
    *, province: AdministrativeUnit, seed: int, today: date, weeks: int = HISTORY_WEEKS
) -> dict[int, _Week]:
    """Who does what which week (week index: 0 is the oldest point, weeks - 1 today; negative, before it), drawn
    from the seed over the residents without an account, in id order."""
    rng = random.Random(seed * 7919 + 3)
    guide_rng = random.Random(seed * 7919 + 5)  # their own draws: the other weeks stay those of the seed
    online_rng = random.Random(seed * 7919 + 7)
    last = weeks - 1
    rows = list(
        Resident.objects.filter(lies_within(province, through="village"), user__isnull=True)
        .order_by("pk")
        .values_list("pk", "birth_date", "village__parent_id", "household_id")
    )
    groups = dict(
        Membership.objects.filter(resident__in=[pk for pk, _b, _c, _h in rows], valid_to__isnull=True)
        .order_by("pk")
        .values_list("resident_id", "kind")
    )
    identities = {
        resident: (level, bank)
        for resident, level, bank in DigitalIdentity.objects.filter(
            resident__in=[pk for pk, _b, _c, _h in rows]
        ).values_list("resident_id", "vneid_level", "has_bank_account")
    }
    drive = _commune_drive(rng, sorted({commune for _pk, _b, commune, _h in rows if commune is not None}))
    guide_share = {
        commune: GUIDE_SHARE * strength * guide_rng.uniform(0.6, 1.4) for commune, (strength, _s) in drive.items()
    }
    # the households the teams look after (loaded before the replay, demo/outreach.py): from the week after their
    # assignment began, a home visit may find a literate member guiding the others
    looked_after: dict[int, int] = {}
    for household, since in (
        HouseholdAssignment.objects.filter(lies_within(province, through="household__village"), valid_to__isnull=True)
        .order_by("valid_from", "pk")
        .values_list("household_id", "valid_from")
    ):
        looked_after.setdefault(household, last - (today - since).days // 7 + 1)
    plan: dict[int, _Week] = defaultdict(_Week)

    def day_of(week: int) -> date:
        return today - timedelta(days=7 * (last - week))

    for resident, birth, commune, household in rows:
        if commune is None:
            continue
        strength, start = drive[commune]
        age = _age(birth, today)
        group: str | None = _MEMBERSHIP_GROUP.get(groups.get(resident, ""))
        if group is None and age >= ELDERLY:
            group = TargetGroup.ELDERLY
        elif group is None and age >= ADULT:
            group = TargetGroup.CITIZENS
        if group is not None:
            age_factor = 1.25 if age < 30 else 1.1 if age < 45 else 0.85 if age < ELDERLY else 1.0
            share = min(0.97, _PASS_SHARE[group] * strength * age_factor)
            draw = rng.random()
            if draw < share + 0.15 * strength:  # enrolled; those beyond `share` are still learning
                enrolled = _week_between(rng, start, last)
                plan[enrolled].enrolments.append((resident, group, _moment(rng, day_of(enrolled))))
                passed = enrolled + 1 + rng.randrange(6)
                if draw < share and passed <= last:
                    online = online_rng.random() < _ONLINE_SHARE[group]
                    plan[passed].passes.append((resident, _moment(rng, day_of(passed)), online))
                    pushed = passed + 1 + rng.randrange(3)
                    if age >= ADULT and pushed <= last and rng.random() < 0.85:
                        plan[pushed].pushes.append((resident, _moment(rng, day_of(pushed))))
                    first = looked_after.get(household or 0)
                    if first is not None and age >= IDENTITY and guide_rng.random() < guide_share[commune]:
                        guided = max(passed + 1 + guide_rng.randrange(8), first)
                        if guided <= last:
                            plan[guided].guides.append((resident, _moment(guide_rng, day_of(guided))))
        level, bank = identities.get(resident, (None, None))
        if level is None or age < IDENTITY:
            continue
        elderly = 0.5 if age >= ELDERLY else 1.0
        if level < 2 and rng.random() < (0.6 if level == 0 else 0.3) * strength * elderly:
            week = _week_between(rng, start, last, 0.9)
            new_level = 2 if level == 1 or rng.random() < 0.2 else 1
            source = EvidenceSource.VISIT if rng.random() < 0.55 else EvidenceSource.VNEID
            plan[week].levels.append((resident, new_level, source, _moment(rng, day_of(week)).date()))
        if not bank and age >= ADULT and rng.random() < 0.4 * strength * elderly:
            week = _week_between(rng, start, last, 0.9)
            source = EvidenceSource.VISIT if rng.random() < 0.6 else EvidenceSource.SELF_DECLARED
            plan[week].banks.append((resident, source, _moment(rng, day_of(week)).date()))
    return plan


def simulate_history(
    *, province: AdministrativeUnit, seed: int, today: date | None = None, extra_days: Iterable[date] = ()
) -> HistoryResult:
    """Replay the movement's past HISTORY_WEEKS weeks (see the module docstring): for each weekly day from the
    oldest to today, and each of `extra_days` (the reporting quarters' last days) in its place, write the records
    dated before it and rebuild the facts of that day — except today's, which the caller rebuilds once the demo
    is complete. Deterministic for a seed and a day. Returns the days rebuilt and what was written."""
    day = today or timezone.localdate()
    plan = plan_history(province=province, seed=seed, today=day)
    last = HISTORY_WEEKS - 1
    weekly = [day - timedelta(days=7 * (last - week)) for week in range(HISTORY_WEEKS)]
    first = min(weekly)
    days = sorted({*weekly, *(extra for extra in extra_days if first - timedelta(days=7 * EARLY_WEEKS) <= extra < day)})
    names = dict(Resident.objects.filter(lies_within(province, through="village")).values_list("pk", "full_name"))
    writer = _Writer(seed, names)
    pending = sorted(plan)
    rebuilt = []
    for point in days:
        while pending and (pending[0] < 0 or weekly[pending[0]] <= point):
            writer.week(plan[pending.pop(0)])
        if point < day:
            rebuild_facts(on=point, actor=None)
            rebuilt.append(point)
    for week in pending:
        writer.week(plan[week])
    return HistoryResult(
        days=tuple(rebuilt),
        learners=writer.learners,
        confirmations=writer.confirmations,
        identities=writer.identities,
        banks=writer.banks,
        pushes=writer.pushes,
        lesson_completions=writer.lesson_completions,
        guides=writer.guides,
        attempts=writer.attempts,
    )


class _Writer:
    """Writes one week's records in bulk (the registry's bulk writer, hocvuso.people.bulk: COPY on PostgreSQL,
    executemany elsewhere), the columns the services write one by one."""

    def __init__(self, seed: int, names: dict[int, str]) -> None:
        self.seed = seed
        self.names = names
        self.password = make_password(None)  # unusable: these learners' accounts are records, nobody signs in
        rules = LiteracyRule.objects.filter(is_active=True).prefetch_related("required_assessments").order_by("pk")
        self.rules: dict[str, int] = {}
        self.courses: dict[str, int] = {}
        self.assessments: dict[str, Assessment] = {}
        for rule in rules:
            assessment = next(iter(rule.required_assessments.all()), None)
            if rule.group not in self.rules and assessment is not None:
                self.rules[rule.group] = rule.pk
                self.courses[rule.group] = assessment.course_id
                self.assessments[rule.group] = assessment
        # each required assessment's bank, by competence, as the attempt-start service draws from it
        self.question_banks: dict[int, dict[str, list[Question]]] = {}
        for assessment in {a.pk: a for a in self.assessments.values()}.values():
            bank: dict[str, list[Question]] = {}
            for question in (
                Question.objects.active()
                .filter(course_id=assessment.course_id, competence__key__in=list(assessment.blueprint))
                .select_related("competence")
                .order_by("pk")
            ):
                bank.setdefault(question.competence.key, []).append(question)
            self.question_banks[assessment.pk] = bank
        self.instructors: dict[int, int] = {}  # commune → the instructor who supervises its class's assessments
        self.sessions: dict[
            tuple[int, int, datetime], tuple[uuid.UUID, int]
        ] = {}  # commune, assessment, day → supervised session id
        self.communes = dict(
            Resident.objects.filter(pk__in=list(names), village__isnull=False).values_list("pk", "village__parent_id")
        )
        # each course's lessons a learner must complete (`required_lessons`: all active ones, none skipped), in order
        self.lessons: dict[int, list[int]] = defaultdict(list)
        for lesson, course in (
            Lesson.objects.active().filter(course_id__in=set(self.courses.values())).order_by("course_id", "position")
        ).values_list("pk", "course_id"):
            self.lessons[course].append(lesson)
        self.users: dict[int, int] = {}  # resident → user
        self.groups: dict[int, str] = {}  # resident → group
        self.enrolments: dict[int, tuple[int, datetime]] = {}  # resident → enrolment, when
        self.learners = self.confirmations = self.identities = self.banks = self.pushes = 0
        self.lesson_completions = self.guides = 0
        self.postgres = postgres = connection.vendor == "postgresql"
        self.moment = (lambda value: value) if postgres else _sqlite_moment
        self.uuid = (lambda value: value) if postgres else (lambda value: value.hex)  # Django's char(32) elsewhere
        user_columns = ["username", "password", "full_name", "date_joined", "first_name", "last_name", "email",
                        "preferred_language", "is_active"]  # fmt: skip
        self.user_table = BulkTable(User, user_columns)
        self.enrolment_table = BulkTable(
            Enrolment, ["user_id", "resident_id", "course_id", "registration", "enrolled_at", "completed_at"]
        )
        self.completion_table = BulkTable(LessonCompletion, ["user_id", "lesson_id", "enrolment_id", "completed_at"])
        self.status_table = BulkTable(
            LiteracyStatus, ["user_id", "resident_id", "group", "rule_id", "attempt_id", "confirmed_at"]
        )
        attempt_columns = ["id", "user_id", "resident_id", "assessment_id", "number", "state", "started_at", "deadline",
                           "submitted_at", "question_ids", "points", "max_points", "score", "passed", "result",
                           "idempotency_key", "supervised_session_id", "instructor_id", "class_session"]  # fmt: skip
        self.attempt_table = BulkTable(Attempt, attempt_columns)
        self.answer_table = BulkTable(
            AttemptAnswer, ["attempt_id", "question_id", "position", "layout", "answer", "answered_at", "points"]
        )
        self.session_table = BulkTable(
            SupervisedSession,
            ["id", "instructor_id", "unit_id", "assessment_id", "class_session", "pin_hash", "opened_at", "expires_at",
             "closed_at"],
        )  # fmt: skip
        self.json = (lambda value: value) if postgres else json.dumps
        self.attempts = 0
        self.new_sessions: list[tuple[Any, ...]] = []
        self.push_table = BulkTable(
            VneidCertification, ["resident_id", "pushed_at", "group", "reference", "created_at", "updated_at"]
        )

    def week(self, week: _Week) -> None:
        self._enrol(week.enrolments)
        self._pass(week.passes)
        self._identities(week.levels, week.banks)
        self._push(week.pushes)
        self._guide(week.guides)

    def _enrol(self, enrolments: list[tuple[int, str, datetime]]) -> None:
        enrolments = [row for row in enrolments if row[1] in self.courses]
        if not enrolments:
            return
        at = self.moment
        usernames = {f"demo.hocvien.{resident}": resident for resident, _group, _moment in enrolments}
        self.user_table.append(
            [
                (f"demo.hocvien.{resident}", self.password, self.names[resident], at(moment), "", "", "", "", True)
                for resident, _group, moment in enrolments
            ]
        )
        for chunk in _chunks(list(usernames)):
            for username, pk in User.objects.filter(username__in=chunk).values_list("username", "pk"):
                self.users[usernames[username]] = pk
        for resident, group, _moment in enrolments:
            self.groups[resident] = group
        _execute_many(Resident, "user_id = %s", [(self.users[resident], resident) for resident in usernames.values()])
        self.enrolment_table.append(
            [
                (
                    self.users[resident],
                    resident,
                    self.courses[group],
                    self.uuid(uuid.uuid5(_NAMESPACE, f"{self.seed}:{resident}:{group}")),
                    at(moment),
                    None,
                )
                for resident, group, moment in enrolments
            ]
        )
        moments = {resident: moment for resident, _group, moment in enrolments}
        for chunk in _chunks(list(moments)):
            for resident, pk in Enrolment.objects.filter(resident_id__in=chunk).values_list("resident_id", "pk"):
                self.enrolments[resident] = (pk, moments[resident])
        self.learners += len(enrolments)

    def _pass(self, passes: list[tuple[int, datetime, bool]]) -> None:
        """Confirm this week's learners. Those who learned online completed the course's lessons first, one after
        the other between their enrolment and their final assessment (`complete_lesson`'s rows: once per lesson, in
        order, the enrolment completed with the last); those assessed in a community class's supervised session
        have none, and their enrolment stays not completed, as `complete_lesson` leaves it."""
        passes = [row for row in passes if row[0] in self.users]
        if not passes:
            return
        at = self.moment
        completions = []
        completed = []
        attempts = {resident: self._attempts(resident, moment, online) for resident, moment, online in passes}
        self._write_attempts([row for rows in attempts.values() for row in rows])
        for resident, _moment, online in passes:
            lessons = self.lessons[self.courses[self.groups[resident]]]
            if not online or not lessons:
                continue
            enrolment, enrolled = self.enrolments[resident]
            moment = attempts[resident][0].started  # the lessons are done before the first attempt
            step = (moment - enrolled) / (len(lessons) + 1)
            done = [(enrolled + step * (n + 1)).replace(microsecond=0) for n in range(len(lessons))]
            completions += [
                (self.users[resident], lesson, enrolment, at(when)) for lesson, when in zip(lessons, done, strict=True)
            ]
            completed.append((at(done[-1]), enrolment))
        self.completion_table.append(completions)
        _execute_many(Enrolment, "completed_at = %s", completed)
        self.lesson_completions += len(completions)
        self.status_table.append(
            [
                (
                    self.users[resident],
                    resident,
                    self.groups[resident],
                    self.rules[self.groups[resident]],
                    self.uuid(attempts[resident][-1].id),
                    at(moment),
                )
                for resident, moment, _online in passes
            ]
        )
        self.confirmations += len(passes)

    def _attempts(self, resident: int, moment: datetime, online: bool) -> list[_Sitting]:
        """The attempts behind a confirmation at `moment`: the group's required final assessment passed then (one in
        FAILED_FIRST_SHARE failed a week before), questions drawn from its bank by the blueprint, options shuffled and
        answers given as the services keep them; supervised at the commune's class for those not learning online."""
        rng = random.Random(f"{self.seed}:attempts:{resident}")
        assessment = self.assessments[self.groups[resident]]
        enrolled = self.enrolments[resident][1]
        retry = assessment.max_attempts is None or assessment.max_attempts >= 2
        ends = [moment - timedelta(seconds=1)]
        if retry and rng.random() < FAILED_FIRST_SHARE and ends[0] - timedelta(days=8) > enrolled:
            ends.insert(0, ends[0] - timedelta(days=7))
        sittings = []
        for number, submitted in enumerate(ends, start=1):
            passed = number == len(ends)
            limit = assessment.time_limit_minutes or 45
            started = submitted - timedelta(
                minutes=rng.randint(min(6, limit - 1), limit - 1), seconds=rng.randrange(60)
            )
            questions = draw_by_blueprint(self.question_banks[assessment.pk], assessment.blueprint, rng)
            rng.shuffle(questions)
            layouts = [make_layout(question.type, question.data, rng) for question in questions]
            answers = self._answers(rng, assessment, questions, layouts, passed)
            session = instructor = None
            if not online:
                session, instructor = self._session(resident, assessment, started)
            sittings.append(
                _Sitting(
                    id=uuid.uuid5(_NAMESPACE, f"{self.seed}:attempt:{resident}:{number}"),
                    resident=resident,
                    assessment=assessment,
                    number=number,
                    started=started,
                    submitted=submitted,
                    questions=questions,
                    layouts=layouts,
                    answers=answers,
                    session=session,
                    instructor=instructor,
                )
            )
        return sittings

    def _answers(
        self,
        rng: random.Random,
        assessment: Assessment,
        questions: list[Question],
        layouts: list[dict[str, list[int]]],
        passed: bool,
    ) -> list[Any]:
        """A learner's answers (stored form) that pass or fail the assessment as the scoring decides: each right with
        a chance, otherwise any answer; those right made so one by one until the attempt passes, or the draw made
        again with fewer right until it fails (none answered at last)."""
        rights = [right_answer(q.type, q.data, layout) for q, layout in zip(questions, layouts, strict=True)]

        def score(answers: list[Any]) -> bool:  # as `score_rows` totals it, without each row's stored form
            total = sum(
                (
                    score_answer(q.type, q.data, layout, answer)
                    for q, layout, answer in zip(questions, layouts, answers, strict=True)
                ),
                Fraction(0),
            )
            return total * 100 >= assessment.pass_mark * len(questions)

        def any_answer(question: Question, layout: dict[str, list[int]], right: Any) -> Any:
            if question.type == "true_false":
                return not right
            options = len(next(iter(layout.values())))
            if question.type in ("single", "image"):
                return rng.randrange(options)
            if question.type == "multiple":
                return sorted(rng.sample(range(options), rng.randint(1, options)))
            return rng.sample(range(options), options)

        for chance in (0.85,) if passed else (0.45, 0.3, 0.1):
            answers = [
                right if rng.random() < chance else any_answer(q, layout, right)
                for q, layout, right in zip(questions, layouts, rights, strict=True)
            ]
            if score(answers) == passed:
                return answers
            if passed:
                for position, right in enumerate(rights):
                    answers[position] = right
                    if score(answers):
                        return answers
        return [None] * len(questions)

    def _session(self, resident: int, assessment: Assessment, started: datetime) -> tuple[uuid.UUID, int]:
        """The supervised session of the resident's commune's class in which they sat the assessment (one per
        commune, assessment and four-hour block, opened by the commune's instructor, its PIN long expired), and the
        instructor."""
        commune = self.communes[resident]
        assert commune is not None  # the plan gives passes only to residents of a commune
        local = timezone.localtime(started)
        hour = 6 + 4 * max(0, (local.hour - 6) // 4)
        opened = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        key = (commune, assessment.pk, opened)
        if key not in self.sessions:
            instructor = self._instructor(commune)
            session = uuid.uuid5(_NAMESPACE, f"{self.seed}:session:{commune}:{assessment.pk}:{opened.isoformat()}")
            pin = hashlib.sha256(f"{session}:{self.seed}:{random.Random(str(session)).random()}".encode()).hexdigest()
            self.sessions[key] = (session, instructor)
            self.new_sessions.extend(
                [
                    (self.uuid(session), instructor, commune, assessment.pk, "", pin, self.moment(opened),
                     self.moment(opened + timedelta(hours=4)), None)
                ]
            )  # fmt: skip
        return self.sessions[key]

    def _instructor(self, commune: int) -> int:
        """The commune's instructor: one who runs classes there, or one made as the community classes make them."""
        if commune not in self.instructors:
            user = (
                RoleAssignment.objects.in_force()
                .filter(role=Role.INSTRUCTOR, unit_id=commune)
                .order_by("pk")
                .values_list("user_id", flat=True)
                .first()
            )
            if user is None:
                unit = AdministrativeUnit.objects.get(pk=commune)
                made = User.objects.filter(username=f"giangvien.{unit.code}").first()
                if made is None:
                    made = create_user(
                        username=f"giangvien.{unit.code}", password=None, full_name=f"Giảng viên {unit.name}"
                    )
                    assign_role(user=made, role=Role.INSTRUCTOR, unit=unit, organisation=None, assigned_by=None)
                user = made.pk
            self.instructors[commune] = user
        return self.instructors[commune]

    def _write_attempts(self, sittings: list[_Sitting]) -> None:
        """The attempts and their answers, as `start_attempt`, `save_answer` and the submission leave them."""
        at, as_json = self.moment, self.json
        attempts, answers = [], []
        for sitting in sittings:
            questions, layouts, given = sitting.questions, sitting.layouts, sitting.answers
            rows = [
                (q.type, q.data, layout, answer, q.competence.key)
                for q, layout, answer in zip(questions, layouts, given, strict=True)
            ]
            scored = score_rows(rows)
            limit = sitting.assessment.time_limit_minutes
            attempts.append(
                (
                    self.uuid(sitting.id), self.users[sitting.resident], sitting.resident, sitting.assessment.pk,
                    sitting.number, AttemptState.SUBMITTED, at(sitting.started),
                    at(sitting.started + timedelta(minutes=limit)) if limit else None, at(sitting.submitted),
                    as_json([q.pk for q in questions]), scored.points, scored.max_points, scored.score,
                    scored.score >= sitting.assessment.pass_mark, as_json(scored.result),
                    str(uuid.uuid5(_NAMESPACE, f"{sitting.id}:submit")),
                    self.uuid(sitting.session) if sitting.session else None, sitting.instructor, "",
                )
            )  # fmt: skip
            # each answer saved in turn, whole seconds apart (in the stored form of moments: one conversion an attempt)
            step = timedelta(seconds=(sitting.submitted - sitting.started).total_seconds() // (len(questions) + 1))
            base = at(sitting.started) if self.postgres else timezone.make_naive(sitting.started, UTC)
            saved = (lambda n: base + step * n) if self.postgres else (lambda n: str(base + step * n))  # noqa: B023
            answers += [
                (
                    self.uuid(sitting.id), q.pk, position, as_json(layout), None if answer is None else as_json(answer),
                    None if answer is None else saved(position), points,
                )
                for position, (q, layout, answer, points) in enumerate(
                    zip(questions, layouts, given, scored.row_points, strict=True), start=1
                )
            ]  # fmt: skip
        self.session_table.append(self.new_sessions)
        self.new_sessions = []
        self.attempt_table.append(attempts)
        self.answer_table.append(answers)
        self.attempts += len(attempts)

    def _identities(self, levels: list[tuple[int, int, str, date]], banks: list[tuple[int, str, date]]) -> None:
        now = self.moment(timezone.now())
        _execute_many(
            DigitalIdentity,
            "vneid_level = %s, vneid_source = %s, vneid_recorded_on = %s, updated_at = %s",
            [(level, source, on, now, resident) for resident, level, source, on in levels],
            key="resident_id",
        )
        _execute_many(
            DigitalIdentity,
            "has_bank_account = %s, bank_source = %s, bank_recorded_on = %s, updated_at = %s",
            [(True, source, on, now, resident) for resident, source, on in banks],
            key="resident_id",
        )
        self.identities += len(levels)
        self.banks += len(banks)

    def _push(self, pushes: list[tuple[int, datetime]]) -> None:
        pushes = [row for row in pushes if row[0] in self.groups]
        at = self.moment
        self.push_table.append(
            [
                (resident, at(moment), self.groups[resident], f"demo:{resident}", at(moment), at(moment))
                for resident, moment in pushes
            ]
        )
        self.pushes += len(pushes)

    def _guide(self, guides: list[tuple[int, datetime]]) -> None:
        """This week's home visits that found a literate member guiding the others of their household (Gia đình số):
        recorded as the field app records them — checked by `prepare_visit` as the team member the household is
        assigned to, stored by `store_visits` (one batch per member)."""
        guides = [row for row in guides if row[0] in self.users]
        if not guides:
            return
        homes = dict(
            Resident.objects.filter(pk__in=[resident for resident, _m in guides]).values_list("pk", "household_id")
        )
        households = Household.objects.select_related("village").in_bulk(set(homes.values()))
        members: dict[int, User] = {}
        for assignment in (
            HouseholdAssignment.objects.filter(household__in=households, valid_to__isnull=True)
            .select_related("membership__user")
            .order_by("pk")
        ):
            members.setdefault(assignment.household_id, assignment.membership.user)
        by_member: dict[int, list[tuple[Household, int, datetime]]] = defaultdict(list)
        for resident, moment in guides:
            household = households[homes[resident]]
            by_member[members[household.pk].pk].append((household, resident, moment))
        actors = {user.pk: user for user in members.values()}
        for member in sorted(by_member):
            visits = by_member[member]
            actor = actors[member]
            preloaded = preload_visits(actor=actor, device=None, visits=[(home.pk, when) for home, _r, when in visits])
            prepared = []
            for household, resident, moment in visits:
                checked = prepare_visit(
                    visit_id=uuid.uuid5(_NAMESPACE, f"{self.seed}:guides:{resident}"),
                    form_version=1,
                    household=household,
                    visited_at=moment,
                    outcomes=[(resident, Outcome.GUIDES_FAMILY)],
                    actor=actor,
                    known_new=True,
                    preloaded=preloaded,
                )
                assert isinstance(checked, PreparedVisit)
                prepared.append(checked)
            store_visits(prepared, actor=actor)
        self.guides += len(guides)


def _sqlite_moment(value: datetime) -> Any:
    """A moment as Django stores it on SQLite (UTC, no offset), so lookups and ordering compare like with like."""
    return connection.ops.adapt_datetimefield_value(value)


def _chunks(values: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _execute_many(model: type[Any], assignments: str, rows: list[tuple[Any, ...]], key: str = "id") -> None:
    """UPDATE the model's table SET `assignments` WHERE `key` = the row's last value, for each row."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(key)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


__all__ = ["HISTORY_WEEKS", "HistoryResult", "plan_history", "simulate_history"]
