"""Production: every secret and address comes from the environment, with no default; HTTPS only."""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

from config.env import env, env_bool, env_list

from .base import *  # noqa: F403


def _personal_data_key(name: str) -> str:
    """The variable's value, which must be 32 random bytes in base64: refused at start rather than at the first
    encryption."""
    value = env(name)
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 random bytes, base64-encoded (see docs/OPERATIONS.md).")
    return value


DEBUG = False
ALLOW_DEMO_DATA = False  # `load_demo` refuses to run: demo accounts have a published password
OIDC_ALLOW_HTTP = False  # the identity provider is reached over HTTPS only
SECRET_KEY = env("SECRET_KEY")
# Rotating SECRET_KEY: put the old key here for a while so sessions and signed links survive (OPERATIONS.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", env("ALLOWED_HOSTS"))  # required: no default host
FIELD_ENCRYPTION_KEY = _personal_data_key("FIELD_ENCRYPTION_KEY")
LOOKUP_HASH_KEY = _personal_data_key("LOOKUP_HASH_KEY")
DATABASES = {"default": database_from_url(env("DATABASE_URL"))}  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe the health check over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
