"""Learner pages over HTTP: the catalogue, a course, a lesson (light, in order, translated, with audio),
enrolling, completing lessons, the self-assessment and the learner's home, with the real starter course."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import complete_sign_in, end_sessions_of
from hocvuso.learning.models import (
    Enrolment,
    Lesson,
    LessonCompletion,
    LessonTranslation,
    SelfAssessmentResult,
)
from hocvuso.learning.services import (
    complete_lesson,
    enrol,
    import_course_from_folder,
    load_frameworks,
    load_self_assessment,
)
from hocvuso.web.tests.conftest import sign_in_staff

CURRICULA = Path(settings.BASE_DIR) / "curricula"
PAGE_WEIGHT_LIMIT = 200 * 1024


@pytest.fixture
def course(db):
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    return import_course_from_folder(path=CURRICULA / "cong-dan-so", actor=None).course


@pytest.fixture
def lessons(course):
    return list(course.lessons.active().order_by("position"))


@pytest.fixture
def learner(make_user):
    return make_user(Role.LEARNER, full_name="H'Hen Niê")


@pytest.fixture
def learner_client(client: Client, learner) -> Client:
    client.force_login(learner)
    return client


def lesson_text(lesson) -> str:
    """The start of the lesson's text after its own title (which the page shows as its heading)."""
    return lesson.body_html.split("</h1>", 1)[-1].strip()[:200]


def lesson_url(course, lesson) -> str:
    return f"/khoa-hoc/{course.slug}/{lesson.slug}/"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- catalogue and course ---------------------------------------------------------------------------------


def test_catalogue_lists_courses_for_anyone_and_marks_the_learners_enrolment(client, course, learner):
    anonymous = client.get("/khoa-hoc/")
    enrol(user=learner, course=course)
    client.force_login(learner)
    signed_in = client.get("/khoa-hoc/?nhom=citizens")
    other_group = client.get("/khoa-hoc/?nhom=students")

    assert anonymous.status_code == 200
    assert [entry.course.slug for entry in anonymous.context["entries"]] == ["cong-dan-so"]
    assert anonymous.context["entries"][0].is_enrolled is False
    assert "Đã ghi danh" in signed_in.content.decode()
    assert signed_in.context["entries"][0].is_enrolled is True
    assert signed_in.context["entries"][0].lessons == 8
    assert other_group.context["entries"] == []
    assert "Chưa có khóa học nào cho nhóm này." in other_group.content.decode()


def test_course_page_shows_the_outline_with_only_the_first_lesson_open(client, course, lessons):
    response = client.get(f"/khoa-hoc/{course.slug}/")

    body = response.content.decode()
    outline = response.context["page"].outline
    states = [lesson.state for module in outline for lesson in module.lessons]
    assert response.status_code == 200
    assert states == ["open"] + ["locked"] * 7
    assert body.count("Chưa mở") == 7
    assert f'href="{lesson_url(course, lessons[0])}"' in body
    assert f'href="{lesson_url(course, lessons[1])}"' not in body
    assert "Đăng nhập để ghi danh" in body


def test_a_missing_or_closed_course_is_not_found(client, course):
    course.is_published = False
    course.save(update_fields=["is_published"])

    assert client.get(f"/khoa-hoc/{course.slug}/").status_code == 404
    assert client.get("/khoa-hoc/khong-co/").status_code == 404


def test_enrolling_twice_keeps_one_enrolment_and_shows_the_course(learner_client, learner, course):
    first = learner_client.post("/hoc/ghi-danh/", {"course": course.slug})
    second = learner_client.post("/hoc/ghi-danh/", {"course": course.slug}, follow=True)

    assert first.status_code == 302 and first["Location"] == f"/khoa-hoc/{course.slug}/"
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1
    assert "Bạn đã ghi danh khóa học «Công dân số»." in messages_of(second)
    assert "Bắt đầu học" in second.content.decode()


def test_enrolling_needs_a_signed_in_user_and_a_published_course(client, learner, course):
    anonymous = client.post("/hoc/ghi-danh/", {"course": course.slug})
    client.force_login(learner)
    missing = client.post("/hoc/ghi-danh/", {"course": "khong-co"})
    by_get = client.get("/hoc/ghi-danh/")

    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]
    assert missing.status_code == 404
    assert by_get.status_code == 405
    assert Enrolment.objects.count() == 0


# --- lessons ----------------------------------------------------------------------------------------------


def test_lesson_page_shows_the_lesson_and_the_button_to_complete_it(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)

    response = learner_client.get(lesson_url(course, lessons[0]))

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["page"].title == lessons[0].title
    assert lesson_text(lessons[0]) in body
    assert 'action="/hoc/hoan-thanh/"' in body
    assert f'name="lesson" value="{lessons[0].pk}"' in body
    assert "Làm bài luyện tập" in body
    assert 'aria-current="page"' in body


def test_lesson_page_shows_the_course_outline_with_the_learners_progress(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=lessons[0])

    response = learner_client.get(lesson_url(course, lessons[1]))

    body = response.content.decode()
    outline = body.split('id="outline-title"', 1)[1]
    assert "Các bài của khóa học (1/8 đã học)" in body
    # done and open lessons are links (the current one marked), locked ones are not
    assert f'<a class="outline-title" href="{lesson_url(course, lessons[0])}">' in outline
    assert f'<a class="outline-title" href="{lesson_url(course, lessons[1])}" aria-current="page">' in outline
    assert f'href="{lesson_url(course, lessons[2])}"' not in outline
    assert outline.count('class="outline-title"') == 8
    assert outline.count("Chưa mở") == 6
    assert outline.count("badge-pass") == 1


def test_lesson_page_links_lead_to_the_addresses_the_url_patterns_give(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=lessons[0])
    complete_lesson(user=learner, lesson=lessons[1])

    body = learner_client.get(lesson_url(course, lessons[1])).content.decode()

    breadcrumb = body.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("web:courses")}"' in breadcrumb
    assert f'href="{reverse("web:course", kwargs={"course_slug": course.slug})}"' in breadcrumb
    assert f'<a href="{lesson_url(course, lessons[0])}" rel="prev">' in body
    assert f'<a href="{lesson_url(course, lessons[2])}" rel="next">' in body
    assert f'<a class="button" href="{lesson_url(course, lessons[2])}">Bài tiếp theo</a>' in body
    assert f'href="{reverse("accounts:account")}"' in body and f'action="{reverse("accounts:logout")}"' in body


def test_completing_a_lesson_goes_to_the_next_and_the_last_back_to_the_course(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)
    for lesson in lessons[:-1]:
        complete_lesson(user=learner, lesson=lesson)
    LessonCompletion.objects.filter(lesson=lessons[-2]).delete()

    middle = learner_client.post("/hoc/hoan-thanh/", {"lesson": lessons[-2].pk})
    last = learner_client.post("/hoc/hoan-thanh/", {"lesson": lessons[-1].pk}, follow=True)

    assert middle.status_code == 302 and middle["Location"] == lesson_url(course, lessons[-1])
    assert last.redirect_chain == [(f"/khoa-hoc/{course.slug}/", 302)]
    assert "Hãy làm bài đánh giá cuối khóa" in " ".join(messages_of(last))
    assert LessonCompletion.objects.filter(user=learner).count() == 8


def test_a_locked_lesson_hides_its_text_and_cannot_be_completed(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)

    page = learner_client.get(lesson_url(course, lessons[2]))
    refused = learner_client.post("/hoc/hoan-thanh/", {"lesson": lessons[2].pk}, follow=True)

    body = page.content.decode()
    assert page.context["page"].is_locked is True
    assert "Bài này chưa mở" in body
    assert lesson_text(lessons[2]) not in body
    assert 'action="/hoc/hoan-thanh/"' not in body
    assert messages_of(refused) == [f"Bài này chưa mở: hãy học xong bài «{lessons[1].title}» trước."]
    assert LessonCompletion.objects.filter(user=learner).count() == 0


def test_an_anonymous_reader_sees_the_first_lesson_and_an_invitation_to_sign_in(client, course, lessons):
    response = client.get(lesson_url(course, lessons[0]))

    body = response.content.decode()
    assert response.status_code == 200
    assert lesson_text(lessons[0]) in body
    assert "Đăng nhập để lưu tiến độ" in body
    assert 'action="/hoc/hoan-thanh/"' not in body


def test_lesson_offers_its_translation_and_audio(client, course, lessons):
    lesson = lessons[0]
    LessonTranslation.objects.create(
        lesson=lesson, language="en", title="Digital identity", body_html="<p>In English.</p>", audio_url=""
    )
    lesson.audio_url = "/media/learning/bai-mot.mp3"
    lesson.save(update_fields=["audio_url"])

    vietnamese = client.get(lesson_url(course, lesson))
    english = client.get(lesson_url(course, lesson) + "?ngon-ngu=en")

    assert (
        '<audio id="lesson-audio" controls preload="none" src="/media/learning/bai-mot.mp3"'
        in vietnamese.content.decode()
    )
    assert 'data-listen="lesson-audio" data-pause-text="Dừng nghe">Nghe</button>' in vietnamese.content.decode()
    assert 'href="?ngon-ngu=en"' in vietnamese.content.decode()
    assert english.context["page"].title == "Digital identity"
    assert '<article class="lesson" lang="en">' in english.content.decode()
    assert "<p>In English.</p>" in english.content.decode()
    assert "<audio" not in english.content.decode()


def test_lesson_page_reads_a_fixed_number_of_queries(
    learner_client, learner, course, lessons, django_assert_num_queries
):
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=lessons[0])
    learner_client.get(lesson_url(course, lessons[1]))

    # session, user, the course with the learner's progress, role assignments (navigation); the course
    # content comes from the cache
    with django_assert_num_queries(4):
        response = learner_client.get(lesson_url(course, lessons[1]))

    assert response.status_code == 200
    assert response.context["page"].outline[0].lessons[0].state == "done"


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_with_sessions_in_the_cache_the_lesson_page_reads_no_session_row_and_sign_out_still_ends_it(
    client, learner, course, lessons, django_assert_num_queries
):
    # production with Redis (config/settings/base.py): the session is read from the cache, written through
    enrol(user=learner, course=course)
    client.force_login(learner)
    client.get(lesson_url(course, lessons[0]))

    with django_assert_num_queries(3):  # user, role assignments, the course with the learner's progress
        response = client.get(lesson_url(course, lessons[0]))
    signed_out = client.post("/tai-khoan/dang-xuat/")
    after = client.get(lesson_url(course, lessons[0]))

    assert response.status_code == 200 and response.context["page"].is_enrolled is True
    assert signed_out.status_code == 302
    assert "Đăng nhập để lưu tiến độ" in after.content.decode()


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_reading_lessons_writes_nothing_neither_a_row_nor_the_session(client, learner, course, lessons):
    # The busiest page is read-only: a write per view (a last-seen time, progress, the session saved again)
    # would leave a dead row version per request in PostgreSQL and rewrite the session in Redis and the database.
    # The learner signs in the product's way (complete_sign_in), as the benchmark's learners do.
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=lessons[0])
    request = RequestFactory().post("/tai-khoan/dang-nhap/")
    request.session = client.session
    complete_sign_in(request, learner, method="password", second_factor_verified=False)
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    session_before = dict(client.session.items())
    pages = [lesson_url(course, lesson) for lesson in lessons[:3]] * 3

    with CaptureQueriesContext(connection) as queries:
        responses = [client.get(page) for page in pages]

    assert [response.status_code for response in responses] == [200] * len(pages)
    assert all(response.context["user"] == learner for response in responses)
    statements = [query["sql"].lstrip().split(None, 1)[0].upper() for query in queries.captured_queries]
    assert statements and set(statements) == {"SELECT"}, statements
    assert all(settings.SESSION_COOKIE_NAME not in response.cookies for response in responses)
    assert dict(client.session.items()) == session_before


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_with_sessions_in_the_cache_a_change_of_roles_still_ends_the_session(client, learner, course, lessons):
    client.force_login(learner)
    assert client.get(lesson_url(course, lessons[0])).context["user"].is_authenticated

    end_sessions_of(learner)  # what a change of roles does

    assert not client.get(lesson_url(course, lessons[0])).context["user"].is_authenticated


def test_lesson_page_reads_one_query_for_an_anonymous_reader(client, course, lessons, django_assert_num_queries):
    client.get(lesson_url(course, lessons[0]))

    with django_assert_num_queries(1):  # the course; no session, no user, no navigation
        response = client.get(lesson_url(course, lessons[0]))

    assert response.status_code == 200
    assert lesson_text(lessons[0]) in response.content.decode()


# --- the parts kept once rendered (web/fragments.py): never one learner's page for another ---------------


def outline_of(body: str) -> str:
    return body.split('id="outline-title"', 1)[1]


def test_two_learners_on_the_same_lesson_each_see_their_own_progress_name_and_buttons(
    client, learner, make_user, course, lessons
):
    other = make_user(Role.LEARNER, full_name="Nguyễn Văn Bốn")
    enrol(user=learner, course=course)
    enrol(user=other, course=course)
    for lesson in lessons[:3]:
        complete_lesson(user=learner, lesson=lesson)
    second = Client()
    second.force_login(other)
    client.force_login(learner)

    # the same lesson, one after the other, in the same process (whatever one rendered is kept)
    mine = client.get(lesson_url(course, lessons[1])).content.decode()
    theirs = second.get(lesson_url(course, lessons[1])).content.decode()
    mine_again = client.get(lesson_url(course, lessons[1])).content.decode()

    assert "Các bài của khóa học (3/8 đã học)" in mine and "Các bài của khóa học (0/8 đã học)" in theirs
    assert outline_of(mine).count("badge-pass") == 3 and outline_of(theirs).count("badge-pass") == 0
    assert outline_of(mine).count("Chưa mở") == 4 and outline_of(theirs).count("Chưa mở") == 7
    # done for the first learner, locked (text hidden, no button) for the second
    assert lesson_text(lessons[1]) in mine and 'href="/khoa-hoc/cong-dan-so/' in mine
    assert lesson_text(lessons[1]) not in theirs and "Bài này chưa mở" in theirs
    assert 'name="lesson"' not in theirs
    assert "H&#x27;Hen Niê" in mine and "H&#x27;Hen Niê" not in theirs
    assert "Nguyễn Văn Bốn" in theirs and "Nguyễn Văn Bốn" not in mine
    assert mine_again.count("badge-pass") == mine.count("badge-pass")


def test_every_learner_gets_their_own_csrf_tokens_on_a_kept_lesson(client, learner, make_user, course, lessons):
    other = make_user(Role.LEARNER)
    enrol(user=learner, course=course)
    enrol(user=other, course=course)
    second = Client(enforce_csrf_checks=True)
    second.force_login(other)
    client.force_login(learner)
    client.get(lesson_url(course, lessons[0]))

    page = second.get(lesson_url(course, lessons[0]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    completed = second.post("/hoc/hoan-thanh/", {"lesson": lessons[0].pk, "csrfmiddlewaretoken": token})

    assert completed.status_code == 302
    assert LessonCompletion.objects.filter(user=other, lesson=lessons[0]).exists()
    assert not LessonCompletion.objects.filter(user=learner).exists()


def test_a_change_of_the_lesson_shows_at_once_on_a_kept_lesson_page(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)
    before = learner_client.get(lesson_url(course, lessons[0])).content.decode()

    lesson = Lesson.objects.get(pk=lessons[0].pk)
    lesson.body_html = "<h1>Bài một</h1><p>Nội dung mới của bài.</p>"
    lesson.title = "Tên mới của bài"
    lesson.save(update_fields=["body_html", "title"])
    after = learner_client.get(lesson_url(course, lessons[0])).content.decode()

    assert lesson_text(lessons[0]) in before and "Nội dung mới của bài." not in before
    assert "<p>Nội dung mới của bài.</p>" in after and lesson_text(lessons[0]) not in after
    assert "<h1>Tên mới của bài</h1>" in after
    assert 'aria-current="page">Tên mới của bài</a>' in outline_of(after)


def test_a_kept_lesson_page_follows_the_interface_language_and_the_lessons_translation(
    learner_client, learner, course, lessons
):
    enrol(user=learner, course=course)
    LessonTranslation.objects.create(
        lesson=lessons[0], language="en", title="Digital identity", body_html="<p>In English.</p>", audio_url=""
    )
    url = lesson_url(course, lessons[0])

    vietnamese = learner_client.get(url).content.decode()
    learner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_interface = learner_client.get(url).content.decode()
    english_both = learner_client.get(url + "?ngon-ngu=en").content.decode()
    learner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese_again = learner_client.get(url).content.decode()
    translated_lesson = learner_client.get(url + "?ngon-ngu=en").content.decode()

    assert "Các bài của khóa học (0/8 đã học)" in vietnamese and "Chưa mở" in outline_of(vietnamese)
    assert "The course's lessons (0/8 done)" in english_interface
    assert "Not open yet" in outline_of(english_interface) and "Chưa mở" not in outline_of(english_interface)
    assert lesson_text(lessons[0]) in english_interface and "In English." not in english_interface
    assert "<p>In English.</p>" in english_both and lesson_text(lessons[0]) not in english_both
    assert "Các bài của khóa học (0/8 đã học)" in vietnamese_again and "Not open yet" not in vietnamese_again
    assert "<p>In English.</p>" in translated_lesson and "Các bài của khóa học (0/8 đã học)" in translated_lesson
    assert '<article class="lesson" lang="en">' in translated_lesson


def test_only_an_instructor_is_offered_to_record_the_narration_of_a_kept_lesson(
    client, learner, territory, make_user, course, lessons
):
    instructor = make_user(Role.INSTRUCTOR, territory.commune)
    record = "Thu âm bản nghe cho bài này"
    staff = Client()
    sign_in_staff(staff, instructor)
    client.force_login(learner)

    learners_before = client.get(lesson_url(course, lessons[0])).content.decode()
    instructors = staff.get(lesson_url(course, lessons[0])).content.decode()
    learners_after = client.get(lesson_url(course, lessons[0])).content.decode()

    assert record in instructors
    assert record not in learners_before and record not in learners_after


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"] or "")


def page_weight(response) -> tuple[int, list[str]]:
    """Bytes of the HTML plus every stylesheet, script and icon the page loads (lesson media aside)."""
    html = response.content
    parser = _Assets()
    parser.feed(html.decode())
    total = len(html)
    for url in parser.urls:
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, f"{url} is not a static file of the site"
        total += Path(path).stat().st_size
    return total, parser.urls


def test_the_heaviest_lesson_page_weighs_less_than_200_kb(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)
    heaviest = max(lessons, key=lambda lesson: len(lesson.body_html))
    for lesson in lessons:
        complete_lesson(user=learner, lesson=lesson)

    response = learner_client.get(lesson_url(course, heaviest))
    total, assets = page_weight(response)

    assert response.status_code == 200
    assert {"/static/web/site.css", "/static/web/site.js"} <= set(assets)
    assert total < PAGE_WEIGHT_LIMIT, f"{total} bytes"


# --- the self-assessment ----------------------------------------------------------------------------------


@pytest.fixture
def questionnaire(course):
    return load_self_assessment(path=CURRICULA / "self-assessment.yaml", actor=None)


def answers(questionnaire, value: str, **overrides: str) -> dict[str, str]:
    data = {f"sa-{item['id']}": value for item in questionnaire.items}
    data.update({f"sa-{key.replace('_', '-')}": answer for key, answer in overrides.items()})
    return data


def test_self_assessment_asks_each_statement_as_a_radio_group(learner_client, questionnaire):
    response = learner_client.get("/tu-danh-gia/")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<fieldset") == 21  # the group question and 20 statements
    assert body.count("<legend>") == 21
    assert body.count('type="radio" name="sa-sa-01"') == 4
    assert "Tôi tự làm được" in body
    assert 'name="group" value="citizens"' in body


def test_self_assessment_recommends_a_starting_point_and_enrols_with_it(
    learner_client, learner, questionnaire, course, lessons
):
    data = answers(questionnaire, "3", sa_01="4", sa_02="4", sa_03="4", sa_04="4") | {"group": "citizens"}

    sent = learner_client.post("/tu-danh-gia/", data)
    result_page = learner_client.get("/tu-danh-gia/ket-qua/")
    result = SelfAssessmentResult.objects.get(user=learner)
    enrolled = learner_client.post("/hoc/ghi-danh/", {"course": course.slug, "recommendation": result.pk})

    assert sent.status_code == 302 and sent["Location"] == "/tu-danh-gia/ket-qua/"
    assert (result.score, result.band, result.recommended_course) == (73, "kha", course)
    body = result_page.content.decode()
    assert "73 điểm trên 100" in body
    assert "Khóa học gợi ý cho bạn: Công dân số" in body
    assert f'name="recommendation" value="{result.pk}"' in body
    assert enrolled.status_code == 302
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.start_lesson == lessons[5]
    assert learner_client.get(f"/khoa-hoc/{course.slug}/").context["page"].required_count == 3


def test_too_few_self_assessment_answers_are_refused_with_the_answers_kept(learner_client, learner, questionnaire):
    data = {"sa-sa-01": "2", "sa-sa-02": "4", "group": "elderly"}

    response = learner_client.post("/tu-danh-gia/", data)

    body = response.content.decode()
    assert response.status_code == 400
    assert "Hãy trả lời ít nhất 15 câu (bạn đã trả lời 2)." in body
    assert re.search(r'name="sa-sa-01" value="2" checked', body)
    assert re.search(r'name="group" value="elderly" checked', body)
    assert SelfAssessmentResult.objects.count() == 0


def test_self_assessment_result_without_one_sends_to_the_questionnaire(learner_client, questionnaire):
    response = learner_client.get("/tu-danh-gia/ket-qua/")

    assert response.status_code == 302 and response["Location"] == "/tu-danh-gia/"


# --- the learner's home -----------------------------------------------------------------------------------


def test_learner_home_shows_progress_and_the_next_lesson(learner_client, learner, course, lessons):
    enrol(user=learner, course=course)
    complete_lesson(user=learner, lesson=lessons[0])

    response = learner_client.get("/")

    body = response.content.decode()
    assert response.templates[0].name == "web/home_learner.html"
    assert "Đã học 1/8 bài" in body
    assert f'href="{lesson_url(course, lessons[1])}"' in body
    assert f"Học tiếp: {lessons[1].title}" in body
    assert "Đã xác nhận đạt phổ cập kỹ năng số" not in body


def test_learner_home_without_courses_invites_to_self_assess(learner_client):
    response = learner_client.get("/")

    body = response.content.decode()
    assert "Bạn chưa ghi danh khóa học nào." in body
    assert 'href="/tu-danh-gia/"' in body
    assert 'href="/khoa-hoc/"' in body


def test_the_catalogue_promises_narration_only_for_the_lessons_that_have_it(client, course, lessons):
    without = client.get("/khoa-hoc/").content.decode()
    Lesson.objects.filter(pk=lessons[0].pk).update(audio_url="https://audio.example/bai-1.mp3")
    Lesson.objects.filter(pk=lessons[1].pk).update(is_active=False, audio_url="https://audio.example/cu.mp3")

    response = client.get("/khoa-hoc/")

    body = response.content.decode()
    assert "bản nghe" not in without
    assert response.context["entries"][0].audio_lessons == 1
    assert "có bản nghe cho 1 bài" in body
    assert "có bản nghe cho mọi bài" not in body
