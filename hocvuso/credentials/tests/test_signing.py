"""Our own proof creation and checking (the independent verifier is test_independent_verifier.py), the vendored
contexts and the document loader that refuses the network."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld.jsonld import JsonLdError

from hocvuso.credentials import jsonld
from hocvuso.credentials.signing import (
    add_proof,
    base58btc_decode,
    base58btc_encode,
    generate_seed,
    public_key_from_multibase,
    public_key_multibase,
    public_key_of,
    verify_proof,
)

DOCUMENT = {
    "@context": [jsonld.CREDENTIALS_V2],
    "id": "urn:uuid:0b5e8a3c-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential"],
    "issuer": "did:web:example.org",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:1", "name": "Nguyễn Thị Đào"},
}


def test_base58_round_trips_and_keeps_leading_zero_bytes() -> None:
    for data in (b"", b"\0", b"\0\0abc", bytes(range(256))):
        assert base58btc_decode(base58btc_encode(data)) == data
    assert base58btc_encode(b"\0\0\x01") == "112"
    with pytest.raises(ValueError):
        base58btc_decode("0OIl")


def test_a_multikey_starts_with_z6Mk_and_decodes_to_the_key() -> None:
    public = public_key_of(generate_seed())
    encoded = public_key_multibase(public)
    assert encoded.startswith("z6Mk")
    assert public_key_from_multibase(encoded) == public


def test_a_proof_verifies_and_any_change_breaks_it() -> None:
    seed = generate_seed()
    signed = add_proof(
        DOCUMENT, seed=seed, verification_method="did:web:example.org#key-1", created="2026-01-01T00:00:00Z"
    )
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["proofValue"].startswith("z")
    assert verify_proof(signed, public_key_of(seed))
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["name"] = "Nguyễn Thị Đảo"
    assert not verify_proof(tampered, public_key_of(seed))
    moved = copy.deepcopy(signed)
    moved["proof"]["created"] = "2026-01-02T00:00:00Z"
    assert not verify_proof(moved, public_key_of(seed))
    assert not verify_proof(signed, public_key_of(generate_seed()))


def test_key_order_and_whitespace_do_not_change_the_canonical_form() -> None:
    reordered = dict(reversed(list(DOCUMENT.items())))
    assert jsonld.canonical_nquads(reordered) == jsonld.canonical_nquads(DOCUMENT)


def test_an_unvendored_context_is_refused_without_a_request() -> None:
    with pytest.raises(JsonLdError):
        jsonld.canonical_nquads({**DOCUMENT, "@context": [jsonld.CREDENTIALS_V2, "https://attacker.example/ctx"]})
    with pytest.raises(JsonLdError):
        jsonld.document_loader("https://www.w3.org/2018/credentials/v1")


def test_a_term_no_context_defines_is_dropped_by_json_ld_so_the_proof_would_not_cover_it() -> None:
    # why the issuer's documents are checked to keep every term (test_issuance.py)
    assert jsonld.canonical_nquads({**DOCUMENT, "extraClaim": "x"}) == jsonld.canonical_nquads(DOCUMENT)


def test_control_characters_are_refused() -> None:
    bad = copy.deepcopy(DOCUMENT)
    bad["credentialSubject"]["name"] = "Nguyễn\x08Thị"
    with pytest.raises(ValueError, match=r"credentialSubject\.name"):
        jsonld.canonical_nquads(bad)


NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=[chr(c) for c in range(32)] + ["\x7f"]),
    min_size=1,
    max_size=40,
) | st.sampled_from(['Nguyễn "Bé" Na', "a\\b", "@id", "_:b0", "urn:uuid:x", "Thị\nHai", "Đ\tÀ", " "])


@settings(max_examples=60, deadline=None)
@given(name=NAMES, other=NAMES)
def test_the_template_path_gives_the_full_canonical_form_for_any_value(name: str, other: str) -> None:
    def document(holder: str, note: str, number: int) -> dict:
        return {
            "@context": [jsonld.CREDENTIALS_V2, jsonld.OPEN_BADGES_V3],
            "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Chứng nhận",
            "issuer": {"id": "did:web:example.org", "type": ["Profile"], "name": "Tỉnh"},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [
                    {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": holder},
                    {"type": "IdentityObject", "identityType": "nationalIdentityNumber", "hashed": True,
                     "identityHash": note, "salt": note},
                ],
                "achievement": {"id": "https://example.org/a", "type": ["Achievement"], "name": "A",
                                "description": "d", "criteria": {"narrative": note}},
            },
        }  # fmt: skip

    template = jsonld.TemplateCanonicalizer(document("slot-holder-q1", "slot-note-q2", 999))
    real = document(name, other, 7)
    assert template.canonical_nquads(real) == jsonld.canonical_nquads(real)
    assert template.canonical_nquads(real) == template.canonical_nquads(copy.deepcopy(real))  # template untouched


def test_a_document_of_another_shape_is_refused_by_the_template() -> None:
    template = jsonld.TemplateCanonicalizer(DOCUMENT)
    with pytest.raises(jsonld.TemplateMismatch):
        template.canonical_nquads({**DOCUMENT, "name": "extra"})
    with pytest.raises(jsonld.TemplateMismatch):
        template.canonical_nquads({**DOCUMENT, "credentialSubject": {"id": "did:example:1", "name": 5}})
