"""Fixtures of the credentials tests: the real frameworks and the small test course (learning's fixtures), a
signing key, and residents confirmed literate (a LiteracyStatus under the course's default rule)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hocvuso.credentials.keys import rotate_signing_key
from hocvuso.credentials.models import SigningKey
from hocvuso.learning.models import Course, LiteracyRule, LiteracyStatus
from hocvuso.learning.services import import_course_from_folder, load_frameworks
from hocvuso.learning.tests.conftest import CURRICULA, write_course
from hocvuso.people.models import Resident
from hocvuso.people.services import register_resident
from hocvuso.people.tests.factories import DAO_ID, national_id_for, register_dao


@pytest.fixture
def course(db: None, tmp_path: Path) -> Course:
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    return import_course_from_folder(path=write_course(tmp_path / "khoa-thu"), actor=None).course


@pytest.fixture
def signing_key(db: None) -> SigningKey:
    return rotate_signing_key(actor=None)


@pytest.fixture
def dao(territory: Any) -> Resident:
    return register_dao(territory.village)


@pytest.fixture
def confirm(course: Course, make_user: Callable[..., Any]) -> Callable[..., LiteracyStatus]:
    """Confirm a resident (or a new account without one) literate for the course's group."""
    rule = LiteracyRule.objects.get(group=course.group)

    def make(resident: Resident | None = None, **user_fields: Any) -> LiteracyStatus:
        user = make_user(**user_fields)
        if resident is not None:
            resident.user = user
            resident.save(update_fields=["user"])
        return LiteracyStatus.objects.create(user=user, resident=resident, group=rule.group, rule=rule)

    return make


def make_resident(village: Any, serial: int, name: str = "Trần Thị Bình") -> Resident:
    return register_resident(
        full_name=name, birth_date=__import__("datetime").date(1985, 3, 2), sex="F", ethnicity="Kinh",
        village=village, household=None, national_id=national_id_for(__import__("datetime").date(1985, 3, 2), "F",
                                                                      serial=serial), actor=None,
    )  # fmt: skip


__all__ = ["DAO_ID", "make_resident"]
