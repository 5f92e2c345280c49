"""Where the learner-independent part of lesson pages is cached, and how a change of course content drops it.

A lesson page is the busiest page of the site, and most of it is the same for every learner: the course outline
(modules, lessons, minutes) and the lesson itself (its text in each language, audio, video, downloads, quiz).
That part is kept in Django's cache (Redis in production, shared by every web process) and in the memory of each
web process that read or built it, so a page view reads only the course row and the learner's own progress from
the database, and nothing from Redis once the process holds the course (see ``selectors.lessons``).

When a cached entry stops being valid:

- Every entry of a course is tied to the course row's ``version`` and ``updated_at``, which the page reads on
  every view (with ``is_published``, so closing a course needs nothing here), in Redis and in each process
  alike. Every change of content through the services — importing the course again, the admin's edits of a
  course, lesson, translation, download, file, question or assessment — bumps the version, so the change shows
  at once in every process, with nothing to send. That includes the importer's bulk writes (``update()``,
  ``bulk_create()``), which send no signals.
- A row of course content saved or deleted any other way (a shell, a data fix, the admin's delete) does not
  bump the version: the receivers below move the course's ``updated_at`` instead, in the same transaction, so
  every process sees the change once it is committed. A page built in between from the old rows is kept under
  the old state, which no view asks for again.
- What neither covers: a bulk ``update()`` of content rows outside the services (no version, no signal). Its
  change shows when the entries expire (``TIMEOUT_SECONDS`` in Redis; a process keeps what it read there for as
  long again at most) or the course changes again; bump the course's version (or save the course) after such a
  fix.

The keys name the database, so two databases sharing one Redis (tests running side by side, two sites) never
read each other's entries; ``FORMAT`` goes up when the shape of an entry changes.
"""

import hashlib
import logging
import time
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import Assessment, Course, CourseMedia, Lesson, LessonDownload, LessonTranslation, Module

logger = logging.getLogger(__name__)

FORMAT = 1
TIMEOUT_SECONDS = 10 * 60  # entries are checked on every read; this bounds only what no check can see (above)
PROCESS_ENTRIES = 512  # the most a web process keeps (an outline per course, an entry per lesson read)

# This process's copies: key -> (monotonic time it expires, entry).
_held: dict[str, tuple[float, Any]] = {}


@lru_cache(maxsize=8)
def _database_tag(name: str) -> str:
    return hashlib.blake2s(name.encode(), digest_size=6).hexdigest()


def _prefix(course_id: int) -> str:
    return f"learning:content:{FORMAT}:{_database_tag(str(connection.settings_dict['NAME']))}:{course_id}"


def outline_key(course_id: int) -> str:
    """The key of a course's outline entry (its lessons in order, with the build every lesson entry names)."""
    return f"{_prefix(course_id)}:outline"


def lesson_key(course_id: int, lesson_slug: str) -> str:
    """The key of one lesson's entry (its text in every language, media, downloads, quiz)."""
    return f"{_prefix(course_id)}:lesson:{lesson_slug}"


def read(keys: list[str]) -> dict[str, Any]:
    """The entries under these keys that this process or the shared cache holds; from the shared cache, none
    when it cannot be reached (the page is then built from the database: slower, never wrong)."""
    now = time.monotonic()
    found: dict[str, Any] = {}
    missing = []
    for key in keys:
        held = _held.get(key)
        if held is not None and held[0] > now:
            found[key] = held[1]
        else:
            missing.append(key)
    if missing:
        try:
            shared = cache.get_many(missing)
        except Exception:  # the cache is an optimisation: a page must not fail because Redis is down
            logger.warning("Lesson page cache unreachable; reading from the database.", exc_info=True)
            shared = {}
        _hold(shared, now)
        found.update(shared)
    return found


def write(entries: dict[str, Any]) -> None:
    """Keep these entries, in this process and in the shared cache (when it can be reached)."""
    _hold(entries, time.monotonic())
    try:
        cache.set_many(entries, timeout=TIMEOUT_SECONDS)
    except Exception:
        logger.warning("Lesson page cache unreachable; entries not kept.", exc_info=True)


def _hold(entries: dict[str, Any], now: float) -> None:
    for key, entry in entries.items():
        _held.pop(key, None)  # re-inserted last: the oldest entries are the first in the dict
        _held[key] = (now + TIMEOUT_SECONDS, entry)
    while len(_held) > PROCESS_ENTRIES:
        _held.pop(next(iter(_held)), None)


def forget_process_copies() -> None:
    """Drop what this process holds (as a fresh process starts)."""
    _held.clear()


def course_content_changed(course_id: int) -> None:
    """Move the course's ``updated_at`` so that every cached entry of it, in every process, stops being used
    once the current transaction commits (entries are checked against it on every read)."""
    Course.objects.filter(pk=course_id).update(updated_at=timezone.now())


# --- receivers: rows of course content changed outside the services ---------------------------------------


def _course_part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.course_id is not None:
        course_content_changed(instance.course_id)


def _lesson_part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    course_id = Lesson.objects.filter(pk=instance.lesson_id).values_list("course_id", flat=True).first()
    if course_id is not None:  # None: the lesson is being deleted too, and its own receiver runs
        course_content_changed(course_id)


def connect_receivers() -> None:
    """Called once from the app config."""
    # Saving a course moves its updated_at itself; deleting it leaves nothing to show.
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        for part in (Module, Lesson, CourseMedia, Assessment):
            signal.connect(_course_part_changed, sender=part, dispatch_uid=f"learning-content-{part.__name__}-{name}")
        for lesson_part in (LessonTranslation, LessonDownload):
            uid = f"learning-content-{lesson_part.__name__}-{name}"
            signal.connect(_lesson_part_changed, sender=lesson_part, dispatch_uid=uid)
