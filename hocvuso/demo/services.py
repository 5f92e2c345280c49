"""The demo province (Lâm Đồng, code 68) and one account per role, so `make run` shows a working platform."""

from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role, create_user
from hocvuso.indicators.services import rebuild_facts
from hocvuso.learning.services import DEFAULT_CURRICULA, attach_resident, load_curricula
from hocvuso.people.generator import generate_population
from hocvuso.people.models import Organisation, OrganisationKind, Resident
from hocvuso.people.services import link_user_account
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within
from hocvuso.territory.services import generate_demo_villages, load_admin_units

DEMO_PROVINCE = "68"
DEMO_COMMUNE = "24631"  # Xã Quảng Khê, formerly Đắk Nông
DEMO_RESIDENTS = 50_000  # a synthetic population spread over the province's 124 communes
DEMO_PASSWORD = "hocvuso-demo-2026"  # noqa: S105 — printed on screen; demo databases only

DEMO_ORGANISATIONS = [
    ("SNV-68", "Sở Nội vụ tỉnh Lâm Đồng", OrganisationKind.STATE_AGENCY, "24781"),
    ("SGDDT-68", "Sở Giáo dục và Đào tạo tỉnh Lâm Đồng", OrganisationKind.STATE_AGENCY, "24781"),
    ("THPT-QK", "Trường THPT Quảng Khê", OrganisationKind.SCHOOL, DEMO_COMMUNE),
    ("HTX-CP-QK", "Hợp tác xã Cà phê Quảng Khê", OrganisationKind.COOPERATIVE, DEMO_COMMUNE),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    scope: str
    totp_key: str | None


def _demo_totp_key(username: str) -> str:
    """A fixed 20-byte key per demo account, so the printed secret stays valid across `make run`s."""
    return username.encode().hex().ljust(40, "0")[:40]


@transaction.atomic
def load_demo(*, seed: int = 68) -> list[DemoAccount]:
    """Load the national units, villages for the demo province, the starter curricula, a synthetic population
    (once), a few organisations and one account per role; the learner account is linked to a resident of the
    demo village; the indicator facts are built (idempotent). Returns the demo accounts with their scope and,
    for staff, their TOTP key (hex)."""
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
    for code, name, kind, unit_code in DEMO_ORGANISATIONS:
        organisations[code], _ = Organisation.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "unit": AdministrativeUnit.objects.get(code=unit_code)},
        )
    plan = [
        ("admin.tinh", "Nguyễn Văn An", Role.PROVINCE_ADMIN, province, None),
        ("canbo.noivu", "Trần Thị Bình", Role.AGENCY_OFFICER, None, organisations["SNV-68"]),
        ("canbo.xa", "Lê Văn Cường", Role.COMMUNE_OFFICER, commune, None),
        ("totruong", "H'Hen Niê", Role.TEAM_LEADER, commune, None),
        ("tinhnguyenvien", "Y Moan Êban", Role.TEAM_MEMBER, village, None),
        ("giangvien", "Phạm Thị Dung", Role.INSTRUCTOR, commune, None),
        ("nguoihoc", "K'Brơi", Role.LEARNER, None, None),
    ]
    accounts = []
    for username, full_name, role, unit, organisation in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(username=username, password=DEMO_PASSWORD, full_name=full_name)
            assign_role(user=user, role=role, unit=unit, organisation=organisation, assigned_by=None)
        key = None
        if role != Role.LEARNER:
            key = _demo_totp_key(username)
            TOTPDevice.objects.update_or_create(user=user, name="demo", defaults={"key": key, "confirmed": True})
        if role == Role.LEARNER and not Resident.objects.filter(user=user).exists():
            resident = Resident.objects.filter(village=village, user__isnull=True, birth_date__year__lt=2000).first()
            if resident is not None:
                link_user_account(resident=resident, user=user, actor=None)
                attach_resident(user=user)
        if role == Role.PROVINCE_ADMIN and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        scope = unit.name if unit else organisation.name if organisation else "—"
        accounts.append(DemoAccount(username, full_name, role, scope, key))
    rebuild_facts(actor=None)  # the dashboards' figures of today, so the first page view need not compute them
    return accounts
