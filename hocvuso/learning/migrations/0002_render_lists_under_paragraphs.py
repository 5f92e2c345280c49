"""Render stored lessons again: a list written right under a paragraph line ("Ghi nhớ" boxes) is now a list.

Lesson HTML is rendered once, at import or when saved, so rows imported before the renderer change keep the
run-on paragraph until rendered again. A course whose files are imported again is rendered anyway; this covers
courses that are not. Only ``body_html`` changes, and only where the new rendering differs.
"""

from typing import Any

from django.db import migrations


def render_again(apps: Any, schema_editor: Any) -> None:
    from hocvuso.learning.rendering import render_markdown

    course_media = apps.get_model("learning", "CourseMedia")
    lesson_model = apps.get_model("learning", "Lesson")
    translation_model = apps.get_model("learning", "LessonTranslation")
    urls: dict[int, dict[str, str]] = {}

    def media_urls(course_id: int) -> dict[str, str]:
        if course_id not in urls:
            urls[course_id] = {
                row.path: row.file.url for row in course_media.objects.filter(course_id=course_id) if row.file
            }
        return urls[course_id]

    for lesson in lesson_model.objects.exclude(body_markdown="").iterator():
        html = render_markdown(lesson.body_markdown, media_urls=media_urls(lesson.course_id)).html
        if html != lesson.body_html:
            lesson_model.objects.filter(pk=lesson.pk).update(body_html=html)
    translations = translation_model.objects.exclude(body_markdown="").select_related("lesson")
    for translation in translations.iterator():
        html = render_markdown(translation.body_markdown, media_urls=media_urls(translation.lesson.course_id)).html
        if html != translation.body_html:
            translation_model.objects.filter(pk=translation.pk).update(body_html=html)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_framework_courses_attempts")]

    operations = [migrations.RunPython(render_again, migrations.RunPython.noop)]
