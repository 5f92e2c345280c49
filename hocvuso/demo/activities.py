"""The demo's activities (issue 13), all through the outreach services and deterministic by the seed:

- recognised digital families: literacy-confirmed residents of households a demo team looks after get a home visit
  (by the member who looks after the household, `prepare_visit` then `store_visits`) where they learn a lesson with the
  member, get VNeID installed if they had none, and are seen guiding the others of the household;
- markets of the demo commune with their traders (adult residents of the commune) and the Ts each reached over the
  past weeks, so one market is a digital market and some traders are 4T-complete;
- the two learning festivals (10/10 and 01/11, each on its day as last held: this year's, or last year's when this
  year's is still ahead), a 4T training and a youth campaign drive.

Idempotent: each part is made once (nothing when the demo commune has markets or events, or these visits, already).
"""

import datetime
import random
import uuid
from collections import defaultdict

from django.utils import timezone

from hocvuso.learning.models import LiteracyStatus
from hocvuso.outreach.events import festival_days, record_event
from hocvuso.outreach.markets import create_market, record_trader_step, register_trader
from hocvuso.outreach.models import Event, FourT, HouseholdAssignment, Market, Outcome, Visit
from hocvuso.outreach.visits import PreparedVisit, preload_visits, prepare_visit, store_visits
from hocvuso.people.models import DigitalIdentity, Organisation, Resident
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within

FAMILIES = 12  # households made digital families (at most)
MARKETS = (("Chợ trung tâm xã", 10, 0.9), ("Chợ phiên thôn", 8, 0.5), ("Hợp tác xã nông sản", 6, 0.3))


def _digital_families(commune: AdministrativeUnit) -> int:
    """Visits that complete Gia đình số for up to FAMILIES literacy-confirmed residents of assigned households (once:
    nothing when these visits are stored already; the replayed history's guiding visits are its own)."""
    literate = (
        LiteracyStatus.objects.filter(lies_within(commune, through="resident__household__village"))
        .values_list("resident_id", flat=True)
        .order_by("resident_id")
        .distinct()
    )
    residents = Resident.objects.in_bulk(list(literate[: FAMILIES * 4]))
    open_assignments = HouseholdAssignment.objects.filter(
        valid_to__isnull=True, household_id__in=[r.household_id for r in residents.values()]
    ).select_related("membership__user", "household__village")
    by_household = {assignment.household_id: assignment for assignment in open_assignments}
    levels = dict(DigitalIdentity.objects.filter(resident__in=residents).values_list("resident_id", "vneid_level"))
    chosen: dict[int, list[tuple[HouseholdAssignment, Resident]]] = defaultdict(list)
    seen: set[int] = set()
    for pk in sorted(residents):
        resident = residents[pk]
        assignment = by_household.get(resident.household_id or 0)
        if assignment is None or resident.household_id in seen or len(seen) >= FAMILIES:
            continue
        seen.add(resident.household_id or 0)
        chosen[assignment.membership_id].append((assignment, resident))
    ids = {pk: uuid.uuid5(uuid.NAMESPACE_URL, f"demo-family-{pk}") for pk in residents}
    if Visit.objects.filter(pk__in=ids.values()).exists():
        return 0
    moment = timezone.now() - datetime.timedelta(hours=2)
    made = 0
    for pairs in chosen.values():
        actor = pairs[0][0].membership.user
        preloaded = preload_visits(actor=actor, device=None, visits=[(a.household_id, moment) for a, _r in pairs])
        prepared = []
        for assignment, resident in pairs:
            outcomes = [(resident.pk, Outcome.LESSON_TOGETHER), (resident.pk, Outcome.GUIDES_FAMILY)]
            if levels.get(resident.pk, 0) == 0:
                outcomes.append((resident.pk, Outcome.INSTALLED_VNEID))
            checked = prepare_visit(
                visit_id=ids[resident.pk],
                form_version=1,
                household=assignment.household,
                visited_at=moment,
                outcomes=outcomes,
                actor=actor,
                known_new=True,
                preloaded=preloaded,
            )
            assert isinstance(checked, PreparedVisit)
            prepared.append(checked)
        store_visits(prepared, actor=actor)
        made += len(prepared)
    return made


def _markets(commune: AdministrativeUnit, rng: random.Random) -> tuple[int, int]:
    """The demo commune's markets, traders and their Ts (see the module's docstring)."""
    if Market.objects.filter(commune=commune).exists():
        return 0, 0
    today = timezone.localdate()
    villages = list(AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code"))
    adults = list(
        Resident.objects.filter(village__in=villages, birth_date__year__range=(1960, 2000))
        .select_related("village")
        .order_by("pk")[:200]
    )
    rng.shuffle(adults)
    traders = 0
    for index, (name, count, paying) in enumerate(MARKETS):
        village = villages[index % len(villages)] if index and villages else None
        market = create_market(
            commune=commune, name=name, kind="market" if index < 2 else "trading_place", village=village, actor=None
        )
        since = today - datetime.timedelta(days=90)
        for _n in range(count):
            if not adults:
                break
            trader = register_trader(market=market, resident=adults.pop(), stall=f"Sạp {_n + 1}", actor=None, on=since)
            traders += 1
            reached = [FourT.TRAINED] if rng.random() < 0.9 else []
            if rng.random() < paying:
                reached.append(FourT.CASHLESS)
            if rng.random() < paying * 0.6:
                reached += [FourT.E_COMMERCE, FourT.DIGITAL_SAVINGS]
            for step in reached:
                record_trader_step(
                    trader=trader,
                    step=step,
                    evidence={
                        FourT.TRAINED: "Giấy xác nhận tập huấn 4T",
                        FourT.CASHLESS: "Mã QR thanh toán tại sạp",
                        FourT.E_COMMERCE: "Gian hàng trên sàn thương mại điện tử",
                        FourT.DIGITAL_SAVINGS: "Tài khoản tiết kiệm trực tuyến",
                    }[step],
                    achieved_on=since + datetime.timedelta(days=rng.randrange(85)),
                    actor=None,
                )
    return len(MARKETS), traders


def _events(commune: AdministrativeUnit) -> int:
    if Event.objects.filter(commune=commune).exists():
        return 0
    today = timezone.localdate()
    # Each festival day as last held: this year's when it has passed, else last year's (never a day to come).
    first, second = (day if day <= today else day.replace(year=day.year - 1) for day in festival_days(today.year))
    youth = Organisation.objects.filter(lies_within(commune, through="unit")).order_by("pk").first()
    plan = [
        ("festival", "Ngày hội toàn dân học tập số", first, 350, 412),
        ("festival", "Ngày hội toàn dân học tập số (đợt 2)", second, 280, None),
        ("training_4t", "Tập huấn Chợ số 4T cho tiểu thương", today - datetime.timedelta(days=60), 45, 40),
        ("youth_campaign", "Thanh niên tình nguyện hướng dẫn VNeID", today - datetime.timedelta(days=20), 30, 36),
    ]
    for kind, title, day, registered, participants in plan:
        record_event(
            commune=commune,
            kind=kind,
            title=title,
            place="Nhà văn hóa xã",
            starts_on=min(day, today),
            activities="Hướng dẫn cài đặt VNeID, thanh toán không dùng tiền mặt, học trên nền tảng Bình dân học vụ số.",
            registered=registered,
            participants=participants,
            organiser_organisation=youth if kind == "youth_campaign" else None,
            actor=None,
        )
    return len(plan)


def load_demo_markets_and_events(*, commune: AdministrativeUnit, seed: int) -> tuple[int, int, int]:
    """The demo's markets with traders and its events (see the module's docstring): dated in the past weeks, so they
    are made before the weeks are replayed and each replayed week counts those of its days. Returns (markets,
    traders, events)."""
    markets, traders = _markets(commune, random.Random(seed * 1_000 + 13))
    return markets, traders, _events(commune)


def load_demo_digital_families(*, commune: AdministrativeUnit) -> int:
    """The demo teams' recognised digital families (see the module's docstring): made after the replay, whose
    confirmations they build on."""
    return _digital_families(commune)
