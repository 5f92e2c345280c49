"""The JSON documents of the credentials part, built from plain values (no database): the Open Badges 3.0
AchievementCredential of a literacy certificate, the issuer's DID document, and a Bitstring Status List credential.

Shapes follow Open Badges 3.0 (context 3.0.3: OpenBadgeCredential, AchievementSubject with IdentityObject
identifiers, Achievement with alignments and a ResultDescription of rubric levels, Result with achievedLevel), the
VC Data Model 2.0 (validFrom, credentialStatus), did:web with Multikey verification methods, and Bitstring Status
List v1.0 (encodedList: multibase base64url, no padding, of the GZIP-compressed bitstring).
"""

import base64
import gzip
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from .jsonld import CREDENTIALS_V2, DID_V1, MULTIKEY_V1, OPEN_BADGES_V3
from .signing import public_key_multibase


def issuer_did() -> str:
    """The deployment's issuer: did:web of CREDENTIALS_DID_DOMAIN."""
    return f"did:web:{settings.CREDENTIALS_DID_DOMAIN}"


def verification_method_id(key_id: str) -> str:
    return f"{issuer_did()}#{key_id}"


def base_url() -> str:
    return str(settings.CREDENTIALS_BASE_URL)


def status_list_url(purpose: str, number: int) -> str:
    return f"{base_url()}/xac-minh/trang-thai/{purpose}/{number}"


def verification_url(certificate_id: Any) -> str:
    return f"{base_url()}/xac-minh/{certificate_id}/"


def achievement_url(group: str) -> str:
    return f"{base_url()}/xac-minh/thanh-tuu/{group}/"


def identity_hash(value: str, salt: str) -> str:
    """Open Badges 3.0 IdentityHash: 'sha256$' and the hex SHA-256 of the value with the salt appended."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CompetenceRef:
    code: str
    name: str


@dataclass(frozen=True)
class LevelRef:
    code: str
    name: str


@dataclass(frozen=True)
class AchievementFacts:
    """What a group's literacy achievement says: the QĐ 757 standard of the group, the TT 02 competences its
    assessments cover and the levels of TT 02 (one of which the holder reached)."""

    group: str
    name: str
    description: str
    criteria: str
    competences: tuple[CompetenceRef, ...]
    levels: tuple[LevelRef, ...]
    framework_name: str = "Thông tư 02/2025/TT-BGDĐT"


@dataclass(frozen=True)
class CertificateFacts:
    certificate_id: str
    holder_name: str
    national_id: str | None
    salt: str
    issued_at: str  # XML Schema dateTime, UTC ("2026-01-01T00:00:00Z")
    level_code: str
    status_list_number: int
    status_index: int
    issuer_name: str
    achievement: AchievementFacts
    extra: dict[str, Any] = field(default_factory=dict)


def achievement_document(facts: AchievementFacts) -> dict[str, Any]:
    url = achievement_url(facts.group)
    return {
        "id": url,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": facts.name,
        "description": facts.description,
        "criteria": {"narrative": facts.criteria},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": f"{competence.code} {competence.name}".strip(),
                "targetCode": competence.code,
                "targetFramework": facts.framework_name,
                "targetType": "ceasn:Competency",
                "targetUrl": f"{url}#nang-luc-{competence.code}",
            }
            for competence in facts.competences
        ],
        "resultDescription": [
            {
                "id": f"{url}#bac",
                "type": ["ResultDescription"],
                "name": f"Bậc năng lực số ({facts.framework_name})",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {
                        "id": f"{url}#bac-{level.code}",
                        "type": ["RubricCriterionLevel"],
                        "name": level.name,
                        "level": level.code,
                    }
                    for level in facts.levels
                ],
            }
        ],
    }


def credential_document(facts: CertificateFacts) -> dict[str, Any]:
    """The unsigned AchievementCredential of one certificate."""
    achievement = achievement_document(facts.achievement)
    identifiers: list[dict[str, Any]] = []
    if facts.national_id:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "nationalIdentityNumber",
                "hashed": True,
                "identityHash": identity_hash(facts.national_id, facts.salt),
                "salt": facts.salt,
            }
        )
    identifiers.append({"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": facts.holder_name})  # fmt: skip
    entries = []
    for purpose in ("revocation", "suspension"):
        list_url = status_list_url(purpose, facts.status_list_number)
        entries.append(
            {
                "id": f"{list_url}#{facts.status_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(facts.status_index),
                "statusListCredential": list_url,
            }
        )
    return {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": f"urn:uuid:{facts.certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Chứng nhận đạt phổ cập kỹ năng số — {facts.achievement.name}",
        "issuer": {"id": issuer_did(), "type": ["Profile"], "name": facts.issuer_name, "url": base_url() + "/"},
        "validFrom": facts.issued_at,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement,
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement['id']}#bac",
                    "achievedLevel": f"{achievement['id']}#bac-{facts.level_code}",
                }
            ],
        },
        "credentialStatus": entries,
    }


@dataclass(frozen=True)
class PublishedKey:
    key_id: str
    public_key: bytes


def did_document(keys: list[PublishedKey]) -> dict[str, Any]:
    """The issuer's DID document: every published key (the active one and the retired ones, whose certificates
    must still verify) as a Multikey verification method usable for assertions."""
    did = issuer_did()
    methods = [
        {
            "id": verification_method_id(key.key_id),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(key.public_key),
        }
        for key in keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def encode_bitstring(bits: bytes) -> str:
    """Bitstring Status List `encodedList`: 'u' + base64url (no padding) of the GZIP-compressed bits."""
    compressed = gzip.compress(bits, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is multibase base64url ('u')")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def status_list_document(*, purpose: str, number: int, bits: bytes, valid_from: str) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of one list."""
    url = status_list_url(purpose, number)
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_bitstring(bits),
        },
    }
