"""The independent verifier (tests/verifier/verify.mjs: Digital Bazaar's @digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite and the Bitstring Status List checker, pinned by package-lock.json), installed from
npm by the test setup into a cache outside the repository ($HOCVUSO_NODE_CACHE, default ~/.cache/hocvuso), once
per lock file. Without node or npm the tests that need it are skipped, which CI (HOCVUSO_FORBID_SKIPS=1) turns
into a failure."""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hocvuso.credentials.jsonld import CONTEXTS_DIR, VENDORED

SOURCE = Path(__file__).resolve().parent / "verifier"
FILES = ("package.json", "package-lock.json", "verify.mjs")


def install() -> Path:
    """The installed verifier's folder (npm ci on first use). Skips when node or npm is missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the independent verifier (Debian: apt-get install nodejs npm)")
    digest = hashlib.sha256(b"".join((SOURCE / name).read_bytes() for name in FILES)).hexdigest()[:16]
    cache = Path(os.environ.get("HOCVUSO_NODE_CACHE", Path.home() / ".cache" / "hocvuso"))
    target = cache / f"vc-verifier-{digest}"
    target.mkdir(parents=True, exist_ok=True)
    with open(cache / f"vc-verifier-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers install once
        if not (target / "node_modules" / ".installed").exists():
            for name in FILES:
                shutil.copy(SOURCE / name, target / name)
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target, check=True, timeout=600
            )
            (target / "node_modules" / ".installed").write_text(digest)
    return target


def verify(folder: Path, credential: dict[str, Any], *, did_document: dict[str, Any],
           documents: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """Run the independent verifier on `credential`; returns its JSON answer."""
    request = {
        "contextsDir": str(CONTEXTS_DIR),
        "contexts": VENDORED,
        "didDocument": did_document,
        "documents": documents,
        "credential": credential,
    }
    done = subprocess.run(
        ["node", str(folder / "verify.mjs")], input=json.dumps(request), capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer
