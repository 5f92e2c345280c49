"""Parts of a page rendered once per process and kept, for the parts that are the same for many requests.

The lesson page is the busiest page of the site, and rendering its template was the largest share of its time
(bench/profile_lesson.py). Most of it is the same for every learner at the same point of the same lesson: the
lesson's text and media, the pager, the course outline with the same lessons done. `fragment()` renders such a
part from a template and keeps the HTML in this process, under a key that names everything the part shows.

What keeps one user's page from showing another's, or old content:

- A fragment is rendered from the template and the context it is given, with no request: no context processor
  runs, so `user`, `request`, `csrf_token`, `messages` and `perms` are not there to be shown (a `{% csrf_token %}`
  in a fragment renders nothing; forms stay in the page's own template, rendered per request).
- The caller's key must name every value the context holds (the tests of each page check two learners, a change
  of content and both languages). The key always includes the active language (translated words), the script
  prefix and the URL configuration (addresses); the content's build (``LessonContent.build``, a new one whenever
  the course changes) keeps a change of content from showing old HTML.
- Entries are kept in this process only (bounded, the least recently used go first): nothing is shared between
  processes or survives a restart, and rendering a part again costs one render.
"""

from collections.abc import Callable, Hashable
from typing import Any

from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

ENTRIES = 2048  # at about 10 KB each, 20 MB at most per process

# key -> rendered HTML; the dict keeps insertion order, and an entry read is moved to the end.
_kept: dict[Hashable, SafeString] = {}


def fragment(template_name: str, key: Hashable, context: Callable[[], dict[str, Any]]) -> SafeString:
    """The HTML of `template_name` rendered with `context()`, kept in this process under `key` (with the
    template, the active language, the script prefix and the URL configuration). `key` must name every value
    `context()` returns; `context` is called only when the fragment is not kept yet. Returns safe HTML (the
    template escapes what it shows)."""
    full_key = (template_name, get_language(), get_script_prefix(), get_urlconf(), key)
    html = _kept.pop(full_key, None)
    if html is None:
        html = mark_safe(get_template(template_name).render(context()))  # noqa: S308 - a template's own output
    _kept[full_key] = html
    if len(_kept) > ENTRIES:
        _kept.pop(next(iter(_kept)))
    return html


def forget() -> None:
    """Drop every kept fragment (as a fresh process starts)."""
    _kept.clear()
