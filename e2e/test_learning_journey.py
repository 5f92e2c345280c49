"""The learning acceptance journey in a real browser on a 360-pixel-wide phone screen: a resident signs in,
takes the self-assessment, enrols in the recommended course, completes the lessons, fails and then passes the
final assessment (answers saved one by one by the page's script), and sees their literacy confirmed."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import PASSWORD
from hocvuso.learning.models import Attempt, AttemptState, LiteracyStatus
from hocvuso.learning.services import import_course_from_folder, load_frameworks, load_self_assessment
from hocvuso.learning.tests.conftest import right, wrong
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

from .browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CURRICULA = Path(settings.BASE_DIR) / "curricula"


@pytest.fixture
def course(transactional_db):
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    course = import_course_from_folder(path=CURRICULA / "cong-dan-so", actor=None).course
    load_self_assessment(path=CURRICULA / "self-assessment.yaml", actor=None)
    course.assessments.filter(kind="final").update(cooldown_hours=0)  # fail, then try again at once
    return course


@pytest.fixture
def resident_learner(territory, make_user):
    learner = make_user(Role.LEARNER, username="hhen.nie", full_name="H'Hen Niê")
    household = HouseholdFactory(village=territory.village)
    ResidentFactory(household=household, user=learner, full_name="H'Hen Niê", sex="F")
    return learner


def answer(page, row, value) -> None:
    """Give the answer (in the attempt's display keys) through the page's controls, as a learner would."""
    fieldset = page.locator(f'fieldset[data-question="{row.question_id}"]')
    kind = row.question.type
    if kind in ("single", "image"):
        fieldset.locator(f'input[name="q{row.question_id}"][value="{value}"]').check()
    elif kind == "true_false":
        fieldset.locator(f'input[name="q{row.question_id}"][value="{"true" if value else "false"}"]').check()
    elif kind == "multiple":
        for key in value:
            fieldset.locator(f'input[name="q{row.question_id}"][value="{key}"]').check()
    elif kind == "ordering":
        for place, key in enumerate(value, start=1):
            fieldset.locator(f'select[name="q{row.question_id}-{key}"]').select_option(str(place))
    else:
        for left, chosen in enumerate(value):
            fieldset.locator(f'select[name="q{row.question_id}-{left}"]').select_option(str(chosen))
    expect(fieldset.locator("[data-save-note]")).to_have_text("Đã lưu")


def open_attempt(learner) -> Attempt:
    return Attempt.objects.get(user=learner, state=AttemptState.IN_PROGRESS)


def rows(attempt: Attempt) -> list:
    return list(attempt.answers.select_related("question").order_by("position"))


def test_a_resident_learns_fails_then_passes_and_is_confirmed_literate(
    page, live_server, course, resident_learner
) -> None:
    lessons = list(course.lessons.active().order_by("position"))

    # Sign in.
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("hhen.nie")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, H'Hen Niê")
    assert_accessible(page, "learner home, before")

    # Self-assessment: confident ("Tôi tự làm được") on most statements, expert on four.
    page.get_by_role("link", name="Tự đánh giá kỹ năng số").first.click()
    expect(page).to_have_url(re.compile(r"/tu-danh-gia/$"))
    for number in range(1, 21):
        value = "4" if number <= 4 else "3"
        page.locator(f'input[name="sa-sa-{number:02d}"][value="{value}"]').check()
    assert_accessible(page, "self-assessment")
    screenshot(page, "learning-self-assessment")
    page.get_by_role("button", name="Xem gợi ý khóa học").click()

    expect(page.get_by_role("heading", name="Khóa học gợi ý cho bạn: Công dân số")).to_be_visible()
    expect(page.get_by_text("73 điểm trên 100")).to_be_visible()
    assert_accessible(page, "self-assessment result")
    screenshot(page, "learning-recommendation")
    page.get_by_role("button", name="Ghi danh khóa học này").click()

    # The recommendation opens the first modules: the required lessons start at lesson 6.
    expect(page.get_by_text("Bạn đã ghi danh khóa học «Công dân số».")).to_be_visible()
    expect(page.get_by_text("Đã học 0/3 bài")).to_be_visible()
    assert_accessible(page, "course")
    screenshot(page, "learning-course")
    page.get_by_role("link", name="Bắt đầu học").click()

    for index, lesson in enumerate(lessons[5:]):
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        if index == 0:
            assert_accessible(page, "lesson")
            screenshot(page, "learning-lesson")
        last = lesson == lessons[-1]
        page.get_by_role("button", name="Đã học xong bài cuối" if last else "Đã học xong, sang bài tiếp").click()

    expect(page.get_by_text("Đã học 3/3 bài")).to_be_visible()
    page.get_by_role("link", name="Xem bài đánh giá").click()
    expect(page.get_by_text("từ 70%")).to_be_visible()
    assert_accessible(page, "assessment")
    page.get_by_role("button", name="Bắt đầu làm bài").click()

    # First attempt: three wrong answers, saved as given, then submitted: failed.
    expect(page.get_by_role("button", name="Nộp bài")).to_be_visible()
    attempt = open_attempt(resident_learner)
    assert "correct" not in page.content().lower()
    assert_accessible(page, "attempt")
    for row in rows(attempt)[:3]:
        answer(page, row, wrong(row))
    assert attempt.answers.filter(answer__isnull=False).count() == 3
    screenshot(page, "learning-attempt")
    page.get_by_role("button", name="Nộp bài").click()

    # Questions left blank: the page asks first; the three answers given are kept.
    blank = len(attempt.question_ids) - 3
    expect(page.get_by_role("heading", name=f"Bạn còn {blank} câu chưa trả lời")).to_be_visible()
    assert attempt.answers.filter(answer__isnull=False).count() == 3
    assert_accessible(page, "attempt, confirm submission")
    page.get_by_role("button", name="Vẫn nộp bài").click()

    expect(page.locator(".result-verdict")).to_have_text(re.compile(r"^\s*Chưa đạt"))
    expect(page.get_by_text("0 điểm trên 100")).to_be_visible()
    expect(page.get_by_role("heading", name="Nên ôn lại")).to_be_visible()
    expect(page.locator(".to-review a").first).to_be_visible()
    assert "Đáp án" not in page.content()
    assert_accessible(page, "result, failed")
    screenshot(page, "learning-result-failed")

    # Second attempt at once (no cool-down in this test): every answer right.
    page.get_by_role("button", name="Làm lại").click()
    expect(page.get_by_role("button", name="Nộp bài")).to_be_visible()
    attempt = open_attempt(resident_learner)
    assert attempt.number == 2
    for row in rows(attempt):
        answer(page, row, right(row))
    assert attempt.answers.filter(answer__isnull=False).count() == len(attempt.question_ids)
    page.get_by_role("button", name="Nộp bài").click()

    expect(page.get_by_text("100 điểm trên 100")).to_be_visible()
    expect(page.locator(".result-verdict")).to_have_text(re.compile(r"^\s*Đạt"))
    expect(page.get_by_role("heading", name="Chúc mừng! Bạn đã được xác nhận đạt phổ cập kỹ năng số.")).to_be_visible()
    assert_accessible(page, "result, passed")
    screenshot(page, "learning-result-passed")

    page.get_by_role("link", name="Về trang của tôi").click()
    expect(page.get_by_role("heading", name="Đã xác nhận đạt phổ cập kỹ năng số")).to_be_visible()
    assert_accessible(page, "learner home, confirmed")
    screenshot(page, "learning-home-confirmed")
    status = LiteracyStatus.objects.get(user=resident_learner)
    assert status.group == "citizens" and status.resident == resident_learner.resident


def test_a_lesson_shows_its_remember_box_as_a_list_its_outline_and_picture_questions(
    page, live_server, course, resident_learner
) -> None:
    lesson = course.lessons.get(slug="02-lam-vneid-muc-2")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("hhen.nie")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    page.goto(live_server.url + "/khoa-hoc/cong-dan-so/")
    page.get_by_role("button", name=re.compile("Ghi danh")).first.click()
    first = course.lessons.get(slug="01-danh-tinh-so-vneid")
    page.goto(live_server.url + f"/khoa-hoc/cong-dan-so/{first.slug}/")

    # "Ghi nhớ" is a list of points, not one run-on paragraph with dashes.
    remember = page.locator(".lesson-body blockquote")
    expect(remember.locator("li")).to_have_count(3)
    assert "- " not in remember.inner_text()
    # The outline lists every lesson of the course under its heading.
    outline = page.locator("section[aria-labelledby='outline-title'] .outline-lessons > li")
    expect(outline).to_have_count(course.lessons.active().count())
    assert_accessible(page, "lesson with remember box and outline")

    page.get_by_role("button", name="Đã học xong, sang bài tiếp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
    page.get_by_role("button", name="Làm bài luyện tập").click()
    picture = page.locator("img.question-image")
    expect(picture.first).to_be_visible()
    alt = picture.first.get_attribute("alt") or ""
    assert "Cong an phuong - Ho tro VNeID" in alt
    assert picture.first.evaluate("image => image.naturalWidth") == 480  # the picture loaded
    assert_accessible(page, "quiz with a picture question")
    screenshot(page, "learning-picture-question")


def silent_wav(seconds: float = 1.0) -> bytes:
    """A short silent WAV made here (Chromium plays it; the narration form itself takes compressed audio only)."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * int(8000 * seconds))
    return buffer.getvalue()


def test_a_lesson_with_narration_plays_it_with_the_nghe_button(page, live_server, course) -> None:
    import hashlib

    from django.core.files.base import ContentFile

    from hocvuso.learning.models import CourseMedia

    lesson = course.lessons.get(slug="01-danh-tinh-so-vneid")
    data = silent_wav()
    media = CourseMedia(course=course, path="media/narration/01-danh-tinh-so-vneid.wav", size=len(data))
    media.sha256 = hashlib.sha256(data).hexdigest()
    media.file.save("01-danh-tinh-so-vneid.wav", ContentFile(data), save=False)
    media.save()
    course.lessons.filter(pk=lesson.pk).update(audio=media)
    course.version += 1  # lesson pages cache the course's content per version
    course.save(update_fields=["version"])

    page.goto(live_server.url + f"/khoa-hoc/cong-dan-so/{lesson.slug}/")
    listen = page.get_by_role("button", name="Nghe", exact=True)
    expect(listen).to_be_visible()
    assert_accessible(page, "lesson with narration")
    listen.click()
    expect(page.get_by_role("button", name="Dừng nghe")).to_be_visible()
    assert page.locator("#lesson-audio").evaluate("audio => !audio.paused || audio.ended")
