"""Literacy: the rules (which final assessments a group must pass) and the status they give, once per group."""

from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel

from .content import (
    Assessment,
    AssessmentKind,
)
from .framework import TargetGroup
from .progress import (
    Attempt,
)

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
