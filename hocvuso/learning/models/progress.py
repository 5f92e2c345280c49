"""A learner's progress: enrolments, completed lessons, attempts and their answers, self-assessments."""

import uuid
from datetime import datetime
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel

from .content import (
    Assessment,
    Course,
    Lesson,
    Question,
)
from .framework import TargetGroup

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
