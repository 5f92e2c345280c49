"""Issuing literacy certificates: one for each literacy confirmation (`learning.LiteracyStatus`), signed with the
province's active key, with a slot in the status lists. One at a time (`issue_certificate`), for every
confirmation still without one (`issue_pending_certificates`, Celery beat), or for a cohort (`issue_cohort`).

Batches are signed first (pure CPU: canonicalization and Ed25519) and written in one transaction per chunk: the
status slots, the certificates and one audit entry listing them. A confirmation already holding a certificate is
skipped, so running a batch twice, or two workers at once, issues each certificate once (the one-to-one on
`literacy_status` is the final guard: a chunk that loses the race is rolled back whole and retried).
"""

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.crypto import decrypt
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.learning.models import Competence, Level, LiteracyStatus, TargetGroup
from hocvuso.territory.models import AdministrativeUnit

from .documents import (
    AchievementFacts,
    CertificateFacts,
    CompetenceRef,
    LevelRef,
    credential_document,
    verification_method_id,
)
from .jsonld import TemplateCanonicalizer
from .keys import active_key
from .models import Certificate, DeliveryStatus, StatusIndexCounter, StatusList, StatusPurpose
from .outbox import schedule_delivery
from .signing import BatchSigner

TT02 = "tt02-2025"
CHUNK = 500
CHECK_EVERY = 250
MAX_CONFLICTS = 5


def xsd_datetime(moment: datetime) -> str:
    """A UTC time as XML Schema dateTime with seconds ("2026-01-01T07:30:00Z")."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_name() -> str:
    province = AdministrativeUnit.objects.filter(code=settings.PROVINCE_CODE).first()
    return province.name if province else settings.PROVINCE_CODE


def achievement_facts(status: LiteracyStatus) -> AchievementFacts:
    """What the group's achievement says, from the data: the rule's final assessments' blueprints give the TT 02
    competences assessed, the framework gives their names and the levels."""
    group = status.group
    codes: set[str] = set()
    for assessment in status.rule.required_assessments.all():
        codes.update(str(code) for code in assessment.blueprint)
    names = dict(Competence.objects.filter(framework__code=TT02, code__in=codes).values_list("code", "name"))
    competences = tuple(
        CompetenceRef(code=code, name=names.get(code, ""))
        for code in sorted(codes, key=lambda code: [int(part) if part.isdigit() else 0 for part in code.split(".")])
    )
    levels = tuple(LevelRef(code=code, name=name) for code, name in
                   Level.objects.filter(framework__code=TT02).order_by("step").values_list("code", "name"))  # fmt: skip
    level_code = settings.CREDENTIALS_LEVEL_REACHED
    if level_code not in {level.code for level in levels}:
        levels = (*levels, LevelRef(code=level_code, name=level_code))
    label = str(TargetGroup(group).label) if group in TargetGroup.values else group
    return AchievementFacts(
        group=group,
        name=f"Kỹ năng số cơ bản — {label}",
        description=(
            f"Đạt phổ cập kiến thức, kỹ năng số cơ bản theo Khung kiến thức, kỹ năng số cơ bản (Quyết định "
            f"757/QĐ-BKHCN ngày 29/4/2025), nhóm «{label}»; năng lực số theo Thông tư 02/2025/TT-BGDĐT."
        ),
        criteria=f"Đạt các bài đánh giá cuối khóa theo quy tắc xác nhận phổ cập «{status.rule.name}».",
        competences=competences,
        levels=levels,
    )


def _national_id(status: LiteracyStatus) -> str | None:
    resident = status.resident
    if resident is None or not resident.national_id_ciphertext:
        return None
    return decrypt(resident.national_id_ciphertext)


def _holder_name(status: LiteracyStatus) -> str:
    if status.resident is not None:
        return status.resident.full_name
    user = status.user
    return (user.get_full_name() or user.get_username()).strip()


def _allocate(count: int) -> int:
    """Reserve `count` consecutive status indexes; returns the first. Makes the lists they fall in."""
    counter, _created = StatusIndexCounter.objects.select_for_update().get_or_create(pk=1)
    first = counter.next_index
    StatusIndexCounter.objects.filter(pk=1).update(next_index=F("next_index") + count)
    size = StatusList._meta.get_field("size").default
    for number in range(first // size, (first + count - 1) // size + 1):
        for purpose in StatusPurpose.values:
            StatusList.objects.get_or_create(
                purpose=purpose, number=number, defaults={"size": size, "bits": bytes(size // 8)}
            )
    return int(first)


@dataclass
class _Prepared:
    status: LiteracyStatus
    certificate_id: uuid.UUID
    holder_name: str
    national_id: str | None


def _template(achievement: AchievementFacts, *, with_national_id: bool, issuer: str) -> TemplateCanonicalizer:
    """The shape of a certificate of this achievement, with a unique token wherever certificates differ."""
    token = uuid.uuid4().hex
    facts = CertificateFacts(
        certificate_id=f"00000000-0000-4000-8000-{token[:12]}",
        holder_name=f"slot-name-{token}",
        national_id=f"slot-id-{token}" if with_national_id else None,
        salt=f"slot-salt-{token}",
        issued_at=f"slot-date-{token}",
        level_code=settings.CREDENTIALS_LEVEL_REACHED,
        status_list_number=900_000_000 + int(token[:6], 16),
        status_index=800_000_000 + int(token[6:12], 16),
        issuer_name=issuer,
        achievement=achievement,
    )
    return TemplateCanonicalizer(credential_document(facts))


def _sign_all(prepared: list[_Prepared], first_index: int, issued_at: datetime) -> list[Certificate]:
    """Build and sign the certificates of a chunk. Certificates of one achievement share a shape, so each is
    canonicalized through its shape's template (no JSON-LD expansion each); the first of every shape and one in
    CHECK_EVERY are also canonicalized the full way, and a difference stops the issuance (RuntimeError) rather
    than sign something a verifier would reject."""
    key, seed = active_key()
    size = StatusList._meta.get_field("size").default
    when = xsd_datetime(issued_at)
    province = issuer_name()
    signer = BatchSigner(seed=seed, verification_method=verification_method_id(key.key_id), created=when)
    achievements: dict[int, AchievementFacts] = {}
    templates: dict[tuple[int, bool], TemplateCanonicalizer] = {}
    certificates = []
    for offset, item in enumerate(prepared):
        index = first_index + offset
        rule_id = item.status.rule_id
        if rule_id not in achievements:
            achievements[rule_id] = achievement_facts(item.status)
        facts = CertificateFacts(
            certificate_id=str(item.certificate_id),
            holder_name=item.holder_name,
            national_id=item.national_id,
            salt=secrets.token_hex(16),
            issued_at=when,
            level_code=settings.CREDENTIALS_LEVEL_REACHED,
            status_list_number=index // size,
            status_index=index % size,
            issuer_name=province,
            achievement=achievements[rule_id],
        )
        shape = (rule_id, item.national_id is not None)
        try:
            document = credential_document(facts)
            fresh = shape not in templates
            if fresh:
                templates[shape] = _template(achievements[rule_id], with_national_id=shape[1], issuer=province)
            if (fresh or offset % CHECK_EVERY == 0) and not templates[shape].full_check(document):
                raise RuntimeError("the template canonicalization differs from the full one: nothing is issued")
            signed = signer.sign(document, templates[shape])
        except ValueError as error:
            raise DomainError(
                _("Không cấp được chứng nhận: dữ liệu có ký tự điều khiển (%(where)s).") % {"where": error},
                code="control_character",
            ) from error
        certificates.append(
            Certificate(
                id=item.certificate_id,
                literacy_status=item.status,
                user_id=item.status.user_id,
                resident=item.status.resident,
                group=item.status.group,
                holder_name=item.holder_name,
                issued_at=issued_at,
                signing_key=key,
                credential=signed,
                status_list_number=index // size,
                status_index=index % size,
                delivery_status=DeliveryStatus.WAITING,
                next_delivery_at=issued_at,
            )
        )
    return certificates


def _pending(statuses: QuerySet[LiteracyStatus]) -> QuerySet[LiteracyStatus]:
    return (
        statuses.filter(certificate__isnull=True)
        .select_related("resident", "user", "rule")
        .prefetch_related("rule__required_assessments")
        .order_by("pk")
    )


def _issue_chunk(statuses: list[LiteracyStatus], *, actor: Any) -> list[Certificate]:
    issued_at = timezone.now()
    prepared = [
        _Prepared(status=status, certificate_id=uuid.uuid4(), holder_name=_holder_name(status),
                  national_id=_national_id(status))
        for status in statuses
    ]  # fmt: skip
    with transaction.atomic():
        # lock the confirmations: a concurrent batch waits here, then finds them issued and skips them
        ids = list(
            LiteracyStatus.objects.select_for_update(of=("self",))
            .filter(pk__in=[item.status.pk for item in prepared], certificate__isnull=True)
            .values_list("pk", flat=True)
        )
        prepared = [item for item in prepared if item.status.pk in set(ids)]
        if not prepared:
            return []
        first = _allocate(len(prepared))
        certificates = _sign_all(prepared, first, issued_at)
        Certificate.objects.bulk_create(certificates)
        record_audit(
            actor=actor,
            action="credentials.issue",
            object_type="credentials.certificate",
            object_id=certificates[0].pk if len(certificates) == 1 else "",
            object_label=certificates[0].holder_name if len(certificates) == 1 else f"{len(certificates)}",
            details={"certificates": [str(certificate.pk) for certificate in certificates],
                     "key": certificates[0].signing_key.key_id},
        )  # fmt: skip
        transaction.on_commit(schedule_delivery, robust=True)
    return certificates


def issue_certificates(*, statuses: Iterable[LiteracyStatus] | QuerySet[LiteracyStatus], actor: Any) -> int:
    """Issue a certificate for each of these literacy confirmations that has none yet, in chunks of CHUNK (one
    transaction each). Returns how many were issued. Raises DomainError when there is no signing key."""
    queryset = (
        statuses
        if isinstance(statuses, QuerySet)
        else LiteracyStatus.objects.filter(pk__in=[status.pk for status in statuses])
    )
    issued = 0
    conflicts = 0
    while True:
        chunk = list(_pending(queryset)[:CHUNK])
        if not chunk:
            return issued
        try:
            made = _issue_chunk(chunk, actor=actor)
        except IntegrityError:
            # another worker issued some of them meanwhile: the chunk was rolled back whole; read it again
            conflicts += 1
            if conflicts > MAX_CONFLICTS:
                raise
            continue
        issued += len(made)
        if not made:
            return issued


def issue_certificate(*, literacy_status: LiteracyStatus, actor: Any = None) -> Certificate:
    """The certificate of one literacy confirmation: issued now if it has none, else the existing one."""
    issue_certificates(statuses=[literacy_status], actor=actor)
    return Certificate.objects.get(literacy_status=literacy_status)


def issue_pending_certificates(*, limit: int | None = None, shard: tuple[int, int] | None = None) -> int:
    """Issue, as the system, a certificate for every literacy confirmation without one (Celery beat "issue-
    certificates", and after an assessment is passed). `shard=(i, n)` takes only the confirmations whose id is i
    modulo n, so n processes share a large backlog without waiting on each other's row locks (`manage.py
    issue_certificates --shard i/n`). Returns how many were issued."""
    statuses = LiteracyStatus.objects.filter(certificate__isnull=True)
    if shard is not None:
        index, count = shard
        if count < 1 or not 0 <= index < count:
            raise DomainError(_("Phân đoạn không hợp lệ."), code="bad_shard")
        statuses = statuses.alias(shard_of=F("pk") % count).filter(shard_of=index)
    if limit is not None:
        statuses = LiteracyStatus.objects.filter(
            pk__in=list(statuses.order_by("pk").values_list("pk", flat=True)[:limit])
        )
    return issue_certificates(statuses=statuses, actor=None)
