"""Assessment pages: what an assessment asks (pass mark, time limit, attempts left, cool-down), starting an
attempt, the attempt page (no answer key in it), saving each answer as it is given (a small JSON endpoint),
submitting once, the result; and supervised mode (an instructor opens a session and reads out its PIN, a
learner on the class device starts the assessment with it).

An attempt's URL names the learner's own attempt: another learner's id answers 404, exactly like a missing
one, before anything else is looked at.
"""

import secrets
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.access import home_unit, public, requires, signed_in, units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.jsonbody import read_json_body
from hocvuso.credentials.tasks import issue_certificates_of_user
from hocvuso.learning.models import AssessmentKind, AttemptState
from hocvuso.learning.selectors import (
    AttemptPage,
    assessment_status,
    attempt_page,
    attempt_result,
    supervised_sessions_for,
)
from hocvuso.learning.services import (
    close_supervised_session,
    open_supervised_session,
    save_answer,
    start_attempt,
    submit_attempt,
)
from hocvuso.territory.models import Level

from . import selectors
from .answers import answer_from_post, describe, posted_question_ids, question_form
from .forms import ClassStartForm, OpenSessionForm

# Codes of refusals that mean "this attempt is closed": a submission then asks for the result as it stands.
CLOSED_CODES = {"already_submitted", "deadline_passed"}
SESSION_PINS = "learning.supervised_pins"
# A submission with questions left blank is confirmed with this field; the attempt page asks with this parameter.
CONFIRM_FIELD = "nop_khi_con_cau_trong"
CONFIRM_PARAMETER = "xac-nhan-nop"
RESUMED_AFTER = timedelta(minutes=1)
MAX_ANSWER_BYTES = 4096


def _attempt_url(attempt_id: Any) -> str:
    return reverse("web:attempt", kwargs={"attempt_id": attempt_id})


def _result_url(attempt_id: Any) -> str:
    return reverse("web:attempt_result", kwargs={"attempt_id": attempt_id})


def _assessment_url(assessment_id: int) -> str:
    return reverse("web:assessment", kwargs={"assessment_id": assessment_id})


# --- an assessment and starting it -----------------------------------------------------------------------


@public
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """What the assessment asks and what the learner may do now: start, resume, wait, or nothing more."""
    assessment = selectors.published_assessment(assessment_id=assessment_id)
    status = assessment_status(user=request.user, assessment=assessment) if request.user.is_authenticated else None
    return render(request, "web/learning/assessment.html", {"assessment": assessment, "status": status})


@signed_in
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start (or resume) an attempt at the assessment named in the form, then show it."""
    assessment = selectors.published_assessment(assessment_id=request.POST.get("assessment"))
    try:
        attempt = start_attempt(user=request.user, assessment=assessment)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_assessment_url(assessment.pk))
    return redirect(_attempt_url(attempt.pk))


# --- the attempt ---------------------------------------------------------------------------------------


def _own_page(request: HttpRequest, attempt_id: Any) -> AttemptPage:
    return attempt_page(user=request.user, attempt_id=attempt_id)


@signed_in
@never_cache
def attempt_detail(request: HttpRequest, attempt_id: Any) -> HttpResponse:
    """The attempt page: each question with its options in this attempt's order and the saved answer, a
    countdown, and the submit button carrying a fresh idempotency key. Nothing on it tells the right answer."""
    page = _own_page(request, attempt_id)
    if page.state != AttemptState.IN_PROGRESS:
        return redirect(_result_url(page.id))
    unanswered = [question.number for question in page.questions if question.answer is None]
    confirming = request.GET.get(CONFIRM_PARAMETER) == "1" and bool(unanswered) and page.seconds_left != 0
    context = {
        "page": page,
        "questions": [question_form(question) for question in page.questions],
        "idempotency_key": secrets.token_urlsafe(24),
        "time_up": page.seconds_left == 0,
        "confirming": confirming,
        "unanswered": unanswered,
        # Coming back to an attempt started earlier (answers saved, or started over a minute ago): say so.
        "resumed": not confirming and (page.answered_count > 0 or timezone.now() - page.started_at > RESUMED_AFTER),
    }
    return render(request, "web/learning/attempt.html", context)


@signed_in
def attempt_answer(request: HttpRequest, attempt_id: Any) -> HttpResponse:
    """Save one answer as it is given: JSON ``{"question": id, "answer": …}`` in display keys. Answers
    ``{"saved": true}``, or the refusal's message with 400 (a question not in the attempt, an answer that does
    not fit) or 409 (submitted, or past the deadline); 404 for an attempt that is not the learner's."""
    if request.method != "POST":
        if not selectors.owns_attempt(user=request.user, attempt_id=attempt_id):
            raise NotFound()
        return HttpResponseNotAllowed(["POST"])
    not_found = JsonResponse({"error": _("Không tìm thấy lượt làm bài."), "code": "not_found"}, status=404)
    try:
        # Only a JSON body is read: a form-encoded one was already consumed by the CSRF check.
        if request.content_type != "application/json":
            raise ValueError
        payload = read_json_body(request.body, max_bytes=MAX_ANSWER_BYTES)
        question_id, answer = payload["question"], payload.get("answer")
    except (ValueError, KeyError, TypeError):
        if not selectors.owns_attempt(user=request.user, attempt_id=attempt_id):
            return not_found  # someone else's attempt answers 404 whatever the body
        return JsonResponse({"error": _("Câu trả lời không hợp lệ."), "code": "invalid_answer"}, status=400)
    try:
        row = save_answer(user=request.user, attempt_id=attempt_id, question_id=question_id, answer=answer)
    except NotFound:
        return not_found
    except DomainError as error:
        status = 409 if error.code in CLOSED_CODES else 400
        return JsonResponse({"error": str(error.message), "code": error.code}, status=status)
    return JsonResponse({"saved": True, "question": row.question_id, "answered": row.answer is not None})


def _save_posted_answers(request: HttpRequest, page: AttemptPage) -> None:
    """Save every answer of the posted form (the page works without scripts: then the answers arrive only
    here). A field naming a question that is not in the attempt is refused by the service like any other."""
    shown = {question.id: question for question in page.questions}
    for question_id in sorted(posted_question_ids(request.POST)):
        question = shown.get(question_id)
        if question is None:
            save_answer(user=request.user, attempt_id=page.id, question_id=question_id, answer=None)
            continue
        answer = answer_from_post(question, request.POST)
        if answer != question.answer:
            save_answer(user=request.user, attempt_id=page.id, question_id=question_id, answer=answer)


@signed_in
def attempt_submit(request: HttpRequest, attempt_id: Any) -> HttpResponse:
    """Submit the attempt: save the form's answers (while there is time); with questions left blank and not
    yet confirmed, go back to the attempt page asking to confirm (works without scripts); then score once on the
    server with the page's idempotency key; the same submission again shows the same result."""
    page = _own_page(request, attempt_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    still_open = page.state == AttemptState.IN_PROGRESS and not (
        page.deadline is not None and timezone.now() >= page.deadline
    )
    if still_open:
        try:
            _save_posted_answers(request, page)
        except DomainError as error:
            if error.code not in CLOSED_CODES:
                messages.error(request, str(error.message))
                return redirect(_attempt_url(page.id))
        if request.POST.get(CONFIRM_FIELD) != "1" and _own_page(request, attempt_id).answered_count < len(
            page.questions
        ):
            # Questions left blank: ask first (the answers given are saved); the page offers to submit anyway.
            return redirect(f"{_attempt_url(page.id)}?{CONFIRM_PARAMETER}=1#xac-nhan-nop")
    try:
        result = submit_attempt(
            user=request.user, attempt_id=page.id, idempotency_key=request.POST.get("idempotency_key", "")
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_result_url(page.id) if error.code in CLOSED_CODES else _attempt_url(page.id))
    if result.replayed:
        messages.info(request, _("Bài làm đã được nộp trước đó; kết quả giữ nguyên."))
    if result.literacy_confirmed:
        # the province's certificate follows the confirmation (a worker, or at once in-process without Redis)
        issue_certificates_of_user.delay(request.user.pk)
    return redirect(_result_url(page.id))


@signed_in
def attempt_result_view(request: HttpRequest, attempt_id: Any) -> HttpResponse:
    """The result of a finished attempt: the score and whether it passed; per competence for a final
    assessment; each question with the right answer and its explanation for a practice quiz."""
    try:
        review = attempt_result(user=request.user, attempt_id=attempt_id)
    except NotFound:
        if selectors.owns_attempt(user=request.user, attempt_id=attempt_id):
            return redirect(_attempt_url(attempt_id))  # still in progress: no result yet
        raise
    assessment = review.attempt.assessment
    questions = [
        {
            "review": item,
            "given": describe(item.question, item.question.answer),
            "right": describe(item.question, item.right_answer),
            "is_right": item.points >= 1,
            "partly": 0 < item.points < 1,
        }
        for item in review.questions
    ]
    status = assessment_status(user=request.user, assessment=assessment)
    next_lesson = None
    if assessment.kind == AssessmentKind.QUIZ and assessment.lesson is not None:
        next_lesson = selectors.lesson_after(assessment.lesson)
    context = {
        "review": review,
        "assessment": assessment,
        "questions": questions,
        "status": status,
        "next_lesson": next_lesson,
    }
    return render(request, "web/learning/result.html", context)


# --- supervised mode -------------------------------------------------------------------------------------


def _class_units(user: Any) -> list[Any]:
    return list(
        units_visible_to(user, Permission.RUN_CLASS)
        .in_force()
        .filter(level__in=[Level.PROVINCE, Level.COMMUNE])
        .order_by("path")[:500]
    )


@requires(Permission.RUN_CLASS)
@require_http_methods(["GET", "POST"])
def supervision(request: HttpRequest) -> HttpResponse:
    """An instructor's supervised sessions: open one for a unit (its PIN is shown to the instructor, kept in
    their own browser session only), see those still open with the session code to read out, close one."""
    form = OpenSessionForm(
        request.POST or None, units=_class_units(request.user), assessments=selectors.final_assessments()
    )
    if request.method == "POST" and form.is_valid():
        try:
            opened = open_supervised_session(
                instructor=request.user,
                unit_code=form.cleaned_data["unit"],
                assessment=form.chosen_assessment(),
                class_session=form.cleaned_data["class_session"],
                valid_hours=form.cleaned_data["valid_hours"],
            )
        except NotFound:
            raise
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            pins = dict(request.session.get(SESSION_PINS, {}))
            pins[str(opened.session.pk)] = opened.pin
            request.session[SESSION_PINS] = pins
            messages.success(
                request, _("Đã mở buổi kiểm tra. Đọc mã buổi cho người học; tự nhập mã PIN trên máy của lớp.")
            )
            return redirect("web:supervision")
    pins = request.session.get(SESSION_PINS, {})
    sessions = [
        {"session": session, "code": selectors.session_code(session), "pin": pins.get(str(session.pk), "")}
        for session in supervised_sessions_for(user=request.user)
    ]
    context = {"form": form, "sessions": sessions, "class_unit": home_unit(request.user, Permission.RUN_CLASS)}
    return render(request, "web/learning/supervision.html", context)


@requires(Permission.RUN_CLASS)
@require_POST
def supervision_close(request: HttpRequest) -> HttpResponse:
    session = close_supervised_session(instructor=request.user, session_id=request.POST.get("session", ""))
    pins = dict(request.session.get(SESSION_PINS, {}))
    if pins.pop(str(session.pk), None) is not None:
        request.session[SESSION_PINS] = pins
    messages.success(request, _("Đã đóng buổi kiểm tra; mã PIN không còn dùng được."))
    return redirect("web:supervision")


@signed_in
@require_http_methods(["GET", "POST"])
def class_start(request: HttpRequest) -> HttpResponse:
    """On the class device: the learner (signed in with their own account) gives the session code, the
    instructor types the PIN, and the supervised attempt starts."""
    assessments = selectors.final_assessments()
    initial = {"code": request.GET.get("ma", "")[:20]}
    form = ClassStartForm(request.POST or None, initial=initial, assessments=assessments)
    if request.method == "POST" and form.is_valid():
        session = selectors.open_session_by_code(form.cleaned_data["code"])
        assessment = None
        if session is None:
            form.add_error("code", _("Không có buổi kiểm tra nào đang mở với mã này. Hãy hỏi lại người giám sát."))
        else:
            assessment = session.assessment or form.chosen_assessment()
            if assessment is None:
                form.add_error("assessment", _("Hãy chọn bài đánh giá."))
        if session is not None and assessment is not None:
            try:
                attempt = start_attempt(
                    user=request.user,
                    assessment=assessment,
                    supervised_by=session.pk,
                    instructor_pin=form.cleaned_data["pin"],
                )
            except NotFound:
                raise
            except DomainError as error:
                form.add_error("pin" if error.code.startswith("pin") else None, str(error.message))
            else:
                return redirect(_attempt_url(attempt.pk))
    return render(request, "web/learning/class_start.html", {"form": form})
