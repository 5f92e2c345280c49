"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC Data Integrity EdDSA Cryptosuites v1.0,
section 3.3) and Ed25519 keys expressed as Multikey.

Creating a proof: the proof options (without `proofValue`, with the document's `@context`) and the document
(without `proof`) are each canonicalized (RDFC-1.0, `jsonld.canonical_nquads`) and hashed with SHA-256; the
signature is Ed25519 over proofHash ‖ documentHash; `proofValue` is that signature in multibase base58-btc
(`z…`). A Multikey public key is multibase base58-btc of the multicodec prefix 0xed 0x01 and the 32-byte key.
"""

import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from .jsonld import TemplateCanonicalizer, canonical_nquads

CRYPTOSUITE = "eddsa-rdfc-2022"
_ED25519_PUB_PREFIX = b"\xed\x01"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {character: position for position, character in enumerate(_ALPHABET)}


def base58btc_encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) of `data`, leading zero bytes as '1'."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_ALPHABET[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """The bytes of a base58 (Bitcoin alphabet) string; ValueError for a character outside the alphabet."""
    number = 0
    for character in text:
        if character not in _INDEX:
            raise ValueError("not base58btc")
        number = number * 58 + _INDEX[character]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def multibase_decode(value: str) -> bytes:
    if not value.startswith("z"):
        raise ValueError("only multibase base58-btc ('z') is used")
    return base58btc_decode(value[1:])


def generate_seed() -> bytes:
    """A new Ed25519 private key's 32 raw bytes."""
    return Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_key_of(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_multibase(public_key: bytes) -> str:
    """The Multikey `publicKeyMultibase` of a 32-byte Ed25519 public key."""
    return multibase_encode(_ED25519_PUB_PREFIX + public_key)


def public_key_from_multibase(value: str) -> bytes:
    raw = multibase_decode(value)
    if not raw.startswith(_ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return raw[2:]


def _proof_hash(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    return hashlib.sha256(canonical_nquads(config).encode("utf-8")).digest()


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    document_hash = hashlib.sha256(canonical_nquads(unsecured).encode("utf-8")).digest()
    return _proof_hash(unsecured, proof_options) + document_hash


class BatchSigner:
    """Signs many documents with one key, one `created` time and one purpose, as `add_proof` does, faster: the
    proof options are canonicalized once per `@context`, and a document given with a `TemplateCanonicalizer` of
    its shape skips the JSON-LD expansion (see jsonld.TemplateCanonicalizer)."""

    def __init__(self, *, seed: bytes, verification_method: str, created: str, purpose: str = "assertionMethod"):
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.options: dict[str, Any] = {
            "type": "DataIntegrityProof",
            "cryptosuite": CRYPTOSUITE,
            "created": created,
            "verificationMethod": verification_method,
            "proofPurpose": purpose,
        }
        self._proof_hashes: dict[str, bytes] = {}

    def sign(self, document: dict[str, Any], template: TemplateCanonicalizer | None = None) -> dict[str, Any]:
        unsecured = {key: value for key, value in document.items() if key != "proof"}
        context_key = repr(unsecured["@context"])
        if context_key not in self._proof_hashes:
            self._proof_hashes[context_key] = _proof_hash(unsecured, self.options)
        nquads = template.canonical_nquads(unsecured) if template is not None else canonical_nquads(unsecured)
        data = self._proof_hashes[context_key] + hashlib.sha256(nquads.encode("utf-8")).digest()
        return {**unsecured, "proof": {**self.options, "proofValue": multibase_encode(self._key.sign(data))}}


def add_proof(
    document: dict[str, Any], *, seed: bytes, verification_method: str, created: str, purpose: str = "assertionMethod"
) -> dict[str, Any]:
    """A copy of `document` secured with an `eddsa-rdfc-2022` DataIntegrityProof made with the Ed25519 key
    `seed`, naming `verification_method` (a DID URL of the issuer's DID document) and `created` (an XML Schema
    dateTime string). Raises ValueError for a string holding a control character, pyld's JsonLdError for a
    document that does not expand (an unvendored context, or a term no context defines)."""
    signer = BatchSigner(seed=seed, verification_method=verification_method, created=created, purpose=purpose)
    return signer.sign(document)


def verify_proof(document: dict[str, Any], public_key: bytes) -> bool:
    """True when the document's single `eddsa-rdfc-2022` proof is a valid Ed25519 signature by `public_key` over
    the document as it is now. False for a missing, malformed or other-suite proof, or any change."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof":
        return False
    if proof.get("cryptosuite") != CRYPTOSUITE or not isinstance(proof.get("proofValue"), str):
        return False
    try:
        signature = multibase_decode(proof["proofValue"])
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ValueError):
        return False
    return True
