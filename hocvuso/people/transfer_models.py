"""Transfer requests: how a resident registered in another area comes into an officer's area. Loaded by
hocvuso.people.models.

An officer (of the destination commune, or of an organisation for a membership) cannot move, attach or even look
up a resident outside their area; they ask, giving the full national ID, and the resident's current commune (or
the province) decides. Until then the requester learns nothing about the person — not even whether the ID is in
the registry: the request is made, and answered the same, either way.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel

# hocvuso.people.models imports this module at its end, once MembershipKind exists.
from .models import MembershipKind

__all__ = ["TransferKind", "TransferRequest", "TransferState"]


class TransferKind(models.TextChoices):
    MOVE = "move", _("Chuyển nơi cư trú về thôn, tổ dân phố")
    MEMBERSHIP = "membership", _("Thêm làm thành viên cơ quan, tổ chức")


class TransferState(models.TextChoices):
    PENDING = "pending", _("Đang chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Bị từ chối")
    CANCELLED = "cancelled", _("Đã hủy")


class TransferRequest(TimeStampedModel):
    """Yêu cầu chuyển — a request to move a resident into a village, or to make them staff, student or worker of an
    organisation, decided by the commune where the resident lives now (or the province)."""

    kind = models.CharField(_("loại yêu cầu"), max_length=12, choices=TransferKind.choices)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=TransferState.choices, default=TransferState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT, related_name="+"
    )
    # The ID as the requester typed it: its keyed hash (to find the resident) and its last three digits (to show
    # the requester their own request back). The resident is found when the request is made — or never.
    national_id_hash = models.CharField(max_length=64)
    national_id_last3 = models.CharField(max_length=3)
    claimed_name = models.CharField(_("họ tên theo người yêu cầu"), max_length=150)
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="transfer_requests"
    )
    from_village = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("từ thôn, tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_village = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("đến thôn, tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        verbose_name=_("cơ quan, tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    membership_kind = models.CharField(_("nhóm thành viên"), max_length=10, choices=MembershipKind.choices, blank=True)
    membership_from = models.DateField(_("là thành viên từ ngày"), null=True, blank=True)
    reason = models.TextField(_("lý do"), max_length=1000)
    # What the request is for, as one value ("village:<id>" or "organisation:<id>:<kind>"), so that sending the
    # same request twice (a double click) finds the pending one instead of making a second.
    target_key = models.CharField(max_length=80, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_note = models.TextField(_("ghi chú khi quyết định"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("yêu cầu chuyển")
        verbose_name_plural = _("yêu cầu chuyển")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="move", to_village__isnull=False, organisation__isnull=True, membership_kind="")
                    | Q(kind="membership", to_village__isnull=True, organisation__isnull=False) & ~Q(membership_kind="")
                ),
                name="transfer_target_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="transfer_decided_when_not_pending",
            ),
            models.UniqueConstraint(
                fields=["requested_by", "national_id_hash", "target_key"],
                condition=Q(state="pending"),
                name="transfer_one_pending_per_requester_person_target",
            ),
        ]
        indexes = [models.Index(fields=["resident", "state"]), models.Index(fields=["requested_by", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def masked_national_id(self) -> str:
        return f"*********{self.national_id_last3}"
