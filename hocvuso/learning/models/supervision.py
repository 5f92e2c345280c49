"""Supervised mode: an instructor's session for a class device, opened with a PIN."""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .content import (
    Assessment,
)

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
