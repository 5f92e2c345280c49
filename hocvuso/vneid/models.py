"""What sign-in with VNeID (or another OpenID Connect provider) keeps: which provider account is whose, the ID
tokens already used, and the registrations of people not in the registry, waiting for their commune."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import TimeStampedModel


class ProviderIdentity(TimeStampedModel):
    """Tài khoản định danh liên kết — the provider's account (its issuer and subject, `sub`) that signs in to a
    user account. One provider account is linked to one user account; a user account to one per provider."""

    issuer = models.CharField(_("nhà cung cấp"), max_length=255)
    subject = models.CharField(_("mã tài khoản ở nhà cung cấp"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="provider_identities",
    )
    last_sign_in_at = models.DateTimeField(_("đăng nhập gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản định danh liên kết")
        verbose_name_plural = _("tài khoản định danh liên kết")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="provider_identity_unique_subject"),
            models.UniqueConstraint(fields=["issuer", "user"], name="provider_identity_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} · {self.user_id}"


class ConsumedIdToken(models.Model):
    """An ID token already used to sign in (its SHA-256), kept until it expires: the same token twice is a replay."""

    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("mã định danh đã dùng")
        verbose_name_plural = _("mã định danh đã dùng")

    def __str__(self) -> str:
        return self.digest


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    REJECTED = "rejected", _("Từ chối")


class PendingRegistration(TimeStampedModel):
    """Đăng ký chờ xác nhận — someone who signed in with VNeID and is not in the registry: what the provider
    asserted (name, birth date, national ID, encrypted with its keyed hash), the commune they say they live in,
    and the commune's decision. Confirming registers the resident (village and ethnicity chosen by the officer)
    and links the account; the learner learns meanwhile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="registration"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=1)
    national_id_ciphertext = models.BinaryField(_("số định danh (mã hóa)"), editable=False)
    national_id_hash = models.CharField(max_length=64, editable=False)
    national_id_last4 = models.CharField(max_length=4, editable=False)
    vneid_level = models.PositiveSmallIntegerField(_("mức VNeID"))
    commune = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("xã, phường nơi cư trú"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("người dân"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("đăng ký chờ xác nhận")
        verbose_name_plural = _("đăng ký chờ xác nhận")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id_hash"], condition=Q(status="pending"), name="registration_one_pending_per_id"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "rejected"]), name="registration_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["commune", "status"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_national_id(self) -> str:
        return f"*********{self.national_id_last4[-3:]}"
