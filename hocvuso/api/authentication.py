"""Token authentication for devices and integrations: `Authorization: Bearer <prefix>.<secret>`.

A header that does not name this scheme is left to the next authenticator (the session). One that does must
carry a well-formed, known, unrevoked, unexpired token of an active user, or the request is refused with 401 —
never a fall-back to anonymous. The request's `auth` is then the `ApiToken`, which is how views tell a token
from a signed-in session (a token cannot mint tokens). A token is a device credential: it acts with the staff
roles its user held when it was issued, never with a role assigned later (see hocvuso.accounts.access).
"""

import hmac
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from hocvuso.accounts.access import acting_with_token

from .models import TOKEN_PREFIX_LENGTH, ApiToken, hash_token_secret

TOKEN_FORMAT = re.compile(rf"(?P<prefix>[0-9a-f]{{{TOKEN_PREFIX_LENGTH}}})\.(?P<secret>[A-Za-z0-9_\-]{{20,128}})")
# Record the last use at most once a minute, so a busy device does not write on every request.
LAST_USED_RESOLUTION_SECONDS = 60


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không đúng dạng “Bearer <khóa>”."))
        match = TOKEN_FORMAT.fullmatch(header[1].decode(errors="replace"))
        if match is None:
            raise exceptions.AuthenticationFailed(_("Khóa truy cập không hợp lệ."))
        token = ApiToken.objects.select_related("user").filter(prefix=match["prefix"]).first()
        expected = token.secret_hash if token is not None else "0" * 64
        secret_matches = hmac.compare_digest(expected, hash_token_secret(match["secret"]))
        if token is None or not secret_matches:
            raise exceptions.AuthenticationFailed(_("Khóa truy cập không hợp lệ."))
        now = timezone.now()
        if not token.is_usable(now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Khóa truy cập đã hết hạn hoặc đã bị thu hồi."))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        acting_with_token(token.user, issued_at=token.created_at)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
