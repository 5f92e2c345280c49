"""The admin edits course content through the services; the management commands import, export and load."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.tests.factories import UserFactory
from hocvuso.learning import models
from hocvuso.learning.models import Course, Lesson, Question
from hocvuso.learning.services import enrol, start_attempt

from .conftest import CURRICULA, QUESTIONS, complete_all_lessons, write_course


@pytest.fixture
def admin_client(db: None) -> Client:
    user = UserFactory(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


ADMIN_MODELS = [
    models.Framework, models.Competence, models.Course, models.Lesson, models.Question, models.Assessment,
    models.LiteracyRule, models.SelfAssessment, models.Enrolment, models.LessonCompletion, models.Attempt,
    models.LiteracyStatus, models.SelfAssessmentResult, models.SupervisedSession,
]  # fmt: skip


def test_every_learning_admin_page_opens(admin_client: Client, course: Course, learner: Any) -> None:
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    start_attempt(user=learner, assessment=course.assessments.get(kind="final"))
    for model in ADMIN_MODELS:
        name = f"admin:learning_{model._meta.model_name}"
        assert admin_client.get(reverse(f"{name}_changelist")).status_code == 200, model
        row = model.objects.first()
        if row is not None:
            assert admin_client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200, model


def test_editing_a_lesson_in_the_admin_renders_safe_html_and_bumps_the_course(
    admin_client: Client, course: Course
) -> None:
    lesson = course.lessons.get(slug="01-bai-mot")
    data = {
        "course": course.pk, "module": lesson.module_id, "slug": lesson.slug, "title": "Bài một mới",
        "summary": "", "position": 1, "minutes": 6, "body_markdown": "Chữ **đậm** <script>x()</script>",
        "competences": [competence.pk for competence in lesson.competences.all()], "audio_url": "", "video_url": "",
        "is_active": "on",
        "translations-TOTAL_FORMS": 0, "translations-INITIAL_FORMS": 0,
        "downloads-TOTAL_FORMS": 0, "downloads-INITIAL_FORMS": 0,
    }  # fmt: skip

    response = admin_client.post(reverse("admin:learning_lesson_change", args=[lesson.pk]), data)

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.title, lesson.body_html) == ("Bài một mới", "<p>Chữ <strong>đậm</strong> </p>")
    course.refresh_from_db()
    assert course.version == 2


def test_a_question_edited_in_the_admin_is_checked_and_versioned_once_used(
    admin_client: Client, course: Course, learner: Any
) -> None:
    question = Question.objects.get(key="q-single")
    enrol(user=learner, course=course)
    complete_all_lessons(learner, course)
    start_attempt(user=learner, assessment=course.assessments.get(kind="final"))
    url = reverse("admin:learning_question_change", args=[question.pk])
    data = {
        "course": course.pk, "key": "q-single", "type": "single", "competence": question.competence_id,
        "difficulty": 1, "lesson": question.lesson_id, "prompt": "Câu hỏi đã sửa?", "explanation": "Vì thế.",
        "image": "", "image_alt": "", "position": 1, "is_active": "on",
        "data": '{"choices": [{"text": "A", "correct": true}, {"text": "B", "correct": true}]}',
    }  # fmt: skip

    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "câu một lựa chọn phải có đúng 1 phương án đúng (đang có 2)" in refused.content.decode()

    data["data"] = '{"choices": [{"text": "A", "correct": true}, {"text": "B", "correct": false}]}'
    assert admin_client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert (question.is_active, question.prompt) == (False, "Câu một lựa chọn?")
    assert Question.objects.get(key="q-single", is_active=True).prompt == "Câu hỏi đã sửa?"


def test_import_export_and_load_commands(frameworks: None, tmp_path: Path) -> None:
    folder = write_course(tmp_path / "khoa-thu")
    out = StringIO()

    call_command("import_course", str(folder), stdout=out)
    call_command("export_course", "khoa-thu", str(tmp_path / "xuat"), stdout=out)
    call_command("import_course", str(tmp_path / "xuat"), stdout=out)

    assert out.getvalue().splitlines() == [
        "khoa-thu: created (version 1)",
        f"khoa-thu: 6 files written to {tmp_path / 'xuat'}",
        "khoa-thu: unchanged (version 1)",
    ]
    broken = write_course(tmp_path / "hong", questions=QUESTIONS.replace("type: ordering", "type: essay"))
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command("import_course", str(broken), stdout=StringIO(), stderr=errors)
    assert "(q-ordering): trường «type» phải là một trong" in errors.getvalue()
    assert Lesson.objects.count() == 3


def test_load_curricula_command_is_idempotent(db: None) -> None:
    first, second = StringIO(), StringIO()

    call_command("load_curricula", stdout=first)
    call_command("load_curricula", stdout=second)

    assert "course cong-dan-so: created (version 1)" in first.getvalue().splitlines()
    assert "course cong-dan-so: unchanged (version 1)" in second.getvalue().splitlines()
    assert Course.objects.count() == len([path for path in CURRICULA.iterdir() if (path / "course.yaml").is_file()])


def test_assessments_courses_and_rules_edited_in_the_admin_go_through_the_services(
    admin_client: Client, course: Course
) -> None:
    from hocvuso.core.models import AuditEntry
    from hocvuso.learning.models import LiteracyRule

    final = course.assessments.get(kind="final")
    url = reverse("admin:learning_assessment_change", args=[final.pk])
    data = {"title": final.title, "pass_mark": 80, "time_limit_minutes": 20, "max_attempts": 2, "cooldown_hours": 12,
            "blueprint": '{"4.1": 4}'}  # fmt: skip

    refused = admin_client.post(url, data)
    assert "Năng lực 4.1: số câu phải từ 1 đến 3" in refused.content.decode()
    data["blueprint"] = '{"4.1": 3, "4.2": 2}'
    assert admin_client.post(url, data).status_code == 302

    final.refresh_from_db()
    course.refresh_from_db()
    assert (final.pass_mark, final.blueprint, course.version) == (80, {"4.1": 3, "4.2": 2}, 2)
    rule_url = reverse("admin:learning_literacyrule_add")
    response = admin_client.post(
        rule_url, {"group": "elderly", "name": "Người cao tuổi", "is_active": "on", "required_assessments": [final.pk]}
    )
    assert response.status_code == 302
    assert list(LiteracyRule.objects.get(group="elderly").required_assessments.all()) == [final]
    assert AuditEntry.objects.filter(action="learning.literacy_rule_saved").count() == 1
    assert AuditEntry.objects.filter(action="learning.assessment_edited").count() == 1
