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
import re
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

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


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(value: Any, where: str = "") -> None:
    """Raise ValueError when a string anywhere in `value` holds a control character other than tab, line feed or
    carriage return (see the module docstring: those are where URDNA2015 and RDFC-1.0 escape differently)."""
    if isinstance(value, str):
        if _CONTROL.search(value):
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


class TemplateMismatch(Exception):
    """A document does not have its template's shape (other keys, list lengths or non-string values)."""


def _differences(template: Any, document: Any, mapping: dict[str, str]) -> None:
    if isinstance(template, dict):
        if not isinstance(document, dict) or template.keys() != document.keys():
            raise TemplateMismatch("keys")
        for key, value in template.items():
            _differences(value, document[key], mapping)
    elif isinstance(template, list):
        if not isinstance(document, list) or len(template) != len(document):
            raise TemplateMismatch("list")
        for item, other in zip(template, document, strict=True):
            _differences(item, other, mapping)
    elif isinstance(template, str) and isinstance(document, str):
        if template != document and mapping.setdefault(template, document) != document:
            raise TemplateMismatch("slot")
    elif type(template) is not type(document) or template != document:
        raise TemplateMismatch("value")


def _fresh(component: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """The component with its token replaced; blank nodes copied (URDNA2015 relabels them in place)."""
    value = component["value"]
    if value in mapping:
        return {**component, "value": mapping[value]}
    if component["type"] == "blank node":
        return dict(component)
    return component


class TemplateCanonicalizer:
    """Canonical N-Quads of documents that share one shape, without a JSON-LD expansion each (the expensive step).

    `template` is a document built by the same code as the documents to come, with a unique token (a string found
    nowhere else in it) wherever they differ: every varying value is a whole string (a literal, or an absolute IRI
    under an @id-typed term). The template is expanded to RDF once; a document's dataset is the template's with
    each token replaced by the document's string at the same place — what the expansion of that document gives,
    since JSON-LD expands a string by its term, not by its content — and is then canonicalized (URDNA2015, see the
    module docstring). A document of another shape raises TemplateMismatch; `full_check` compares with the full
    path (the issuer checks a sample of every batch)."""

    def __init__(self, template: dict[str, Any]) -> None:
        refuse_control_characters(template)
        self.template = template
        self.dataset: dict[str, list[dict[str, Any]]] = jsonld.to_rdf(
            template, {"documentLoader": document_loader, "produceGeneralizedRdf": False}
        )

    def canonical_nquads(self, document: dict[str, Any]) -> str:
        refuse_control_characters(document)
        mapping: dict[str, str] = {}
        _differences(self.template, document, mapping)
        dataset = {
            graph: [{position: _fresh(component, mapping) for position, component in quad.items()} for quad in quads]
            for graph, quads in self.dataset.items()
        }
        result: str = URDNA2015().main(dataset, {"format": "application/n-quads"})
        return result

    def full_check(self, document: dict[str, Any]) -> bool:
        """True when the fast path gives what the full expansion gives for this document."""
        return self.canonical_nquads(document) == canonical_nquads(document)
