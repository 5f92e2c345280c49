"""Write canonical course data back as a course folder."""

from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

# --- writing a folder -------------------------------------------------------------------------------------


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)


def _front_matter(meta: dict[str, Any], body: str) -> str:
    return "---\n" + _dump(meta) + "---\n\n" + body + "\n"


def _without_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


def write_course_folder(data: dict[str, Any], media: dict[str, bytes], path: str | Path) -> list[Path]:
    """Write canonical course data (as read by ``read_course_folder``) and its media as a course folder at
    ``path`` (created; existing files of the same names are replaced). Returns the files written."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(relative: str, content: str | bytes) -> None:
        target = root / PurePosixPath(relative)
        if root.resolve() not in target.resolve().parents:
            raise DomainError(_("Đường dẫn %(path)s nằm ngoài thư mục xuất.") % {"path": relative})
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        written.append(target)

    course = {key: data[key] for key in ("slug", "title", "group", "summary", "language", "estimated_minutes",
                                          "framework", "modules", "assessment")}  # fmt: skip
    write("course.yaml", _dump(_without_empty(course) | {"modules": data["modules"]}))
    for stem, lesson in data["lessons"].items():
        meta = {key: lesson[key] for key in ("title", "minutes", "competences", "summary", "audio", "audio_url",
                                             "video", "video_url", "downloads")}  # fmt: skip
        write(f"lessons/{stem}.md", _front_matter(_without_empty(meta), lesson["body"]))
        for language, translation in lesson["translations"].items():
            meta = {key: translation[key] for key in ("title", "summary", "audio", "audio_url")}
            write(f"lessons/{stem}.{language}.md", _front_matter(_without_empty(meta), translation["body"]))
    questions = []
    for question in data["questions"]:
        questions.append(_without_empty(question))
    write("questions.yaml", _dump(questions))
    for relative, content in sorted(media.items()):
        write(relative, content)
    return written
