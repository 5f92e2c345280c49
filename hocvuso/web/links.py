"""The addresses of pages that take no arguments, reversed once per process.

Every page's frame links to the same few pages (home, the account, signing out, the language and text-size
switches) and the menu to a few more; reversing them on every view was a measurable share of the busiest page's
time (the lesson page, bench/profile_lesson.py). The cache is keyed by what an address depends on — the script
prefix the site is served under and the URL configuration in use — so a test that changes either gets its own.
"""

from functools import lru_cache
from types import MappingProxyType

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The links of every page's frame (web/base.html), by the name the template uses.
FRAME = {
    "home": "web:home",
    "account": "accounts:account",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "set_language": "set_language",
    "text_size": "web:text_size",
    # the lesson page's buttons (the busiest page: a `{% url %}` there cost a reverse per request)
    "enrol": "web:enrol",
    "start_attempt": "web:start_attempt",
    "complete_lesson": "web:complete_lesson",
}


def fixed_url(name: str) -> str:
    """`reverse(name)` for a URL pattern without arguments, computed once per script prefix and URL conf."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def frame_links() -> MappingProxyType[str, str]:
    """The addresses of the frame's links (`FRAME`), by the names the template uses."""
    return _frame(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=64)
def _reversed(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)


@lru_cache(maxsize=16)
def _frame(prefix: str, urlconf: str) -> MappingProxyType[str, str]:
    return MappingProxyType({key: _reversed(name, prefix, urlconf) for key, name in FRAME.items()})
