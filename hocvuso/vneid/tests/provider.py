"""A real OpenID Connect provider for the tests: the npm package `oidc-provider` (pinned in
`oidc_provider/package-lock.json`), run by node with VNeID's claim names (`oidc_provider/server.mjs`).

The package is installed once with `npm ci` into a cache folder outside the repository
(`$HOCVUSO_NPM_CACHE` or `~/.cache/hocvuso`), from the npm registry only. The tests make the provider's signing
keys themselves, so they can also sign tokens with the provider's own key (expired, for another audience, with
another nonce) and show that each single wrong thing is refused. Stopping and starting it again with new keys is
a key rotation.
"""

import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

PACKAGE_DIR = Path(__file__).parent / "oidc_provider"
VERSION = "9.13.3"
CLIENT_ID = "hocvuso-tests"
CLIENT_SECRET = "test-client-secret-not-secret-0123456789"
START_TIMEOUT_SECONDS = 30
INSTALL_TIMEOUT_SECONDS = 600

# Accounts at the provider, as VNeID names their claims. IDs are consistent with the birth dates (TT 07/2016).
ACCOUNTS: dict[str, dict[str, str]] = {
    "an": {"HoVaTen": "Nguyễn Văn An", "SoDinhDanh": "068090123456", "NgayThangNamSinh": "15/03/1990"},
    "binh": {"HoVaTen": "K'Brơi Thị Bình", "SoDinhDanh": "068301234567", "NgayThangNamSinh": "02/11/2001"},
    "cuong": {"HoVaTen": "Trần Quốc Cường", "SoDinhDanh": "068085000111", "NgayThangNamSinh": "20/07/1985"},
    "dung": {"HoVaTen": "Lê Thị Dung", "SoDinhDanh": "068192000222", "NgayThangNamSinh": "01/01/1992"},
    "broken": {"HoVaTen": "Sai Ngày Sinh", "SoDinhDanh": "068090999999", "NgayThangNamSinh": "15/03/1991"},
}


class ProviderUnavailable(RuntimeError):
    """node or npm is missing, or the package could not be installed: the caller fails (CI) or skips."""


def cache_dir() -> Path:
    base = os.environ.get("HOCVUSO_NPM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "hocvuso"
    )
    return Path(base) / f"oidc-provider-{VERSION}"


def install() -> Path:
    """The folder holding oidc-provider's node_modules and our server script; installs them on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise ProviderUnavailable("node and npm are needed to run the test OpenID Connect provider (oidc-provider)")
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "server.mjs"):
        shutil.copyfile(PACKAGE_DIR / name, folder / name)
    marker = folder / "node_modules" / "oidc-provider" / "package.json"
    if not marker.exists() or json.loads(marker.read_text())["version"] != VERSION:
        lock = folder / ".install.lock"
        with open(lock, "w") as handle:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)  # parallel test workers install once
            if not marker.exists() or json.loads(marker.read_text())["version"] != VERSION:
                result = subprocess.run(
                    [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                    cwd=folder,
                    capture_output=True,
                    text=True,
                    timeout=INSTALL_TIMEOUT_SECONDS,
                    check=False,
                )
                if result.returncode != 0:
                    raise ProviderUnavailable(f"npm ci failed: {result.stderr[-2000:]}")
    return folder


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"}, private=True)


@dataclass
class OidcProvider:
    """One oidc-provider process on a free loopback port."""

    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    keys: list[RSAKey] = field(default_factory=lambda: [new_key("key-1")])
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    folder: Path | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hocvuso-oidc-")))

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def signing_key(self) -> RSAKey:
        return self.keys[0]

    def start(self) -> "OidcProvider":
        self.folder = self.folder or install()
        config = {
            "port": self.port,
            "issuer": self.issuer,
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": self.redirect_uris,
                    "post_logout_redirect_uris": self.post_logout_redirect_uris,
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "id_token_signed_response_alg": "RS256",
                }
            ],
            "jwks": {"keys": [key.as_dict(private=True) for key in self.keys]},
            "accounts": ACCOUNTS,
        }
        config_file = self.workdir / "config.json"
        config_file.write_text(json.dumps(config))
        log = open(self.workdir / "provider.log", "ab")  # noqa: SIM115 — held by the process
        self.process = subprocess.Popen(
            [shutil.which("node") or "node", str(self.folder / "server.mjs"), str(config_file)],
            cwd=self.folder,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oidc-provider exited: {(self.workdir / 'provider.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2):  # noqa: S310
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oidc-provider did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def rotate(self, kid: str) -> RSAKey:
        """Restart with a new signing key first and the old one still published (the usual rotation)."""
        self.stop()
        self.keys = [new_key(kid), *self.keys]
        return self.start().signing_key


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in_at_provider(authorization_url: str, *, login: str, acr: str = "1", stop_at: str) -> str:
    """Do what the person does at the provider (open the authorization URL, submit the sign-in form) and return
    the URL the provider redirects to that starts with `stop_at` (the client's callback, with code and state)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    url, data = authorization_url, None
    for _step in range(10):
        request = urllib.request.Request(url, data=data)  # noqa: S310 — the provider on loopback
        try:
            response = opener.open(request, timeout=10)
        except urllib.error.HTTPError as answer:
            if answer.code not in (301, 302, 303, 307, 308):
                raise
            location = urllib.parse.urljoin(url, answer.headers["Location"])
            if location.startswith(stop_at):
                return location
            url, data = location, None
            continue
        body = response.read().decode()
        if "/interaction/" in url and 'name="login"' in body:
            data = urllib.parse.urlencode({"login": login, "acr": acr}).encode()
            continue
        raise AssertionError(f"unexpected page at the provider: {url}")
    raise AssertionError("the provider never redirected back")
