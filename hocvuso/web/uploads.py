"""Keeping an uploaded file between its dry run and the user's confirmation.

The checked file is stored under a random name in the default storage; the session remembers the name
with its purpose (for example "villages:24631") and a SHA-256 of the content, so the confirmed import
runs on exactly the bytes the user saw checked, and only from the same session.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "pending_uploads"
FOLDER = "pending-uploads"
MAX_PENDING = 5
MAX_AGE = timedelta(hours=12)  # no session lives longer, so an older file can never be confirmed


def stash_upload(request: HttpRequest, *, purpose: str, data: bytes) -> str:
    """Store the bytes for a later confirmation and return the token the confirmation form sends back."""
    remove_abandoned_uploads()
    token = secrets.token_urlsafe(16)
    name = default_storage.save(f"{FOLDER}/{token}.bin", ContentFile(data))
    pending: dict[str, dict[str, str]] = dict(request.session.get(SESSION_KEY, {}))
    while len(pending) >= MAX_PENDING:  # a user who uploads again and again leaves no pile of files behind
        oldest = next(iter(pending))
        default_storage.delete(pending.pop(oldest)["name"])
    pending[token] = {"name": name, "purpose": purpose, "sha256": hashlib.sha256(data).hexdigest()}
    request.session[SESSION_KEY] = pending
    return token


def take_upload(request: HttpRequest, *, token: str, purpose: str) -> bytes | None:
    """The stashed bytes for the token if this session stashed them for this purpose, else None.
    The stash is removed either way, so a confirmation cannot run twice."""
    pending: dict[str, dict[str, str]] = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry is None:
        return None
    try:
        with default_storage.open(entry["name"], "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return None
    finally:
        default_storage.delete(entry["name"])
    if entry["purpose"] != purpose or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return bytes(data)


def discard_upload(request: HttpRequest, *, token: str) -> None:
    """Forget a stashed file without using it (the user cancelled)."""
    pending: dict[str, dict[str, str]] = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry is not None:
        default_storage.delete(entry["name"])


def remove_abandoned_uploads() -> int:
    """Delete stashed files older than any session (the user never confirmed nor cancelled); returns how
    many were deleted."""
    try:
        _, files = default_storage.listdir(FOLDER)
    except (FileNotFoundError, OSError):
        return 0
    cutoff = timezone.now() - MAX_AGE
    removed = 0
    for file_name in files:
        path = f"{FOLDER}/{file_name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        except (FileNotFoundError, OSError):
            continue
    return removed
