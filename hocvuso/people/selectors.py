"""Reads of the population registry: finding residents, a household with its members. All scoped."""

import re
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.text import search_key
from hocvuso.territory.models import AdministrativeUnit, lies_within

from .models import AgeGroup, Household, Membership, MembershipKind, Resident
from .national_id import normalise_national_id
from .national_id_search import search_by_national_id

_ID_LIKE = re.compile(r"^[\d\s.]{11,16}$")
_WORD = re.compile(r"[^\w]+")
MAX_SEARCH_RESULTS = 200


def _national_id_from(query: str) -> str | None:
    if not _ID_LIKE.match(query):
        return None
    try:
        return normalise_national_id(query)
    except DomainError:
        return None


def search_residents(
    *, user: Any, query: str, limit: int = 50, within: AdministrativeUnit | None = None
) -> QuerySet[Resident]:
    """Residents the user may see (VIEW_PEOPLE) matching the query, at most `limit` (≤ 200); with `within`, only
    those living in that unit (a commune's market page looks for its traders there).

    A 12-digit number (spaces and dots allowed, an Excel-stripped leading zero restored) is a search by full
    national ID (`national_id_search.search_by_national_id`: only with MANAGE_PEOPLE, rate-limited and audited —
    this read writes the audit log, and raises its DomainError when refused); a household code finds the
    household's members;
    anything else matches names with or without diacritics, every word of the query appearing in the
    name ("nguyen thi dao" finds "Nguyễn Thị Đào"). Residents outside the user's scope are never found: the
    answer is the same as for someone who does not exist. An empty query finds nobody.
    """
    text = (query or "").strip()
    limit = max(0, min(limit, MAX_SEARCH_RESULTS))
    visible = Resident.objects.visible_to(user, Permission.VIEW_PEOPLE)
    if within is not None:
        visible = visible.filter(lies_within(within, through="village"))
    if not text or not limit:
        return visible.none()
    national_id = _national_id_from(text)
    if national_id is not None:
        found = search_by_national_id(user=user, national_id=national_id)
        return found.filter(lies_within(within, through="village")) if within is not None else found
    if Household.objects.filter(code=text).exists():
        return visible.filter(household__code=text).order_by("household__code", "birth_date", "pk")[:limit]
    words = [word for word in _WORD.split(search_key(text)) if word]
    if not words:
        return visible.none()
    matches = visible
    for word in words:
        matches = matches.filter(name_key__contains=word)
    return matches.select_related("village", "household").order_by("name_key", "birth_date", "pk")[:limit]


def household_with_members(*, user: Any, code: str, village_id: int | None = None) -> Household:
    """The household with this code (in the village `village_id`: codes are unique per village), its village,
    head and members (each with their digital identity and memberships), if the user may see it (VIEW_PEOPLE in
    its village's subtree). Without a village, the code must name one household among those the user may see.
    Raises NotFound when it does not exist or lies outside the user's scope — the two are not told apart —, and
    AmbiguousHousehold (with the villages to choose from) when the code names several the user may see."""
    members = (
        Resident.objects.select_related("digital_identity")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("organisation")))
        .order_by("birth_date", "pk")
    )
    household = (
        Household.objects.visible_to(user, Permission.VIEW_PEOPLE)
        .select_related("village__parent", "head")
        .prefetch_related(Prefetch("members", queryset=members))
        .filter(code=code)
    )
    if village_id is not None:
        household = household.filter(village_id=village_id)
    found = list(household[:2])
    if not found:
        raise NotFound()
    if len(found) > 1:
        villages = Household.objects.visible_to(user, Permission.VIEW_PEOPLE).filter(code=code)
        raise AmbiguousHousehold(
            list(villages.order_by("village__code").values_list("village_id", "village__name")[:50])
        )
    return found[0]


class AmbiguousHousehold(Exception):
    """A household code that names households in several villages the user may see: `villages` (id, name)."""

    def __init__(self, villages: list[tuple[int, str]]) -> None:
        super().__init__("ambiguous household code")
        self.villages = villages


def target_groups_of(resident: Resident, memberships: list[Membership], on: date | None = None) -> list[str]:
    """The plan's target groups the resident belongs to on the day, as keys: by age — `AgeGroup` values, the
    thresholds the indicators count with (`ResidentQuerySet.in_age_group`) — and by the memberships in force
    (`MembershipKind` values). "digital_identity" only for those not yet adults (the adult threshold is the
    higher one). No query: `memberships` are the resident's, loaded."""
    day = on or timezone.localdate()
    age = resident.age_on(day)
    keys: list[str] = []
    if age >= AgeGroup.ADULT.years:
        keys.append(AgeGroup.ADULT.value)
    elif age >= AgeGroup.DIGITAL_IDENTITY.years:
        keys.append(AgeGroup.DIGITAL_IDENTITY.value)
    if age >= AgeGroup.ELDERLY.years:
        keys.append(AgeGroup.ELDERLY.value)
    for kind in MembershipKind.values:
        if any(membership.kind == kind and membership.is_in_force(day) for membership in memberships):
            keys.append(kind)
    return keys
