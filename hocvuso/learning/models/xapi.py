"""The xAPI outbox: statements written in the same transaction as the learning event, delivered later to the LRS.

Part of the learning models package (re-exported by its ``__init__``).
"""

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["OutboxStatement"]


class OutboxStatementQuerySet(models.QuerySet["OutboxStatement"]):
    def undelivered(self) -> "OutboxStatementQuerySet":
        return self.filter(delivered_at__isnull=True)

    def due(self, now: datetime, *, ignore_backoff: bool = False) -> "OutboxStatementQuerySet":
        """Undelivered statements to send in a delivery run started at `now`, oldest first.

        A statement is due when its back-off has elapsed (or `ignore_backoff`) and it was not already tried in
        this run, so a run never sends a statement twice however many batches it takes.
        """
        rows = self.undelivered().filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=now))
        if not ignore_backoff:
            rows = rows.filter(next_attempt_at__lte=now)
        return rows.order_by("next_attempt_at", "id")


class OutboxStatement(models.Model):
    """Câu lệnh xAPI chờ gửi — one xAPI 1.0.3 statement in the outbox.

    The row exists if and only if the learning event that produced it committed. ``statement_id`` is the
    statement's own ``id``, so the LRS keeps it once however often it is sent. ``last_error`` describes the
    latest delivery failure (HTTP status, reason) and never carries personal data.
    """

    statement_id = models.UUIDField(_("mã câu lệnh"), unique=True, editable=False)
    statement = models.JSONField(_("câu lệnh"))
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    last_attempt_at = models.DateTimeField(_("gửi lần cuối lúc"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại từ"), default=timezone.now)

    objects = OutboxStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("câu lệnh xAPI chờ gửi")
        verbose_name_plural = _("câu lệnh xAPI chờ gửi")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(delivered_at__isnull=True),
                name="learning_xapi_outbox_due",
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)

    @property
    def is_delivered(self) -> bool:
        return self.delivered_at is not None
