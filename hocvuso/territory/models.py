import re
from collections.abc import Mapping
from datetime import date
from typing import Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import EffectiveDated, InForceQuerySet, TimeStampedModel

# The day the two-level local government took effect (Resolution 202/2025/QH15): districts are gone.
REFORM_DATE = date(2025, 7, 1)


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/thành phố")
    COMMUNE = "commune", _("Xã/phường/đặc khu")
    VILLAGE = "village", _("Thôn/tổ dân phố")


CHILD_LEVEL = {Level.PROVINCE: Level.COMMUNE, Level.COMMUNE: Level.VILLAGE}
# How far below the province a level lies (0 for the province itself).
LEVEL_DEPTH = {Level.PROVINCE: 0, Level.COMMUNE: 1, Level.VILLAGE: 2}

VILLAGE_KINDS = ["thôn", "bon", "buôn", "bản", "tổ dân phố", "ấp", "khu phố", "làng", "xóm", "plei"]


# A unit's code: national codes are digits ("68", "24631"), villages add a suffix ("24631.001"). The one
# definition pages and the API check a code against before any query (no NUL byte, quote or wildcard reaches
# the database); as long as the column.
UNIT_CODE_MAX_LENGTH = 20
UNIT_CODE_PATTERN = rf"[0-9A-Za-z][0-9A-Za-z._\-]{{0,{UNIT_CODE_MAX_LENGTH - 1}}}"
_UNIT_CODE = re.compile(UNIT_CODE_PATTERN)


def is_unit_code(text: str) -> bool:
    """Whether `text` is shaped like a unit code (UNIT_CODE_PATTERN, whole string)."""
    return _UNIT_CODE.fullmatch(text) is not None


def path_within(path: str, ancestor_path: str) -> bool:
    """True when the unit with `path` is the unit with `ancestor_path` or lies below it (paths end with "/", so
    "/68/2463/" is not below "/68/246/")."""
    return path.startswith(ancestor_path)


def lies_within(*units: "AdministrativeUnit", through: str = "") -> Q:
    """A filter for rows whose unit is one of `units` or lies below one of them; the unit is the row itself
    (`through` empty) or the one reached through that relation ("village", "organisation__unit"). Matches
    nothing for no units. This and `path_within` are the only places that read a unit's path as a prefix."""
    lookup = f"{through}__path__startswith" if through else "path__startswith"
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(**{lookup: unit.path})
    return condition


# --- Mergers: "the unit that stands for it", written once ----------------------------------------------------

MAX_MERGER_HOPS = 50  # a longer chain of successors is a data error (a cycle): stop there


def passed_to_successor(valid_to: date | None, successor_id: int | None, on: date) -> bool:
    """Whether a unit no longer stands for itself on the day: it ended before the day and names a successor (an
    abolished unit, ended without one, still stands for itself)."""
    return valid_to is not None and valid_to < on and successor_id is not None


def follow_successors(pk: int, successor_of: Mapping[int, int]) -> int:
    """The unit standing for `pk`: follow `successor_of` (the units that passed to a successor on the day, as
    `UnitQuerySet.successors_on` or `passed_to_successor` give them) to its end, at most MAX_MERGER_HOPS."""
    for _hop in range(MAX_MERGER_HOPS):
        if pk not in successor_of:
            break
        pk = successor_of[pk]
    return pk


class UnitQuerySet(InForceQuerySet["AdministrativeUnit"]):
    def successors_on(self, on: date) -> dict[int, int]:
        """{unit id: successor id} for the units that passed to a successor by the day (`passed_to_successor`)."""
        return dict(self.filter(successor__isnull=False, valid_to__lt=on).values_list("pk", "successor_id"))

    def within(self, *units: "AdministrativeUnit") -> Self:
        """The units and every unit below them (nothing for no units)."""
        if not units:
            return self.none()
        return self.filter(lies_within(*units))

    def provinces(self) -> Self:
        return self.filter(level=Level.PROVINCE)

    def communes(self) -> Self:
        return self.filter(level=Level.COMMUNE)

    def villages(self) -> Self:
        return self.filter(level=Level.VILLAGE)


class AdministrativeUnit(EffectiveDated, TimeStampedModel):
    """Đơn vị hành chính — a province (tỉnh), commune (xã, phường, đặc khu) or village (thôn, bon, buôn, bản,
    tổ dân phố), with its national code. Units are never deleted: a merged unit gets `valid_to` and a
    `successor`, so data recorded against it stays and is reported under the successor."""

    code = models.CharField(_("mã"), max_length=UNIT_CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(_("loại"), max_length=40, help_text=_("Ví dụ: tỉnh, xã, phường, thôn, bon, buôn."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("đường dẫn"), max_length=255, unique=True, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), default=REFORM_DATE)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
            ),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | Q(parent__isnull=False),
                name="unit_only_provinces_have_no_parent",
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_to__isnull=False),
                name="unit_successor_only_when_ended",
            ),
        ]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def path_for(code: str, parent: "AdministrativeUnit | None") -> str:
        return f"{parent.path if parent else '/'}{code}/"

    def is_within(self, other: "AdministrativeUnit") -> bool:
        """True when this unit is `other` or lies below it."""
        return path_within(self.path, other.path)

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the province down to this unit, inclusive."""
        return [part for part in self.path.split("/") if part]
