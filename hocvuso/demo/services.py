"""The demo province (Lâm Đồng, code 68) and one account per role, so `make run` shows a working platform."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.demo.activities import load_demo_digital_families, load_demo_markets_and_events
from hocvuso.demo.classes import load_demo_class
from hocvuso.demo.community_classes import load_demo_classes
from hocvuso.demo.credentials import load_demo_credentials
from hocvuso.demo.history import simulate_history
from hocvuso.demo.outreach import load_demo_outreach
from hocvuso.demo.population.generator import generate_population
from hocvuso.indicators.models import IndicatorFact
from hocvuso.indicators.services import rebuild_facts
from hocvuso.learning.models import LiteracyStatus
from hocvuso.learning.services import DEFAULT_CURRICULA, attach_resident, load_curricula
from hocvuso.people.models import Membership, MembershipKind, Organisation, OrganisationKind, Resident
from hocvuso.people.services import add_membership, link_user_account
from hocvuso.reporting.models import Report, ReportingAssignment
from hocvuso.reporting.periods import Quarter, due_date
from hocvuso.reporting.selectors import recent_quarters, submissions
from hocvuso.reporting.services import (
    DEFAULT_PLAN_FILE,
    accept_report,
    draft_report,
    load_plan_file,
    return_report,
    save_report_text,
    submit_report,
)
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within
from hocvuso.territory.services import generate_demo_villages, load_admin_units

DEMO_PROVINCE = "68"
DEMO_COMMUNE = "24631"  # Xã Quảng Khê, formerly Đắk Nông
DEMO_RESIDENTS = 30_000  # a synthetic population spread over the province's 124 communes (40 weeks replayed)
DEMO_PASSWORD = "hocvuso-demo-2026"  # noqa: S105 — printed on screen; demo databases only

# The province's departments (the agency officer's): their staff rosters are added here. The demo commune's school
# and enterprises, with their students and workers, are the synthetic population's (`generate_population`).
DEMO_ORGANISATIONS = [
    ("SNV-68", "Sở Nội vụ tỉnh Lâm Đồng", OrganisationKind.STATE_AGENCY, "24781", 40),
    ("SGDDT-68", "Sở Giáo dục và Đào tạo tỉnh Lâm Đồng", OrganisationKind.STATE_AGENCY, "24781", 30),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    scope: str
    totp_key: str | None


def _demo_authenticator(user: User) -> TOTPDevice:
    """The demo account's authenticator: made once with a random key (django-otp's default, 20 random bytes), then
    kept, so the secret `make run` prints stays valid across runs of the same database."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="demo", confirmed=True)


def load_demo(*, seed: int = 68) -> list[DemoAccount]:
    """Load the national units, villages for the demo province, the starter curricula, a synthetic population
    (once), the province's departments with their staff rosters and one account per role; the learner account is
    linked to a resident of the demo village and named after them; the instructor's class (`load_demo_class`);
    community digital teams with months of home visits (`load_demo_outreach`); markets with traders, events and weekly
    community classes with months of attendance (`load_demo_markets_and_events`, `load_demo_classes`); the
    movement's past weeks, each with its facts — the visits, classes and events dated before it included
    (`simulate_history`, once); the plan's tasks and quarterly reports (`load_demo_reports`); literacy certificates,
    a few revoked, and VNeID confirmations (`load_demo_credentials`); the demo teams' digital families
    (`load_demo_digital_families`); today's facts. Returns the demo
    accounts with their scope and, for staff, their authenticator's random key (hex).

    Raises ImproperlyConfigured unless the settings allow demo data (`ALLOW_DEMO_DATA`: on for `make run` and the
    tests, never in production): demo accounts with a published password must never reach a real database.
    """
    if not settings.ALLOW_DEMO_DATA:  # checked before the database is even opened
        raise ImproperlyConfigured("Demo data is refused here: these settings do not allow it (ALLOW_DEMO_DATA).")
    _tune_sqlite()
    with transaction.atomic():
        return _load_demo(seed)


# SQLite's page cache for the load (its default is 2 MB): the demo is written in one transaction that reads a
# ~300 MB file forty times over (each replayed week's facts); with the default cache it spills written pages to the
# file and reads pages back through system calls (measured: 28.8 s of system CPU time, 2 s with these; user time
# rose by 22 s, so the load takes 78 s of CPU instead of 83: docs/BENCHMARKS.md).
# Per connection, for this command's own connection only (the server keeps SQLite's defaults); not inside a caller's
# transaction (the tests'), whose connection is theirs.
SQLITE_LOAD_PRAGMAS = ("PRAGMA cache_size = -262144", "PRAGMA mmap_size = 1073741824")


def _tune_sqlite() -> None:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for pragma in SQLITE_LOAD_PRAGMAS:
            cursor.execute(pragma)


def _load_demo(seed: int) -> list[DemoAccount]:
    load_admin_units(actor=None)
    province = AdministrativeUnit.objects.get(code=DEMO_PROVINCE, level=Level.PROVINCE)
    generate_demo_villages(province=province, seed=seed)
    load_curricula(path=DEFAULT_CURRICULA, actor=None)  # the starter courses (idempotent)
    if not Resident.objects.filter(lies_within(province, through="village")).exists():
        generate_population(province_code=DEMO_PROVINCE, residents=DEMO_RESIDENTS, seed=seed)
    commune = AdministrativeUnit.objects.get(code=DEMO_COMMUNE)
    village = AdministrativeUnit.objects.filter(parent=commune).order_by("code").first()
    assert village is not None
    organisations = {}
    for code, name, kind, unit_code, staff in DEMO_ORGANISATIONS:
        organisations[code], created = Organisation.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "unit": AdministrativeUnit.objects.get(code=unit_code)},
        )
        if created or not Membership.objects.filter(organisation=organisations[code]).exists():
            _add_staff(organisations[code], staff)
    learner_resident = _demo_learner_resident(village)
    plan = [
        ("admin.tinh", "Nguyễn Văn An", Role.PROVINCE_ADMIN, province, None),
        ("canbo.noivu", "Trần Thị Bình", Role.AGENCY_OFFICER, None, organisations["SNV-68"]),
        ("canbo.xa", "Lê Văn Cường", Role.COMMUNE_OFFICER, commune, None),
        ("totruong", "H'Hen Niê", Role.TEAM_LEADER, commune, None),
        ("tinhnguyenvien", "Y Moan Êban", Role.TEAM_MEMBER, village, None),
        ("giangvien", "Phạm Thị Dung", Role.INSTRUCTOR, commune, None),
        ("nguoihoc", learner_resident.full_name, Role.LEARNER, None, None),
    ]
    accounts = []
    for username, full_name, role, unit, organisation in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(username=username, password=DEMO_PASSWORD, full_name=full_name)
            assign_role(user=user, role=role, unit=unit, organisation=organisation, assigned_by=None)
        key = _demo_authenticator(user).key if role != Role.LEARNER else None
        if role == Role.LEARNER:
            _link_learner(user, learner_resident)
        if role == Role.PROVINCE_ADMIN and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        scope = unit.name if unit else organisation.name if organisation else "—"
        accounts.append(DemoAccount(username, full_name, role, scope, key))
    load_demo_class(instructor=User.objects.get(username="giangvien"), commune=commune)
    # Community digital teams and months of home visits (demo/outreach.py), before the past weeks are replayed: each
    # replayed week's facts count the visits dated before it, so the visit trends have past points.
    load_demo_outreach(
        commune=commune,
        leader=User.objects.get(username="totruong"),
        volunteer=User.objects.get(username="tinhnguyenvien"),
        organisations=organisations,
        seed=seed,
    )
    # Markets, events and community classes are dated in the past weeks too: made before the replay, each replayed
    # week's facts count those of its days, so their trends have past points (demo/activities.py, community_classes.py).
    load_demo_markets_and_events(commune=commune, seed=seed)
    load_demo_classes(commune=commune, instructor=User.objects.get(username="giangvien"), seed=seed)
    if not LiteracyStatus.objects.exclude(user__username="nguoihoc").exists():  # once: the past cannot be redone
        simulate_history(province=province, seed=seed)
    load_demo_reports(province=province, reviewer=User.objects.get(username="admin.tinh"))
    load_demo_credentials(
        commune=commune, admin=User.objects.get(username="admin.tinh"), learner=User.objects.get(username="nguoihoc")
    )
    load_demo_digital_families(commune=commune)  # after the replay, whose confirmations they build on
    rebuild_facts(actor=None)  # the dashboards' figures of today, so the first page view need not compute them
    return accounts


def _add_staff(organisation: Organisation, count: int) -> None:
    """Give a demo department its staff roster, through the registry's membership service: working-age residents
    of its ward with no organisation yet, in id order (the first `count`)."""
    today = timezone.localdate()
    born = (today.replace(year=today.year - 58), today.replace(year=today.year - 24))
    residents = (
        Resident.objects.filter(lies_within(organisation.unit, through="village"), birth_date__range=born)
        .exclude(memberships__isnull=False)
        .order_by("pk")[:count]
    )
    for position, resident in enumerate(residents):
        started = today - timedelta(days=365 * (1 + position % 12) + 17 * position)
        add_membership(
            resident=resident, organisation=organisation, kind=MembershipKind.STAFF, valid_from=started, actor=None
        )


def _demo_learner_resident(village: AdministrativeUnit) -> Resident:
    """The registry record the demo learner's account belongs to: the one already linked, else the first adult of
    the demo village without an account. The account is named after it, so the greeting and "Dữ liệu của tôi"
    show the same person."""
    linked = Resident.objects.filter(user__username="nguoihoc").first()
    if linked is not None:
        return linked
    resident = (
        Resident.objects.filter(village=village, user__isnull=True, birth_date__year__lt=2000).order_by("pk").first()
    )
    if resident is None:
        raise ImproperlyConfigured("The demo village has no adult for the demo learner.")
    return resident


def _link_learner(user: User, resident: Resident) -> None:
    """Link the demo learner's account to their record (once) and keep its name the record's."""
    if resident.user_id is None:
        link_user_account(resident=resident, user=user, actor=None)
        attach_resident(user=user)
    if user.full_name != resident.full_name:  # databases loaded before the account was named after its record
        user.full_name = resident.full_name
        user.save(update_fields=["full_name"])


# Communes (besides the demo commune) whose People's Committees send reports in the demo: the rest have not, so
# the reporting rate is below 100% as it is in real life.
DEMO_REPORTING_COMMUNES = 12


def load_demo_reports(*, province: AdministrativeUnit, reviewer: User) -> int:
    """The plan's tasks and who reports (the shipped plan file), then three past quarters of reports — most sent
    on time and accepted, some late, the demo commune's last one returned with comments — and the current
    quarter's drafts of the demo commune and the agencies, all through the reporting services (facts of each past
    quarter's last week are built first when missing). Idempotent: a quarter that has reports is left as it is.
    Returns how many reports it made."""
    load_plan_file(path=DEFAULT_PLAN_FILE, province=province, actor=None)
    current = Quarter.of(timezone.localdate())
    quarters = recent_quarters(count=4)[1:]
    communes = list(AdministrativeUnit.objects.filter(parent=province).in_force().order_by("code"))
    chosen = {DEMO_COMMUNE} | {unit.code for unit in communes[:DEMO_REPORTING_COMMUNES]}
    made = 0
    for age, quarter in enumerate(reversed(quarters)):
        assignments = [
            row.assignment
            for row in submissions(quarter, province=province)
            if _reports_in_demo(row.assignment, chosen)
        ]
        if Report.objects.filter(year=quarter.year, quarter=quarter.number).exists() or not assignments:
            continue
        # a report is frozen on the facts of the quarter's last day or the latest before it: those of the demo's
        # past weeks (`simulate_history`), else the quarter's last day is built now
        if not IndicatorFact.objects.filter(
            day__range=(quarter.last_day - timedelta(days=6), quarter.last_day)
        ).exists():
            rebuild_facts(on=quarter.last_day, actor=None)
        due = due_date(quarter)
        for index, assignment in enumerate(assignments):
            report = draft_report(assignment=assignment, quarter=quarter, actor=None, frozen_on=quarter.last_day)
            report = save_report_text(report=report, changes=_demo_text(assignment.subject_name), actor=None)
            late = index % 5 == 4
            sent = datetime.combine(due + timedelta(days=3 if late else -2), time(9, 30))
            report = submit_report(report=report, actor=None, at=timezone.make_aware(sent))
            made += 1
            returned = age == len(quarters) - 1 and assignment.unit is not None and assignment.unit.code == DEMO_COMMUNE
            if returned:
                return_report(
                    report=report,
                    comment="Đề nghị bổ sung số buổi học cộng đồng đã tổ chức và số người cao tuổi tham gia.",
                    actor=reviewer,
                )
            else:
                accept_report(report=report, actor=reviewer)
    if not Report.objects.filter(year=current.year, quarter=current.number).exists():
        for row in submissions(current, province=province):
            if _reports_in_demo(row.assignment, {DEMO_COMMUNE}):
                draft_report(assignment=row.assignment, quarter=current, actor=None)
                made += 1
    return made


def _reports_in_demo(assignment: ReportingAssignment, communes: set[str]) -> bool:
    """Every agency reports in the demo; of the communes, those named."""
    return assignment.unit is None or assignment.unit.code in communes


def _demo_text(name: str) -> dict[str, str]:
    return {
        "results": f"{name} đã tổ chức các buổi học cộng đồng hằng tuần, hướng dẫn người dân cài đặt VNeID và "
        "sử dụng dịch vụ công trực tuyến; Tổ công nghệ số cộng đồng hỗ trợ tại hộ.",
        "strengths": "Sự vào cuộc của cả hệ thống chính trị; đoàn viên thanh niên tích cực hỗ trợ người cao tuổi.",
        "limitations": "Một số thôn vùng sâu sóng di động yếu; thiếu thiết bị cho người học.",
        "proposals": "Đề nghị hỗ trợ thiết bị và đường truyền cho các điểm học cộng đồng.",
    }
