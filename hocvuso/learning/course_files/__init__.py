"""A course as files ("course as files"): read and check a course folder, write one back. No database.

A course folder::

    course.yaml              slug, title, group, summary, language, estimated_minutes, framework,
                             modules: [{slug, title, lessons: [lesson file stems]}],
                             assessment: {pass_mark, time_limit_minutes, max_attempts, cooldown_hours,
                                          blueprint: {competence code: number of questions}}
    lessons/NN-slug.md       YAML front matter (title, minutes, competences, summary; optional audio, audio_url,
                             video, video_url, downloads: [{title, file | url}]) then the Markdown body
    questions.yaml           [{id, type, competence, difficulty, lesson, prompt, explanation, image?, image_alt?,
                               choices | answer | items | pairs}]
    lessons/NN-slug.LANG.md  optional: the lesson in LANG (mnong, ede, koho, en): front matter title,
                             summary?, audio?, audio_url? then the Markdown body
    lessons/NN-slug.mp3      optional: the lesson's audio version (also .m4a, .ogg, .opus, .wav), and
    lessons/NN-slug.LANG.mp3 the translation's — used unless the front matter names another ``audio``
    media/…                  optional: images, audio, video and downloads, referred to by their path
                             ("media/qr.png") from lessons and questions

``read_course_folder`` checks everything that can be checked without the database and reports every problem
at once, each naming its file and line or field; it returns the course as canonical data (plain values, one
spelling for each thing) whose hash identifies the content, so the same course written differently imports as
unchanged. ``write_course_folder`` writes canonical data back; reading what it wrote gives the same data.
YAML is read with a SafeLoader subclass (no Python objects, no aliases) that remembers line numbers.
"""

from .questions import check_question
from .reader import (
    AUDIO_EXTENSIONS,
    GROUPS,
    LESSON_AUDIO,
    MEDIA_EXTENSIONS,
    MEDIA_PATH,
    TRANSLATION_LANGUAGES,
    CourseFolder,
    read_course_folder,
    split_front_matter,
)
from .writer import write_course_folder
from .yaml_lines import CourseFormatError, LineDict, at, clean_text, content_hash, load_yaml, to_json

__all__ = [
    "AUDIO_EXTENSIONS",
    "GROUPS",
    "LESSON_AUDIO",
    "MEDIA_EXTENSIONS",
    "MEDIA_PATH",
    "TRANSLATION_LANGUAGES",
    "CourseFolder",
    "CourseFormatError",
    "LineDict",
    "at",
    "check_question",
    "clean_text",
    "content_hash",
    "load_yaml",
    "read_course_folder",
    "split_front_matter",
    "to_json",
    "write_course_folder",
]
