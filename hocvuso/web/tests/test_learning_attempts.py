"""Assessments over HTTP with the real starter course: the assessment page, the attempt page (no answer key in
it), answers saved one by one as JSON, submission once (with or without scripts), results, tampering refused
with a clear message and no change of score, and supervised mode."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from hocvuso.accounts.roles import Role
from hocvuso.learning.models import Attempt, AttemptAnswer, AttemptState, LiteracyStatus, Question, SupervisedSession
from hocvuso.learning.services import (
    complete_lesson,
    enrol,
    import_course_from_folder,
    load_frameworks,
    open_supervised_session,
    save_answer,
    start_attempt,
    submit_attempt,
)
from hocvuso.learning.tests.conftest import right, wrong

CURRICULA = Path(settings.BASE_DIR) / "curricula"


@pytest.fixture
def course(db):
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    return import_course_from_folder(path=CURRICULA / "cong-dan-so", actor=None).course


@pytest.fixture
def final(course):
    return course.assessments.get(kind="final")


@pytest.fixture
def learner(make_user):
    return make_user(Role.LEARNER, full_name="Y Bhim Niê")


@pytest.fixture
def learner_client(client: Client, learner) -> Client:
    client.force_login(learner)
    return client


@pytest.fixture
def ready(learner, course):
    """The learner enrolled with every lesson completed: the final assessment is open to them."""
    enrol(user=learner, course=course)
    for lesson in course.lessons.active().order_by("position"):
        complete_lesson(user=learner, lesson=lesson)
    return learner


@pytest.fixture
def attempt(ready, final):
    return start_attempt(user=ready, assessment=final)


def rows(attempt):
    return list(attempt.answers.select_related("question").order_by("position"))


def form_fields(row, answer) -> dict:
    """The attempt page's form fields that give this answer (in display keys) to the row's question."""
    name = f"q{row.question_id}"
    kind = row.question.type
    if kind in ("single", "image"):
        return {name: str(answer)}
    if kind == "true_false":
        return {name: "true" if answer else "false"}
    if kind == "multiple":
        return {name: [str(key) for key in answer]}
    if kind == "ordering":
        return {f"{name}-{key}": str(place) for place, key in enumerate(answer, start=1)}
    return {f"{name}-{left}": "" if chosen is None else str(chosen) for left, chosen in enumerate(answer)}


def submit_form(attempt, *, right_count: int, key: str = "key-1") -> dict:
    data: dict = {"idempotency_key": key, "questions": [str(row.question_id) for row in rows(attempt)]}
    for index, row in enumerate(rows(attempt)):
        data.update(form_fields(row, right(row) if index < right_count else wrong(row)))
    return data


def post_answer(client: Client, attempt_id, question_id, answer):
    return client.post(
        f"/bai-lam/{attempt_id}/tra-loi/",
        json.dumps({"question": question_id, "answer": answer}),
        content_type="application/json",
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def saved_answers(attempt) -> list:
    return list(attempt.answers.order_by("position").values_list("answer", flat=True))


# --- the assessment page and starting ---------------------------------------------------------------------


def test_assessment_page_tells_pass_mark_time_limit_and_attempts_left(learner_client, ready, final):
    response = learner_client.get(f"/danh-gia/{final.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "từ 70%" in body
    assert "30 phút" in body
    assert "3 (còn 3 lần)" in body
    assert "làm lại sau 24 giờ" in body
    assert "Bắt đầu làm bài" in body


def test_assessment_page_before_the_lessons_says_what_is_left(learner_client, learner, course, final):
    enrol(user=learner, course=course)

    response = learner_client.get(f"/danh-gia/{final.pk}/")
    refused = learner_client.post("/hoc/lam-bai/", {"assessment": final.pk}, follow=True)

    assert "Hãy học xong tất cả bài học trước (còn 8 bài)." in response.content.decode()
    assert "Bắt đầu làm bài" not in response.content.decode()
    assert messages_of(refused) == ["Hãy học xong tất cả bài học trước khi làm bài đánh giá (còn 8 bài)."]
    assert Attempt.objects.count() == 0


def test_starting_opens_the_attempt_and_starting_again_resumes_it(learner_client, ready, final):
    first = learner_client.post("/hoc/lam-bai/", {"assessment": final.pk})
    second = learner_client.post("/hoc/lam-bai/", {"assessment": final.pk})

    attempt = Attempt.objects.get(user=ready)
    assert first["Location"] == second["Location"] == f"/bai-lam/{attempt.pk}/"


def test_after_a_failed_attempt_the_cooldown_is_explained(learner_client, attempt, final):
    submit_attempt(user=attempt.user, attempt_id=attempt.pk, idempotency_key="k")

    response = learner_client.get(f"/danh-gia/{final.pk}/")
    refused = learner_client.post("/hoc/lam-bai/", {"assessment": final.pk}, follow=True)

    body = response.content.decode()
    assert "Hãy ôn lại bài rồi làm lại sau." in body
    assert "Bạn có thể làm lại từ" in body
    assert "(còn 2 lần)" in body
    assert messages_of(refused)[0].startswith("Hãy ôn lại bài rồi làm lại từ ")
    assert Attempt.objects.filter(user=attempt.user).count() == 1


# --- the attempt page -------------------------------------------------------------------------------------


def test_attempt_page_holds_no_answer_key_nor_explanation(learner_client, attempt):
    response = learner_client.get(f"/bai-lam/{attempt.pk}/")

    body = response.content.decode()
    questions = [row.question for row in rows(attempt)]
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert body.count('<fieldset class="question"') == 17
    assert "correct" not in body.lower()
    for question in questions:
        assert escape(question.prompt) in body
        assert escape(question.explanation) not in body
    assert re.search(r'name="idempotency_key" value="[\w-]{32}"', body)


def test_each_page_render_carries_a_fresh_idempotency_key(learner_client, attempt):
    keys = [
        re.search(
            r'name="idempotency_key" value="([\w-]+)"', learner_client.get(f"/bai-lam/{attempt.pk}/").content.decode()
        ).group(1)
        for _ in range(2)
    ]

    assert keys[0] != keys[1]


def test_an_answer_is_saved_as_given_in_display_keys(learner_client, attempt):
    row = next(row for row in rows(attempt) if row.question.type == "single")

    response = post_answer(learner_client, attempt.pk, row.question_id, "2")
    page = learner_client.get(f"/bai-lam/{attempt.pk}/").content.decode()

    assert response.status_code == 200
    assert response.json() == {"saved": True, "question": row.question_id, "answered": True}
    assert AttemptAnswer.objects.get(pk=row.pk).answer == 2
    assert f'name="q{row.question_id}" value="2" checked' in page


def test_an_answer_is_saved_in_a_fixed_number_of_queries(learner_client, attempt, django_assert_num_queries):
    row = next(row for row in rows(attempt) if row.question.type == "single")
    post_answer(learner_client, attempt.pk, row.question_id, "0")

    # session, user; in the transaction (a savepoint in tests): the answer row with its question and the
    # attempt, locked; the write
    with django_assert_num_queries(6):
        response = post_answer(learner_client, attempt.pk, row.question_id, "1")

    assert response.status_code == 200
    assert AttemptAnswer.objects.get(pk=row.pk).answer == 1


def test_an_answer_that_does_not_fit_is_refused(learner_client, attempt):
    row = next(row for row in rows(attempt) if row.question.type == "single")

    response = post_answer(learner_client, attempt.pk, row.question_id, "99")
    broken = learner_client.post(f"/bai-lam/{attempt.pk}/tra-loi/", "{", content_type="application/json")
    deep = learner_client.post(f"/bai-lam/{attempt.pk}/tra-loi/", "[" * 2000 + "]" * 2000, "application/json")
    twice = learner_client.post(
        f"/bai-lam/{attempt.pk}/tra-loi/",
        f'{{"question": {row.question_id}, "answer": "1", "answer": "2"}}',
        "application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"error": "Câu trả lời không hợp lệ với câu hỏi này.", "code": "invalid_answer"}
    assert (broken.status_code, deep.status_code, twice.status_code) == (400, 400, 400)
    assert deep.json()["code"] == twice.json()["code"] == "invalid_answer"
    assert AttemptAnswer.objects.get(pk=row.pk).answer is None


def test_a_form_encoded_answer_under_the_csrf_check_is_a_400_not_a_server_error(learner, attempt):
    from hocvuso.accounts.tests.walk import csrf_token, new_client

    client = new_client()
    client.force_login(learner)
    row = next(row for row in rows(attempt) if row.question.type == "single")

    response = client.post(
        f"/bai-lam/{attempt.pk}/tra-loi/",
        {"question": row.question_id, "answer": "a", "csrfmiddlewaretoken": csrf_token(client)},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"
    assert AttemptAnswer.objects.get(pk=row.pk).answer is None


# --- tampering ----------------------------------------------------------------------------------------------


def test_another_learners_attempt_answers_404_everywhere_and_changes_nothing(client, make_user, attempt):
    row = rows(attempt)[0]
    save_answer(user=attempt.user, attempt_id=attempt.pk, question_id=row.question_id, answer=right(row))
    client.force_login(make_user(Role.LEARNER))

    statuses = [
        client.get(f"/bai-lam/{attempt.pk}/").status_code,
        client.get(f"/bai-lam/{attempt.pk}/ket-qua/").status_code,
        client.get(f"/bai-lam/{attempt.pk}/tra-loi/").status_code,
        post_answer(client, attempt.pk, row.question_id, wrong(row)).status_code,
        client.post(f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=0)).status_code,
    ]

    attempt.refresh_from_db()
    assert statuses == [404, 404, 404, 404, 404]
    assert attempt.state == AttemptState.IN_PROGRESS
    assert AttemptAnswer.objects.get(pk=row.pk).answer == right(row)


def test_an_answer_to_a_question_not_in_the_attempt_is_refused(learner_client, attempt, course):
    outside = Question.objects.filter(course=course).exclude(pk__in=attempt.question_ids).first()
    before = saved_answers(attempt)

    response = post_answer(learner_client, attempt.pk, outside.pk, 0)
    form = submit_form(attempt, right_count=17) | {f"q{outside.pk}": "0"}
    submitted = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", form, follow=True)

    attempt.refresh_from_db()
    assert response.status_code == 400
    assert response.json() == {"error": "Câu hỏi này không thuộc bài làm của bạn.", "code": "not_in_attempt"}
    assert messages_of(submitted) == ["Câu hỏi này không thuộc bài làm của bạn."]
    assert submitted.redirect_chain == [(f"/bai-lam/{attempt.pk}/", 302)]
    assert attempt.state == AttemptState.IN_PROGRESS and attempt.score is None
    assert AttemptAnswer.objects.filter(attempt=attempt, question=outside).count() == 0
    assert len(before) == 17


def test_an_answer_after_the_time_limit_is_refused_and_the_late_submission_scores_what_was_saved(
    learner_client, attempt
):
    first, second = rows(attempt)[:2]
    save_answer(user=attempt.user, attempt_id=attempt.pk, question_id=first.question_id, answer=right(first))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))

    late = post_answer(learner_client, attempt.pk, second.question_id, right(second))
    submitted = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=17))

    attempt.refresh_from_db()
    assert late.status_code == 409
    assert late.json()["code"] == "deadline_passed"
    assert late.json()["error"].startswith("Đã hết giờ làm bài lúc ")
    assert submitted["Location"] == f"/bai-lam/{attempt.pk}/ket-qua/"
    assert attempt.state == AttemptState.TIMED_OUT
    assert attempt.score == Decimal("5.88")  # 1 of 17: only the answer saved in time
    assert AttemptAnswer.objects.get(pk=second.pk).answer is None


def test_a_double_submit_shows_the_same_result_and_another_submission_changes_nothing(learner_client, attempt):
    form = submit_form(attempt, right_count=17)

    first = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", form)
    again = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", form, follow=True)
    other = learner_client.post(
        f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=0, key="key-2"), follow=True
    )

    attempt.refresh_from_db()
    assert first["Location"] == f"/bai-lam/{attempt.pk}/ket-qua/"
    assert messages_of(again) == ["Bài làm đã được nộp trước đó; kết quả giữ nguyên."]
    assert again.redirect_chain == [(f"/bai-lam/{attempt.pk}/ket-qua/", 302)]
    assert re.fullmatch(r"Bài làm này đã được nộp lúc .+; kết quả giữ nguyên: 100\.00%\.", messages_of(other)[0]), (
        messages_of(other)
    )
    assert attempt.score == Decimal("100.00") and attempt.passed is True
    assert attempt.idempotency_key == "key-1"
    assert post_answer(learner_client, attempt.pk, rows(attempt)[0].question_id, None).status_code == 409
    assert AttemptAnswer.objects.filter(attempt=attempt, points=1).count() == 17


def test_a_submission_without_idempotency_key_is_refused(learner_client, attempt):
    form = submit_form(attempt, right_count=17)
    del form["idempotency_key"]

    response = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", form, follow=True)

    attempt.refresh_from_db()
    assert messages_of(response) == ["Thiếu mã nộp bài; hãy tải lại trang rồi nộp lại."]
    assert attempt.state == AttemptState.IN_PROGRESS


# --- submitting and results -------------------------------------------------------------------------------


def test_without_scripts_the_form_sends_every_answer_and_a_failed_final_shows_competences(learner_client, attempt):
    response = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=5), follow=True)

    attempt.refresh_from_db()
    body = response.content.decode()
    assert attempt.score == Decimal("29.41") and attempt.passed is False
    assert all(answer is not None for answer in saved_answers(attempt))
    assert "29 điểm trên 100" in body
    assert "Chưa đạt" in body
    assert "Kết quả theo năng lực" in body
    assert "Xem lại từng câu" not in body
    for row in rows(attempt):
        assert escape(row.question.explanation) not in body
    assert "Bạn có thể làm lại từ" in body


def test_passing_the_final_confirms_literacy_on_the_result_and_the_home_page(learner_client, attempt):
    response = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=17), follow=True)
    home = learner_client.get("/")

    assert "Chúc mừng! Bạn đã được xác nhận đạt phổ cập kỹ năng số." in response.content.decode()
    assert LiteracyStatus.objects.filter(user=attempt.user, group="citizens").count() == 1
    assert "Đã xác nhận đạt phổ cập kỹ năng số" in home.content.decode()
    assert "Đã đạt bài đánh giá" in home.content.decode()


def test_passing_the_final_issues_the_certificate_the_learner_then_finds(learner_client, attempt):
    from hocvuso.credentials.keys import rotate_signing_key
    from hocvuso.credentials.models import Certificate

    rotate_signing_key(actor=None)
    learner_client.post(f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=17))

    certificate = Certificate.objects.get(user=attempt.user)
    assert certificate.group == "citizens" and certificate.literacy_status.attempt == attempt
    assert f"/xac-minh/{certificate.pk}/" in learner_client.get("/chung-nhan/").content.decode()


def test_a_quiz_result_explains_each_question(learner_client, learner, course):
    enrol(user=learner, course=course)
    lesson = course.lessons.active().order_by("position").first()

    started = learner_client.post("/hoc/lam-bai/", {"assessment": lesson.quiz.pk})
    quiz_attempt = Attempt.objects.get(user=learner, assessment=lesson.quiz)
    result = learner_client.post(
        f"/bai-lam/{quiz_attempt.pk}/nop/", submit_form(quiz_attempt, right_count=1), follow=True
    )

    body = result.content.decode()
    assert started["Location"] == f"/bai-lam/{quiz_attempt.pk}/"
    for row in rows(quiz_attempt):
        assert escape(row.question.explanation) in body
    assert "Bạn trả lời:" in body
    assert "Đáp án:" in body
    assert "Bài tiếp theo:" in body


def test_the_result_of_an_attempt_in_progress_leads_back_to_it(learner_client, attempt):
    response = learner_client.get(f"/bai-lam/{attempt.pk}/ket-qua/")

    assert response.status_code == 302 and response["Location"] == f"/bai-lam/{attempt.pk}/"


# --- supervised mode --------------------------------------------------------------------------------------


@pytest.fixture
def instructor(territory, make_user):
    return make_user(Role.INSTRUCTOR, territory.commune, full_name="Giảng viên Hoa")


def test_an_instructor_opens_a_session_and_sees_its_pin_and_code(client, instructor, territory, final):
    client.force_login(instructor)

    form = client.get("/giam-sat/")
    opened = client.post(
        "/giam-sat/", {"unit": territory.commune.code, "assessment": final.pk, "valid_hours": 2}, follow=True
    )

    session = SupervisedSession.objects.get(instructor=instructor)
    entry = opened.context["sessions"][0]
    assert form.status_code == 200
    assert 'value="24631"' in form.content.decode()
    assert session.unit == territory.commune and session.assessment == final
    assert re.fullmatch(r"\d{6}", entry["pin"])
    assert entry["code"] == session.pk.hex[:8].upper()
    assert entry["pin"] in opened.content.decode() and entry["code"] in opened.content.decode()


def test_a_learner_on_the_class_device_starts_the_assessment_with_the_pin(
    client, instructor, territory, learner, final
):
    opened = open_supervised_session(instructor=instructor, unit_code=territory.commune.code, assessment=final)
    code = opened.session.pk.hex[:8]
    client.force_login(learner)

    wrong_pin = client.post("/hoc/tai-lop/", {"code": code, "pin": "000000" if opened.pin != "000000" else "111111"})
    wrong_code = client.post("/hoc/tai-lop/", {"code": "ZZZZZZZZ", "pin": opened.pin})
    started = client.post("/hoc/tai-lop/", {"code": code.upper(), "pin": opened.pin})

    attempt = Attempt.objects.get(user=learner)
    assert "Mã PIN không đúng." in wrong_pin.content.decode()
    assert "Không có buổi kiểm tra nào đang mở với mã này." in wrong_code.content.decode()
    assert SupervisedSession.objects.get(pk=opened.session.pk).failed_pins == 1
    assert started["Location"] == f"/bai-lam/{attempt.pk}/"
    assert attempt.supervised_session_id == opened.session.pk and attempt.instructor == instructor


def test_closing_a_session_stops_its_pin_and_only_its_instructors_may_close_it(
    client, instructor, territory, make_user, learner, final
):
    opened = open_supervised_session(instructor=instructor, unit_code=territory.commune.code, assessment=final)
    client.force_login(make_user(Role.INSTRUCTOR, territory.other_commune))
    outsider = client.post("/giam-sat/dong/", {"session": str(opened.session.pk)})
    client.force_login(instructor)
    closed = client.post("/giam-sat/dong/", {"session": str(opened.session.pk)})
    client.force_login(learner)
    refused = client.post("/hoc/tai-lop/", {"code": opened.session.pk.hex[:8], "pin": opened.pin})

    assert outsider.status_code == 404
    assert closed.status_code == 302
    assert SupervisedSession.objects.get(pk=opened.session.pk).closed_at is not None
    assert "Không có buổi kiểm tra nào đang mở với mã này." in refused.content.decode()
    assert Attempt.objects.count() == 0


# --- confirming a submission with blanks, resuming, what to review ------------------------------------------


def test_submitting_with_questions_left_blank_asks_first_and_keeps_the_answers_given(learner_client, attempt):
    data = submit_form(attempt, right_count=17)
    blank = rows(attempt)[2:4]
    for row in blank:
        for name in [name for name in data if name == f"q{row.question_id}" or name.startswith(f"q{row.question_id}-")]:
            del data[name]

    asked = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", data)
    page = learner_client.get(asked["Location"])

    attempt.refresh_from_db()
    body = page.content.decode()
    assert asked["Location"] == f"/bai-lam/{attempt.pk}/?xac-nhan-nop=1#xac-nhan-nop"
    assert attempt.state == AttemptState.IN_PROGRESS and attempt.score is None
    assert [answer is None for answer in saved_answers(attempt)] == [False] * 2 + [True] * 2 + [False] * 13
    assert "Bạn còn 2 câu chưa trả lời" in body
    assert '<a class="chip-link" href="#cau-3">Câu 3</a>' in body and 'href="#cau-4">Câu 4</a>' in body
    assert 'form="attempt-form" class="button" name="nop_khi_con_cau_trong" value="1">Vẫn nộp bài</button>' in body

    confirmed = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", data | {"nop_khi_con_cau_trong": "1"})

    attempt.refresh_from_db()
    assert confirmed["Location"] == f"/bai-lam/{attempt.pk}/ket-qua/"
    assert attempt.state == AttemptState.SUBMITTED and attempt.score == Decimal("88.24")


def test_a_complete_submission_is_not_asked_about(learner_client, attempt):
    response = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=17))

    attempt.refresh_from_db()
    assert response["Location"] == f"/bai-lam/{attempt.pk}/ket-qua/"
    assert attempt.state == AttemptState.SUBMITTED


def test_coming_back_to_an_attempt_in_progress_says_so_and_shows_the_saved_answers(learner_client, attempt, final):
    fresh = learner_client.get(f"/bai-lam/{attempt.pk}/").content.decode()
    row = rows(attempt)[0]
    save_answer(user=attempt.user, attempt_id=attempt.pk, question_id=row.question_id, answer=right(row))

    assessment = learner_client.get(f"/danh-gia/{final.pk}/").content.decode()
    resumed = learner_client.post("/hoc/lam-bai/", {"assessment": final.pk}, follow=True)

    body = resumed.content.decode()
    assert "Bạn đang làm tiếp bài" not in fresh
    assert "Bạn đang làm dở bài này: đã lưu 1/17 câu trả lời." in assessment
    assert resumed.redirect_chain == [(f"/bai-lam/{attempt.pk}/", 302)]
    started = timezone.localtime(attempt.started_at).strftime("%H:%M %d/%m/%Y")
    assert f"Bạn đang làm tiếp bài bắt đầu lúc {started}: đã lưu 1/17 câu trả lời." in body
    assert Attempt.objects.filter(user=attempt.user).count() == 1


def test_a_failed_final_names_the_competences_to_review_with_their_lessons_but_no_answer(learner_client, attempt):
    response = learner_client.post(f"/bai-lam/{attempt.pk}/nop/", submit_form(attempt, right_count=9), follow=True)

    body = response.content.decode()
    review = response.context["review"]
    assert review.passed is False
    weak = {result.code for result in review.competences if result.percent < 70}
    assert [item.code for item in review.to_review] == sorted(
        weak, key=lambda code: (next(r.percent for r in review.competences if r.code == code), code)
    )
    assert weak and all(item.lessons for item in review.to_review)
    assert "Nên ôn lại" in body
    first = review.to_review[0]
    assert f'<a href="/khoa-hoc/cong-dan-so/{first.lessons[0][0]}/">{escape(first.lessons[0][1])}</a>' in body
    for row in rows(attempt):
        assert escape(row.question.prompt) not in body
        assert escape(row.question.explanation) not in body
    assert "Đáp án" not in body


def test_a_picture_question_shows_its_picture_with_its_description_and_the_file_is_served(
    learner_client, learner, course
):
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=course.lessons.get(slug="01-danh-tinh-so-vneid"))
    quiz = course.assessments.get(kind="quiz", lesson__slug="02-lam-vneid-muc-2")
    attempt = start_attempt(user=learner, assessment=quiz)
    question = Question.objects.get(course=course, key="cds-010", is_active=True)

    body = learner_client.get(f"/bai-lam/{attempt.pk}/").content.decode()
    picture = learner_client.get(question.image.url)

    assert question.image.url.startswith("/media/learning/cong-dan-so/")
    assert f'<img class="question-image" src="{question.image.url}" alt="{escape(question.image_alt)}">' in body
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content).startswith(b"\x89PNG")


def test_only_files_of_published_courses_are_served(client, course):
    question = Question.objects.get(course=course, key="cds-010", is_active=True)
    url = question.image.url
    statuses = [client.get(url).status_code, client.get("/media/learning/../certificates/x.pdf").status_code]
    course.is_published = False
    course.save()

    assert statuses == [200, 404]
    assert client.get(url).status_code == 404
    assert client.get("/media/reports/bao-cao.pdf").status_code == 404


# --- an instructor's learners ----------------------------------------------------------------------------


def supervised_attempt(instructor, territory, learner, final):
    opened = open_supervised_session(instructor=instructor, unit_code=territory.commune.code, assessment=final)
    return start_attempt(user=learner, assessment=final, supervised_by=opened.session.pk, instructor_pin=opened.pin)


def test_an_instructor_sees_the_progress_and_results_of_the_learners_they_supervised(
    client, instructor, territory, make_user, ready, final, course, django_assert_max_num_queries
):
    attempt = supervised_attempt(instructor, territory, ready, final)
    submit_attempt(user=ready, attempt_id=attempt.pk, idempotency_key="k")  # nothing answered: 0%, not passed
    elsewhere = make_user(Role.LEARNER, full_name="Người Học Khác")
    enrol(user=elsewhere, course=course)  # enrolled, but never tested with this instructor
    client.force_login(instructor)

    with django_assert_max_num_queries(12):
        response = client.get("/giam-sat/hoc-vien/")

    body = response.content.decode()
    learners = response.context["learners"]
    assert response.status_code == 200
    assert [(learner.name, learner.literacy_confirmed) for learner in learners] == [("Y Bhim Niê", False)]
    progress = learners[0].courses[0]
    assert (progress.course_slug, progress.lessons_done, progress.lessons_total) == ("cong-dan-so", 8, 8)
    assert (progress.best_score, progress.passed) == (Decimal("0.00"), False)
    assert "Y Bhim Niê" in body and "8/8" in body and "Chưa đạt" in body
    assert "Người Học Khác" not in body
    for row in rows(attempt):
        assert escape(row.question.prompt) not in body


def test_the_learners_list_is_the_instructors_own_and_closed_to_learners(
    client, instructor, territory, make_user, ready, final
):
    supervised_attempt(instructor, territory, ready, final)
    client.force_login(make_user(Role.INSTRUCTOR, territory.commune))
    colleague = client.get("/giam-sat/hoc-vien/")
    client.force_login(ready)
    learner_view = client.get("/giam-sat/hoc-vien/")

    assert colleague.status_code == 200 and colleague.context["learners"] == []
    assert "Chưa có học viên nào làm bài kiểm tra có giám sát với bạn." in colleague.content.decode()
    assert learner_view.status_code == 404
