"""The ID token's checks against the real provider's keys: every token here is correct but for one thing, and is
refused for it (a correct one, made the same way, is accepted: the checks are not refusing everything)."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import RSAKey

from hocvuso.vneid import provider
from hocvuso.vneid.models import ConsumedIdToken

from .provider import CLIENT_ID, new_key

pytestmark = pytest.mark.django_db
NONCE = "nonce-of-this-sign-in-0123456789abcdef"


def claims(oidc: Any, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {"iss": oidc.issuer, "sub": "an", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": NONCE}
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def signed(payload: dict[str, Any], key: RSAKey, *, alg: str = "RS256", kid: str | None = None) -> str:
    return jwt.encode({"alg": alg, "kid": kid or key.kid}, payload, key)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def refused(token: str, code: str, nonce: str = NONCE) -> None:
    with pytest.raises(provider.ProviderError) as caught:
        provider.validate_id_token(token, nonce=nonce)
    assert caught.value.code == code


def test_a_correct_token_is_accepted_once_and_its_replay_refused(oidc_settings):
    token = signed(claims(oidc_settings), oidc_settings.signing_key)

    assert provider.validate_id_token(token, nonce=NONCE)["sub"] == "an"
    assert ConsumedIdToken.objects.count() == 1
    refused(token, "replayed")


def test_a_token_the_provider_issued_is_accepted_once(oidc_settings):
    """The provider's own token, from its token endpoint, replayed after a successful sign-in."""
    from urllib.parse import parse_qs, urlsplit

    from .conftest import CALLBACK
    from .provider import sign_in_at_provider

    flow = provider.begin_authorization(redirect_uri=CALLBACK)
    callback = sign_in_at_provider(flow.url, login="an", stop_at=CALLBACK)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    tokens = provider.exchange_code(code=code, code_verifier=flow.code_verifier, redirect_uri=CALLBACK)

    assert provider.validate_id_token(tokens["id_token"], nonce=flow.nonce)["sub"] == "an"
    refused(tokens["id_token"], "replayed", nonce=flow.nonce)


def test_a_token_signed_with_another_key_under_the_providers_key_id_is_refused(oidc_settings):
    forger = new_key(oidc_settings.signing_key.kid)

    refused(signed(claims(oidc_settings), forger), "signature")


def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused(oidc_settings):
    refused(signed(claims(oidc_settings), new_key("attacker-key")), "signature")


def test_an_expired_token_is_refused(oidc_settings):
    long_ago = int(time.time()) - 3600
    refused(signed(claims(oidc_settings, iat=long_ago, exp=long_ago + 300), oidc_settings.signing_key), "claim_exp")


def test_a_token_just_expired_within_the_leeway_is_accepted(oidc_settings, settings):
    settings.OIDC_LEEWAY_SECONDS = 60
    now = int(time.time())
    token = signed(claims(oidc_settings, iat=now - 400, exp=now - 30), oidc_settings.signing_key)

    assert provider.validate_id_token(token, nonce=NONCE)["sub"] == "an"


def test_a_token_issued_in_the_future_is_refused(oidc_settings):
    later = int(time.time()) + 3600
    refused(signed(claims(oidc_settings, iat=later, exp=later + 300), oidc_settings.signing_key), "claim_iat")


def test_a_token_for_another_audience_is_refused(oidc_settings):
    refused(signed(claims(oidc_settings, aud="another-app"), oidc_settings.signing_key), "claim_aud")


def test_a_token_for_several_audiences_without_us_as_authorised_party_is_refused(oidc_settings):
    token = signed(claims(oidc_settings, aud=[CLIENT_ID, "another-app"], azp="another-app"), oidc_settings.signing_key)
    refused(token, "claim_azp")


def test_a_token_from_another_issuer_is_refused(oidc_settings):
    refused(signed(claims(oidc_settings, iss="https://vneid.example"), oidc_settings.signing_key), "claim_iss")


def test_a_token_with_another_nonce_is_refused(oidc_settings):
    refused(signed(claims(oidc_settings, nonce="someone-elses-nonce"), oidc_settings.signing_key), "claim_nonce")


def test_a_token_without_a_nonce_is_refused(oidc_settings):
    refused(signed(claims(oidc_settings, nonce=None), oidc_settings.signing_key), "claim_nonce")


def test_an_unsigned_token_alg_none_is_refused(oidc_settings):
    header = b64(json.dumps({"alg": "none", "kid": oidc_settings.signing_key.kid}).encode())
    body = b64(json.dumps(claims(oidc_settings)).encode())

    refused(f"{header}.{body}.", "algorithm")
    refused(f"{header}.{body}", "malformed")


def test_a_token_signed_with_hmac_and_the_public_key_as_secret_is_refused(oidc_settings):
    """The algorithm confusion attack: HS256 keyed with the provider's published RSA key."""
    public = oidc_settings.signing_key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "kid": oidc_settings.signing_key.kid}).encode())
    body = b64(json.dumps(claims(oidc_settings)).encode())
    signature = b64(hmac.new(public, f"{header}.{body}".encode(), hashlib.sha256).digest())

    refused(f"{header}.{body}.{signature}", "algorithm")


def test_an_hmac_algorithm_cannot_be_allowed_by_the_settings(oidc_settings, settings):
    settings.OIDC_ALGORITHMS = ["HS256", "none"]

    assert provider.ProviderSettings.from_settings().algorithms == ("RS256",)


def test_a_rotated_key_is_fetched_when_a_token_names_it(oidc_settings):
    provider.validate_id_token(signed(claims(oidc_settings), oidc_settings.signing_key), nonce=NONCE)  # JWKS cached

    rotated = oidc_settings.rotate("key-2")
    token = signed(claims(oidc_settings, sub="binh"), rotated)

    assert provider.validate_id_token(token, nonce=NONCE)["sub"] == "binh"
    # the old key is still published, and still verifies
    assert provider.validate_id_token(signed(claims(oidc_settings, sub="cuong"), oidc_settings.keys[1]), nonce=NONCE)


def test_garbage_is_refused(oidc_settings):
    refused("not-a-token", "malformed")
    refused("a.b.c", "malformed")


def test_discovery_naming_another_issuer_is_refused(oidc_settings, settings):
    settings.OIDC_ISSUER = oidc_settings.issuer.replace("127.0.0.1", "localhost")

    with pytest.raises(provider.ProviderError) as caught:
        provider.metadata()
    assert caught.value.code == "issuer_mismatch"


def test_a_provider_over_plain_http_is_refused_unless_allowed(oidc_settings, settings):
    settings.OIDC_ALLOW_HTTP = False

    with pytest.raises(provider.ProviderError) as caught:
        provider.metadata()
    assert caught.value.code == "insecure_url"


def test_an_unknown_key_id_fetches_the_keys_again_at_most_once_in_the_interval(oidc_settings, settings):
    settings.OIDC_JWKS_MIN_REFRESH_SECONDS = 3600
    provider.validate_id_token(signed(claims(oidc_settings), oidc_settings.signing_key), nonce=NONCE)
    rotated = oidc_settings.rotate("key-3")

    # the keys were fetched moments ago: a token naming an unknown key is refused, the provider not asked again
    refused(signed(claims(oidc_settings, sub="dung"), rotated), "signature")
    settings.OIDC_JWKS_MIN_REFRESH_SECONDS = 0
    assert provider.validate_id_token(signed(claims(oidc_settings, sub="dung"), rotated), nonce=NONCE)["sub"] == "dung"


def test_an_unreachable_provider_is_a_clear_error(settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_ALLOW_HTTP = True
    from django.core.cache import cache

    cache.clear()
    with pytest.raises(provider.ProviderError) as caught:
        provider.begin_authorization(redirect_uri="http://testserver/tai-khoan/vneid/xong/")
    assert caught.value.code == "unreachable"
