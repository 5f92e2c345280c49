"""Admin for learning. Course content (courses, modules, lessons and their translations, media, downloads,
questions, assessments) and literacy rules are edited here, through the services that render the sanitised HTML,
check answer keys, version questions already used and keep the course's content hash. Frameworks and the
self-assessment come from files (manage.py load_curricula) and are shown read-only, like a learner's progress,
attempts and literacy confirmations (written only by the services)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import (
    Assessment,
    Attempt,
    AttemptAnswer,
    Competence,
    Course,
    CourseMedia,
    Domain,
    Enrolment,
    Framework,
    Lesson,
    LessonCompletion,
    LessonDownload,
    LessonTranslation,
    Level,
    LiteracyRule,
    LiteracyStatus,
    Module,
    Question,
    SelfAssessment,
    SelfAssessmentResult,
    SupervisedSession,
)
from .rendering import render_markdown
from .scoring import answer_key_problems
from .services import save_lesson, save_question
from .services.course_edits import (
    blueprint_problems,
    save_assessment,
    save_course,
    save_literacy_rule,
    store_course_media,
)

HTTPS_URLS: "dict[type[models.Field[Any, Any]], dict[str, Any]]" = {models.URLField: {"assume_scheme": "https"}}


def _https_urls(field: "models.Field[Any, Any]", **kwargs: Any) -> Any:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- frameworks (from files) ------------------------------------------------------------------------------


class LevelInline(ReadOnlyInline):
    model = Level
    fields = ["code", "step", "tier_name", "name", "digcomp_level"]


class DomainInline(ReadOnlyInline):
    model = Domain
    fields = ["target_group", "code", "name", "digcomp_code", "unverified"]


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "version", "updated_at"]
    inlines = [DomainInline, LevelInline]


@admin.register(Competence)
class CompetenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "name", "framework", "digcomp_code", "unverified"]
    list_filter = ["framework", "unverified"]
    search_fields = ["key", "name", "name_en"]
    list_select_related = ["framework"]


# --- course content ---------------------------------------------------------------------------------------


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["position", "slug", "title", "is_active"]


class CourseMediaInline(admin.TabularInline):
    model = CourseMedia
    extra = 0
    fields = ["path", "file", "size"]
    readonly_fields = ["size"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "group", "version", "is_published", "updated_at"]
    list_filter = ["group", "is_published"]
    search_fields = ["title", "slug"]
    readonly_fields = ["version", "content_hash"]
    inlines = [ModuleInline, CourseMediaInline]

    def save_model(self, request: HttpRequest, obj: Course, form: Any, change: bool) -> None:
        save_course(course=obj, actor=request.user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            save_course(course=form.instance, actor=request.user)  # the modules changed the content hash

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not CourseMedia:
            super().save_formset(request, form, formset, change)
            return
        for media in formset.save(commit=False):
            store_course_media(media=media, actor=request.user)
        for media in formset.deleted_objects:
            media.delete()


class LessonTranslationInline(admin.StackedInline):
    model = LessonTranslation
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["language", "title", "summary", "body_markdown", "audio", "audio_url"]


class LessonDownloadInline(admin.TabularInline):
    model = LessonDownload
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["position", "title", "media", "url"]


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        formfield_callback = _https_urls
        fields = [
            "course", "module", "slug", "title", "summary", "position", "minutes", "body_markdown", "competences",
            "audio", "audio_url", "video", "video_url", "is_active",
        ]  # fmt: skip

    def clean_body_markdown(self) -> str:
        text: str = self.cleaned_data["body_markdown"]
        course = self.cleaned_data.get("course") or getattr(self.instance, "course", None)
        paths = {row.path: "#" for row in course.media.all()} if course else {}
        missing = render_markdown(text, media_urls=paths).missing
        if missing:
            raise forms.ValidationError(
                _("Tham chiếu tới tệp không có trong khóa học: %(paths)s") % {"paths": ", ".join(missing)}
            )
        return text


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonForm
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "course", "module", "position", "minutes", "is_active"]
    list_filter = ["course", "is_active"]
    search_fields = ["title", "slug"]
    list_select_related = ["course", "module"]
    filter_horizontal = ["competences"]
    inlines = [LessonTranslationInline, LessonDownloadInline]

    def save_model(self, request: HttpRequest, obj: Lesson, form: Any, change: bool) -> None:
        save_lesson(lesson=obj, actor=request.user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            save_lesson(lesson=form.instance, actor=request.user)  # the translations' HTML, the course hash


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "course", "key", "type", "competence", "difficulty", "lesson", "prompt", "explanation", "image",
            "image_alt", "data", "position", "is_active",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        problems = answer_key_problems(cleaned.get("type", ""), cleaned.get("data"))
        if problems:
            self.add_error("data", "; ".join(problems))
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["key", "course", "type", "competence", "difficulty", "lesson", "is_active"]
    list_filter = ["course", "type", "difficulty", "is_active"]
    search_fields = ["key", "prompt"]
    list_select_related = ["course", "competence", "lesson"]
    raw_id_fields = ["competence", "lesson", "image"]

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        save_question(question=obj, actor=request.user)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["title", "pass_mark", "time_limit_minutes", "max_attempts", "cooldown_hours", "blueprint"]

    def clean_blueprint(self) -> Any:
        blueprint = self.cleaned_data["blueprint"]
        if self.instance.is_final:
            problems = blueprint_problems(course=self.instance.course, blueprint=blueprint)
            if problems:
                raise forms.ValidationError(" ".join(problems))
        return blueprint


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    form = AssessmentForm
    list_display = ["title", "course", "kind", "pass_mark", "time_limit_minutes", "max_attempts", "cooldown_hours"]
    list_filter = ["kind", "course"]
    list_select_related = ["course"]
    readonly_fields = ["course", "kind", "lesson"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created by the course import: one quiz per lesson, one final per course

    def save_model(self, request: HttpRequest, obj: Assessment, form: Any, change: bool) -> None:
        save_assessment(assessment=obj, actor=request.user)


@admin.register(LiteracyRule)
class LiteracyRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "is_active"]
    list_filter = ["group", "is_active"]
    filter_horizontal = ["required_assessments"]

    def save_model(self, request: HttpRequest, obj: LiteracyRule, form: Any, change: bool) -> None:
        save_literacy_rule(rule=obj, actor=request.user)


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "version", "is_active", "updated_at"]


# --- progress (written by the services only) --------------------------------------------------------------


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["user", "course", "enrolled_at", "completed_at"]
    list_filter = ["course"]
    list_select_related = ["user", "course"]
    search_fields = ["user__username"]
    show_full_result_count = False


@admin.register(LessonCompletion)
class LessonCompletionAdmin(ReadOnlyAdmin):
    list_display = ["user", "lesson", "completed_at"]
    list_select_related = ["user", "lesson"]
    search_fields = ["user__username"]
    show_full_result_count = False


class AttemptAnswerInline(ReadOnlyInline):
    model = AttemptAnswer
    fields = ["position", "question", "answer", "answered_at", "points"]


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["user", "assessment", "number", "state", "score", "passed", "started_at", "instructor"]
    list_filter = ["state", "passed", "assessment__kind"]
    list_select_related = ["user", "assessment", "instructor"]
    search_fields = ["user__username"]
    inlines = [AttemptAnswerInline]
    show_full_result_count = False


@admin.register(LiteracyStatus)
class LiteracyStatusAdmin(ReadOnlyAdmin):
    list_display = ["user", "group", "rule", "confirmed_at"]
    list_filter = ["group"]
    list_select_related = ["user", "rule"]
    search_fields = ["user__username"]
    show_full_result_count = False


@admin.register(SelfAssessmentResult)
class SelfAssessmentResultAdmin(ReadOnlyAdmin):
    list_display = ["user", "group", "score", "band", "recommended_course", "created_at"]
    list_select_related = ["user", "recommended_course"]
    show_full_result_count = False


@admin.register(SupervisedSession)
class SupervisedSessionAdmin(ReadOnlyAdmin):
    list_display = ["unit", "instructor", "assessment", "opened_at", "expires_at", "closed_at", "failed_pins"]
    list_select_related = ["unit", "instructor", "assessment"]
    exclude = ["pin_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupervisedSession]:
        return super().get_queryset(request).defer("pin_hash")
