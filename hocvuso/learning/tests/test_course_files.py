"""Course as files: hostile folders are refused with a message naming the file and line, unsafe Markdown is
cleaned, export round-trips, and a re-import updates in place without losing learner progress."""

import hashlib
from pathlib import Path

import pytest

from hocvuso.core.models import AuditEntry
from hocvuso.learning.course_files import CourseFormatError, read_course_folder
from hocvuso.learning.models import AttemptAnswer, Course, Lesson, LessonCompletion, Question
from hocvuso.learning.services import (
    complete_lesson,
    course_as_data,
    enrol,
    export_course_to_folder,
    import_course_from_folder,
    start_attempt,
)

from .conftest import COURSE_YAML, CURRICULA, LESSON, PICTURE, QUESTIONS, write_course


def refused(folder: Path) -> list[str]:
    with pytest.raises(CourseFormatError) as caught:
        import_course_from_folder(path=folder, actor=None)
    assert Course.objects.count() == 0
    return caught.value.problems


# --- hostile folders ----------------------------------------------------------------------------------------


def test_a_missing_title_is_named_with_file_and_field(frameworks: None, tmp_path: Path) -> None:
    folder = write_course(tmp_path, course=COURSE_YAML.replace("title: Khóa thử\n", ""))

    assert refused(folder) == ["course.yaml, dòng 1, trường «title»: thiếu hoặc để trống"]


def test_invalid_yaml_is_named_with_its_line(frameworks: None, tmp_path: Path) -> None:
    folder = write_course(tmp_path, course=COURSE_YAML.replace("summary: Một khóa", "summary: [Một khóa"))

    problems = refused(folder)

    assert len(problems) == 1
    assert problems[0].startswith("course.yaml, dòng 5: YAML không hợp lệ")


def test_a_lesson_without_front_matter_is_named(frameworks: None, tmp_path: Path) -> None:
    folder = write_course(tmp_path, lessons={"01-bai-mot": "# Bài một\n", "02-bai-hai": LESSON.format(title="Hai"),
                                             "03-bai-ba": LESSON.format(title="Ba")})  # fmt: skip

    assert refused(folder) == ["lessons/01-bai-mot.md, dòng 1: thiếu phần đầu YAML (bắt đầu bằng dòng ---)"]


def test_a_missing_lesson_file_and_a_stray_one_are_named(frameworks: None, tmp_path: Path) -> None:
    folder = write_course(tmp_path, lessons={"01-bai-mot": LESSON.format(title="Một"),
                                             "02-bai-hai": LESSON.format(title="Hai"),
                                             "04-bai-thua": LESSON.format(title="Thừa")})  # fmt: skip

    problems = refused(folder)

    assert "lessons/03-bai-ba.md: không tìm thấy tệp (hoặc là liên kết tượng trưng)" in problems
    assert "lessons/04-bai-thua.md: bài học không thuộc học phần nào trong course.yaml" in problems


def test_duplicate_question_ids_are_named_with_both_lines(frameworks: None, tmp_path: Path) -> None:
    folder = write_course(tmp_path, questions=QUESTIONS.replace("id: q-multiple", "id: q-single"))

    problems = refused(folder)

    assert "questions.yaml, dòng 15, trường «id»: mã câu hỏi «q-single» trùng với câu ở dòng 1" in problems


def test_a_single_choice_question_with_two_right_answers_is_refused(frameworks: None, tmp_path: Path) -> None:
    questions = QUESTIONS.replace(
        "    - text: Sai một\n      correct: false", "    - text: Sai một\n      correct: true"
    )

    problems = refused(write_course(tmp_path, questions=questions))

    assert problems == ["questions.yaml, dòng 1 (q-single): câu một lựa chọn phải có đúng 1 phương án đúng (đang có 2)"]


def test_missing_question_fields_are_each_named(frameworks: None, tmp_path: Path) -> None:
    questions = QUESTIONS.replace("  prompt: Câu đúng sai.\n", "").replace("  difficulty: 3\n", "")

    problems = refused(write_course(tmp_path, questions=questions))

    assert problems == [
        "questions.yaml, dòng 31 (q-true-false), trường «prompt»: thiếu hoặc để trống",
        "questions.yaml, dòng 50 (q-matching): trường «difficulty» phải là 1, 2 hoặc 3",
    ]


def test_an_unquoted_competence_code_and_an_unknown_type_are_refused(frameworks: None, tmp_path: Path) -> None:
    questions = QUESTIONS.replace('competence: "2.6"', "competence: 2.6").replace("type: ordering", "type: essay")

    problems = refused(write_course(tmp_path, questions=questions))

    assert "questions.yaml, dòng 39 (q-ordering): trường «type» phải là một trong: single, multiple, true_false, " \
        "ordering, matching, image" in problems  # fmt: skip
    assert 'questions.yaml, dòng 65 (q-image): trường «competence» phải là mã năng lực trong ngoặc kép, ví dụ "4.2"' \
        in problems  # fmt: skip


def test_a_competence_missing_from_the_framework_is_named(frameworks: None, tmp_path: Path) -> None:
    extra = QUESTIONS[QUESTIONS.index("- id: q-image") :].replace("q-image", "q-extra").replace('"2.6"', '"9.9"')

    problems = refused(write_course(tmp_path, questions=QUESTIONS + extra))

    assert problems == [
        "questions.yaml, dòng 79 (q-extra), trường «competence»: không có năng lực 9.9 trong khung tt02-2025"
    ]


def test_a_blueprint_larger_than_the_bank_is_refused(frameworks: None, tmp_path: Path) -> None:
    folder = write_course(tmp_path, course=COURSE_YAML.replace('"4.2": 2', '"4.2": 5'))

    assert refused(folder) == ["course.yaml, trường «blueprint»: năng lực 4.2 cần 5 câu nhưng ngân hàng chỉ có 2"]


def test_yaml_aliases_and_duplicate_keys_are_refused(frameworks: None, tmp_path: Path) -> None:
    bomb = COURSE_YAML.replace("summary: Một khóa nhỏ để kiểm thử.", "summary: &a Một khóa\nlanguage2: *a")
    assert "aliases" in refused(write_course(tmp_path / "a", course=bomb))[0]
    twice = COURSE_YAML.replace("language: vi", "language: vi\nlanguage: en")
    assert "the key 'language' appears twice" in refused(write_course(tmp_path / "b", course=twice))[0]


def test_media_outside_the_folder_and_missing_references_are_refused(frameworks: None, tmp_path: Path) -> None:
    lesson = LESSON.format(title="Một").replace("minutes: 5", "minutes: 5\naudio: ../../etc/passwd")
    lesson += "\n![Mã QR](media/khong-co.png)\n"
    folder = write_course(tmp_path, lessons={"01-bai-mot": lesson, "02-bai-hai": LESSON.format(title="Hai"),
                                             "03-bai-ba": LESSON.format(title="Ba")})  # fmt: skip
    (folder / "media" / "trang.html").write_text("<script>alert(1)</script>")

    problems = refused(folder)

    assert "lessons/01-bai-mot.md, dòng 4, trường «audio»: đường dẫn tệp phải có dạng media/ten-tep.duoi" in problems
    assert "lessons/01-bai-mot.md: tham chiếu tới tệp không có trong thư mục khóa học: media/khong-co.png" in problems
    assert any(problem.startswith("media/trang.html: loại tệp hoặc tên tệp không được nhận") for problem in problems)


def test_a_picture_question_without_its_picture_is_refused(frameworks: None, tmp_path: Path) -> None:
    no_picture = QUESTIONS.replace("  image: media/hinh.png\n", "")
    says_picture = no_picture.replace("Câu một lựa chọn?", "Tin nhắn như trong hình có gì sai?")
    sound = QUESTIONS.replace("media/hinh.png", "media/tieng.mp3")
    folder = write_course(tmp_path / "a", questions=no_picture)
    (write_course(tmp_path / "b", questions=sound) / "media" / "tieng.mp3").write_bytes(b"ID3 sound")

    missing = "câu hỏi nói đến một hình nhưng không có trường «image» (tệp hình trong media/)"
    assert f"questions.yaml, dòng 65 (q-image): {missing}" in refused(folder)
    assert not Course.objects.exists()
    assert any(line.startswith("questions.yaml, dòng 1 (q-single):") and line.endswith(missing)
               for line in refused(write_course(tmp_path / "c", questions=says_picture)))  # fmt: skip
    assert "questions.yaml, dòng 65 (q-image): trường «image» phải là tệp hình (.png, .jpg, .jpeg, .gif, .webp)" \
        in refused(tmp_path / "b")  # fmt: skip


def test_every_picture_question_of_the_curricula_carries_its_picture(frameworks: None) -> None:
    for folder in sorted(CURRICULA.glob("*/questions.yaml")):
        data = read_course_folder(folder.parent)  # raises CourseFormatError on any problem
        pictures = [question for question in data.data["questions"] if question["type"] == "image"]
        assert pictures and all(question["image"] and question["image_alt"] for question in pictures)
        assert all(data.media[question["image"]].startswith(b"\x89PNG") for question in pictures)


def test_unsafe_html_in_markdown_is_stripped(frameworks: None, tmp_path: Path) -> None:
    hostile = LESSON.format(title="Một") + (
        '\n<script>alert("x")</script>\n\n<p onclick="steal()">Bấm</p>\n\n[link](javascript:alert(1))\n\n'
        '<iframe src="https://evil.example"></iframe>\n\n<img src="https://evil.example/x.png" onerror="x()">\n\n'
        "<style>body{display:none}</style>\n\n[Cổng dịch vụ công](https://dichvucong.gov.vn)\n"
    )
    folder = write_course(tmp_path, lessons={"01-bai-mot": hostile, "02-bai-hai": LESSON.format(title="Hai"),
                                             "03-bai-ba": LESSON.format(title="Ba")})  # fmt: skip

    course = import_course_from_folder(path=folder, actor=None).course

    html = course.lessons.get(slug="01-bai-mot").body_html
    for dangerous in ("<script", "alert", "onclick", "javascript:", "<iframe", "evil.example", "onerror", "<style"):
        assert dangerous not in html
    assert '<a href="https://dichvucong.gov.vn" rel="noopener noreferrer">Cổng dịch vụ công</a>' in html
    assert "<p>Bấm</p>" in html


# --- idempotency, round trip, in-place update ---------------------------------------------------------------


def test_importing_the_same_folder_twice_changes_nothing(course: Course, course_folder: Path) -> None:
    audits = AuditEntry.objects.count()

    result = import_course_from_folder(path=course_folder, actor=None)

    assert result.status == "unchanged"
    assert Course.objects.get().version == 1
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("slug", ["cong-dan-so", "nguoi-cao-tuoi"])
def test_a_real_course_round_trips_through_export(frameworks: None, tmp_path: Path, slug: str) -> None:
    original = read_course_folder(CURRICULA / slug)
    course = import_course_from_folder(path=CURRICULA / slug, actor=None).course

    export_course_to_folder(course=course, path=tmp_path / slug)

    exported = read_course_folder(tmp_path / slug)
    assert exported.data == original.data == course_as_data(course)
    assert exported.content_hash == course.content_hash
    assert import_course_from_folder(path=tmp_path / slug, actor=None).status == "unchanged"


def test_a_course_with_media_translations_and_downloads_round_trips(frameworks: None, tmp_path: Path) -> None:
    lesson = LESSON.format(title="Một").replace(
        "minutes: 5", "minutes: 5\nvideo_url: https://video.example/bai-1\ndownloads:\n"
        "  - {title: Phiếu hướng dẫn, file: media/phieu.pdf}\n  - {title: Cổng DVC, url: https://dichvucong.gov.vn}"
    ) + "\n![Mã QR mẫu](media/qr.png)\n"  # fmt: skip
    folder = write_course(tmp_path / "src", lessons={"01-bai-mot": lesson, "02-bai-hai": LESSON.format(title="Hai"),
                                                     "03-bai-ba": LESSON.format(title="Ba")})  # fmt: skip
    (folder / "media" / "qr.png").write_bytes(b"\x89PNG fake image")
    (folder / "media" / "phieu.pdf").write_bytes(b"%PDF-1.4 fake")
    (folder / "lessons" / "01-bai-mot.mp3").write_bytes(b"ID3 fake audio")
    (folder / "lessons" / "01-bai-mot.mnong.md").write_text("---\ntitle: Bài một (M'Nông)\n---\n\nNội dung M'Nông.\n")
    (folder / "lessons" / "01-bai-mot.mnong.mp3").write_bytes(b"ID3 fake mnong audio")
    questions = QUESTIONS.replace("media/hinh.png", "media/qr.png")

    (folder / "questions.yaml").write_text(questions, encoding="utf-8")
    course = import_course_from_folder(path=folder, actor=None).course
    export_course_to_folder(course=course, path=tmp_path / "out")

    lesson_row = course.lessons.get(slug="01-bai-mot")
    assert lesson_row.audio is not None and lesson_row.audio.path == "lessons/01-bai-mot.mp3"
    assert f'src="{course.media.get(path="media/qr.png").url}"' in lesson_row.body_html
    assert lesson_row.translations.get(language="mnong").audio.path == "lessons/01-bai-mot.mnong.mp3"
    assert [download.title for download in lesson_row.downloads.all()] == ["Phiếu hướng dẫn", "Cổng DVC"]
    assert (tmp_path / "out" / "media" / "qr.png").read_bytes() == b"\x89PNG fake image"
    assert (tmp_path / "out" / "lessons" / "01-bai-mot.mnong.md").exists()
    assert read_course_folder(tmp_path / "out").data == read_course_folder(folder).data == course_as_data(course)
    assert import_course_from_folder(path=tmp_path / "out", actor=None).status == "unchanged"


def test_a_changed_course_updates_in_place_and_keeps_learner_progress(
    course: Course, course_folder: Path, learner: object
) -> None:
    enrol(user=learner, course=course)
    first = course.lessons.get(slug="01-bai-mot")
    complete_lesson(user=learner, lesson=first)
    quiz = first.quiz
    attempt = start_attempt(user=learner, assessment=quiz)
    used = Question.objects.get(key="q-single")
    (course_folder / "lessons" / "01-bai-mot.md").write_text(LESSON.format(title="Bài một (sửa)"), encoding="utf-8")
    changed = QUESTIONS.replace("Câu một lựa chọn?", "Câu một lựa chọn, đã sửa?").replace(
        QUESTIONS[QUESTIONS.index("- id: q-image") :], ""
    )
    (course_folder / "questions.yaml").write_text(changed, encoding="utf-8")
    (course_folder / "course.yaml").write_text(
        COURSE_YAML.replace('    "2.6": 1\n', "").replace("lessons: [03-bai-ba]", "lessons: [03-bai-ba]"),
        encoding="utf-8",
    )

    result = import_course_from_folder(path=course_folder, actor=None)

    assert result.status == "updated"
    course.refresh_from_db()
    assert course.version == 2
    assert Lesson.objects.get(pk=first.pk).title == "Bài một (sửa)"
    assert LessonCompletion.objects.filter(user=learner, lesson=first).count() == 1
    used.refresh_from_db()
    assert (used.is_active, used.prompt) == (False, "Câu một lựa chọn?")
    assert Question.objects.get(key="q-single", is_active=True).prompt == "Câu một lựa chọn, đã sửa?"
    assert AttemptAnswer.objects.filter(attempt=attempt, question=used).count() == 1
    assert not Question.objects.filter(key="q-image").exists()  # never used: removed
    assert course.assessments.get(kind="final").blueprint == {"4.1": 3, "4.2": 2}
    assert course_as_data(course) == read_course_folder(course_folder).data


def test_a_file_uploaded_in_the_admin_is_hashed_and_changes_the_course_hash(course: Course) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hocvuso.core.errors import DomainError
    from hocvuso.learning.models import CourseMedia
    from hocvuso.learning.services.course_edits import store_course_media

    before = course.content_hash
    media = CourseMedia(course=course, path="media/so-do.png", file=SimpleUploadedFile("so-do.png", b"PNG bytes"))

    store_course_media(media=media, actor=None)

    media.refresh_from_db()
    assert (media.size, media.sha256) == (9, hashlib.sha256(b"PNG bytes").hexdigest())
    assert media.file.name.startswith("learning/khoa-thu/")
    course.refresh_from_db()
    assert (course.version, course.content_hash != before) == (2, True)
    assert course_as_data(course)["media"] == {
        "media/hinh.png": hashlib.sha256(PICTURE).hexdigest(),
        "media/so-do.png": media.sha256,
    }
    with pytest.raises(DomainError):
        store_course_media(
            media=CourseMedia(course=course, path="media/x.svg", file=SimpleUploadedFile("x.svg", b"<svg/>")),
            actor=None,
        )


def test_invalid_front_matter_is_named_with_the_files_line(frameworks: None, tmp_path: Path) -> None:
    broken = LESSON.format(title="Một").replace("minutes: 5", "minutes: [5")
    folder = write_course(tmp_path, lessons={"01-bai-mot": broken, "02-bai-hai": LESSON.format(title="Hai"),
                                             "03-bai-ba": LESSON.format(title="Ba")})  # fmt: skip

    problems = refused(folder)

    assert len(problems) == 1
    assert problems[0].startswith("lessons/01-bai-mot.md, dòng 4: YAML không hợp lệ")
