"""Lesson narration: an instructor records or uploads compressed audio (≤ 1 MB) for a lesson or its translation;
the lesson page then plays it with a "Nghe" button; what is not audio, too large or from a learner is refused."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from hocvuso.accounts.roles import Role
from hocvuso.core.models import AuditEntry
from hocvuso.learning.models import Course, CourseMedia, LessonTranslation
from hocvuso.learning.services import (
    MAX_NARRATION_BYTES,
    course_as_data,
    import_course_from_folder,
    load_frameworks,
)

CURRICULA = Path(settings.BASE_DIR) / "curricula"
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 2000  # the EBML header MediaRecorder writes, then (fake) Opus frames


@pytest.fixture
def course(db):
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    return import_course_from_folder(path=CURRICULA / "cong-dan-so", actor=None).course


@pytest.fixture
def lesson(course):
    return course.lessons.get(slug="01-danh-tinh-so-vneid")


@pytest.fixture
def instructor(territory, make_user):
    return make_user(Role.INSTRUCTOR, territory.commune, full_name="Giảng viên Hoa")


URL = "/giam-sat/thu-am/"


def url(lesson) -> str:
    return f"{URL}?bai={lesson.pk}"


def post(client, lesson, data: dict):
    return client.post(URL, {"lesson": str(lesson.pk), **data})


def upload(data: bytes, name: str = "ban-nghe.webm") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="audio/webm")


def test_an_instructor_records_a_narration_and_learners_hear_it_with_a_nghe_button(client, instructor, lesson):
    version = lesson.course.version
    client.force_login(instructor)

    form = client.get(url(lesson))
    saved = post(client, lesson, {"audio": upload(WEBM)})
    page = client.get(f"/khoa-hoc/cong-dan-so/{lesson.slug}/")

    lesson.refresh_from_db()
    media = lesson.audio
    course = Course.objects.get(pk=lesson.course_id)
    assert form.status_code == 200 and "Bắt đầu ghi âm" in form.content.decode()
    assert saved["Location"] == f"/khoa-hoc/cong-dan-so/{lesson.slug}/"
    assert (media.path, media.size) == ("media/narration/01-danh-tinh-so-vneid.webm", len(WEBM))
    assert course.version == version + 1
    assert course_as_data(course)["lessons"][lesson.slug]["audio"] == media.path
    body = page.content.decode()
    assert f'<audio id="lesson-audio" controls preload="none" src="{media.url}"' in body
    assert ">Nghe</button>" in body
    served = client.get(media.url)
    assert (served.status_code, served["Content-Type"]) == (200, "audio/webm")
    assert b"".join(served.streaming_content) == WEBM
    assert AuditEntry.objects.filter(action="learning.narration_recorded", actor=instructor).count() == 1


def test_a_new_recording_replaces_the_old_one_and_a_translation_gets_its_own(client, instructor, lesson):
    LessonTranslation.objects.create(lesson=lesson, language="ede", title="Bài Ê Đê", body_html="<p>Ê Đê</p>")
    client.force_login(instructor)

    post(client, lesson, {"audio": upload(WEBM)})
    post(client, lesson, {"audio": upload(b"OggS" + b"\x00" * 500, "ban-nghe.ogg")})
    post(client, lesson, {"audio": upload(b"ID3" + b"\x00" * 300, "ede.mp3"), "language": "ede"})

    lesson.refresh_from_db()
    paths = sorted(CourseMedia.objects.filter(path__startswith="media/narration/").values_list("path", flat=True))
    assert paths == ["media/narration/01-danh-tinh-so-vneid.ede.mp3", "media/narration/01-danh-tinh-so-vneid.ogg"]
    assert lesson.audio.path == "media/narration/01-danh-tinh-so-vneid.ogg"
    assert lesson.translations.get(language="ede").audio.path == "media/narration/01-danh-tinh-so-vneid.ede.mp3"


def test_what_is_not_compressed_audio_or_too_large_is_refused_and_nothing_changes(client, instructor, lesson):
    client.force_login(instructor)

    too_large = post(client, lesson, {"audio": upload(b"OggS" + b"\x00" * MAX_NARRATION_BYTES)})
    not_audio = post(client, lesson, {"audio": upload(b"<html><script>alert(1)</script>", "x.webm")})
    wav = post(client, lesson, {"audio": upload(b"RIFF\x00\x00\x00\x00WAVEfmt ", "x.wav")})
    nothing = post(client, lesson, {})
    unknown_language = post(client, lesson, {"audio": upload(WEBM), "language": "koho"})

    lesson.refresh_from_db()
    assert [response.status_code for response in (too_large, not_audio, wav, nothing, unknown_language)] == [400] * 5
    assert "Bản ghi âm quá lớn (1024 KB): tối đa 1 MB." in too_large.content.decode()
    assert "Tệp không phải âm thanh nén (WebM, Ogg, MP3 hoặc M4A)." in not_audio.content.decode()
    assert "Tệp không phải âm thanh nén" in wav.content.decode()
    assert "Chưa có bản ghi âm nào." in nothing.content.decode()
    assert "Bài học chưa có bản dịch sang ngôn ngữ này." in unknown_language.content.decode()
    assert lesson.audio is None
    assert not CourseMedia.objects.filter(path__startswith="media/narration/").exists()


def test_learners_and_anonymous_visitors_cannot_record(client, make_user, lesson):
    anonymous = post(client, lesson, {"audio": upload(WEBM)})
    client.force_login(make_user(Role.LEARNER))
    learner = post(client, lesson, {"audio": upload(WEBM)})
    page = client.get(f"/khoa-hoc/cong-dan-so/{lesson.slug}/")

    lesson.refresh_from_db()
    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]
    assert learner.status_code == 404
    assert lesson.audio is None
    assert "thu-am" not in page.content.decode()


def test_the_lesson_list_shows_which_lessons_have_narration_and_the_lesson_page_links_to_recording(
    client, instructor, lesson
):
    client.force_login(instructor)
    post(client, lesson, {"audio": upload(WEBM)})

    listing = client.get(URL).content.decode()
    page = client.get(f"/khoa-hoc/cong-dan-so/{lesson.slug}/").content.decode()
    missing = client.get(f"{URL}?bai=999999")

    assert (
        f'<a href="?bai={lesson.pk}">{lesson.title}</a> <span class="badge badge-pass">Đã có bản nghe</span>' in listing
    )
    assert listing.count("Chưa có bản nghe") == lesson.course.lessons.active().count() - 1
    assert f'href="/giam-sat/thu-am/?bai={lesson.pk}">Thu âm lại bản nghe của bài</a>' in page
    assert missing.status_code == 404
