"""The demo instructor's community class: learner accounts made by the instructor for residents of the demo commune
(with their printed sign-in cards' one-time codes), each enrolled in the citizens' course and part-way through
it, and a supervised session the instructor opened for the course's final assessment — all through the services
an instructor's day goes through."""

from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.core.models import AuditEntry
from hocvuso.learning.models import Lesson, LiteracyRule, TargetGroup
from hocvuso.learning.services import complete_lesson, enrol
from hocvuso.learning.services.supervision import close_supervised_session, open_supervised_session
from hocvuso.people.account_services import make_class_accounts
from hocvuso.people.models import Resident
from hocvuso.territory.models import AdministrativeUnit, lies_within

DEMO_CLASS_SIZE = 12


def load_demo_class(*, instructor: User, commune: AdministrativeUnit) -> int:
    """Once (nothing when the instructor has made class accounts): make accounts for the first DEMO_CLASS_SIZE
    adults of the commune without one, enrol them in the citizens' course, let the n-th of them complete n lessons
    (in order, as the lesson pages do), and open then close a supervised session for its final assessment. Returns
    how many learners the class has."""
    if AuditEntry.objects.filter(action="accounts.make_class_accounts", actor=instructor).exists():
        return 0
    rule = LiteracyRule.objects.filter(group=TargetGroup.CITIZENS, is_active=True).order_by("pk").first()
    final = rule.required_assessments.order_by("pk").first() if rule is not None else None
    if final is None:
        return 0
    adult = timezone.localdate().replace(year=timezone.localdate().year - 20)
    residents = list(
        Resident.objects.filter(
            lies_within(commune, through="village"), user__isnull=True, birth_date__lte=adult
        ).order_by("pk")[:DEMO_CLASS_SIZE]
    )
    made = make_class_accounts(residents=residents, made_by=instructor)
    lessons = list(Lesson.objects.active().filter(course=final.course).order_by("position"))
    for position, (resident, _code) in enumerate(made.cards):
        learner = User.objects.get(resident=resident)
        enrol(user=learner, course=final.course)
        for lesson in lessons[: position % (len(lessons) + 1)]:
            complete_lesson(user=learner, lesson=lesson)
    opened = open_supervised_session(
        instructor=instructor,
        unit_code=commune.code,
        assessment=final,
        class_session=f"Lớp học cộng đồng {commune.name}",
    )
    close_supervised_session(instructor=instructor, session_id=opened.session.pk)
    return len(made.cards)
