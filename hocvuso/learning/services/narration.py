"""Lesson narration: an instructor records a lesson (or one of its translations) in the browser, or uploads a
recording, and learners hear it with a "Nghe" button. Kept small: compressed audio only (Opus in WebM or Ogg,
MP3, AAC in MP4), at most MAX_NARRATION_BYTES, recognised by its first bytes (not by the name or the type the
browser claims), stored as a course file so export writes it back to the folder."""

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit

from ..models import CourseMedia, Lesson, LessonTranslation
from .course_edits import _refresh_course_hash

MAX_NARRATION_BYTES = 1024 * 1024
AUDIO_EXTENSIONS = (".webm", ".ogg", ".mp3", ".m4a")  # what `audio_extension` recognises


def audio_extension(data: bytes) -> str | None:
    """The extension of compressed audio recognised by its first bytes, or None: WebM (what Chromium's
    MediaRecorder writes), Ogg (Firefox's), MP3 (with or without an ID3 tag), MP4/M4A (Safari's, phones')."""
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return ".webm"
    if data.startswith(b"OggS"):
        return ".ogg"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return ".mp3"
    if data[4:8] == b"ftyp":
        return ".m4a"
    return None


@transaction.atomic
def record_lesson_narration(*, lesson: Lesson, language: str = "", data: bytes, actor: Any) -> CourseMedia:
    """Attach the recording `data` as the narration of the lesson (of its translation into `language`, when
    given), replacing the one it had. Stored as the course file media/narration/<lesson>[.<language>].<ext>;
    the course's content hash and version change (lesson pages drop their cached copy). Audited. Raises
    DomainError for an empty, too large or unrecognised file, or a language the lesson has no translation into."""
    if not data:
        raise DomainError(_("Chưa có bản ghi âm nào."), field="audio")
    if len(data) > MAX_NARRATION_BYTES:
        raise DomainError(
            _("Bản ghi âm quá lớn (%(size)s KB): tối đa 1 MB. Hãy ghi ngắn hơn hoặc nén lại.")
            % {"size": len(data) // 1024},
            field="audio",
        )
    extension = audio_extension(data)
    if extension is None:
        raise DomainError(_("Tệp không phải âm thanh nén (WebM, Ogg, MP3 hoặc M4A)."), field="audio")
    translation = None
    if language:
        translation = LessonTranslation.objects.filter(lesson=lesson, language=language).first()
        if translation is None:
            raise DomainError(_("Bài học chưa có bản dịch sang ngôn ngữ này."), field="language")
    course = lesson.course
    stem = f"{lesson.slug}.{language}" if language else lesson.slug
    path = f"media/narration/{stem}{extension}"
    others = [f"media/narration/{stem}{other}" for other in AUDIO_EXTENSIONS if other != extension]
    CourseMedia.objects.filter(course=course, path__in=others).delete()  # the recording it had, in another format
    media = CourseMedia.objects.filter(course=course, path=path).first() or CourseMedia(course=course, path=path)
    media.sha256, media.size = hashlib.sha256(data).hexdigest(), len(data)
    media.file.save(f"{stem}{extension}", ContentFile(data), save=False)
    media.save()
    owner = translation if translation is not None else lesson
    owner.audio = media
    owner.audio_url = ""
    owner.save(update_fields=["audio", "audio_url", "updated_at"])
    _refresh_course_hash(course)
    record_audit(
        actor=actor,
        action="learning.narration_recorded",
        target=lesson,
        details={"language": language or course.language, "size": len(data), "path": path},
    )
    return media
