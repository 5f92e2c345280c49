import pytest
from django.test import override_settings

from hocvuso.core.crypto import DecryptionError, decrypt, encrypt, encrypt_many, lookup_hash

OTHER_KEY = "b3RoZXItZmllbGQta2V5LW5vdC10aGUtc2FtZS0zMmI="


def test_round_trip_keeps_the_text():
    assert decrypt(encrypt("068190001234")) == "068190001234"
    assert decrypt(encrypt("Nguyễn Thị Đào")) == "Nguyễn Thị Đào"


def test_layout_is_version_nonce_ciphertext_and_tag():
    sealed = encrypt("068190001234")

    assert sealed[0] == 1
    assert len(sealed) == 1 + 12 + 12 + 16


def test_same_text_seals_differently_each_time():
    assert encrypt("068190001234") != encrypt("068190001234")


def test_encrypt_many_matches_encrypt_format():
    sealed = encrypt_many(["068190001234", "0912345678"])

    assert [decrypt(value) for value in sealed] == ["068190001234", "0912345678"]
    assert sealed[0][1:13] != sealed[1][1:13]


def test_a_changed_byte_is_detected():
    sealed = bytearray(encrypt("068190001234"))
    sealed[20] ^= 0x01

    with pytest.raises(DecryptionError):
        decrypt(bytes(sealed))


def test_a_changed_nonce_unknown_version_or_truncation_is_detected():
    sealed = encrypt("068190001234")

    with pytest.raises(DecryptionError):
        decrypt(sealed[:1] + bytes([sealed[1] ^ 1]) + sealed[2:])
    with pytest.raises(DecryptionError):
        decrypt(bytes([2]) + sealed[1:])
    with pytest.raises(DecryptionError):
        decrypt(sealed[:20])


def test_another_key_cannot_open_it():
    sealed = encrypt("068190001234")

    with override_settings(FIELD_ENCRYPTION_KEY=OTHER_KEY), pytest.raises(DecryptionError):
        decrypt(sealed)


def test_lookup_hash_is_keyed_and_stable():
    first = lookup_hash("068190001234")

    assert first == lookup_hash("068190001234")
    assert len(first) == 64
    assert first != lookup_hash("068190001235")
    with override_settings(LOOKUP_HASH_KEY=OTHER_KEY):
        assert lookup_hash("068190001234") != first
