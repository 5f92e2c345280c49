"""The demo's literacy certificates: the province's signing key, the certificates of residents of the demo commune
confirmed literate in the movement's past weeks (a few revoked, a few suspended) and the VNeID confirmations the
national platform sent back for most of them. Also the demo learner's own confirmation and certificate."""

from django.db.models import Q
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.credentials.keys import rotate_signing_key
from hocvuso.credentials.models import Certificate, SigningKey
from hocvuso.credentials.services import change_certificate_status, issue_certificates
from hocvuso.indicators.models import VneidCertification
from hocvuso.indicators.services import record_vneid_certification
from hocvuso.learning.models import LiteracyRule, LiteracyStatus, TargetGroup
from hocvuso.people.models import Resident
from hocvuso.territory.models import AdministrativeUnit, lies_within

DEMO_LEARNERS = 120
DEMO_REVOKED = 4
DEMO_SUSPENDED = 2


def load_demo_credentials(*, commune: AdministrativeUnit, admin: User, learner: User) -> int:
    """Once (nothing when certificates exist): confirm the demo learner literate, create the signing key, issue
    the certificates of the demo learner and of the demo commune's first DEMO_LEARNERS confirmations (those of
    its people's past weeks, `hocvuso.demo.history`), revoke and suspend a few (as the province administrator),
    and record VNeID confirmations for two in three of those left valid that have none yet. Returns how many
    certificates were issued."""
    if Certificate.objects.exists():
        return 0
    if not SigningKey.objects.filter(is_active=True).exists():
        rotate_signing_key(actor=None)
    rule = LiteracyRule.objects.filter(group=TargetGroup.CITIZENS, is_active=True).order_by("pk").first()
    if rule is None:
        return 0
    learner_resident = Resident.objects.filter(user=learner).first()
    if not LiteracyStatus.objects.filter(user=learner, group=rule.group).exists():
        LiteracyStatus.objects.create(user=learner, resident=learner_resident, group=rule.group, rule=rule)
    confirmed = (
        LiteracyStatus.objects.filter(lies_within(commune, through="resident__village"))
        .exclude(user=learner)
        .order_by("confirmed_at", "pk")
        .values_list("pk", flat=True)[:DEMO_LEARNERS]
    )
    statuses = LiteracyStatus.objects.filter(Q(pk__in=list(confirmed)) | Q(user=learner))
    issued = issue_certificates(statuses=statuses, actor=None)
    certificates = list(Certificate.objects.exclude(user=learner).select_related("resident").order_by("pk"))
    for certificate in certificates[:DEMO_REVOKED]:
        change_certificate_status(certificate=certificate, status="revoked", actor=admin,
                                  reason="Dữ liệu mẫu: người khác thi hộ.")  # fmt: skip
    for certificate in certificates[DEMO_REVOKED : DEMO_REVOKED + DEMO_SUSPENDED]:
        change_certificate_status(certificate=certificate, status="suspended", actor=admin,
                                  reason="Dữ liệu mẫu: đang xác minh lại.")  # fmt: skip
    now = timezone.now()
    pushed = set(VneidCertification.objects.values_list("resident_id", flat=True))
    for position, certificate in enumerate(certificates[DEMO_REVOKED + DEMO_SUSPENDED :]):
        resident = certificate.resident
        if position % 3 != 2 and resident is not None and resident.pk not in pushed:
            record_vneid_certification(resident=resident, pushed_at=now, actor=None,
                                       group=certificate.group, reference=f"demo:{certificate.pk}")  # fmt: skip
    return issued
