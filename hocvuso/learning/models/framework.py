"""The plan's target groups, lesson languages and the skills framework (Framework → Domain → Competence, Level)."""

from typing import Self

from django.db import models
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
