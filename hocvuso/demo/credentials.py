"""The demo's literacy certificates: residents of the demo commune confirmed literate (with sign-in accounts that
have no usable password), the province's signing key, their certificates (a few revoked, a few suspended) and the
VNeID confirmations the national platform sent back for most of them. Also the demo learner's own certificate."""

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.credentials.keys import rotate_signing_key
from hocvuso.credentials.models import Certificate, SigningKey
from hocvuso.credentials.services import change_certificate_status, issue_pending_certificates
from hocvuso.indicators.services import record_vneid_certification
from hocvuso.learning.models import LiteracyRule, LiteracyStatus, TargetGroup
from hocvuso.people.models import Resident
from hocvuso.territory.models import AdministrativeUnit, lies_within

DEMO_LEARNERS = 120
DEMO_REVOKED = 4
DEMO_SUSPENDED = 2


def load_demo_credentials(*, commune: AdministrativeUnit, admin: User, learner: User) -> int:
    """Once (nothing when certificates exist): confirm DEMO_LEARNERS adults of the commune and the demo learner
    literate, create the signing key, issue their certificates, revoke and suspend a few (as the province
    administrator), and record VNeID confirmations for two in three of those left valid. Returns how many
    certificates were issued."""
    if Certificate.objects.exists():
        return 0
    if not SigningKey.objects.filter(is_active=True).exists():
        rotate_signing_key(actor=None)
    rule = LiteracyRule.objects.filter(group=TargetGroup.CITIZENS, is_active=True).order_by("pk").first()
    if rule is None:
        return 0
    residents = list(
        Resident.objects.filter(lies_within(commune, through="village"), user__isnull=True,
                                national_id_hash__isnull=False, birth_date__year__lt=2005)
        .order_by("pk")[:DEMO_LEARNERS]
    )  # fmt: skip
    password = make_password(None)  # unusable: these accounts exist for the demo's records, nobody signs in
    users = User.objects.bulk_create(
        [User(username=f"demo.hocvien.{resident.pk}", password=password, is_active=True) for resident in residents]
    )
    for resident, user in zip(residents, users, strict=True):
        resident.user = user
    Resident.objects.bulk_update(residents, ["user"])
    statuses = [
        LiteracyStatus(user=user, resident=resident, group=rule.group, rule=rule)
        for resident, user in zip(residents, users, strict=True)
    ]
    learner_resident = Resident.objects.filter(user=learner).first()
    if not LiteracyStatus.objects.filter(user=learner, group=rule.group).exists():
        statuses.append(LiteracyStatus(user=learner, resident=learner_resident, group=rule.group, rule=rule))
    LiteracyStatus.objects.bulk_create(statuses)
    issued = issue_pending_certificates()
    certificates = list(Certificate.objects.exclude(user=learner).select_related("resident").order_by("pk"))
    for certificate in certificates[:DEMO_REVOKED]:
        change_certificate_status(certificate=certificate, status="revoked", actor=admin,
                                  reason="Dữ liệu mẫu: người khác thi hộ.")  # fmt: skip
    for certificate in certificates[DEMO_REVOKED : DEMO_REVOKED + DEMO_SUSPENDED]:
        change_certificate_status(certificate=certificate, status="suspended", actor=admin,
                                  reason="Dữ liệu mẫu: đang xác minh lại.")  # fmt: skip
    now = timezone.now()
    for position, certificate in enumerate(certificates[DEMO_REVOKED + DEMO_SUSPENDED :]):
        if position % 3 != 2 and certificate.resident is not None:
            record_vneid_certification(resident=certificate.resident, pushed_at=now, actor=None,
                                       group=certificate.group, reference=f"demo:{certificate.pk}")  # fmt: skip
    return issued
