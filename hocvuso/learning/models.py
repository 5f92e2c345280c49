"""Learning: the skills framework, courses as data, the question bank, attempts scored on the server, progress.

Read top to bottom: framework (Framework → Domain → Competence, Level) · course content (Course → Module →
Lesson, translations, media, Question, Assessment) · a learner's progress (Enrolment, LessonCompletion,
Attempt, AttemptAnswer, SelfAssessmentResult) · literacy (LiteracyRule, LiteracyStatus) · supervised mode
(SupervisedSession). Writes go through ``services``; reads that join go through ``selectors``.
"""

import uuid
from datetime import datetime
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel


class TargetGroup(models.TextChoices):
    """The plan's target groups: the four of Quyết định 757 plus two the province adds (IV.3.4, IV.4.2)."""

    CITIZENS = "citizens", _("Người dân")
    ELDERLY = "elderly", _("Người cao tuổi")
    STAFF = "staff", _("Cán bộ, công chức, viên chức")
    STUDENTS = "students", _("Học sinh, sinh viên")
    WORKERS = "workers", _("Người lao động doanh nghiệp, hợp tác xã")
    TRADERS = "traders", _("Tiểu thương, nông dân (mô hình 4T)")


class TranslationLanguage(models.TextChoices):
    """Languages a lesson can be translated into (the course's own language, Vietnamese, is the source)."""

    MNONG = "mnong", _("Tiếng M'Nông")
    EDE = "ede", _("Tiếng Ê Đê")
    KOHO = "koho", _("Tiếng K'Ho")
    ENGLISH = "en", _("Tiếng Anh")


# --- Skills framework -------------------------------------------------------------------------------------


class Framework(TimeStampedModel):
    """Khung năng lực số — a skills framework as data: Thông tư 02/2025/TT-BGDĐT or Quyết định 757/QĐ-BKHCN."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    title = models.CharField(_("tên"), max_length=255)
    title_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    version = models.CharField(_("phiên bản"), max_length=20, blank=True)
    source = models.JSONField(_("văn bản gốc và đối chiếu"), default=dict, blank=True)
    details = models.JSONField(_("dữ liệu khác"), default=dict, blank=True)
    content_hash = models.CharField(_("mã băm nội dung"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("khung năng lực số")
        verbose_name_plural = _("khung năng lực số")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class Level(models.Model):
    """Bậc năng lực — one of the eight levels CB1…CS2 (Cơ bản 1 … Chuyên sâu 2), two per tier."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("mã"), max_length=10)
    step = models.PositiveSmallIntegerField(_("bậc"))
    tier = models.CharField(_("trình độ"), max_length=10)
    tier_name = models.CharField(_("tên trình độ"), max_length=60)
    name = models.CharField(_("tên"), max_length=60)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=60, blank=True)
    digcomp_level = models.PositiveSmallIntegerField(_("mức DigComp"), null=True, blank=True)

    class Meta:
        verbose_name = _("bậc năng lực")
        verbose_name_plural = _("bậc năng lực")
        ordering = ["framework", "step"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="learning_level_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Domain(models.Model):
    """Miền năng lực (or, in Quyết định 757, a group's skill group) — competences grouped under one heading."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    target_group = models.CharField(_("nhóm đối tượng"), max_length=20, choices=TargetGroup.choices, blank=True)
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=255, blank=True)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    digcomp_code = models.CharField(_("mã DigComp 2.2"), max_length=10, blank=True)
    digcomp_name = models.CharField(_("tên DigComp 2.2"), max_length=255, blank=True)
    unverified = models.BooleanField(_("chưa đối chiếu văn bản gốc"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("miền năng lực")
        verbose_name_plural = _("miền năng lực")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "target_group", "code"], name="learning_domain_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name or self.name_en}"


class CompetenceQuerySet(models.QuerySet["Competence"]):
    def of_framework(self, code: str) -> Self:
        return self.filter(domain__framework__code=code)


class Competence(models.Model):
    """Năng lực thành phần — e.g. "4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư". ``key`` is unique in its
    framework: the code itself for Thông tư 02, "<group>/<code>" for the per-group skills of Quyết định 757."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="competences")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competences")
    key = models.CharField(_("khóa"), max_length=40)
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=255, blank=True)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    digcomp_code = models.CharField(_("mã DigComp 2.2"), max_length=10, blank=True)
    digcomp_name = models.CharField(_("tên DigComp 2.2"), max_length=255, blank=True)
    maps_to = models.ManyToManyField(
        "self", verbose_name=_("tương ứng với"), symmetrical=False, blank=True, related_name="mapped_from"
    )
    unverified = models.BooleanField(_("chưa đối chiếu văn bản gốc"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    objects = CompetenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("năng lực thành phần")
        verbose_name_plural = _("năng lực thành phần")
        ordering = ["framework", "domain__position", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "key"], name="learning_competence_unique_key")]

    def __str__(self) -> str:
        return f"{self.code} {self.name or self.name_en}"


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


# --- A learner's progress --------------------------------------------------------------------------------


class Enrolment(models.Model):
    """Ghi danh — a learner follows a course. ``resident`` is the learner's registry record when their account
    is linked to one (people.Resident.user), so the monitoring can count residents. A self-assessment may set
    a starting point (``start_lesson``: earlier lessons open and optional) and invite the learner to take the
    final assessment first."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    registration = models.UUIDField(_("mã ghi danh (xAPI)"), default=uuid.uuid4, unique=True, editable=False)
    enrolled_at = models.DateTimeField(_("ghi danh lúc"), default=timezone.now)
    completed_at = models.DateTimeField(_("học xong lúc"), null=True, blank=True)
    start_lesson = models.ForeignKey(
        "Lesson",
        verbose_name=_("bắt đầu từ bài"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Theo kết quả tự đánh giá: các bài trước bài này được mở sẵn và không bắt buộc."),
    )
    assessment_first = models.BooleanField(
        _("mời làm bài đánh giá trước"),
        default=False,
        help_text=_("Được làm bài đánh giá cuối khóa ngay; nếu chưa đạt thì học từ bài bắt đầu."),
    )

    class Meta:
        verbose_name = _("ghi danh")
        verbose_name_plural = _("ghi danh")
        ordering = ["-enrolled_at"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="learning_enrol_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"


class LessonCompletion(models.Model):
    """Hoàn thành bài học — the learner finished a lesson (once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="completions")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(_("hoàn thành lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("hoàn thành bài học")
        verbose_name_plural = _("hoàn thành bài học")
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="learning_complete_lesson_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.lesson}"


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Đang làm")
    SUBMITTED = "submitted", _("Đã nộp")
    TIMED_OUT = "timed_out", _("Hết giờ (chấm các câu đã lưu)")


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def finished(self) -> Self:
        return self.exclude(state=AttemptState.IN_PROGRESS)

    def passed(self) -> Self:
        return self.filter(passed=True)


class Attempt(models.Model):
    """Lượt làm bài — one sitting of a quiz or final assessment. The questions drawn (``question_ids``, in
    order) and the per-attempt shuffle of their options (in ``AttemptAnswer.layout``) are fixed at the start;
    the browser only ever sees shuffled options without the key. Scored once, on the server, at submission:
    ``idempotency_key`` and ``result`` let a replayed submission get the same answer without rescoring.
    In supervised mode (at a community class) the instructor and the class session are recorded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("lần thứ"))
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("bắt đầu lúc"), default=timezone.now)
    deadline = models.DateTimeField(_("hạn nộp"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    question_ids = models.JSONField(_("các câu hỏi (theo thứ tự)"), default=list)
    points = models.DecimalField(_("điểm"), max_digits=7, decimal_places=3, null=True, blank=True)
    max_points = models.PositiveSmallIntegerField(_("điểm tối đa"), default=0)
    score = models.DecimalField(_("điểm (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("đạt"), null=True, blank=True)
    result = models.JSONField(_("kết quả chi tiết"), default=dict, blank=True)
    idempotency_key = models.CharField(_("khóa nộp bài"), max_length=64, blank=True)
    supervised_session = models.ForeignKey(
        "SupervisedSession",
        verbose_name=_("buổi kiểm tra có giám sát"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giám sát"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_attempts",
    )
    class_session = models.CharField(_("buổi học cộng đồng"), max_length=64, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt làm bài")
        verbose_name_plural = _("lượt làm bài")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "assessment", "number"], name="learning_attempt_number_unique"),
            models.UniqueConstraint(
                fields=["user", "assessment"],
                condition=Q(state="in_progress"),
                name="learning_one_open_attempt",
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress") | (Q(submitted_at__isnull=False) & Q(score__isnull=False)),
                name="learning_finished_attempt_is_scored",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="learning_score_percent"
            ),
        ]
        indexes = [models.Index(fields=["user", "assessment", "state"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.assessment} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    @property
    def ended_at(self) -> datetime | None:
        """When the attempt really ended: its submission, or its deadline if it was submitted later."""
        if self.submitted_at is None:
            return None
        return min(self.submitted_at, self.deadline) if self.deadline else self.submitted_at


class AttemptAnswer(models.Model):
    """Câu trả lời — one row per question of an attempt, created at the start and saved (overwritten) as the
    learner answers. ``layout`` is this attempt's shuffle of the question's options (indexes into the answer
    key, in display order); ``answer`` is in display terms. ``points`` (0–1) is written at scoring."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    layout = models.JSONField(_("thứ tự hiển thị phương án"), default=dict, blank=True)
    answer: Any = models.JSONField(_("câu trả lời"), null=True, blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    points = models.DecimalField(_("điểm"), max_digits=5, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("câu trả lời")
        verbose_name_plural = _("câu trả lời")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="learning_one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"


class SelfAssessment(TimeStampedModel):
    """Tự đánh giá — the self-assessment questionnaire ("Tôi có thể…" statements on a 4-point scale in the
    DigComp self-assessment style, each tagged with a competence), how it is scored into bands, and the
    recommendation rules per target group and band — all data, from curricula/self-assessment.yaml."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    title = models.CharField(_("tên"), max_length=255)
    instructions = models.TextField(_("hướng dẫn"), blank=True)
    items = models.JSONField(_("các câu"), default=list)
    scale = models.JSONField(_("thang trả lời"), default=list)
    scoring = models.JSONField(_("cách tính điểm và các mức"), default=dict)
    recommendation = models.JSONField(_("quy tắc gợi ý"), default=dict)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    content_hash = models.CharField(_("mã băm nội dung"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("bộ câu hỏi tự đánh giá")
        verbose_name_plural = _("bộ câu hỏi tự đánh giá")

    def __str__(self) -> str:
        return self.title


class SelfAssessmentResult(models.Model):
    """Kết quả tự đánh giá — a learner's answers, their score per competence and the course and starting
    lesson recommended to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_assessments")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    self_assessment = models.ForeignKey(SelfAssessment, on_delete=models.PROTECT, related_name="results")
    group = models.CharField(_("nhóm đối tượng"), max_length=20, choices=TargetGroup.choices)
    answers = models.JSONField(_("câu trả lời"), default=dict)
    score = models.PositiveSmallIntegerField(_("điểm (%)"))
    competence_scores = models.JSONField(_("điểm theo năng lực"), default=dict)
    band = models.CharField(_("mức"), max_length=40)
    recommended_course = models.ForeignKey(
        Course, verbose_name=_("khóa học gợi ý"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_lesson = models.ForeignKey(
        Lesson, verbose_name=_("bắt đầu từ bài"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("lời khuyên"), blank=True)
    details = models.JSONField(_("chi tiết gợi ý"), default=dict, blank=True)
    created_at = models.DateTimeField(_("làm lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("kết quả tự đánh giá")
        verbose_name_plural = _("kết quả tự đánh giá")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="learning_self_assessment_score_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.band}"


# --- Literacy ---------------------------------------------------------------------------------------------


class LiteracyRule(TimeStampedModel):
    """Quy tắc xác nhận phổ cập kỹ năng số — for one target group, the final assessments a person must all
    have passed to be confirmed digitally literate (Quyết định 757, Annex II). Data, edited in the admin or
    loaded from the curricula, never code."""

    group = models.CharField(_("nhóm đối tượng"), max_length=20, choices=TargetGroup.choices)
    name = models.CharField(_("tên quy tắc"), max_length=255)
    required_assessments = models.ManyToManyField(
        Assessment,
        verbose_name=_("các bài đánh giá phải đạt"),
        related_name="literacy_rules",
        limit_choices_to={"kind": AssessmentKind.FINAL},
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("quy tắc xác nhận phổ cập")
        verbose_name_plural = _("quy tắc xác nhận phổ cập")
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class LiteracyStatusQuerySet(models.QuerySet["LiteracyStatus"]):
    def of_group(self, group: str) -> Self:
        return self.filter(group=group)


class LiteracyStatus(models.Model):
    """Đạt phổ cập kỹ năng số — a person was confirmed digitally literate for a target group, when, and by
    which rule. Written only by the service that scores an assessment; the monitoring counts these rows
    (joined to the registry through ``resident``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="literacy_statuses")
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="literacy_statuses"
    )
    group = models.CharField(_("nhóm đối tượng"), max_length=20, choices=TargetGroup.choices)
    rule = models.ForeignKey(LiteracyRule, verbose_name=_("theo quy tắc"), on_delete=models.PROTECT, related_name="+")
    attempt = models.ForeignKey(
        Attempt, verbose_name=_("lượt làm bài quyết định"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), default=timezone.now)

    objects = LiteracyStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("xác nhận phổ cập kỹ năng số")
        verbose_name_plural = _("xác nhận phổ cập kỹ năng số")
        ordering = ["-confirmed_at"]
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="learning_literacy_once_per_group")]
        indexes = [models.Index(fields=["group", "confirmed_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_group_display()}"


# --- Supervised mode --------------------------------------------------------------------------------------


class SupervisedSession(models.Model):
    """Buổi kiểm tra có giám sát — an instructor at a community class opens a session for a unit and gets a
    6-digit PIN (stored only as a keyed hash) valid for a few hours; a learner without their own phone takes
    the assessment on the class device when the instructor enters the PIN. Wrong PINs are counted and lock
    the session after a few tries."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người giám sát"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("bài đánh giá"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_sessions",
    )
    class_session = models.CharField(_("buổi học cộng đồng"), max_length=64, blank=True)
    pin_hash = models.CharField(max_length=64, editable=False)
    opened_at = models.DateTimeField(_("mở lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    failed_pins = models.PositiveSmallIntegerField(_("số lần nhập sai mã"), default=0)

    class Meta:
        verbose_name = _("buổi kiểm tra có giám sát")
        verbose_name_plural = _("buổi kiểm tra có giám sát")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("opened_at")), name="learning_session_expires_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.opened_at:%Y-%m-%d %H:%M}"

    def is_open_at(self, moment: datetime) -> bool:
        return self.closed_at is None and self.opened_at <= moment < self.expires_at


from .xapi_models import *  # noqa: E402,F403
