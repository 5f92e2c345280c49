"""An independent verifier, not ours (Digital Bazaar's @digitalbazaar/vc + eddsa-rdfc-2022 + Bitstring Status
List, from npm): it verifies an issued certificate with our DID document and status lists served as the site
serves them, rejects a tampered one, reports a revoked or suspended one, and verifies after a key rotation."""

import copy
import json
from typing import Any

import pytest

from hocvuso.credentials.models import Certificate
from hocvuso.credentials.services import change_certificate_status, issue_certificate, rotate_signing_key

from .conftest import make_resident
from .verifier import install, verify


@pytest.fixture(scope="session")
def verifier() -> Any:
    return install()


def _served(client: Any, certificate: Certificate) -> dict[str, Any]:
    """The DID document and the status lists exactly as the public URLs serve them."""
    did = json.loads(client.get("/.well-known/did.json").content)
    documents = {}
    for entry in certificate.credential["credentialStatus"]:
        url = entry["statusListCredential"]
        response = client.get(url.removeprefix("http://localhost:8000"))
        assert response.status_code == 200
        documents[url] = json.loads(response.content)
    return {"did_document": did, "documents": documents}


def test_an_issued_certificate_verifies_with_an_independent_verifier(verifier, signing_key, dao, confirm, client):
    certificate = issue_certificate(literacy_status=confirm(dao))
    answer = verify(verifier, certificate.credential, **_served(client, certificate))
    assert answer["error"] == ""
    assert answer["verified"] is True and answer["proofVerified"] is True
    assert answer["statuses"] == {"revocation": False, "suspension": False}


def test_a_tampered_certificate_is_rejected(verifier, signing_key, dao, confirm, client) -> None:
    certificate = issue_certificate(literacy_status=confirm(dao))
    served = _served(client, certificate)
    for change in ("name", "level", "date"):
        tampered = copy.deepcopy(certificate.credential)
        if change == "name":
            tampered["credentialSubject"]["identifier"][-1]["identityHash"] = "Nguyễn Thị Đảo"
        elif change == "level":
            tampered["credentialSubject"]["result"][0]["achievedLevel"] = tampered["credentialSubject"]["result"][0][
                "achievedLevel"
            ].replace("CB1", "CS2")
        else:
            tampered["validFrom"] = "2025-01-01T00:00:00Z"
        answer = verify(verifier, tampered, **served)
        assert answer["verified"] is False and answer["proofVerified"] is False, change


def test_a_revoked_certificate_is_reported_revoked(verifier, signing_key, dao, confirm, client, province_admin):
    certificate = issue_certificate(literacy_status=confirm(dao))
    change_certificate_status(certificate=certificate, status="revoked", reason="Gian lận", actor=province_admin)
    answer = verify(verifier, certificate.credential, **_served(client, certificate))
    assert answer["proofVerified"] is True
    assert answer["statuses"] == {"revocation": True, "suspension": False}


def test_a_suspended_certificate_is_reported_suspended(verifier, signing_key, dao, confirm, client, province_admin):
    certificate = issue_certificate(literacy_status=confirm(dao))
    change_certificate_status(certificate=certificate, status="suspended", reason="Xác minh", actor=province_admin)
    answer = verify(verifier, certificate.credential, **_served(client, certificate))
    assert answer["statuses"] == {"revocation": False, "suspension": True}


def test_certificates_signed_before_a_key_rotation_still_verify(verifier, signing_key, territory, confirm, client):
    before = issue_certificate(literacy_status=confirm(make_resident(territory.village, 31)))
    rotate_signing_key(actor=None)
    after = issue_certificate(literacy_status=confirm(make_resident(territory.village, 32)))
    for certificate in (before, after):
        answer = verify(verifier, certificate.credential, **_served(client, certificate))
        assert answer["verified"] is True, answer["error"]
