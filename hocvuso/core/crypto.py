"""Field encryption for personal data at rest: AES-256-GCM for national IDs and phones, HMAC-SHA256 lookup hashes.

A ciphertext is ``version (1 byte) + nonce (12 random bytes) + AES-GCM ciphertext and tag``. The version byte
names the key that sealed it, so a key can be rotated without re-encrypting every row at once. The AESGCM and
HMAC objects are built once per key (no per-call key derivation): encrypting millions of rows stays fast.
"""

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_VERSION = 1
NONCE_SIZE = 12
_TAG_SIZE = 16
_HEADER_SIZE = 1 + NONCE_SIZE


class DecryptionError(Exception):
    """The ciphertext was altered, truncated, or sealed with another key: never returned as text."""


def _decode_key(value: str, setting: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"{setting} must be 32 random bytes, base64-encoded.") from error
    if len(key) != 32:
        raise ImproperlyConfigured(f"{setting} must be 32 random bytes, base64-encoded (got {len(key)} bytes).")
    return key


@lru_cache(maxsize=4)
def _cipher(encoded_key: str) -> AESGCM:
    return AESGCM(_decode_key(encoded_key, "FIELD_ENCRYPTION_KEY"))


@lru_cache(maxsize=4)
def _hasher(encoded_key: str) -> "hmac.HMAC":
    return hmac.new(_decode_key(encoded_key, "LOOKUP_HASH_KEY"), digestmod=hashlib.sha256)


def encrypt(plaintext: str) -> bytes:
    """Seal text with the current field key; returns version byte + random nonce + ciphertext and tag."""
    nonce = os.urandom(NONCE_SIZE)
    sealed = _cipher(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode(), None)
    return bytes((KEY_VERSION,)) + nonce + sealed


def encrypt_many(plaintexts: Iterable[str]) -> list[bytes]:
    """Seal many values at once (one call for the random nonces); same format as :func:`encrypt`."""
    values = list(plaintexts)
    cipher = _cipher(settings.FIELD_ENCRYPTION_KEY)
    randomness = os.urandom(NONCE_SIZE * len(values))
    version = bytes((KEY_VERSION,))
    sealed = []
    seal = cipher.encrypt
    for index, value in enumerate(values):
        nonce = randomness[index * NONCE_SIZE : (index + 1) * NONCE_SIZE]
        sealed.append(version + nonce + seal(nonce, value.encode(), None))
    return sealed


def decrypt(ciphertext: bytes | bytearray | memoryview) -> str:
    """Open a value sealed by :func:`encrypt`. Raises DecryptionError when it was altered or the key is wrong."""
    data = bytes(ciphertext)
    if len(data) < _HEADER_SIZE + _TAG_SIZE:
        raise DecryptionError("Ciphertext is too short.")
    if data[0] != KEY_VERSION:
        raise DecryptionError(f"Unknown key version {data[0]}.")
    nonce = data[1:_HEADER_SIZE]
    try:
        plaintext = _cipher(settings.FIELD_ENCRYPTION_KEY).decrypt(nonce, data[_HEADER_SIZE:], None)
    except InvalidTag as error:
        raise DecryptionError("Ciphertext failed authentication.") from error
    return plaintext.decode()


def lookup_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) to find a record by an encrypted value without decrypting anything."""
    hasher = _hasher(settings.LOOKUP_HASH_KEY).copy()
    hasher.update(value.encode())
    return hasher.hexdigest()
