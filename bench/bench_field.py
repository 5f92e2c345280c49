"""The field app's worklist on the wire: what a team member's phone downloads for a village of 400 households.

Makes the PostgreSQL database `hocvuso_bench_field` afresh (BENCH_FIELD_DATABASE_URL), migrates it, and creates a
commune with one village of N households (BENCH_FIELD_HOUSEHOLDS, default 400) of 1–6 residents each (bench data:
the test factories, with names made as the demo generator makes them, birth dates across a century and the last
digits of a national ID, so the answer compresses as a real one would), a team whose one member is assigned every
household, and a device token for her phone. gunicorn (production settings, the helpers of bench_http.py) serves
GET /api/v1/field/worklist/ with the device token, as the app asks for it; each request is sent on a raw socket and
every byte of the answer (status line, headers and body) is counted:

1. first load: `Accept-Encoding: gzip` (the app's browser sends it), no ETag — the whole worklist, compressed by
   the GZip middleware as served;
2. repeat: the same with `If-None-Match: <the ETag of the first answer>` — the worklist did not change, so 304;
3. for reference, the first load without compression.

Budgets: first load ≤ 200 KB, repeat ≤ 30 KB (1 KB = 1,000 bytes). Each is measured on every run (the GZip
middleware pads its output with random bytes against BREACH, so the sizes vary a little); the verdict takes the
worst run. The worklist has no delta form: when anything in it changes, the next download is a first load again.

Usage: uv run python bench/run.py field     (or bench/bench_field.py [households])
Environment (all optional): BENCH_FIELD_DATABASE_URL, BENCH_FIELD_HOUSEHOLDS, BENCH_REDIS_URL, BENCH_RUNS.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import bench_http as shared
import repeat

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_FIELD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_field")
HOUSEHOLDS = int(os.environ.get("BENCH_FIELD_HOUSEHOLDS", "400"))
FIRST_LOAD_BUDGET_KB = 200.0
REPEAT_BUDGET_KB = 30.0
SIZE = "households in the village (BENCH_FIELD_HOUSEHOLDS, default 400)"
WORKLIST = "/api/v1/field/worklist/"

# Run by `manage.py shell` on the fresh database: the village, its households and people, the team, the device.
SETUP = r"""
import datetime, json, random
from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from hocvuso.demo.population.people import _Namer
from hocvuso.outreach.services import add_team_member, assign_households, create_team, issue_device
from hocvuso.people import names
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory
from hocvuso.territory.tests import factories as units

rng = random.Random(12)
namer = _Namer()
minorities = sorted(names.STYLE_BY_ETHNICITY)
province = units.province(code="68", name="Lâm Đồng")
commune = units.commune(province, code="24631", name="Xã Quảng Khê")
village = units.village(commune, code="24631.001", name="Thôn 1")
officer = UserFactory(username="bench.officer")
RoleAssignmentFactory(user=officer, role=Role.COMMUNE_OFFICER, unit=commune)
leader = UserFactory(username="bench.leader")
RoleAssignmentFactory(user=leader, role=Role.TEAM_LEADER, unit=commune)
member = UserFactory(username="bench.member")
RoleAssignmentFactory(user=member, role=Role.TEAM_MEMBER, unit=commune)
team = create_team(commune=commune, name="Tổ 1", leader=leader, actor=officer)
# Names as the demo province's generator makes them (Kinh and minority naming styles), birth dates across a
# century, the last digits of a national ID for everyone of ID age: a worklist as compressible as a real one.
for number in range({households}):
    household = HouseholdFactory(village=village, code=f"{{number + 1:04d}}")
    ethnicity = 1 if rng.random() < 0.7 else rng.choice(minorities)
    family = namer.family_name(rng, ethnicity)
    head = None
    for index in range(rng.randint(1, 6)):
        sex = rng.choice("MF")
        year = rng.randint(1935, 1990) if index == 0 else rng.randint(1935, 2024)
        person = ResidentFactory(
            household=household,
            full_name=namer.full_name(rng, ethnicity, sex, year, family),
            sex=sex,
            ethnicity=ethnicity,
            birth_date=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            national_id_last4=f"{{rng.randint(0, 9999):04d}}" if year <= 2012 else "",
        )
        head = head or person
    household.head = head
    household.save(update_fields=["head"])
resident = ResidentFactory(village=village, user=member)
membership = add_team_member(
    team=team, user=member, resident=resident, valid_from=datetime.date(2026, 1, 1), actor=leader
)
assign_households(team=team, village=village, on=datetime.date(2026, 1, 1), actor=leader)
_device, token = issue_device(membership=membership, name="Bench", actor=member)
print("BENCH_SETUP " + json.dumps({{"token": token, "residents": Resident.objects.exclude(household=None).count()}}))
"""


def fetch(port: int, headers: dict[str, str]) -> tuple[int, int, dict[str, str], bytes]:
    """GET the worklist on a raw socket: (status, bytes received in all, headers, body as sent)."""
    lines = [f"GET {WORKLIST} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        answer[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), len(raw), answer, body


def run(size: int | None = None) -> dict[str, Any]:
    households = size or HOUSEHOLDS
    shared.DATABASE_URL = DATABASE_URL  # bench_http's helpers read it: this benchmark keeps its own database
    redis_url = shared.REDIS_URL if shared.redis_reachable(shared.REDIS_URL) else ""
    port = shared.free_port()
    environment = shared.server_environment(port, redis_url)
    shared.create_database(replace=True)
    shared.manage(environment, "migrate", "--no-input", "-v0")
    shared.manage(environment, "collectstatic", "--no-input", "-v0")
    output = shared.manage(environment, "shell", "-c", SETUP.format(households=households))
    setup = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_SETUP "))[12:])
    shared.analyze_database()
    device = {"Authorization": f"Device {setup['token']}", "Accept": "application/json", "Accept-Language": "vi"}
    figures: dict[str, Any] = {
        "setup": f"{households} households, {setup['residents']} residents, all assigned to one member; gunicorn "
        f"(production settings), Redis {'yes' if redis_url else 'no'}; bytes counted on the socket (headers "
        "included); 1 KB = 1,000 bytes"
    }
    first = repeat.Budget("worklist of the village, first load (gzip)", FIRST_LOAD_BUDGET_KB, "KB", False)
    again = repeat.Budget("worklist of the village, repeat (ETag)", REPEAT_BUDGET_KB, "KB", False)

    log = Path(tempfile.mkdtemp(prefix="hocvuso-bench-field-")) / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py")]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=stream, stderr=subprocess.STDOUT)
    try:
        shared.wait_until_serving(process, port, log)

        def measure() -> dict[str, Any]:
            status, received, headers, body = fetch(port, {**device, "Accept-Encoding": "gzip"})
            if status != 200 or headers.get("content-encoding") != "gzip":
                raise RuntimeError(f"first load answered {status}, {headers.get('content-encoding')}: {body[:300]!r}")
            etag = headers["etag"]
            status_again, received_again, _headers, _body = fetch(
                port, {**device, "Accept-Encoding": "gzip", "If-None-Match": etag}
            )
            if status_again != 304:
                raise RuntimeError(f"repeat answered {status_again}")
            status_plain, received_plain, _headers, plain = fetch(port, device)
            if status_plain != 200:
                raise RuntimeError(f"plain load answered {status_plain}")
            worklist = json.loads(plain)
            return {
                "first load KB": received / 1000,
                "repeat KB": received_again / 1000,
                "uncompressed KB": received_plain / 1000,
                "households": len(worklist["households"]),
                "people": sum(len(household["people"]) for household in worklist["households"]),
            }

        results = repeat.repeat("field worklist", measure)
    finally:
        shared.stop(process)
    for result in results:
        first.values.append(result["first load KB"])
        again.values.append(result["repeat KB"])
    figures["households in the worklist"] = results[0]["households"]
    figures["people in the worklist"] = results[0]["people"]
    figures.update(repeat.summarise("worklist", results, ["first load KB", "repeat KB", "uncompressed KB"]))
    figures["per household, first load (gzip), bytes"] = round(max(first.values) * 1000 / households)
    return {**figures, **repeat.budgets_figure([first, again])}


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else None
    for key, value in run(count).items():
        print(f"{key}: {value}")
