from datetime import date
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.access import scope
from hocvuso.accounts.roles import Permission
from hocvuso.core.models import EffectiveDated, InForceQuerySet, TimeStampedModel


class OrganisationKind(models.TextChoices):
    STATE_AGENCY = "state_agency", _("Cơ quan nhà nước")
    SCHOOL = "school", _("Trường trung học")
    UNIVERSITY = "university", _("Trường đại học, cao đẳng, nghề")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    COOPERATIVE = "cooperative", _("Hợp tác xã, liên hiệp hợp tác xã")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: Any, permission: Permission = Permission.VIEW_PEOPLE) -> Self:
        """Organisations the user may act on: assigned to them, or located in their unit subtrees."""
        return self.filter(scope(user, permission, self.model))


class Organisation(TimeStampedModel):
    """Cơ quan, tổ chức — a state agency, school, university, enterprise or cooperative, located in a unit;
    its staff, students or workers are counted by the plan's targets for their group."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=20, choices=OrganisationKind.choices)
    unit = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, tổ chức")
        verbose_name_plural = _("cơ quan, tổ chức")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HouseholdQuerySet(models.QuerySet["Household"]):
    def visible_to(self, user: Any, permission: Permission = Permission.VIEW_PEOPLE) -> Self:
        """Households in the user's unit subtrees."""
        return self.filter(scope(user, permission, self.model))


class Household(TimeStampedModel):
    """Hộ gia đình — a household living in a village; the unit of the "Gia đình số" (digital family) target.

    Its code is unique within its village, not across the province: officers number households from 1 in each
    village (thôn, tổ dân phố), and a commune that numbers them across the commune still has unique codes in each
    village (see docs/ARCHITECTURE.md, "Households")."""

    code = models.CharField(_("mã hộ"), max_length=40)
    village = models.ForeignKey(
        "territory.AdministrativeUnit", verbose_name=_("thôn, tổ dân phố"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    head = models.ForeignKey(
        "Resident", verbose_name=_("chủ hộ"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        constraints = [models.UniqueConstraint(fields=["village", "code"], name="household_code_unique_in_village")]
        # The unique index serves every look-up by village; this one serves the look-up by code alone (search).
        indexes = [models.Index(fields=["code"], name="household_code_idx")]

    def __str__(self) -> str:
        return self.code


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class AgeGroup(models.TextChoices):
    """The plan's age thresholds, by name. The number of years is a setting (ADULT_AGE, DIGITAL_IDENTITY_AGE,
    ELDERLY_AGE) read only through `years`: the registry's pages (target groups) and the indicators (their
    `age` parameter) count the same people."""

    ADULT = "adult", _("Người lớn")
    DIGITAL_IDENTITY = "digital_identity", _("Từ tuổi có danh tính số")
    ELDERLY = "elderly", _("Người cao tuổi")

    @property
    def years(self) -> int:
        return int(getattr(settings, _AGE_SETTINGS[self]))


_AGE_SETTINGS = {
    AgeGroup.ADULT: "ADULT_AGE",
    AgeGroup.DIGITAL_IDENTITY: "DIGITAL_IDENTITY_AGE",
    AgeGroup.ELDERLY: "ELDERLY_AGE",
}


def age_thresholds() -> dict[str, int]:
    """Every named age threshold in years, as the settings give them now."""
    return {group.value: group.years for group in AgeGroup}


class BirthDatePrecision(models.TextChoices):
    """How much of a birth date is known. Elderly people often know only their year of birth: the date is then
    stored as 1 January of that year and shown as "năm 1950"; ages count by calendar year (a person born in
    1950 is 60 from 1 January 2010), the convention of year-only records."""

    DAY = "day", _("ngày, tháng, năm")
    YEAR = "year", _("chỉ năm")


class ResidentQuerySet(models.QuerySet["Resident"]):
    def visible_to(self, user: Any, permission: Permission = Permission.VIEW_PEOPLE) -> Self:
        """Residents living in the user's unit subtrees and, for VIEW_PEOPLE and VIEW_PROGRESS, members in force
        today of the organisations the user may act on (see hocvuso.accounts.access)."""
        return self.filter(scope(user, permission, self.model))

    def alive_on(self, day: date) -> Self:
        """Residents not recorded as dead on the day: no date of death, or one after the day (the day itself
        counts the person as dead)."""
        return self.filter(Q(died_on__isnull=True) | Q(died_on__gt=day))

    def born_on_or_before(self, day: date) -> Self:
        return self.filter(birth_date__lte=day)

    def aged_at_least(self, age: int, on: date | None = None) -> Self:
        """Residents who have reached `age` on the day (a 29 February birthday counts on 1 March)."""
        return self.filter(birth_date__lte=_birthday_cutoff(on or timezone.localdate(), age))

    def in_age_group(self, group: "AgeGroup | str", on: date | None = None) -> Self:
        """Aged at least the named threshold (`AgeGroup`, years from settings) on the day."""
        return self.aged_at_least(AgeGroup(group).years, on)

    def adults(self, on: date | None = None) -> Self:
        """Aged ADULT_AGE (18) or more on the day (plan section II)."""
        return self.in_age_group(AgeGroup.ADULT, on)

    def identity_age(self, on: date | None = None) -> Self:
        """Aged DIGITAL_IDENTITY_AGE (16) or more on the day: the digital-identity target (IV.4.3)."""
        return self.in_age_group(AgeGroup.DIGITAL_IDENTITY, on)

    def elderly(self, on: date | None = None) -> Self:
        """Aged ELDERLY_AGE (60) or more on the day."""
        return self.in_age_group(AgeGroup.ELDERLY, on)

    def members_on(self, kind: str, on: date | None = None) -> Self:
        """Residents with a membership of that kind in force on the day (valid_to inclusive)."""
        day = on or timezone.localdate()
        in_force = Membership.objects.filter(resident=OuterRef("pk"), kind=kind).in_force(day)
        return self.filter(Exists(in_force))

    def staff(self, on: date | None = None) -> Self:
        """Public-sector staff on the day."""
        return self.members_on(MembershipKind.STAFF, on)

    def students(self, on: date | None = None) -> Self:
        """Secondary and higher-education students on the day."""
        return self.members_on(MembershipKind.STUDENT, on)

    def workers(self, on: date | None = None) -> Self:
        """Enterprise and cooperative workers on the day."""
        return self.members_on(MembershipKind.WORKER, on)


def _birthday_cutoff(on: date, age: int) -> date:
    """The latest birth date of someone aged `age` on the day."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - age, day=28)


class Resident(TimeStampedModel):
    """Người dân — a person living in the province. The national ID (số định danh cá nhân, 12 digits) and the
    phone are stored encrypted; they are found by a keyed hash and shown masked. Reading a full ID is audited."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    # Searched with "contains" (every word, no diacritics), which a b-tree cannot serve: no index here, so the
    # registry loads faster; a scoped search only reads the residents of the officer's villages.
    name_key = models.CharField(_("khóa tìm kiếm tên"), max_length=150, editable=False)
    birth_date = models.DateField(_("ngày sinh"))
    birth_date_precision = models.CharField(
        _("độ chính xác ngày sinh"),
        max_length=4,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.DAY,
        db_default=BirthDatePrecision.DAY,  # bulk loaders that do not name the column write full dates
    )
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    ethnicity = models.PositiveSmallIntegerField(_("dân tộc"))
    national_id_ciphertext = models.BinaryField(_("số định danh (mã hóa)"), null=True, blank=True, editable=False)
    # NULL (not "") for residents without an ID, so the partial unique constraint ignores them.
    national_id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    national_id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    phone_ciphertext = models.BinaryField(_("điện thoại (mã hóa)"), null=True, blank=True, editable=False)
    phone_last3 = models.CharField(max_length=3, blank=True, editable=False)
    household = models.ForeignKey(
        Household,
        verbose_name=_("hộ gia đình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    village = models.ForeignKey(
        "territory.AdministrativeUnit",
        verbose_name=_("thôn nơi cư trú"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (village, birth_date) index below serves every lookup by village
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    # Set only through people.services.record_death (a commune officer confirms a report of a death): from the day
    # after it the person is counted nowhere (`ResidentQuerySet.alive_on`) and belongs to no household.
    died_on = models.DateField(_("ngày mất"), null=True, blank=True, editable=False)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("người dân")
        verbose_name_plural = _("người dân")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id_hash"], condition=Q(national_id_hash__isnull=False), name="resident_unique_id"
            ),
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="resident_sex_valid"),
            models.CheckConstraint(
                condition=Q(birth_date_precision="day")
                | Q(birth_date_precision="year", birth_date__month=1, birth_date__day=1),
                name="resident_birth_precision_valid",
            ),
            models.CheckConstraint(condition=Q(ethnicity__gte=1, ethnicity__lte=54), name="resident_ethnicity_valid"),
        ]
        indexes = [models.Index(fields=["village", "birth_date"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_national_id(self) -> str:
        """The last three digits only: with the birth year shown beside it, four digits left a search by full ID
        100 candidates to try (see national_id_search.py and docs/ARCHITECTURE.md, "People")."""
        return f"*********{self.national_id_last4[-3:]}" if self.national_id_last4 else ""

    @property
    def masked_phone(self) -> str:
        return f"*******{self.phone_last3}" if self.phone_last3 else ""

    @property
    def birth_date_display(self) -> str:
        """The birth date as pages show it: "05/09/1990", or "năm 1950" when only the year is known."""
        if self.birth_date_precision == BirthDatePrecision.YEAR:
            return _("năm %(year)s") % {"year": self.birth_date.year}
        return self.birth_date.strftime("%d/%m/%Y")

    def age_on(self, day: date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class MembershipKind(models.TextChoices):
    STAFF = "staff", _("Cán bộ, công chức, viên chức, người lao động khu vực công")
    STUDENT = "student", _("Học sinh, sinh viên")
    WORKER = "worker", _("Người lao động doanh nghiệp, hợp tác xã")


class MembershipQuerySet(InForceQuerySet["Membership"]):
    """Memberships; `.in_force(day)` are those that count that day (the end day included)."""


class Membership(EffectiveDated, TimeStampedModel):
    """Thành viên tổ chức — a resident is staff, student or worker of an organisation, for a period."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    kind = models.CharField(_("nhóm"), max_length=10, choices=MembershipKind.choices)
    position = models.CharField(_("chức vụ, lớp"), max_length=100, blank=True, default="", db_default="")
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên tổ chức")
        verbose_name_plural = _("thành viên tổ chức")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_to_after_valid_from",
            ),
            models.UniqueConstraint(
                fields=["resident", "organisation", "kind"],
                condition=Q(valid_to__isnull=True),
                name="membership_one_open_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind"])]

    def __str__(self) -> str:
        return f"{self.resident} — {self.organisation} ({self.kind})"


class VneidLevel(models.IntegerChoices):
    NONE = 0, _("Chưa có")
    LEVEL_1 = 1, _("Mức 1")
    LEVEL_2 = 2, _("Mức 2")


class EvidenceSource(models.TextChoices):
    SELF_DECLARED = "self", _("Tự khai")
    VISIT = "visit", _("Xác minh khi hỗ trợ tại hộ")
    VNEID = "vneid", _("Xác nhận qua VNeID")
    IMPORT = "import", _("Nhập từ danh sách")


# How much each source is trusted, weakest first: a fact recorded from a source is never replaced, through
# `people.identity.record_identity_evidence`, by one from a weaker source (VNeID's own confirmation is not undone by
# a home visit, a visit's verification not by a self-declaration). The same source replaces its own facts.
EVIDENCE_STRENGTH: dict[str, int] = {
    EvidenceSource.SELF_DECLARED: 0,
    EvidenceSource.IMPORT: 1,
    EvidenceSource.VISIT: 2,
    EvidenceSource.VNEID: 3,
}


class DigitalIdentity(models.Model):
    """Danh tính số — a resident's VNeID level and digital bank account, each with its source and date."""

    resident = models.OneToOneField(
        Resident, primary_key=True, on_delete=models.CASCADE, related_name="digital_identity"
    )
    vneid_level = models.PositiveSmallIntegerField(_("mức VNeID"), choices=VneidLevel.choices, default=VneidLevel.NONE)
    vneid_source = models.CharField(_("nguồn VNeID"), max_length=8, choices=EvidenceSource.choices, blank=True)
    vneid_recorded_on = models.DateField(_("ngày ghi nhận VNeID"), null=True, blank=True)
    has_bank_account = models.BooleanField(_("có tài khoản ngân hàng số"), default=False)
    bank_source = models.CharField(_("nguồn tài khoản"), max_length=8, choices=EvidenceSource.choices, blank=True)
    bank_recorded_on = models.DateField(_("ngày ghi nhận tài khoản"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("danh tính số")
        verbose_name_plural = _("danh tính số")
        constraints = [
            models.CheckConstraint(
                condition=Q(vneid_level=0) | (~Q(vneid_source="") & Q(vneid_recorded_on__isnull=False)),
                name="identity_vneid_has_source",
            ),
            models.CheckConstraint(
                condition=Q(has_bank_account=False) | (~Q(bank_source="") & Q(bank_recorded_on__isnull=False)),
                name="identity_bank_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}: VNeID {self.vneid_level}"


from .import_models import *  # noqa: E402,F403 — roster-import models live in their own module
from .transfer_models import *  # noqa: E402,F403 — transfer requests live in their own module
