"""`make run` serves the product as people meet it: the demo settings (DEBUG off, JSON logs in a file, plain text
on the console), pages sent compressed, the product's own 404 page, a meta description on public pages."""

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from hocvuso.learning.services import import_course_from_folder, load_frameworks

CURRICULA = Path(settings.BASE_DIR) / "curricula"


def test_the_demo_settings_serve_without_debug_and_keep_json_logs_out_of_the_console(tmp_path: Path) -> None:
    log_file = tmp_path / "log" / "hocvuso.jsonl"
    script = (
        "import logging, django; django.setup(); from django.conf import settings as s; "
        "logging.getLogger('hocvuso.demo.check').warning('Cảnh báo thử'); "
        "logging.getLogger('hocvuso.demo.check').info('Chỉ trong tệp'); "
        "print(s.DEBUG, s.ALLOW_DEMO_DATA, s.STORAGES['staticfiles']['BACKEND'])"
    )
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL"}
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "config.settings.demo", "LOG_FILE": str(log_file)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "whitenoise.storage.CompressedManifestStaticFilesStorage"]
    assert done.stderr == "WARNING hocvuso.demo.check: Cảnh báo thử\n"  # plain text, and no INFO line
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert [(line["level"], line["message"]) for line in lines] == [
        ("WARNING", "Cảnh báo thử"),
        ("INFO", "Chỉ trong tệp"),
    ]


def test_make_run_uses_the_demo_settings_and_make_dev_the_debug_ones() -> None:
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")

    assert "run: SETTINGS = config.settings.demo" in makefile
    assert "dev: SETTINGS = config.settings.local" in makefile


def test_pages_are_sent_compressed_to_browsers_that_accept_it(client, db) -> None:
    plain = client.get("/khoa-hoc/")
    packed = client.get("/khoa-hoc/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    unpacked = gzip.decompress(packed.content).decode()
    assert re.sub(r'value="[^"]+"', "", unpacked) == re.sub(r'value="[^"]+"', "", plain.content.decode())
    assert len(packed.content) < len(plain.content) / 2


def test_a_missing_page_is_the_products_vietnamese_404(client, db) -> None:
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert "<h1>Không tìm thấy trang</h1>" in response.content.decode()


@pytest.fixture
def course(db):
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    return import_course_from_folder(path=CURRICULA / "cong-dan-so", actor=None).course


def description(response) -> str:
    found = re.search(r'<meta name="description" content="([^"]*)">', response.content.decode())
    assert found, response.request["PATH_INFO"]
    return found.group(1)


def test_public_pages_carry_a_meta_description(client, territory, course) -> None:
    lesson = course.lessons.order_by("position").first()
    pages = {
        "/": "Học kỹ năng số miễn phí trên điện thoại",
        "/khoa-hoc/": "Các khóa học kỹ năng số miễn phí",
        f"/khoa-hoc/{course.slug}/": course.summary[:40],
        f"/khoa-hoc/{course.slug}/{lesson.slug}/": lesson.summary[:40],
        "/tien-do/": "Tiến độ phổ cập kỹ năng số của từng xã",
    }

    found = {url: description(client.get(url)) for url in pages}

    for url, start in pages.items():
        assert found[url].startswith(start), (url, found[url])
        assert 50 <= len(found[url]) <= 200, (url, found[url])
