"""What the community-class tests share: commune C1 with an instructor, a weekly class on today's weekday that
began four weeks ago and runs four more, and residents of C1 (an elder of the Kinh majority, a young woman of an
ethnic minority)."""

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from hocvuso.accounts.roles import Role
from hocvuso.api.services import issue_api_token
from hocvuso.learning.models import Competence, Course
from hocvuso.learning.services import load_frameworks
from hocvuso.outreach import classes
from hocvuso.outreach.models import ClassSession, CommunityClass, Recurrence
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import ResidentFactory


@dataclass
class Classes:
    officer: Any
    instructor: Any
    course: Course
    competence: Competence
    community_class: CommunityClass
    today_session: ClassSession
    elder: Resident
    minority: Resident


def weekly_class(setup: Any, territory: Any, actor: Any, weeks: int = 4) -> CommunityClass:
    today = timezone.localdate()
    return classes.schedule_class(
        commune=territory.commune,
        title="Lớp kỹ năng số thôn 1",
        place="Nhà văn hóa thôn 1",
        target_group="citizens",
        capacity=30,
        instructors=[setup.instructor],
        recurrence=Recurrence.WEEKLY,
        weekday=today.weekday(),
        first_day=today - datetime.timedelta(weeks=weeks),
        last_day=today + datetime.timedelta(weeks=weeks),
        starts_at=datetime.time(19, 0),
        course=setup.course,
        actor=actor,
    )


def make_classes(territory: Any, officer: Any, make_user: Any) -> Classes:
    if not Competence.objects.exists():
        load_frameworks(path=Path(settings.BASE_DIR) / "curricula" / "frameworks", actor=None)
    instructor = make_user(Role.INSTRUCTOR, territory.commune)
    course = Course.objects.create(slug="ky-nang-so-co-ban", title="Kỹ năng số cơ bản", group="citizens")
    setup = Classes(officer, instructor, course, Competence.objects.order_by("pk").first(), None, None, None, None)  # type: ignore[arg-type]
    setup.community_class = weekly_class(setup, territory, officer)
    setup.today_session = ClassSession.objects.select_related("community_class__commune", "commune").get(
        community_class=setup.community_class, day=timezone.localdate()
    )
    setup.elder = ResidentFactory(village=territory.village, full_name="Hoàng Thị Cao", sex="F",
                                  birth_date=datetime.date(1950, 3, 3))  # fmt: skip
    setup.minority = ResidentFactory(village=territory.village_b, full_name="H'Hen Niê", sex="F", ethnicity=5,
                                     birth_date=datetime.date(2000, 3, 3))  # fmt: skip
    return setup


def bearer_client(user: Any) -> APIClient:
    """An API client sending a new token of the user (a phone signed in as the person, not a registered device)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user, name='điện thoại').plain_text}")
    return client
