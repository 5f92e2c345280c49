"""OpenID Connect with the configured provider (VNeID, or a province's own identity server), through Authlib.

Authorization-code flow with PKCE (S256), `state` and `nonce`; the provider's metadata from discovery and its
signing keys from its JWKS, cached (`OIDC_METADATA_CACHE_SECONDS`) and fetched again when a token names a key the
cache does not hold (key rotation; at most once per `OIDC_JWKS_MIN_REFRESH_SECONDS`). The ID token is checked by
joserfc (Authlib's JOSE library): the signature with a key of the provider's JWKS under an algorithm of
`OIDC_ALGORITHMS` (never `none`; never an HMAC algorithm, whose key would be the public key or the client secret),
then `iss`, `aud` (and `azp` when there are several audiences), `exp` and `iat` with `OIDC_LEEWAY_SECONDS`, and
`nonce`. Nothing here writes to the database except the record of ID tokens already used (`ConsumedIdToken`).

Every failure raises `ProviderError` with a message for the person signing in and a `code` for the logs and
the tests; the token, the code and the claims never go into a message.
"""

import base64
import datetime
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from hocvuso.core.errors import DomainError

from .models import ConsumedIdToken

# Signature algorithms an ID token may use. HMAC (HS256…) is never accepted: its key would be the client secret,
# or — the classic confusion — the provider's public key read as a secret. `none` is never accepted.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
MAX_RESPONSE_BYTES = 1024 * 1024
CLIENT_SECRET_BASIC = "client_secret_basic"  # noqa: S105 — the name of a client authentication method
CLIENT_SECRET_POST = "client_secret_post"  # noqa: S105
_CACHE_PREFIX = "hocvuso.vneid"


class ProviderError(DomainError):
    """The provider could not be reached, or what it sent back was refused (see `code`)."""


@dataclass(frozen=True)
class ProviderSettings:
    """The provider as configured from the environment (config/settings/base.py, OIDC_*)."""

    issuer: str
    client_id: str
    client_secret: str
    token_auth_method: str
    scopes: str
    acr_values: str
    algorithms: tuple[str, ...]
    leeway: int

    @classmethod
    def from_settings(cls) -> "ProviderSettings":
        algorithms = tuple(name for name in settings.OIDC_ALGORITHMS if name in ASYMMETRIC_ALGORITHMS)
        scopes = settings.OIDC_SCOPES.split()
        if "openid" not in scopes:
            scopes.insert(0, "openid")
        return cls(
            issuer=settings.OIDC_ISSUER.rstrip("/"),
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            token_auth_method=settings.OIDC_TOKEN_AUTH_METHOD,
            scopes=" ".join(scopes),
            acr_values=settings.OIDC_ACR_VALUES,
            algorithms=algorithms or ("RS256",),
            leeway=max(0, min(settings.OIDC_LEEWAY_SECONDS, 300)),
        )


def is_configured() -> bool:
    """Whether sign-in with the provider is on: an issuer and a client id are set."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


def provider_name() -> str:
    return str(settings.OIDC_PROVIDER_NAME)


# The origins of the provider's authorization and end-session endpoints met in this process's discovery (the
# issuer's own before any): the pages' Content-Security-Policy lets forms lead there (web/middleware.py).
_endpoint_origins: dict[str, frozenset[str]] = {}
_cache_looked_at: dict[str, float] = {}


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} and parts.netloc else ""


def form_action_origins() -> list[str]:
    """Where a form of this site may lead when sign-in with the provider is on: the issuer's origin and those of
    the endpoints the browser is sent to (authorization, end of session); [] when it is off."""
    if not is_configured():
        return []
    issuer = settings.OIDC_ISSUER.rstrip("/")
    looked_at = _cache_looked_at.get(issuer)
    if issuer not in _endpoint_origins and (looked_at is None or time.monotonic() - looked_at >= 60):
        # another process did the discovery: its document is in the shared cache (no call to the provider here;
        # the cache is asked at most once a minute while it holds nothing)
        _cache_looked_at[issuer] = time.monotonic()
        document = cache.get(f"{_CACHE_PREFIX}.metadata:{issuer}")
        if isinstance(document, dict):
            _remember_origins(issuer, document)
    origins = {_origin(issuer), *_endpoint_origins.get(issuer, frozenset())}
    return sorted(origin for origin in origins if origin)


# --- HTTP -----------------------------------------------------------------------------------------------------


def _check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and settings.OIDC_ALLOW_HTTP):
        return url
    raise ProviderError(_("Cấu hình nhà cung cấp định danh không hợp lệ."), code="insecure_url")


def _unreachable() -> ProviderError:
    return ProviderError(_("Không kết nối được với nhà cung cấp định danh. Hãy thử lại sau."), code="unreachable")


def _request_json(url: str, *, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Any:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    target = _check_url(url)  # http(s) only
    request = urllib.request.Request(target, data=body, headers={"Accept": "application/json", **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.OIDC_HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ProviderError(
            _("Nhà cung cấp định danh từ chối yêu cầu. Hãy đăng nhập lại."), code=f"http_{error.code}"
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise _unreachable() from error
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ProviderError(_("Phản hồi của nhà cung cấp định danh quá lớn."), code="too_large")
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ProviderError(_("Phản hồi của nhà cung cấp định danh không hợp lệ."), code="not_json") from error


# --- Discovery and keys ---------------------------------------------------------------------------------------


def metadata(config: ProviderSettings | None = None) -> dict[str, Any]:
    """The provider's metadata (`/.well-known/openid-configuration`), cached; its `issuer` must be exactly the
    configured one and its endpoints must be HTTPS (ProviderError otherwise)."""
    config = config or ProviderSettings.from_settings()
    key = f"{_CACHE_PREFIX}.metadata:{config.issuer}"
    found = cache.get(key)
    if found is not None:
        _remember_origins(config.issuer, found)
        return dict(found)
    document = _request_json(f"{config.issuer}/.well-known/openid-configuration")
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != config.issuer:
        raise ProviderError(_("Cấu hình nhà cung cấp định danh không hợp lệ."), code="issuer_mismatch")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(name), str):
            raise ProviderError(_("Cấu hình nhà cung cấp định danh không hợp lệ."), code=f"missing_{name}")
        _check_url(document[name])
    cache.set(key, document, settings.OIDC_METADATA_CACHE_SECONDS)
    _remember_origins(config.issuer, document)
    return dict(document)


def _remember_origins(issuer: str, document: dict[str, Any]) -> None:
    endpoints = (document.get("authorization_endpoint"), document.get("end_session_endpoint"))
    _endpoint_origins[issuer] = frozenset(_origin(url) for url in endpoints if isinstance(url, str))


def prefetch_metadata() -> None:
    """Discover the provider ahead of the sign-in page (its policy then lets the VNeID button's form lead to the
    provider's authorization endpoint, wherever that is); a provider out of reach is reported when the button is
    used, not here."""
    failed = f"{_CACHE_PREFIX}.unreachable:{settings.OIDC_ISSUER}"
    if cache.get(failed):
        return  # tried moments ago: the sign-in page does not wait for a provider that is down
    try:
        metadata()
    except ProviderError:
        cache.set(failed, True, 60)


def _jwks(config: ProviderSettings, *, refresh: bool) -> KeySet:
    key = f"{_CACHE_PREFIX}.jwks:{config.issuer}"
    cached = cache.get(key)
    if cached is not None and refresh and time.time() - cached["at"] < settings.OIDC_JWKS_MIN_REFRESH_SECONDS:
        refresh = False  # fetched moments ago: a key it lacks is not a rotation we missed
    if cached is None or refresh:
        document = _request_json(metadata(config)["jwks_uri"])
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ProviderError(_("Khóa của nhà cung cấp định danh không hợp lệ."), code="bad_jwks")
        # Only public signing keys: a private or symmetric ("oct") key in a JWKS is never used.
        public = [
            entry
            for entry in document["keys"]
            if isinstance(entry, dict) and entry.get("kty") in {"RSA", "EC", "OKP"} and entry.get("use", "sig") == "sig"
        ]
        public = [
            {name: value for name, value in entry.items() if name not in {"d", "p", "q", "dp", "dq", "qi"}}
            for entry in public
        ]
        cached = {"at": time.time(), "keys": public}
        cache.set(key, cached, settings.OIDC_METADATA_CACHE_SECONDS)
    try:
        return KeySet.import_key_set({"keys": cached["keys"]})
    except (JoseError, ValueError, TypeError) as error:
        raise ProviderError(_("Khóa của nhà cung cấp định danh không hợp lệ."), code="bad_jwks") from error


def _signing_keys(config: ProviderSettings, header: dict[str, Any]) -> KeySet:
    """The provider's keys holding the token's key id (`kid`); the JWKS is fetched again once when the cached one
    lacks it (the provider rotated its keys)."""
    keys = _jwks(config, refresh=False)
    kid = header.get("kid")
    if kid is not None and not any(key.kid == kid for key in keys.keys):
        keys = _jwks(config, refresh=True)
    return keys


# --- The authorization request --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what the callback must find again (kept in the session, never shown)."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def begin_authorization(*, redirect_uri: str) -> AuthorizationRequest:
    """The provider's authorization URL for a new sign-in: code flow, PKCE S256, fresh random `state` and
    `nonce`. Raises ProviderError when the provider cannot be reached or its metadata is refused."""
    config = ProviderSettings.from_settings()
    endpoint = metadata(config)["authorization_endpoint"]
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    parameters = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": config.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if config.acr_values:
        parameters["acr_values"] = config.acr_values
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return AuthorizationRequest(
        url=f"{endpoint}{separator}{urllib.parse.urlencode(parameters)}",
        state=state,
        nonce=nonce,
        code_verifier=verifier,
    )


def exchange_code(*, code: str, code_verifier: str, redirect_uri: str) -> dict[str, Any]:
    """Trade the authorization code (once) for the provider's tokens at its token endpoint, authenticating the
    client as configured (`client_secret_basic`, `client_secret_post`, or `none` for a public client with
    PKCE). Returns the token response, which holds `id_token`. Raises ProviderError."""
    config = ProviderSettings.from_settings()
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    headers: dict[str, str] = {}
    if config.token_auth_method == CLIENT_SECRET_BASIC:
        pair = f"{urllib.parse.quote(config.client_id, safe='')}:{urllib.parse.quote(config.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        data["client_id"] = config.client_id
        if config.token_auth_method == CLIENT_SECRET_POST:
            data["client_secret"] = config.client_secret
    response = _request_json(metadata(config)["token_endpoint"], data=data, headers=headers)
    if not isinstance(response, dict) or not isinstance(response.get("id_token"), str):
        raise ProviderError(_("Nhà cung cấp định danh không trả về mã định danh."), code="no_id_token")
    return response


def _refused(code: str) -> ProviderError:
    return ProviderError(_("Thông tin đăng nhập từ nhà cung cấp định danh không hợp lệ. Hãy đăng nhập lại."), code=code)


def validate_id_token(id_token: str, *, nonce: str) -> dict[str, Any]:
    """Check an ID token and return its claims: signed by a key of the provider's JWKS under an allowed
    asymmetric algorithm, issued by the configured issuer for this client, not expired, issued not in the future
    (both with `OIDC_LEEWAY_SECONDS`), with the `nonce` this sign-in sent, and never seen before (a replayed
    token is refused; `ConsumedIdToken` remembers each one until it expires). Raises ProviderError (code says
    which check failed)."""
    config = ProviderSettings.from_settings()
    try:
        header = jws.extract_compact(id_token.encode()).protected
    except (JoseError, ValueError, TypeError) as error:
        raise _refused("malformed") from error
    if header.get("alg") not in config.algorithms:
        raise _refused("algorithm")
    try:
        token = jwt.decode(id_token, _signing_keys(config, header), algorithms=list(config.algorithms))
    except ProviderError:
        raise
    except (JoseError, ValueError, TypeError) as error:
        raise _refused("signature") from error
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=config.leeway,
        iss={"essential": True, "value": metadata(config)["issuer"]},
        sub={"essential": True},
        aud={"essential": True, "value": config.client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        name = getattr(error, "claim", "") or "claims"
        raise _refused(f"claim_{name}") from error
    if not isinstance(claims.get("iat"), int | float) or claims["iat"] > time.time() + config.leeway:
        raise _refused("claim_iat")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != config.client_id:
        raise _refused("claim_azp")
    if "azp" in claims and claims["azp"] != config.client_id:
        raise _refused("claim_azp")
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise _refused("claim_nonce")
    _consume(id_token, expires=float(claims["exp"]) + config.leeway)
    return claims


def _consume(id_token: str, *, expires: float) -> None:
    """Remember the token as used; a second use of the same token is refused (ProviderError "replayed")."""
    digest = hashlib.sha256(id_token.encode()).hexdigest()
    now = timezone.now()
    ConsumedIdToken.objects.filter(expires_at__lt=now - datetime.timedelta(hours=1)).delete()
    try:
        with transaction.atomic():
            ConsumedIdToken.objects.create(
                digest=digest, expires_at=datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
            )
    except IntegrityError as error:
        raise _refused("replayed") from error


def fetch_userinfo(*, access_token: str, subject: str) -> dict[str, Any]:
    """The claims the provider's userinfo endpoint gives for the access token; {} when it has none. Its `sub`
    must be the ID token's (ProviderError otherwise)."""
    endpoint = metadata().get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not access_token:
        return {}
    claims = _request_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    if not isinstance(claims, dict) or claims.get("sub") != subject:
        raise _refused("userinfo_subject")
    return claims


def end_session_url(*, post_logout_redirect_uri: str) -> str | None:
    """The provider's RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0) when it offers an
    `end_session_endpoint`, naming this client and where to come back; None otherwise or when it cannot be
    reached (the local sign-out has happened anyway)."""
    try:
        endpoint = metadata().get("end_session_endpoint")
    except ProviderError:
        return None
    if not isinstance(endpoint, str):
        return None
    parameters = {"client_id": settings.OIDC_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri}
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return f"{_check_url(endpoint)}{separator}{urllib.parse.urlencode(parameters)}"
