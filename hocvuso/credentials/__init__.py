"""Credentials: literacy certificates as Open Badges 3.0 / W3C Verifiable Credentials 2.0, the province's signing
keys and DID document, Bitstring Status Lists for revocation and suspension, and the outbox that sends each
certificate to the national confirmation endpoint (VNeID)."""
