"""Ralph, a real Learning Record Store (``ralph-malph`` from PyPI), started by the tests in its own environment.

Ralph pins its own dependencies (fastapi, httpx, uvicorn, …), so it never joins the project's: `uvx` builds an
isolated environment for the pinned version (downloaded from PyPI on the first run, cached after) and runs it
on 127.0.0.1 with its file-system backend in a temporary folder and basic-auth credentials made by Ralph's own
`ralph auth` command. The folder outlives a stop, so a restarted Ralph still holds what it stored.

Two workarounds for Ralph 5.1.0, both local to this launcher:
- its `lrs` extra forgets `requests`, which `ralph.api.auth.oidc` imports, so it is added with `--with`;
- its FS backend writes the statements file with operation "create", so every write after the first fails
  with HTTP 500 ("fs_lrs.jsonl already exists and overwrite is not allowed"); the launcher makes the FS LRS
  backend append instead, which is what a file-backed LRS has to do. Nothing else in Ralph is changed.
"""

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

RALPH_REQUIREMENT = "ralph-malph[cli,lrs]==5.1.0"
MISSING_REQUIREMENT = "requests>=2.31"
USERNAME = "hocvuso-tests"
PASSWORD = "ralph-test-password-not-secret"
# Generous: the first run downloads Ralph and its dependencies from PyPI.
START_TIMEOUT_SECONDS = 600

LAUNCHER = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise RuntimeError("Ralph is started with uv (uvx), which is not on PATH.")
    return found


class RalphServer:
    """One Ralph LRS process on a free loopback port, storing statements under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.storage = directory / "statements"
        self.auth_file = directory / "auth.json"
        self.log_file = directory / "ralph.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.storage.mkdir(parents=True, exist_ok=True)

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint, as XAPI_LRS_URL takes it."""
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def statements_file(self) -> Path:
        return self.storage / "fs_lrs.jsonl"

    def _environment(self) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "RALPH_"))}
        environment.update(
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_AUTH_FILE=str(self.auth_file),
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.storage),
            RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT="1000",
        )
        return environment

    def _uvx(self, *command: str) -> list[str]:
        return [_uv(), "tool", "run", "--from", RALPH_REQUIREMENT, "--with", MISSING_REQUIREMENT, *command]

    def create_credentials(self) -> None:
        """Write a user with every scope to the auth file with `ralph auth` (once)."""
        if self.auth_file.exists():
            return
        completed = subprocess.run(
            self._uvx(
                "ralph", "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all", "-M", "mailto:lrs@hocvuso.example", "-w"
            ),
            cwd=self.directory,
            env=self._environment(),
            capture_output=True,
            timeout=START_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0 or not self.auth_file.exists():
            raise RuntimeError(f"`ralph auth` failed:\n{completed.stderr.decode(errors='replace')[-3000:]}")

    def start(self) -> None:
        """Start Ralph and wait until its heartbeat answers; raises RuntimeError with its log when it cannot."""
        if self.process is not None:
            return
        self.create_credentials()
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            self._uvx("python", "-c", LAUNCHER, str(self.port)),
            cwd=self.directory,
            env=self._environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends uv and the Python it started
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                raise RuntimeError(f"Ralph exited while starting:\n{self.log()}")
            if self.is_up():
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {START_TIMEOUT_SECONDS} s:\n{self.log()}")

    def stop(self) -> None:
        """Stop Ralph (SIGTERM to its process group, SIGKILL after 15 s) and wait for it to exit."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        # The port is free again once the listening socket is gone.
        deadline = time.monotonic() + 15
        while self.is_up() and time.monotonic() < deadline:
            time.sleep(0.1)

    def is_up(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def _get(self, url: str) -> Any:
        credentials = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310
            url, headers={"Authorization": f"Basic {credentials}", "X-Experience-API-Version": "1.0.3"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    def statements(self) -> list[dict[str, Any]]:
        """Every statement Ralph returns from GET /xAPI/statements, following its "more" links."""
        found: list[dict[str, Any]] = []
        url: str | None = self.endpoint + "statements?limit=1000"
        while url:
            page = self._get(url)
            found.extend(page["statements"])
            more = page.get("more")
            url = urljoin(self.endpoint, more) if more else None
        return found

    def statement_ids(self) -> list[str]:
        """The ids of the statements Ralph returns, one entry per statement it holds (duplicates would repeat)."""
        return [statement["id"] for statement in self.statements()]

    def stored_lines(self) -> list[dict[str, Any]]:
        """The statements as written to Ralph's storage file, one per line."""
        if not self.statements_file.exists():
            return []
        return [json.loads(line) for line in self.statements_file.read_text().splitlines() if line.strip()]
