"""Course content: Course → Module → Lesson, its downloads, translations and media; the question bank and
assessments."""

from typing import Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel

from .framework import Competence, Framework, TargetGroup, TranslationLanguage

# --- Course content --------------------------------------------------------------------------------------


class CourseQuerySet(models.QuerySet["Course"]):
    def published(self) -> Self:
        return self.filter(is_published=True)


class Course(TimeStampedModel):
    """Khóa học — a course for one target group, made of modules and lessons, with a question bank and a
    final assessment. ``content_hash`` is the hash of the course as files: importing the same folder twice
    changes nothing; ``version`` goes up each time the content changes."""

    slug = models.SlugField(_("mã khóa học"), max_length=80, unique=True)
    title = models.CharField(_("tên khóa học"), max_length=255)
    group = models.CharField(_("nhóm đối tượng"), max_length=20, choices=TargetGroup.choices)
    summary = models.TextField(_("tóm tắt"), blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=10, default="vi")
    estimated_minutes = models.PositiveIntegerField(_("thời lượng dự kiến (phút)"), default=0)
    framework = models.ForeignKey(
        Framework, verbose_name=_("khung năng lực"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pass_mark = models.PositiveSmallIntegerField(_("điểm đạt (%)"), default=70)
    is_published = models.BooleanField(_("đang mở"), default=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    content_hash = models.CharField(_("mã băm nội dung"), max_length=64, blank=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("khóa học")
        verbose_name_plural = _("khóa học")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="learning_course_pass_mark_percent"),
        ]

    def __str__(self) -> str:
        return self.title


def course_media_path(instance: "CourseMedia", filename: str) -> str:
    return f"learning/{instance.course.slug}/{instance.sha256[:12]}/{filename}"


class CourseMedia(models.Model):
    """Tệp của khóa học — an image, audio, video or download of a course, known by its path in the course
    folder ("media/qr-code.png") so lessons written in Markdown can refer to it and export puts it back."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="media")
    path = models.CharField(_("đường dẫn trong thư mục khóa học"), max_length=255)
    file = models.FileField(_("tệp"), upload_to=course_media_path, max_length=300)
    sha256 = models.CharField(_("mã băm"), max_length=64, editable=False)
    size = models.PositiveIntegerField(_("dung lượng (byte)"), default=0)

    class Meta:
        verbose_name = _("tệp của khóa học")
        verbose_name_plural = _("tệp của khóa học")
        ordering = ["course", "path"]
        constraints = [models.UniqueConstraint(fields=["course", "path"], name="learning_media_unique_path")]

    def __str__(self) -> str:
        return self.path

    @property
    def url(self) -> str:
        return self.file.url if self.file else ""


class Module(models.Model):
    """Học phần — a titled group of lessons in a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(_("mã"), max_length=80)
    title = models.CharField(_("tên"), max_length=255)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("học phần")
        verbose_name_plural = _("học phần")
        ordering = ["course", "position"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="learning_module_unique_slug")]

    def __str__(self) -> str:
        return self.title


class LessonQuerySet(models.QuerySet["Lesson"]):
    def active(self) -> Self:
        return self.filter(is_active=True)


class Lesson(TimeStampedModel):
    """Bài học — one lesson: Markdown written by the author and the sanitised HTML rendered from it at import
    (or admin save), an audio version for people who read with difficulty, a video file or link, downloads.
    Lessons unlock in ``position`` order across the whole course. A lesson dropped from the course files is
    kept inactive, so the learners who completed it keep their record."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, verbose_name=_("học phần"), on_delete=models.PROTECT, related_name="lessons")
    slug = models.SlugField(_("mã"), max_length=120)
    title = models.CharField(_("tên bài"), max_length=255)
    summary = models.TextField(_("tóm tắt"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), default=0)
    body_markdown = models.TextField(_("nội dung (Markdown)"), blank=True)
    body_html = models.TextField(_("nội dung (HTML đã lọc)"), blank=True, editable=False)
    competences = models.ManyToManyField(Competence, verbose_name=_("năng lực"), blank=True, related_name="lessons")
    audio = models.ForeignKey(
        CourseMedia, verbose_name=_("tệp âm thanh"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audio_url = models.URLField(_("đường dẫn âm thanh"), blank=True)
    video = models.ForeignKey(
        CourseMedia, verbose_name=_("tệp video"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    video_url = models.URLField(_("đường dẫn video"), blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("bài học")
        verbose_name_plural = _("bài học")
        ordering = ["course", "position"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="learning_lesson_unique_slug")]
        indexes = [models.Index(fields=["course", "is_active", "position"])]

    def __str__(self) -> str:
        return self.title


class LessonDownload(models.Model):
    """Tài liệu tải về — a file of the course or a link offered with a lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="downloads")
    title = models.CharField(_("tên tài liệu"), max_length=255)
    media = models.ForeignKey(CourseMedia, verbose_name=_("tệp"), null=True, blank=True, on_delete=models.CASCADE)
    url = models.URLField(_("đường dẫn"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("tài liệu tải về")
        verbose_name_plural = _("tài liệu tải về")
        ordering = ["lesson", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(media__isnull=False) & Q(url="")) | (Q(media__isnull=True) & ~Q(url="")),
                name="learning_download_file_xor_url",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        return self.media.url if self.media else self.url


class LessonTranslation(TimeStampedModel):
    """Bản dịch bài học — the lesson in M'Nông, Ê Đê, K'Ho (or English), with its own audio version."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("ngôn ngữ"), max_length=10, choices=TranslationLanguage.choices)
    title = models.CharField(_("tên bài"), max_length=255)
    summary = models.TextField(_("tóm tắt"), blank=True)
    body_markdown = models.TextField(_("nội dung (Markdown)"), blank=True)
    body_html = models.TextField(_("nội dung (HTML đã lọc)"), blank=True, editable=False)
    audio = models.ForeignKey(
        CourseMedia, verbose_name=_("tệp âm thanh"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audio_url = models.URLField(_("đường dẫn âm thanh"), blank=True)

    class Meta:
        verbose_name = _("bản dịch bài học")
        verbose_name_plural = _("bản dịch bài học")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "language"], name="learning_translation_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.lesson} ({self.language})"


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Một lựa chọn")
    MULTIPLE = "multiple", _("Nhiều lựa chọn")
    TRUE_FALSE = "true_false", _("Đúng/Sai")
    ORDERING = "ordering", _("Sắp xếp thứ tự")
    MATCHING = "matching", _("Ghép đôi")
    IMAGE = "image", _("Câu hỏi có hình")


class QuestionQuerySet(models.QuerySet["Question"]):
    def active(self) -> Self:
        return self.filter(is_active=True)


class Question(TimeStampedModel):
    """Câu hỏi — one question of a course's bank, tagged with a competence and a difficulty (1–3).

    ``data`` holds the answer key and never leaves the server: ``{"choices": [{"text", "correct"}]}`` for
    single, multiple and image questions, ``{"answer": bool}`` for true/false, ``{"items": [...]}`` in the
    right order for ordering, ``{"pairs": [{"left", "right"}]}`` for matching. A question is never changed
    once an attempt used it: a new version replaces it (same ``key``) and the old one is kept inactive.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(_("mã câu hỏi"), max_length=60)
    type = models.CharField(_("loại"), max_length=12, choices=QuestionType.choices)
    competence = models.ForeignKey(
        Competence, verbose_name=_("năng lực"), on_delete=models.PROTECT, related_name="questions"
    )
    difficulty = models.PositiveSmallIntegerField(_("độ khó"), default=1)
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("bài học"), null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    prompt = models.TextField(_("câu hỏi"))
    explanation = models.TextField(_("giải thích"), blank=True)
    image = models.ForeignKey(
        CourseMedia, verbose_name=_("hình"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image_alt = models.TextField(_("mô tả hình"), blank=True)
    data = models.JSONField(_("phương án và đáp án"), default=dict)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("ngân hàng câu hỏi")
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "key"], condition=Q(is_active=True), name="learning_question_one_active_version"
            ),
            models.CheckConstraint(condition=Q(difficulty__gte=1, difficulty__lte=3), name="learning_difficulty_1_3"),
            models.CheckConstraint(
                condition=Q(type__in=[choice.value for choice in QuestionType]), name="learning_question_type_valid"
            ),
        ]
        indexes = [models.Index(fields=["course", "is_active", "competence"])]

    def __str__(self) -> str:
        return self.key


class AssessmentKind(models.TextChoices):
    QUIZ = "quiz", _("Bài luyện tập")
    FINAL = "final", _("Bài đánh giá cuối khóa")


class Assessment(TimeStampedModel):
    """Bài kiểm tra — a lesson's practice quiz (every question of that lesson, no limits) or a course's final
    assessment, drawn at random per competence from the bank by ``blueprint`` ({"4.1": 4, …}), with a pass
    mark, a time limit, an attempt limit and a cool-down after a failed attempt."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("loại"), max_length=10, choices=AssessmentKind.choices)
    lesson = models.OneToOneField(
        Lesson, verbose_name=_("bài học"), null=True, blank=True, on_delete=models.CASCADE, related_name="quiz"
    )
    title = models.CharField(_("tên"), max_length=255)
    pass_mark = models.PositiveSmallIntegerField(_("điểm đạt (%)"), default=70)
    time_limit_minutes = models.PositiveSmallIntegerField(_("thời gian làm bài (phút)"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("số lần làm tối đa"), null=True, blank=True)
    cooldown_hours = models.PositiveSmallIntegerField(_("chờ sau lần không đạt (giờ)"), default=0)
    blueprint = models.JSONField(_("cấu trúc đề (số câu theo năng lực)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bài kiểm tra")
        verbose_name_plural = _("bài kiểm tra")
        ordering = ["course", "kind", "lesson__position"]
        constraints = [
            models.UniqueConstraint(fields=["course"], condition=Q(kind="final"), name="learning_one_final_per_course"),
            models.CheckConstraint(
                condition=(Q(kind="quiz") & Q(lesson__isnull=False)) | (Q(kind="final") & Q(lesson__isnull=True)),
                name="learning_quiz_has_lesson_final_has_none",
            ),
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="learning_assessment_pass_mark_percent"),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1), name="learning_max_attempts_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_final(self) -> bool:
        return self.kind == AssessmentKind.FINAL

    @property
    def question_count(self) -> int:
        return sum(int(count) for count in self.blueprint.values()) if self.is_final else 0
