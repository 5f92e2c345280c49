"""Helpers shared by the selectors."""

from typing import Any

from django.core.files.storage import default_storage


def signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def media_url(name: str | None) -> str:
    return default_storage.url(name) if name else ""
