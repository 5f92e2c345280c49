"""The production settings, given the environment a deployment sets, pass `manage.py check --deploy` with no
warning; without one of their secrets or addresses they refuse to start and name the missing variable."""

import base64
import os
import runpy
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTROLLED = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own process, never in a deployment
    "STATIC_ROOT",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "FIELD_ENCRYPTION_KEY",
    "LOOKUP_HASH_KEY",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "CELERY_TASK_ALWAYS_EAGER",
}


# A deployment runs collectstatic before it starts; the folder must exist or WhiteNoise warns.
COLLECTED_STATIC = Path(tempfile.gettempdir()) / "hocvuso-deploy-check-static"
COLLECTED_STATIC.mkdir(exist_ok=True)


def production_environment(**changes: str | None) -> dict[str, str]:
    """The environment of a realistic deployment (nothing is contacted: `check` opens no connection), with
    `changes` applied; a change to None removes the variable."""
    environment = {name: value for name, value in os.environ.items() if name not in CONTROLLED}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": "postgres://hocvuso:" + secrets.token_urlsafe(16) + "@db.internal:5432/hocvuso",
            "REDIS_URL": "redis://redis.internal:6379/0",
            "ALLOWED_HOSTS": "hocvuso.lamdong.gov.vn",
            "CSRF_TRUSTED_ORIGINS": "https://hocvuso.lamdong.gov.vn",
            "FIELD_ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "LOOKUP_HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "STATIC_ROOT": str(COLLECTED_STATIC),
        }
    )
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_with_production_settings_finds_no_issue() -> None:
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(),
    )

    assert result.stderr == ""
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert result.returncode == 0


def test_a_short_secret_key_is_reported_by_check_deploy() -> None:
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(SECRET_KEY="too-short"),
    )

    assert result.returncode == 1
    assert "(security.W009)" in result.stderr


@pytest.mark.parametrize(
    "variable",
    ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY", "LOOKUP_HASH_KEY"],
)
def test_production_settings_refuse_to_start_without(variable: str) -> None:
    result = run([sys.executable, "-c", "import django; django.setup()"], production_environment(**{variable: None}))

    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == f"django.core.exceptions.ImproperlyConfigured: Set the environment variable {variable}."


def test_an_empty_secret_key_counts_as_missing() -> None:
    result = run([sys.executable, "-c", "import django; django.setup()"], production_environment(SECRET_KEY=""))

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Set the environment variable SECRET_KEY."
    )


@pytest.mark.parametrize("variable", ["FIELD_ENCRYPTION_KEY", "LOOKUP_HASH_KEY"])
@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"sixteen-byte-key").decode()])
def test_production_settings_refuse_a_key_that_is_not_32_bytes(variable: str, value: str) -> None:
    result = run([sys.executable, "-c", "import django; django.setup()"], production_environment(**{variable: value}))

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {variable} must be 32 random bytes, base64-encoded "
        "(see docs/OPERATIONS.md)."
    )


def test_production_settings_start_with_the_full_environment() -> None:
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"

    result = run([sys.executable, "-c", code], production_environment())

    assert result.stderr == ""
    assert result.stdout == "False ['hocvuso.lamdong.gov.vn']\n"


@pytest.mark.parametrize(
    "entry_point",
    ["import config.wsgi", "import django; from config.celery import app; django.setup()"],
    ids=["wsgi", "celery"],
)
def test_web_and_worker_default_to_the_production_settings(entry_point: str) -> None:
    code = f"{entry_point}; from django.conf import settings as s; print(s.SETTINGS_MODULE, s.DEBUG)"

    result = run([sys.executable, "-c", code], production_environment(DJANGO_SETTINGS_MODULE=None))

    assert result.stderr == ""
    assert result.stdout == "config.settings.production False\n"


def test_gunicorn_config_defaults_to_four_workers_and_logs_json(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_ACCESS_LOG", "LOG_LEVEL", "GUNICORN_CONTROL_SOCKET"):
        monkeypatch.delenv(name, raising=False)

    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))

    assert config["workers"] == 4
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["wsgi_app"] == "config.wsgi:application"
    logging_config = config["logconfig_dict"]
    assert logging_config["formatters"]["json"]["()"] == "hocvuso.core.logging.JsonFormatter"
    assert logging_config["filters"]["redact"]["()"] == "hocvuso.core.logging.RedactPersonalNumbers"
    assert logging_config["handlers"]["console"]["filters"] == ["redact"]
    for logger in ("gunicorn.error", "gunicorn.access"):
        assert logging_config["loggers"][logger]["handlers"] == ["console"]
    assert "%(q)s" not in config["access_log_format"]  # query strings can carry search terms


def test_gunicorn_config_reads_bind_and_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8000, unix:/run/hocvuso.sock")
    monkeypatch.setenv("GUNICORN_WORKERS", "8")

    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))

    assert config["workers"] == 8
    assert config["bind"] == ["0.0.0.0:8000", "unix:/run/hocvuso.sock"]


def test_load_demo_refuses_to_run_on_production_settings() -> None:
    result = run([sys.executable, "manage.py", "load_demo"], production_environment())

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "CommandError: Demo data is refused here: these settings do not allow it (ALLOW_DEMO_DATA)."
    )
    assert result.stdout == ""
