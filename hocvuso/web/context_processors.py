import unicodedata
from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info

from .fragments import fragment
from .links import frame_links
from .selectors import NavLink, navigation_for

# Each language named in itself, for the switch (Django's own names for Vietnamese are not NFC-normalised).
LANGUAGE_SWITCH = [
    (code, unicodedata.normalize("NFC", get_language_info(code)["name_local"])) for code, _ in settings.LANGUAGES
]


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's frame needs: its links, the large-text preference, the language switch and the
    navigation the user's roles open."""
    user = getattr(request, "user", None)
    navigation = navigation_for(user, request.path) if user is not None else []
    return {
        "frame": frame_links(),
        "large_text": request.COOKIES.get("large_text") == "1",
        "language_switch": LANGUAGE_SWITCH,
        # The switch's buttons and the menu are rendered once per process and kept (web/fragments.py): the
        # buttons depend only on the language (in every fragment's key), the menu only on which links it shows
        # and which one is the current page (its key; a link's label is fixed by its address, NAVIGATION).
        # Neither holds anything of the user but which pages their roles open. Callables: the template calls
        # them where it shows them (a page without the frame renders neither).
        "language_buttons": _language_buttons,
        "navigation": navigation,
        "navigation_menu": partial(_navigation_menu, navigation),
    }


def _language_buttons() -> SafeString:
    return fragment(
        "web/_language_buttons.html",
        (),
        lambda: {"language_switch": LANGUAGE_SWITCH, "LANGUAGE_CODE": get_language()},
    )


def _navigation_menu(navigation: list[NavLink]) -> SafeString:
    return fragment(
        "web/_navigation.html",
        tuple((link.url, link.current) for link in navigation),
        lambda: {"navigation": navigation},
    )
