import unicodedata
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_info

from .links import frame_links
from .selectors import navigation_for

# Each language named in itself, for the switch (Django's own names for Vietnamese are not NFC-normalised).
LANGUAGE_SWITCH = [
    (code, unicodedata.normalize("NFC", get_language_info(code)["name_local"])) for code, _ in settings.LANGUAGES
]


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's frame needs: its links, the large-text preference, the language switch and the
    navigation the user's roles open."""
    user = getattr(request, "user", None)
    return {
        "frame": frame_links(),
        "large_text": request.COOKIES.get("large_text") == "1",
        "language_switch": LANGUAGE_SWITCH,
        "navigation": navigation_for(user, request.path) if user is not None else [],
    }
