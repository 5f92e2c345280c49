"""Credentials: signing keys (SigningKey), status lists (StatusList), certificates (Certificate) and their
delivery to the national confirmation endpoint (fields on Certificate, the outbox)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel


class SigningKey(TimeStampedModel):
    """Khóa ký — one of the province's Ed25519 keys. The private key is stored encrypted (AES-GCM under
    FIELD_ENCRYPTION_KEY, `core.crypto`); exactly one key is active and signs; retired keys stay in the DID
    document so that what they signed still verifies. A key marked compromised leaves the DID document."""

    key_id = models.CharField(_("mã khóa"), max_length=40, unique=True)
    public_key = models.BinaryField(_("khóa công khai"), max_length=32)
    private_key_encrypted = models.BinaryField(_("khóa bí mật (đã mã hóa)"))
    is_active = models.BooleanField(_("đang dùng để ký"), default=True)
    retired_at = models.DateTimeField(_("ngừng ký lúc"), null=True, blank=True)
    compromised_at = models.DateTimeField(_("bị lộ lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa ký chứng nhận")
        verbose_name_plural = _("khóa ký chứng nhận")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="credentials_one_active_key"
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", _("Thu hồi")
    SUSPENSION = "suspension", _("Tạm đình chỉ")


class StatusList(models.Model):
    """Danh sách trạng thái — one Bitstring Status List (W3C Bitstring Status List v1.0): `size` bits, one per
    certificate index, for one purpose. Each list number has a revocation and a suspension list; a certificate
    holds the same index in both. `version` goes up with every change of a bit; the signed status list
    credential is cached with the version it was signed at."""

    purpose = models.CharField(_("mục đích"), max_length=12, choices=StatusPurpose.choices)
    number = models.PositiveIntegerField(_("số danh sách"))
    size = models.PositiveIntegerField(_("số bit"), default=131072)
    bits = models.BinaryField(_("các bit"))
    version = models.PositiveIntegerField(_("phiên bản"), default=0)
    signed_version = models.IntegerField(_("phiên bản đã ký"), default=-1)
    signed_credential = models.JSONField(_("chứng nhận danh sách đã ký"), null=True, blank=True)

    class Meta:
        verbose_name = _("danh sách trạng thái")
        verbose_name_plural = _("danh sách trạng thái")
        constraints = [models.UniqueConstraint(fields=["purpose", "number"], name="credentials_status_list_unique")]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.number}"

    def bit(self, index: int) -> bool:
        """Whether the bit for `index` is set (index 0 is the most significant bit of the first byte)."""
        return bool(bytes(self.bits)[index // 8] & (0x80 >> (index % 8)))


class StatusIndexCounter(models.Model):
    """The next free status index (one row): allocating a range is one UPDATE under a row lock."""

    next_index = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.next_index)


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Còn hiệu lực")
    SUSPENDED = "suspended", _("Tạm đình chỉ")
    REVOKED = "revoked", _("Đã thu hồi")


class DeliveryStatus(models.TextChoices):
    WAITING = "waiting", _("Chờ gửi")
    DELIVERED = "delivered", _("Đã gửi")
    RETRYING = "retrying", _("Gửi lỗi, sẽ thử lại")
    DEAD = "dead", _("Gửi không thành (cần xử lý)")
    NOT_SENT = "not_sent", _("Không gửi")


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def due_for_delivery(self, now: object = None) -> "CertificateQuerySet":
        now = now or timezone.now()
        return self.filter(
            delivery_status__in=[DeliveryStatus.WAITING, DeliveryStatus.RETRYING], next_delivery_at__lte=now
        )


class Certificate(TimeStampedModel):
    """Chứng nhận đạt phổ cập kỹ năng số — the signed Open Badges 3.0 AchievementCredential issued by the
    province for one literacy confirmation (`learning.LiteracyStatus`), once. `credential` is the signed JSON as
    issued (never changed afterwards); `status` mirrors the certificate's bits in the status lists; the delivery
    fields are the outbox to the national confirmation endpoint (VNeID)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    literacy_status = models.OneToOneField(
        "learning.LiteracyStatus", on_delete=models.PROTECT, related_name="certificate"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    group = models.CharField(_("nhóm đối tượng"), max_length=20)
    holder_name = models.CharField(_("họ và tên"), max_length=200)
    issued_at = models.DateTimeField(_("cấp lúc"))
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    credential = models.JSONField(_("chứng nhận đã ký"))
    status_list_number = models.PositiveIntegerField(_("số danh sách trạng thái"))
    status_index = models.PositiveIntegerField(_("vị trí trong danh sách"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_reason = models.CharField(_("lý do"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("đổi trạng thái lúc"), null=True, blank=True)
    pdf = models.BinaryField(_("bản PDF"), null=True, blank=True, editable=False)
    # The outbox to the national confirmation endpoint
    delivery_status = models.CharField(
        _("gửi lên VNeID"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.WAITING
    )
    delivery_attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_delivery_at = models.DateTimeField(_("gửi lần tới lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)
    delivery_reference = models.CharField(_("mã tiếp nhận"), max_length=100, blank=True)
    delivery_error = models.CharField(_("lỗi gửi gần nhất"), max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("chứng nhận phổ cập kỹ năng số")
        verbose_name_plural = _("chứng nhận phổ cập kỹ năng số")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list_number", "status_index"], name="credentials_certificate_status_slot"
            ),
        ]
        indexes = [
            models.Index(fields=["delivery_status", "next_delivery_at"], name="credentials_delivery_due"),
            models.Index(fields=["user", "-issued_at"], name="credentials_by_holder"),
        ]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID
