"""The real starter curriculum in curricula/ imports, and imports again as unchanged."""

import pytest

from hocvuso.learning.models import (
    Assessment,
    AssessmentKind,
    Competence,
    Course,
    Domain,
    Framework,
    Level,
    LiteracyRule,
    Question,
    SelfAssessment,
)
from hocvuso.learning.services import load_curricula

from .conftest import CURRICULA


@pytest.mark.django_db
def test_the_starter_curriculum_imports_every_course_folder() -> None:
    report = load_curricula(path=CURRICULA, actor=None)

    assert report.refused == {}
    folders = sorted(path.name for path in CURRICULA.iterdir() if (path / "course.yaml").is_file())
    assert sorted(result.course.slug for result in report.courses) == folders
    assert {result.status for result in report.courses} == {"created"}
    for course in Course.objects.all():
        assert course.lessons.count() >= 5, course.slug
        assert course.questions.count() >= 40, course.slug
        final = course.assessments.get(kind=AssessmentKind.FINAL)
        assert sum(final.blueprint.values()) >= 15
        assert course.assessments.filter(kind=AssessmentKind.QUIZ).count() == course.lessons.count()
        assert "<script" not in "".join(course.lessons.values_list("body_html", flat=True))
    assert LiteracyRule.objects.count() == Course.objects.values("group").distinct().count()
    assert SelfAssessment.objects.get().items[0]["id"] == "sa-01"


@pytest.mark.django_db
def test_loading_the_curriculum_twice_changes_nothing() -> None:
    load_curricula(path=CURRICULA, actor=None)
    counts = (Course.objects.count(), Question.objects.count(), Assessment.objects.count())

    report = load_curricula(path=CURRICULA, actor=None)

    assert {result.status for result in report.courses} == {"unchanged"}
    assert {result.status for result in report.frameworks} == {"unchanged"}
    assert (Course.objects.count(), Question.objects.count(), Assessment.objects.count()) == counts
    assert Course.objects.filter(version=1).count() == counts[0]


@pytest.mark.django_db
def test_the_frameworks_load_with_24_competences_8_levels_and_the_757_mapping() -> None:
    load_curricula(path=CURRICULA, actor=None)

    tt02 = Framework.objects.get(code="tt02-2025")
    assert tt02.domains.count() == 6
    assert tt02.competences.count() == 24
    assert list(Level.objects.filter(framework=tt02).values_list("code", flat=True)) == [
        "CB1", "CB2", "TC1", "TC2", "NC1", "NC2", "CS1", "CS2"
    ]  # fmt: skip
    assert Competence.objects.get(framework=tt02, key="4.2").name == "Bảo vệ dữ liệu cá nhân và quyền riêng tư"
    assert Competence.objects.get(framework=tt02, key="6.1").digcomp_code == ""
    assert Competence.objects.get(framework=tt02, key="2.6").digcomp_code == "2.6"
    qd757 = Framework.objects.get(code="qd757-2025")
    device = Competence.objects.get(framework=qd757, key="citizens/0.1")
    assert sorted(device.maps_to.values_list("key", flat=True)) == ["5.1", "5.2"]
    assert device.unverified is False
    assert Domain.objects.get(framework=qd757, target_group="citizens", code="0").unverified is True
    assert Competence.objects.filter(framework=qd757, key__startswith="citizens/").count() >= 5
