"""Lesson Markdown rendering: a list written right under a paragraph line (the "Ghi nhớ" boxes) is a list."""

import importlib

import pytest

from hocvuso.learning.models import Lesson
from hocvuso.learning.rendering import render_markdown

GHI_NHO = "> **Ghi nhớ**\n> - Mức 1 tự làm.\n> - Mức 2 đến công an.\n"


def test_a_list_under_a_quoted_paragraph_line_is_a_list() -> None:
    html = render_markdown(GHI_NHO).html

    assert html == (
        "<blockquote>\n<p><strong>Ghi nhớ</strong></p>\n<ul>\n<li>Mức 1 tự làm.</li>\n<li>Mức 2 đến công an.</li>\n"
        "</ul>\n</blockquote>"
    )


def test_numbered_steps_under_a_paragraph_are_a_list_and_code_and_continuations_are_kept() -> None:
    text = "Các bước:\n1. Mở ứng dụng\n2. Đăng nhập\n\n```\nvăn bản\n- không phải danh sách\n```\n- a\n  tiếp\n- b"

    html = render_markdown(text).html

    assert html.startswith("<p>Các bước:</p>\n<ol>\n<li>Mở ứng dụng</li>\n<li>Đăng nhập</li>\n</ol>")
    assert "<pre><code>văn bản\n- không phải danh sách\n</code></pre>" in html
    assert html.endswith("<ul>\n<li>a\n  tiếp</li>\n<li>b</li>\n</ul>")
    assert render_markdown("Giá: 5 - 7 nghìn\n-3 độ").html == "<p>Giá: 5 - 7 nghìn\n-3 độ</p>"


def test_every_ghi_nho_box_of_the_curricula_renders_as_a_list(course_folder_paths: list) -> None:
    for path in course_folder_paths:
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        html = render_markdown(body).html
        assert "- " not in html.split("<strong>Ghi nhớ</strong>", 1)[1].split("</blockquote>", 1)[0], path


@pytest.fixture
def course_folder_paths() -> list:
    from .conftest import CURRICULA

    paths = sorted(path for path in CURRICULA.glob("*/lessons/*.md") if "Ghi nhớ" in path.read_text("utf-8"))
    assert len(paths) >= 40
    return paths


@pytest.mark.django_db
def test_the_migration_renders_stored_lessons_again(course) -> None:
    lesson = course.lessons.order_by("position").first()
    Lesson.objects.filter(pk=lesson.pk).update(body_markdown=GHI_NHO, body_html="<p>cũ - liền một dòng</p>")
    migration = importlib.import_module("hocvuso.learning.migrations.0002_render_lists_under_paragraphs")
    from django.apps import apps

    migration.render_again(apps, None)

    lesson.refresh_from_db()
    assert lesson.body_html == render_markdown(GHI_NHO).html
    assert "<li>Mức 1 tự làm.</li>" in lesson.body_html
