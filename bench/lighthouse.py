"""Lighthouse (mobile) scores of the pages people meet first, served as `make run` serves them.

    uv run python bench/lighthouse.py              # build the demo database once (~2 min), then measure
    uv run python bench/lighthouse.py --fresh      # rebuild the demo database first
    uv run python bench/lighthouse.py --runs 5     # five Lighthouse runs of each page (default 3; the median counts)
    uv run python bench/lighthouse.py lesson dashboard   # only these pages (home catalogue lesson progress dashboard)

Serves the demo province (`load_demo`, the data of `make run`) with the settings of `make run`
(config.settings.demo: DEBUG off, static files from `collectstatic` served by WhiteNoise, gzip) under gunicorn
(config/gunicorn.py) on a free loopback port, signs in the demo learner and the province administrator through
the product's own sign-in pages (password, then the authenticator code for staff), and runs Lighthouse's
performance and accessibility categories on each page with Lighthouse's defaults: a mobile phone, simulated
slow 4G and a 4× slower processor. A signed-in page gets its session cookie through `--extra-headers`.

Lighthouse comes from the npm registry, pinned (LIGHTHOUSE_VERSION), installed once into .cache/lighthouse/
(not committed); Chromium is CHROME_PATH (default /usr/bin/chromium), headless. Nothing is loaded from the
internet while measuring: the pages load nothing from other hosts (the Content-Security-Policy forbids it) and
the two categories measured have no audit that needs the network. Prints each page's two scores and the audits
that did not pass, and any request to another host (there must be none); keeps every Lighthouse report (JSON)
in bench/results/lighthouse/ (not committed). Each page is measured `--runs` times and its median run counts
(Lighthouse's advice: one run swings with the machine's other work; each run's CPU benchmark index is printed).
Exits with 1 when a page's median run scores below the budget (accessibility 100, performance 95). Record the
figures in docs/BENCHMARKS.md.

Environment (all optional): LIGHTHOUSE_DATABASE (the SQLite file of the demo, .cache/lighthouse-demo/db.sqlite3),
CHROME_PATH.
"""

import html
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import run as runner  # noqa: E402 — the benchmark runner's description of the machine

LIGHTHOUSE_VERSION = "12.8.2"  # the last release that runs on Node 20 (13.x needs Node ≥ 22.19)
LIGHTHOUSE_PACKAGE = f"lighthouse@{LIGHTHOUSE_VERSION}"
LIGHTHOUSE_DIR = ROOT / ".cache" / "lighthouse"
LIGHTHOUSE_BIN = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
DEMO_DIR = ROOT / ".cache" / "lighthouse-demo"
DATABASE = Path(os.environ.get("LIGHTHOUSE_DATABASE", str(DEMO_DIR / "db.sqlite3")))
RESULTS_DIR = BENCH_DIR / "results" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
DEMO_PASSWORD = "hocvuso-demo-2026"  # hocvuso.demo.services.DEMO_PASSWORD: demo databases only
LEARNER = "nguoihoc"
PROVINCE_OFFICER = "admin.tinh"
PROVINCE_CODE = "68"  # the demo province (Lâm Đồng)
BUDGET = {"performance": 95, "accessibility": 100}
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)
PAGES = ("home", "catalogue", "lesson", "progress", "dashboard")


def environment(port: int) -> dict[str, str]:
    """The settings of `make run` (no Redis), on this benchmark's own database and static directory."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.demo",
            "DATABASE_URL": f"sqlite:///{DATABASE}",
            "STATIC_ROOT": str(DEMO_DIR / "static"),
            "LOG_FILE": str(DEMO_DIR / "hocvuso.jsonl"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_ACCESS_LOG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def install_lighthouse() -> None:
    """Lighthouse from the npm registry, once, into .cache/lighthouse/ (git-ignored)."""
    installed = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    if not shutil.which("npm"):
        raise SystemExit("npm is needed to install Lighthouse (apt-get install npm)")
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund", LIGHTHOUSE_PACKAGE],
        check=True,
    )


def prepare_database(env: dict[str, str], *, fresh: bool) -> float:
    """Migrate and load the demo (as `make run` does) unless it is already there; returns the seconds spent."""
    started = time.monotonic()
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    if fresh and DATABASE.exists():
        DATABASE.unlink()
    if not DATABASE.exists():
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "load_demo")
    manage(env, "collectstatic", "--no-input", "-v0")
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = (DEMO_DIR / "gunicorn.log").open("wb")
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py")]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}: see {DEMO_DIR / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Browser:
    """A cookie-keeping HTTP client that fills the product's forms (the CSRF token included)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def post_form(self, path: str, page: str, fields: dict[str, str]) -> tuple[str, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError(f"no CSRF token in the form of {path}")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})  # noqa: S310 — our own server
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)


def sign_in(base: str, env: dict[str, str], username: str) -> str:
    """Sign `username` in through the product's sign-in pages; returns the Cookie header of the session."""
    browser = Browser(base)
    login = "/tai-khoan/dang-nhap/"
    _, page = browser.get(login)
    url, page = browser.post_form(login, page, {"username": username, "password": DEMO_PASSWORD, "next": ""})
    if 'name="token"' in page:  # staff: the authenticator's 6-digit code
        code = manage(env, "totp_code", username).split()[0]
        path = urllib.parse.urlsplit(url).path
        url, page = browser.post_form(path, page, {"token": code})
    if "sessionid" not in browser.cookie_header() or 'name="password"' in page or 'name="token"' in page:
        raise RuntimeError(f"could not sign {username} in (ended on {url})")
    return browser.cookie_header()


def first_lesson(base: str, cookie: str) -> str:
    """The path of the first lesson of the first course of the catalogue, as the signed-in learner sees it."""
    browser = Browser(base)

    def links(path: str, pattern: str) -> list[str]:
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310 — our own server
        with browser.opener.open(request, timeout=30) as response:
            page = response.read().decode()
        return [html.unescape(link) for link in re.findall(pattern, page)]

    courses = links("/khoa-hoc/", r'href="(/khoa-hoc/[^/"]+/)"')
    if not courses:
        raise RuntimeError("no course in the catalogue")
    lessons = links(courses[0], r'href="(/khoa-hoc/[^/"]+/[^/"]+/)"')
    if not lessons:
        raise RuntimeError(f"no lesson on {courses[0]}")
    return lessons[0]


def lighthouse(url: str, cookie: str | None, report: Path) -> dict[str, Any]:
    command = [
        str(LIGHTHOUSE_BIN),
        url,
        "--only-categories=performance,accessibility",
        "--output=json",
        f"--output-path={report}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--quiet",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROME_PATH}, check=True, timeout=300)
    return json.loads(report.read_text())


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The two scores, the metrics of the performance score and every audit that did not pass."""
    audits = result["audits"]
    scores = {name: round(100 * (category["score"] or 0)) for name, category in result["categories"].items()}
    metrics = {key: audits[key]["displayValue"] for key in METRICS if key in audits and "displayValue" in audits[key]}
    failing = []
    for name, category in result["categories"].items():
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            scored = audit["scoreDisplayMode"] in {"binary", "numeric", "metricSavings"} and audit["score"] is not None
            if scored and audit["score"] < 0.9:
                detail = audit.get("displayValue", "")
                failing.append(f"[{name}] {ref['id']}: {audit['title']}" + (f" ({detail})" if detail else ""))
    origin = urllib.parse.urlsplit(result["finalDisplayedUrl"]).netloc
    for request in audits.get("network-requests", {}).get("details", {}).get("items", []):
        host = urllib.parse.urlsplit(request["url"]).netloc
        if request["url"].startswith(("http:", "https:")) and host != origin:
            failing.append(f"[network] a request to another host: {request['url']}")
    benchmark_index = round(result.get("environment", {}).get("benchmarkIndex", 0))
    return {"scores": scores, "metrics": metrics, "failing": failing, "benchmark_index": benchmark_index}


def main(argv: list[str]) -> int:
    fresh = "--fresh" in argv
    runs = 3
    if "--runs" in argv:
        value = argv[argv.index("--runs") + 1] if argv.index("--runs") + 1 < len(argv) else ""
        if not value.isdigit() or int(value) < 1:
            raise SystemExit("--runs takes a whole number ≥ 1")
        runs = int(value)
        argv = [argument for argument in argv if argument not in {"--runs", value}]
    chosen = [argument for argument in argv if not argument.startswith("-")]
    unknown = set(chosen) - set(PAGES)
    if unknown:
        raise SystemExit(f"No page {', '.join(sorted(unknown))}; there are: {' '.join(PAGES)}")
    install_lighthouse()
    about = runner.machine()
    about["lighthouse"] = LIGHTHOUSE_VERSION
    about["chromium"] = runner.tool_version([CHROME_PATH, "--version"])
    about["node"] = runner.tool_version(["node", "--version"])
    runner.show("Machine", about)

    port = free_port()
    env = environment(port)
    seconds = prepare_database(env, fresh=fresh)
    print(f"\ndemo database ready in {seconds:.0f} s ({DATABASE})", flush=True)
    process = serve(env, port)
    base = f"http://127.0.0.1:{port}"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    met = True
    try:
        learner = sign_in(base, env, LEARNER)
        officer = sign_in(base, env, PROVINCE_OFFICER)
        pages = {
            "home": ("home (anonymous)", "/", None),
            "catalogue": ("catalogue (anonymous)", "/khoa-hoc/", None),
            "lesson": ("lesson (demo learner)", first_lesson(base, learner), learner),
            "progress": ("public progress (anonymous)", "/tien-do/", None),
            "dashboard": ("province dashboard (province administrator)", f"/theo-doi/don-vi/{PROVINCE_CODE}/", officer),
        }
        table = []
        for key, (title, path, cookie) in pages.items():
            if chosen and key not in chosen:
                continue
            results = []
            for number in range(1, runs + 1):
                report = RESULTS_DIR / f"{key}-{number}.json"
                result = summary(lighthouse(base + path, cookie, report))
                result["load"] = runner.load_average()
                results.append(result)
            # The median run by performance, as Lighthouse advises: one run swings with what else the machine does.
            results.sort(key=lambda result: (result["scores"]["performance"], result["scores"]["accessibility"]))
            median = results[(len(results) - 1) // 2]
            figures: dict[str, Any] = {"path": path, **median["scores"], **median["metrics"]}
            figures["every run (performance/accessibility, CPU benchmark index, load average after)"] = "; ".join(
                f"{r['scores']['performance']}/{r['scores']['accessibility']} ({r['benchmark_index']}, {r['load']})"
                for r in results
            )
            runner.show(title, figures)
            print("  audits not passed:" if median["failing"] else "  every audit passed")
            for line in median["failing"]:
                print(f"    {line}")
            page_met = all(median["scores"].get(name, 0) >= budget for name, budget in BUDGET.items())
            met = met and page_met
            table.append((title, median["scores"], page_met))
    finally:
        stop(process)
    print(f"\n== Scores (median of {runs} run{'s' if runs > 1 else ''}; budget performance ≥ 95, accessibility 100)")
    for title, scores, page_met in table:
        status = "met" if page_met else "NOT MET"
        performance, accessibility = scores["performance"], scores["accessibility"]
        print(f"  {title:<46} performance {performance:>3}  accessibility {accessibility:>3}  {status}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
