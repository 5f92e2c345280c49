"""Learner pages: the learner's home, the catalogue, a course, a lesson, enrolling, completing a lesson and the
self-assessment. Each view reads the request, calls one learning service or selector, and renders; every view
declares its access policy with a decorator from `hocvuso.accounts.access`.

Course content is public (anyone may read the catalogue, a course outline and the open lessons); what the
learner does is signed in, with the object named in the POST body so the URL names only what is public or
the learner's own.
"""

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.access import has_permission, needs_second_factor, public, signed_in
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.learning.models import Course, SelfAssessmentResult, TargetGroup, TranslationLanguage
from hocvuso.learning.selectors import (
    LessonPage,
    OutlineModule,
    course_catalogue,
    learner_dashboard,
    lesson_page,
)
from hocvuso.learning.services import complete_lesson, enrol, recommend_from_self_assessment
from hocvuso.web.fragments import fragment
from hocvuso.web.links import fixed_url

from . import selectors

LEADING_TITLE = re.compile(r"^\s*<h1>.*?</h1>\s*", re.S)
LANGUAGE_PARAMETER = "ngon-ngu"
GROUP_PARAMETER = "nhom"


def outline_rows(outline: list[OutlineModule], course_slug: str, base: str = "") -> list[dict[str, Any]]:
    """The course outline ready to print: each module with its lessons' links, which are the course's address
    (`base`, reversed here when not given) followed by the lesson's slug: reversed once, not per lesson, as the
    lesson page is the busiest page of the site."""
    base = base or reverse("web:course", kwargs={"course_slug": course_slug})
    return [
        {
            "title": module.title,
            "lessons": [
                {
                    "title": lesson.title,
                    "state": lesson.state,
                    "url": f"{base}{lesson.slug}/",
                    "is_current": lesson.is_current,
                    "minutes": ngettext("%(count)s phút", "%(count)s phút", lesson.minutes) % {"count": lesson.minutes}
                    if lesson.minutes
                    else "",
                }
                for lesson in module.lessons
            ],
        }
        for module in outline
    ]


def learner_home(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's home (called by web.views.home, which carries the access policy): enrolments
    with progress and the next lesson, final assessment scores, the literacy status, the last self-assessment; and,
    for someone given a staff role while signed in without a second factor, how to start using it."""
    context = {
        "dashboard": learner_dashboard(user=request.user),
        "needs_second_factor": needs_second_factor(request.user),
    }
    return render(request, "web/home_learner.html", context)


@public
def catalogue(request: HttpRequest) -> HttpResponse:
    group = request.GET.get(GROUP_PARAMETER, "")
    if group not in TargetGroup.values:
        group = ""
    entries = course_catalogue(user=request.user, group=group)
    return render(
        request,
        "web/learning/catalogue.html",
        {"entries": entries, "groups": TargetGroup.choices, "group": group},
    )


@public
def course_detail(request: HttpRequest, course_slug: str) -> HttpResponse:
    page = selectors.course_page(user=request.user, course_slug=course_slug)
    return render(
        request, "web/learning/course.html", {"page": page, "outline": outline_rows(page.outline, course_slug)}
    )


@public
def lesson_detail(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    """A lesson: its text (unless still locked for this learner), audio, video, downloads, quiz, the button to
    complete it and the course outline. ``?ngon-ngu=`` shows a translation when there is one.

    The lesson itself and the pager with the outline are the same for every learner at the same point of the
    same lesson: they are rendered once per process and kept (``web/fragments.py``), each under a key naming
    everything it shows; only the frame and the buttons (the user, CSRF tokens) are rendered per request."""
    language = request.GET.get(LANGUAGE_PARAMETER, "")[:10]
    page = lesson_page(user=request.user, course_slug=course_slug, lesson_slug=lesson_slug, language=language)
    # a locked lesson's notice links to the lesson to do first
    next_open = (
        next((lesson.slug for module in page.outline for lesson in module.lessons if lesson.state == "open"), None)
        if page.is_locked
        else None
    )
    course_url = reverse("web:course", kwargs={"course_slug": page.course.slug})
    # a lesson's address is its course's followed by its slug (see outline_rows)
    links = {"courses": fixed_url("web:courses"), "course": course_url}
    # An instructor may record the narration (no query for a learner: their roles ride in the session).
    can_record = request.user.is_authenticated and has_permission(request.user, Permission.RUN_CLASS)
    # The content's build names the course's content, its address included (a new build whenever the course
    # changes): with the language, it names the lesson's text and media, the pager and the outline's lessons.
    build = page.lesson.build
    article_key = (build, page.lesson.pk, page.language, page.is_locked, page.is_completed, can_record, next_open)
    states = tuple(lesson.state for module in page.outline for lesson in module.lessons)
    outline_key = (build, page.lesson.pk, states, page.completed_count, page.required_count)
    context: dict[str, Any] = {
        "page": page,
        "links": links,
        "signed_in": request.user.is_authenticated,
        "article": fragment(
            "web/learning/_lesson_article.html",
            article_key,
            lambda: _article_context(page, links=links, next_open=next_open, can_record=can_record),
        ),
        "outline_section": fragment(
            "web/learning/_lesson_outline.html", outline_key, lambda: _outline_context(page, links=links)
        ),
    }
    return render(request, "web/learning/lesson.html", context)


def _article_context(
    page: LessonPage, *, links: dict[str, str], next_open: str | None, can_record: bool
) -> dict[str, Any]:
    """What the lesson's fragment shows: only what its key in `lesson_detail` names (the learner's progress
    as done or locked, never who they are)."""
    names = dict(TranslationLanguage.choices)
    return {
        "shown": {
            "course": page.course,
            "lesson": page.lesson,
            "language": page.language,
            "title": page.title,
            "summary": page.summary,
            "audio_url": page.audio_url,
            "video_url": page.video_url,
            "downloads": page.downloads,
            "is_completed": page.is_completed,
            "is_locked": page.is_locked,
        },
        "links": links,
        # Sanitised with nh3 when the lesson was imported or saved; its own "# Title" line is the page's h1.
        "body": mark_safe(LEADING_TITLE.sub("", page.body_html, count=1)),  # noqa: S308
        "languages": [(code, names.get(code, code)) for code in page.languages],
        "course_language": page.course.language,
        "next_open": next_open,
        "can_record": can_record,
    }


def _outline_context(page: LessonPage, *, links: dict[str, str]) -> dict[str, Any]:
    """What the pager-and-outline fragment shows: only what its key in `lesson_detail` names."""
    return {
        "shown": {
            "previous_slug": page.previous_slug,
            "next_slug": page.next_slug,
            "completed_count": page.completed_count,
            "required_count": page.required_count,
        },
        "links": links,
        "outline": outline_rows(page.outline, page.course.slug, links["course"]),
    }


def _course_url(course: Course) -> str:
    return reverse("web:course", kwargs={"course_slug": course.slug})


@signed_in
@require_POST
def enrol_in_course(request: HttpRequest) -> HttpResponse:
    """Enrol in the course named in the form (enrolling twice changes nothing), with the learner's own
    self-assessment recommendation when the form names one, then show the course."""
    course = Course.objects.published().filter(slug=request.POST.get("course", "")[:80]).first()
    if course is None:
        raise Http404
    recommendation = None
    recommendation_id = request.POST.get("recommendation", "")
    if recommendation_id.isdigit():
        recommendation = SelfAssessmentResult.objects.filter(
            pk=int(recommendation_id), user_id=request.user.pk or 0
        ).first()
    try:
        enrol(user=request.user, course=course, recommendation=recommendation)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Bạn đã ghi danh khóa học «%(course)s».") % {"course": course.title})
    return redirect(_course_url(course))


@signed_in
@require_POST
def complete_lesson_view(request: HttpRequest) -> HttpResponse:
    """Mark the lesson named in the form complete, then go to the next lesson (or back to the course)."""
    lesson = selectors.active_lesson(lesson_id=request.POST.get("lesson"))
    here = reverse("web:lesson", kwargs={"course_slug": lesson.course.slug, "lesson_slug": lesson.slug})
    try:
        complete_lesson(user=request.user, lesson=lesson)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(here)
    following = selectors.lesson_after(lesson)
    if following is None:
        messages.success(
            request,
            _("Bạn đã học xong bài cuối «%(lesson)s». Hãy làm bài đánh giá cuối khóa.") % {"lesson": lesson.title},
        )
        return redirect(_course_url(lesson.course))
    messages.success(request, _("Đã hoàn thành bài «%(lesson)s».") % {"lesson": lesson.title})
    return redirect("web:lesson", course_slug=lesson.course.slug, lesson_slug=following.slug)


@signed_in
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest) -> HttpResponse:
    """The self-assessment: about twenty "Tôi có thể…" statements on a 4-point scale (and the learner's group
    when the registry does not know it); the answers give a recommended course and starting point."""
    questionnaire = selectors.active_self_assessment()
    if questionnaire is None:
        return render(request, "web/learning/self_assessment.html", {"questionnaire": None})
    ask_group = selectors.needs_group_question(request.user)
    answers: dict[str, str] = {}
    group = ""
    error = ""
    if request.method == "POST":
        answers = {item["id"]: request.POST.get(f"sa-{item['id']}", "")[:4] for item in questionnaire.items}
        group = request.POST.get("group", "")[:20] if ask_group else ""
        try:
            recommend_from_self_assessment(
                user=request.user, answers={key: value for key, value in answers.items() if value}, group=group or None
            )
        except DomainError as problem:
            error = str(problem.message)
        else:
            return redirect("web:self_assessment_result")
    group_question = (questionnaire.recommendation or {}).get("group_question") or {}
    items = [
        {
            "id": item["id"],
            "number": number,
            "text": item["text"],
            "name": f"sa-{item['id']}",
            "options": [
                {
                    "value": str(step["value"]),
                    "label": step.get("label", ""),
                    "checked": answers.get(item["id"]) == str(step["value"]),
                }
                for step in questionnaire.scale
            ],
        }
        for number, item in enumerate(questionnaire.items, start=1)
    ]
    context = {
        "questionnaire": questionnaire,
        "items": items,
        "ask_group": ask_group,
        "group_text": group_question.get("text") or _("Bạn thuộc nhóm nào?"),
        "group_options": [
            {"value": option["group"], "label": option.get("label", ""), "checked": option["group"] == group}
            for option in group_question.get("options")
            or [{"group": value, "label": label} for value, label in TargetGroup.choices]
        ],
        "minimum": (questionnaire.scoring or {}).get("min_answered"),
        "error": error,
    }
    return render(request, "web/learning/self_assessment.html", context, status=400 if error else 200)


@signed_in
def self_assessment_result(request: HttpRequest) -> HttpResponse:
    """The learner's last self-assessment: their level, the recommended course and starting point, and the
    button to enrol with that starting point."""
    outcome = selectors.last_self_assessment(user=request.user)
    if outcome is None:
        return redirect("web:self_assessment")
    return render(request, "web/learning/self_assessment_result.html", {"outcome": outcome})
