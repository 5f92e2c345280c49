"""JSON-LD for credentials: the vendored contexts, a document loader that never reaches the network, and RDF
Dataset Canonicalization (RDFC-1.0) of a document into canonical N-Quads.

Canonicalization runs pyld's URDNA2015. RDFC-1.0 (W3C Recommendation, 2024) is URDNA2015 with the same labelling
and hashing (SHA-256) and one difference that matters here: the canonical N-Quads escaping of control characters
(U+0000–U+001F other than tab, line feed and carriage return, and U+007F), which URDNA2015 leaves raw. The issuer
refuses such characters in every string it signs (`refuse_control_characters`), so for every document it signs
the two algorithms give the same bytes; the independent verifier test (JavaScript's rdf-canonize, RDFC-1.0)
checks it.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

# URL → vendored file. Nothing else is ever loaded.
VENDORED: dict[str, str] = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.json",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class ContextNotVendored(Exception):
    """A document named a JSON-LD context that is not vendored; nothing is fetched."""


@cache
def vendored_context(url: str) -> dict[str, Any]:
    """The parsed vendored context for `url`. Raises ContextNotVendored for any other URL."""
    name = VENDORED.get(url)
    if name is None:
        raise ContextNotVendored(url)
    loaded: dict[str, Any] = json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))
    return loaded


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the vendored contexts only; any other URL raises (never a network request)."""
    try:
        document = vendored_context(url)
    except ContextNotVendored:
        raise jsonld.JsonLdError(
            f"JSON-LD context not vendored: {url}", "jsonld.LoadDocumentError", code="loading document failed"
        ) from None
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}


_CONTROL = {chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"} | {"\x7f"}


def refuse_control_characters(value: Any, where: str = "") -> None:
    """Raise ValueError when a string anywhere in `value` holds a control character other than tab, line feed or
    carriage return (see the module docstring: those are where URDNA2015 and RDFC-1.0 escape differently)."""
    if isinstance(value, str):
        if any(character in _CONTROL for character in value):
            raise ValueError(f"control character in {where or 'a string'}")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            refuse_control_characters(item, f"{where}[{position}]")


def canonical_nquads(document: dict[str, Any]) -> str:
    """The document's RDF dataset, canonicalized (see module docstring), as N-Quads. Raises pyld's JsonLdError
    for a document that cannot be expanded (an unvendored context). A term no context defines is dropped by
    JSON-LD expansion and so not covered by a proof: the documents the issuer builds are checked to keep every
    term (`tests/test_issuance.py`, expanded and compacted back to themselves)."""
    refuse_control_characters(document)
    result: str = jsonld.normalize(
        document,
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader},
    )
    return result
