"""Recording lessons' narration: an instructor picks a lesson (the list shows which have narration), then records
in the browser (MediaRecorder, static/web/narration.js) or chooses a file. The form is a plain multipart POST, so
uploading works without scripts too. Course content is the province's, so the lesson is named in the query string
or the form, never in the path (as for the learner's own actions)."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hocvuso.accounts.access import requires
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.learning.models import Lesson, TranslationLanguage
from hocvuso.learning.services import MAX_NARRATION_BYTES, record_lesson_narration

LESSON_PARAMETER = "bai"


def _lesson(value: Any) -> Lesson:
    try:
        key = int(value)
    except (TypeError, ValueError):
        raise NotFound from None
    lesson = Lesson.objects.active().filter(pk=key, course__is_published=True).select_related("course", "audio").first()
    if lesson is None:
        raise NotFound
    return lesson


def _lessons_to_record() -> list[Lesson]:
    return list(
        Lesson.objects.active()
        .filter(course__is_published=True)
        .select_related("course")
        .order_by("course__title", "position")
    )


@requires(Permission.RUN_CLASS)
@require_http_methods(["GET", "POST"])
def record_narration(request: HttpRequest) -> HttpResponse:
    """Without a lesson: the published lessons, each marked with or without narration. With one (?bai= or the
    form's `lesson`): the recorder; a POST stores the recording (record_lesson_narration) and shows the lesson."""
    chosen = request.POST.get("lesson") if request.method == "POST" else request.GET.get(LESSON_PARAMETER)
    if chosen in (None, ""):
        if request.method == "POST":
            return render(request, "web/learning/narration_lessons.html", {"lessons": _lessons_to_record()}, status=400)
        return render(request, "web/learning/narration_lessons.html", {"lessons": _lessons_to_record()})
    lesson = _lesson(chosen)
    names = dict(TranslationLanguage.choices)
    languages = [(code, names.get(code, code)) for code in lesson.translations.values_list("language", flat=True)]
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("audio")
        data = upload.read(MAX_NARRATION_BYTES + 1) if upload is not None else b""
        try:
            record_lesson_narration(
                lesson=lesson, language=request.POST.get("language", "")[:10], data=data, actor=request.user
            )
        except DomainError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("Đã lưu bản nghe của bài học."))
            return redirect(
                reverse("web:lesson", kwargs={"course_slug": lesson.course.slug, "lesson_slug": lesson.slug})
            )
    context = {"lesson": lesson, "languages": languages, "error": error, "max_kb": MAX_NARRATION_BYTES // 1024}
    return render(request, "web/learning/narration.html", context, status=400 if error else 200)
