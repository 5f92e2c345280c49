"""Read and check a course folder into canonical data (see the package docstring for the format)."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ..rendering import render_markdown
from .questions import QUESTIONS_FILE, check_blueprint, read_questions
from .yaml_lines import CourseFormatError, LineDict, at, clean_text, content_hash, load_yaml

GROUPS = ("citizens", "elderly", "staff", "students", "workers", "traders")
TRANSLATION_LANGUAGES = ("mnong", "ede", "koho", "en")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MEDIA_PATH = re.compile(r"^media/(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*$")
AUDIO_EXTENSIONS = (".mp3", ".m4a", ".ogg", ".opus", ".wav")
LESSON_AUDIO = re.compile(r"^lessons/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.(mnong|ede|koho|en))?\.(mp3|m4a|ogg|opus|wav)$")
MEDIA_EXTENSIONS = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".mp3",
        ".m4a",
        ".ogg",
        ".opus",
        ".wav",
        ".mp4",
        ".webm",
        ".pdf",
        ".txt",
        ".docx",
        ".xlsx",
        ".odt",
        ".ods",
        ".vtt",
    }
)  # fmt: skip  — no SVG or HTML: served from our domain they could run scripts
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_MEDIA_BYTES = 50 * 1024 * 1024
MAX_FOLDER_BYTES = 500 * 1024 * 1024

COURSE_KEYS = {"slug", "title", "group", "summary", "language", "estimated_minutes", "framework", "modules",
               "assessment"}  # fmt: skip
ASSESSMENT_KEYS = {"pass_mark", "time_limit_minutes", "max_attempts", "cooldown_hours", "blueprint"}
LESSON_KEYS = {"title", "minutes", "competences", "summary", "audio", "audio_url", "video", "video_url", "downloads"}
TRANSLATION_KEYS = {"title", "summary", "audio", "audio_url"}


# --- reading a folder -------------------------------------------------------------------------------------


@dataclass
class CourseFolder:
    """A course read from files: canonical ``data``, media bytes by path, and where each lesson and question
    was found (for messages about problems only the database can see)."""

    data: dict[str, Any]
    media: dict[str, bytes] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return content_hash(self.data)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(f"{place}: {message}")

    def text(
        self, mapping: dict[str, Any], key: str, where: str, *, required: bool = True, with_line: bool = True
    ) -> str:
        value = mapping.get(key)
        place = at(where, mapping if with_line else None, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(place, _("thiếu hoặc để trống"))
            return ""
        if not isinstance(value, str):
            self.add(place, _("phải là chữ (đặt trong ngoặc kép nếu là số)"))
            return ""
        return clean_text(value)

    def number(
        self, mapping: dict[str, Any], key: str, where: str, *, minimum: int, maximum: int, required: bool = True
    ) -> int | None:
        value = mapping.get(key)
        if value is None:
            if required:
                self.add(at(where, mapping, key), _("thiếu"))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.add(
                at(where, mapping, key),
                _("phải là số nguyên từ %(min)s đến %(max)s") % {"min": minimum, "max": maximum},
            )
            return None
        return value

    def unknown_keys(self, mapping: dict[str, Any], allowed: set[str], where: str, *, with_line: bool = True) -> None:
        for key in mapping:
            if key not in allowed:
                self.add(
                    at(where, mapping if with_line else None),
                    _("trường «%(key)s» không có trong định dạng") % {"key": key},
                )

    def media_path(self, value: Any, place: str, media: dict[str, bytes]) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not (MEDIA_PATH.match(value) or LESSON_AUDIO.match(value)):
            self.add(place, _("đường dẫn tệp phải có dạng media/ten-tep.duoi"))
            return None
        if value not in media:
            self.add(place, _("không có tệp %(path)s trong thư mục khóa học") % {"path": value})
            return None
        return value

    def url(self, value: Any, place: str) -> str:
        if value is None or value == "":
            return ""
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/$.?#][^\s]*$", value) or len(value) > 200:
            self.add(place, _("đường dẫn phải bắt đầu bằng http:// hoặc https://"))
            return ""
        return value


def _read_text(path: Path, where: str, checker: _Checker) -> str | None:
    if path.is_symlink() or not path.is_file():
        checker.add(where, _("không tìm thấy tệp (hoặc là liên kết tượng trưng)"))
        return None
    if path.stat().st_size > MAX_TEXT_BYTES:
        checker.add(where, _("tệp quá lớn (tối đa 2 MB)"))
        return None
    data = path.read_bytes()
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        checker.add(where, _("không phải văn bản UTF-8 (byte %(position)s)") % {"position": error.start})
        return None


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (between two "---" lines at the top) and the Markdown body of a lesson file."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise CourseFormatError([f"{where}, " + _("dòng") + " 1: " + _("thiếu phần đầu YAML (bắt đầu bằng dòng ---)")])
    try:
        end = next(index for index in range(1, len(lines)) if lines[index].strip() == "---")
    except StopIteration:
        raise CourseFormatError([f"{where}: " + _("phần đầu YAML không có dòng --- đóng lại")]) from None
    meta = load_yaml("\n".join(lines[1:end]), where, first_line=2)
    if not isinstance(meta, dict):
        raise CourseFormatError([f"{where}, " + _("dòng") + " 2: " + _("phần đầu phải là các cặp khóa: giá trị")])
    # Front matter lines start at line 2 of the file.
    _shift_lines(meta, 1)
    return meta, "\n".join(lines[end + 1 :])


def _shift_lines(value: Any, offset: int) -> None:
    if isinstance(value, LineDict):
        value.line += offset
        value.key_lines = {key: line + offset for key, line in value.key_lines.items()}
        for item in value.values():
            _shift_lines(item, offset)
    elif isinstance(value, list):
        for item in value:
            _shift_lines(item, offset)


def _media_files(root: Path, checker: _Checker) -> list[tuple[str, Path]]:
    """The course's files other than text: everything under media/, and audio next to the lessons."""
    found: list[tuple[str, Path]] = []
    folder = root / "media"
    if folder.exists() and (folder.is_symlink() or not folder.is_dir()):
        checker.add("media/", _("phải là một thư mục"))
    elif folder.exists():
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                checker.add(relative, _("liên kết tượng trưng không được nhận"))
            elif path.is_file():
                if not MEDIA_PATH.match(relative) or path.suffix.lower() not in MEDIA_EXTENSIONS:
                    checker.add(
                        relative,
                        _("loại tệp hoặc tên tệp không được nhận (chỉ chữ không dấu, số, - _ . và các đuôi %(ext)s)")
                        % {"ext": ", ".join(sorted(MEDIA_EXTENSIONS))},
                    )
                    continue
                found.append((relative, path))
    lessons = root / "lessons"
    if lessons.is_dir():
        for path in sorted(lessons.iterdir()):
            relative = f"lessons/{path.name}"
            if path.suffix == ".md":
                continue
            if path.is_symlink() or not path.is_file() or not LESSON_AUDIO.match(relative):
                checker.add(
                    relative,
                    _("trong lessons/ chỉ có bài học .md, bản dịch .<ngôn ngữ>.md và âm thanh %(ext)s")
                    % {"ext": ", ".join(AUDIO_EXTENSIONS)},
                )
                continue
            found.append((relative, path))
    return found


def _read_media(root: Path, checker: _Checker) -> dict[str, bytes]:
    media: dict[str, bytes] = {}
    total = 0
    for relative, path in _media_files(root, checker):
        size = path.stat().st_size
        total += size
        if size > MAX_MEDIA_BYTES or total > MAX_FOLDER_BYTES:
            checker.add(relative, _("tệp quá lớn (tối đa 50 MB mỗi tệp, 500 MB cả khóa)"))
            continue
        media[relative] = path.read_bytes()
    return media


def _sibling_audio(stem: str, media: dict[str, bytes]) -> str | None:
    return next((f"lessons/{stem}{ext}" for ext in AUDIO_EXTENSIONS if f"lessons/{stem}{ext}" in media), None)


def read_course_folder(path: str | Path) -> CourseFolder:
    """Read and check a course folder; returns it as canonical data. Raises CourseFormatError listing every
    problem (file, line or field, what is wrong) — nothing is partly read."""
    root = Path(path)
    if not root.is_dir():
        raise CourseFormatError([f"{root}: " + _("không phải thư mục")])
    checker = _Checker()
    text = _read_text(root / "course.yaml", "course.yaml", checker)
    if text is None:
        raise CourseFormatError(checker.problems)
    raw = load_yaml(text, "course.yaml")
    if not isinstance(raw, dict):
        raise CourseFormatError(["course.yaml: " + _("phải là các cặp khóa: giá trị")])
    media = _read_media(root, checker)
    folder = CourseFolder(data={}, media=media)
    course = _check_course(raw, checker)
    lesson_stems = [stem for module in course["modules"] for stem in module["lessons"]]
    lessons: dict[str, Any] = {}
    for stem in lesson_stems:
        where = f"lessons/{stem}.md"
        folder.places[f"lesson:{stem}"] = where
        lesson = _read_lesson(root / "lessons" / f"{stem}.md", where, checker, media)
        if lesson is not None:
            lessons[stem] = lesson
    _read_translations(root, lessons, lesson_stems, checker, media)
    for relative in media:
        match = LESSON_AUDIO.match(relative)
        if match and match.group(1) not in lesson_stems:
            checker.add(relative, _("tệp âm thanh không ứng với bài học nào của khóa"))
    _check_references(lessons, checker, media)
    before = len(checker.problems)
    questions = read_questions(
        _read_text(root / QUESTIONS_FILE, QUESTIONS_FILE, checker), set(lesson_stems), checker, media, folder.places
    )
    if len(checker.problems) == before:  # else the blueprint's shortfalls would only repeat those problems
        check_blueprint(course, questions, checker)
    if checker.problems:
        raise CourseFormatError(checker.problems)
    folder.data = {
        **course,
        "lessons": lessons,
        "questions": questions,
        "media": {path_: hashlib.sha256(data).hexdigest() for path_, data in sorted(media.items())},
    }
    return folder


def _check_course(raw: dict[str, Any], checker: _Checker) -> dict[str, Any]:
    where = "course.yaml"
    checker.unknown_keys(raw, COURSE_KEYS, where)
    slug = checker.text(raw, "slug", where)
    if slug and not SLUG.match(slug):
        checker.add(at(where, raw, "slug"), _("chỉ gồm chữ thường không dấu, số và dấu gạch ngang"))
    group = checker.text(raw, "group", where)
    if group and group not in GROUPS:
        checker.add(at(where, raw, "group"), _("phải là một trong: %(groups)s") % {"groups": ", ".join(GROUPS)})
    course: dict[str, Any] = {
        "slug": slug,
        "title": checker.text(raw, "title", where),
        "group": group,
        "summary": checker.text(raw, "summary", where, required=False),
        "language": checker.text(raw, "language", where, required=False) or "vi",
        "estimated_minutes": checker.number(raw, "estimated_minutes", where, minimum=0, maximum=100_000, required=False)
        or 0,
        "framework": checker.text(raw, "framework", where),
    }
    modules_raw = raw.get("modules")
    modules: list[dict[str, Any]] = []
    seen_modules: set[str] = set()
    seen_lessons: set[str] = set()
    if not isinstance(modules_raw, list) or not modules_raw:
        checker.add(at(where, raw, "modules"), _("phải là danh sách ít nhất một học phần"))
        modules_raw = []
    for module in modules_raw:
        if not isinstance(module, dict):
            checker.add(at(where, raw, "modules"), _("mỗi học phần phải có slug, title, lessons"))
            continue
        checker.unknown_keys(module, {"slug", "title", "lessons"}, where)
        module_slug = checker.text(module, "slug", where)
        if module_slug and not SLUG.match(module_slug):
            checker.add(at(where, module, "slug"), _("chỉ gồm chữ thường không dấu, số và dấu gạch ngang"))
        if module_slug in seen_modules:
            checker.add(at(where, module, "slug"), _("học phần «%(slug)s» lặp lại") % {"slug": module_slug})
        seen_modules.add(module_slug)
        stems = module.get("lessons")
        if not isinstance(stems, list) or not stems or not all(isinstance(stem, str) for stem in stems):
            checker.add(at(where, module, "lessons"), _("phải là danh sách tên tệp bài học (không có .md)"))
            stems = []
        for stem in stems:
            if not SLUG.match(stem):
                checker.add(at(where, module, "lessons"), _("tên bài «%(stem)s» không hợp lệ") % {"stem": stem})
            if stem in seen_lessons:
                checker.add(at(where, module, "lessons"), _("bài «%(stem)s» có ở hai nơi") % {"stem": stem})
            seen_lessons.add(stem)
        modules.append({"slug": module_slug, "title": checker.text(module, "title", where), "lessons": list(stems)})
    course["modules"] = modules
    assessment_raw = raw.get("assessment")
    assessment: dict[str, Any] = {}
    if not isinstance(assessment_raw, dict):
        checker.add(at(where, raw, "assessment"), _("thiếu bài đánh giá cuối khóa"))
    else:
        checker.unknown_keys(assessment_raw, ASSESSMENT_KEYS, where)
        assessment = {
            "pass_mark": checker.number(assessment_raw, "pass_mark", where, minimum=1, maximum=100),
            "time_limit_minutes": checker.number(assessment_raw, "time_limit_minutes", where, minimum=1, maximum=600),
            "max_attempts": checker.number(assessment_raw, "max_attempts", where, minimum=1, maximum=100),
            "cooldown_hours": checker.number(assessment_raw, "cooldown_hours", where, minimum=0, maximum=24 * 90),
        }
        blueprint_raw = assessment_raw.get("blueprint")
        blueprint: dict[str, int] = {}
        if not isinstance(blueprint_raw, dict) or not blueprint_raw:
            checker.add(at(where, assessment_raw, "blueprint"), _("phải là các cặp «mã năng lực»: số câu"))
        else:
            for code, count in blueprint_raw.items():
                if not isinstance(code, str):
                    checker.add(
                        at(where, blueprint_raw, "blueprint"),
                        _('mã năng lực %(code)s phải đặt trong ngoặc kép, ví dụ "4.2"') % {"code": code},
                    )
                elif isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100:
                    checker.add(
                        at(where, blueprint_raw, "blueprint"),
                        _("số câu của năng lực %(code)s phải là số nguyên từ 1 đến 100") % {"code": code},
                    )
                else:
                    blueprint[code] = count
        assessment["blueprint"] = blueprint
    course["assessment"] = assessment
    return course


def _read_lesson(path: Path, where: str, checker: _Checker, media: dict[str, bytes]) -> dict[str, Any] | None:
    text = _read_text(path, where, checker)
    if text is None:
        return None
    try:
        meta, body = split_front_matter(text, where)
    except CourseFormatError as error:
        checker.problems.extend(error.problems)
        return None
    checker.unknown_keys(meta, LESSON_KEYS, where)
    competences = meta.get("competences")
    if not isinstance(competences, list) or not competences or not all(isinstance(code, str) for code in competences):
        checker.add(at(where, meta, "competences"), _('phải là danh sách mã năng lực trong ngoặc kép, ví dụ ["4.2"]'))
        competences = []
    downloads = []
    downloads_raw = meta.get("downloads") or []
    if not isinstance(downloads_raw, list):
        checker.add(at(where, meta, "downloads"), _("phải là danh sách {title, file} hoặc {title, url}"))
        downloads_raw = []
    for item in downloads_raw:
        if not isinstance(item, dict) or ("file" in item) == ("url" in item):
            checker.add(at(where, meta, "downloads"), _("mỗi tài liệu cần title và đúng một trong file, url"))
            continue
        checker.unknown_keys(item, {"title", "file", "url"}, where)
        entry = {"title": checker.text(item, "title", where)}
        if "file" in item:
            entry["file"] = checker.media_path(item["file"], at(where, item, "file"), media) or ""
        else:
            entry["url"] = checker.url(item["url"], at(where, item, "url"))
        downloads.append(entry)
    return {
        "title": checker.text(meta, "title", where),
        "minutes": checker.number(meta, "minutes", where, minimum=1, maximum=600) or 0,
        "competences": sorted(set(competences)),
        "summary": checker.text(meta, "summary", where, required=False),
        "body": clean_text(body),
        "audio": checker.media_path(
            meta.get("audio") or _sibling_audio(path.stem, media), at(where, meta, "audio"), media
        ),
        "audio_url": checker.url(meta.get("audio_url"), at(where, meta, "audio_url")),
        "video": checker.media_path(meta.get("video"), at(where, meta, "video"), media),
        "video_url": checker.url(meta.get("video_url"), at(where, meta, "video_url")),
        "downloads": downloads,
        "translations": {},
    }


def _read_translations(
    root: Path, lessons: dict[str, Any], lesson_stems: list[str], checker: _Checker, media: dict[str, bytes]
) -> None:
    """Lesson files other than the lessons themselves: translations (NN-slug.LANG.md); anything else is a
    problem (a lesson missing from course.yaml, an unknown language)."""
    folder = root / "lessons"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.suffix != ".md":
            continue
        where = f"lessons/{path.name}"
        stem, _dot, language = path.stem.partition(".")
        if not language:
            if stem not in lesson_stems:
                checker.add(where, _("bài học không thuộc học phần nào trong course.yaml"))
            continue
        if language not in TRANSLATION_LANGUAGES:
            checker.add(
                where,
                _("ngôn ngữ bản dịch phải là một trong: %(languages)s")
                % {"languages": ", ".join(TRANSLATION_LANGUAGES)},
            )
            continue
        if stem not in lessons:
            checker.add(where, _("bản dịch không ứng với bài học nào của khóa"))
            continue
        text = _read_text(path, where, checker)
        if text is None:
            continue
        try:
            meta, body = split_front_matter(text, where)
        except CourseFormatError as error:
            checker.problems.extend(error.problems)
            continue
        checker.unknown_keys(meta, TRANSLATION_KEYS, where)
        audio = meta.get("audio") or _sibling_audio(f"{stem}.{language}", media)
        lessons[stem]["translations"][language] = {
            "title": checker.text(meta, "title", where),
            "summary": checker.text(meta, "summary", where, required=False),
            "body": clean_text(body),
            "audio": checker.media_path(audio, at(where, meta, "audio"), media),
            "audio_url": checker.url(meta.get("audio_url"), at(where, meta, "audio_url")),
        }


def _check_references(lessons: dict[str, Any], checker: _Checker, media: dict[str, bytes]) -> None:
    """Every relative link or image in a lesson body must name a file of the course."""
    urls = dict.fromkeys(media, "#")
    for stem, lesson in lessons.items():
        bodies = [(f"lessons/{stem}.md", lesson["body"])] + [
            (f"lessons/{stem}.{language}.md", translation["body"])
            for language, translation in lesson["translations"].items()
        ]
        for where, body in bodies:
            missing = render_markdown(body, media_urls=urls).missing
            if missing:
                checker.add(
                    where,
                    _("tham chiếu tới tệp không có trong thư mục khóa học: %(paths)s") % {"paths": ", ".join(missing)},
                )
