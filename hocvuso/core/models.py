from datetime import date
from typing import Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every domain row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


# --- Effective-dated rows: "in force on a day", written once --------------------------------------------------


def in_force_on(day: date, *, through: str = "") -> Q:
    """The filter for rows in force on the day: `valid_from` ≤ day, and `valid_to` open or ≥ day (the end day
    included). `through` names a relation to apply it across ("children", "memberships")."""
    prefix = f"{through}__" if through else ""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def is_in_force(valid_from: date, valid_to: date | None, day: date) -> bool:
    """`in_force_on` for one loaded row."""
    return valid_from <= day and (valid_to is None or valid_to >= day)


_Model = TypeVar("_Model", bound=models.Model)


class InForceQuerySet(models.QuerySet[_Model]):
    """A QuerySet of an effective-dated model (fields `valid_from`, `valid_to`)."""

    def in_force(self, on: date | None = None) -> Self:
        """The rows in force on the day (today by default), the end day included."""
        return self.filter(in_force_on(on or timezone.localdate()))


class EffectiveDated:
    """Mixin for a model with `valid_from` and `valid_to` (each model declares them with its own labels and
    defaults): whether one row is in force on a day, the same rule as `InForceQuerySet.in_force`."""

    valid_from: date
    valid_to: date | None

    def is_in_force(self, on: date | None = None) -> bool:
        return is_in_force(self.valid_from, self.valid_to, on or timezone.localdate())


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_object(self, object_type: str, object_id: object) -> "AuditEntryQuerySet":
        return self.filter(object_type=object_type, object_id=str(object_id))


class AuditEntry(models.Model):
    """Nhật ký kiểm toán — who did what to which object, when and from where. Rows are never changed."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("tên người thực hiện"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=80, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=80, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_label = models.CharField(_("đối tượng"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=300, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=32, blank=True)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục nhật ký kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
