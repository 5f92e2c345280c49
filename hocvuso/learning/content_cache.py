"""Where the learner-independent part of lesson pages is cached, and how a change of course content drops it.

A lesson page is the busiest page of the site, and most of it is the same for every learner: the course outline
(modules, lessons, minutes) and the lesson itself (its text in each language, audio, video, downloads, quiz).
That part is kept in Django's cache (Redis in production, shared by every web process), so a page view reads
only the course row and the learner's own progress from the database (see ``selectors.lessons``).

When a cached entry stops being valid:

- Every entry of a course is tied to the course row's ``version`` and ``updated_at``, which the page reads on
  every view (with ``is_published``, so closing a course needs nothing here). Every change of content through
  the services — importing the course again, the admin's edits of a course, lesson, translation, download,
  file, question or assessment — bumps the version, so the change shows at once in every process, with
  nothing to send. That includes the importer's bulk writes (``update()``, ``bulk_create()``), which send no
  signals.
- A row of course content saved or deleted any other way (a shell, a data fix, the admin's delete) does not
  bump the version: the receivers below drop the course's entry when that happens and again when the
  transaction commits, so a page built from the old rows in between is dropped too.
- What neither covers: a bulk ``update()`` of content rows outside the services (no version, no signal). Its
  change shows when the entry expires (``TIMEOUT_SECONDS``) or the course changes again; bump the course's
  version (or save the course) after such a fix.

The keys name the database, so two databases sharing one Redis (tests running side by side, two sites) never
read each other's entries; ``FORMAT`` goes up when the shape of an entry changes.
"""

import hashlib
import logging
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from .models import Assessment, Course, CourseMedia, Lesson, LessonDownload, LessonTranslation, Module

logger = logging.getLogger(__name__)

FORMAT = 1
TIMEOUT_SECONDS = 10 * 60  # entries are checked on every read; this bounds only what no check can see (above)


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
    """The entries under these keys that the cache holds; none when the cache cannot be reached (the page is
    then built from the database: slower, never wrong)."""
    try:
        return cache.get_many(keys)
    except Exception:  # the cache is an optimisation: a page must not fail because Redis is down
        logger.warning("Lesson page cache unreachable; reading from the database.", exc_info=True)
        return {}


def write(entries: dict[str, Any]) -> None:
    """Keep these entries (nothing happens when the cache cannot be reached)."""
    try:
        cache.set_many(entries, timeout=TIMEOUT_SECONDS)
    except Exception:
        logger.warning("Lesson page cache unreachable; entries not kept.", exc_info=True)


def _drop(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.error("Lesson page cache unreachable; could not drop %s.", key, exc_info=True)


def forget_course_content(course_id: int) -> None:
    """Drop the cached pages of the course now and again when the current transaction commits (a page built in
    between from the rows before the change would otherwise stay). Lesson entries are dropped with the outline
    they were built with."""
    key = outline_key(course_id)
    _drop(key)
    transaction.on_commit(lambda: _drop(key))


# --- receivers: rows of course content changed outside the services ---------------------------------------


def _course_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_course_content(instance.pk)


def _course_part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.course_id is not None:
        forget_course_content(instance.course_id)


def _lesson_part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    course_id = Lesson.objects.filter(pk=instance.lesson_id).values_list("course_id", flat=True).first()
    if course_id is not None:  # None: the lesson is being deleted too, and its own receiver runs
        forget_course_content(course_id)


def connect_receivers() -> None:
    """Called once from the app config."""
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(_course_changed, sender=Course, dispatch_uid=f"learning-content-course-{name}")
        for part in (Module, Lesson, CourseMedia, Assessment):
            signal.connect(_course_part_changed, sender=part, dispatch_uid=f"learning-content-{part.__name__}-{name}")
        for lesson_part in (LessonTranslation, LessonDownload):
            uid = f"learning-content-{lesson_part.__name__}-{name}"
            signal.connect(_lesson_part_changed, sender=lesson_part, dispatch_uid=uid)
