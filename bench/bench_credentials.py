"""Literacy certificates: issuing N certificates (signed with eddsa-rdfc-2022, status list slots; PDFs are rendered
lazily, on first download) and the public verification page and its JSON under load.

Makes (or reuses) the PostgreSQL database `hocvuso_bench_credentials`, migrates it, loads the demo province (30,000
residents), creates N literacy confirmations (residents of the demo province first, then accounts without a
registry record), and then:

1. issuing: BENCH_ISSUE_PROCESSES processes of `manage.py issue_certificates --shard i/n` (the production command;
   wall-clock time from start to the last one's end). Budget: 100,000 in ≤ 5 minutes.
2. verification: gunicorn (config/gunicorn.py, production settings, the helpers of bench_http.py) serving
   GET /xac-minh/<id>/ and GET /xac-minh/<id>.json, requests rotating over 2,000 certificates (a few revoked).
   The per-address rate limit is raised for the run (one load generator is one address); the limiter's counter
   is still incremented on every request. Budget: ≥ 500 req/s each with 4 workers on 2 cores.

Usage: uv run python bench/bench_credentials.py [N]   (N certificates, default BENCH_CERTIFICATES or 100000;
a smoke run uses 300)
Environment (all optional): BENCH_CREDENTIALS_DATABASE_URL, BENCH_ISSUE_PROCESSES (2), and those of bench_http.py.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bench_http as shared

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_CREDENTIALS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_credentials"
)
PROCESSES = int(os.environ.get("BENCH_ISSUE_PROCESSES", "2"))
SAMPLE = 2000

# Run by `manage.py shell`: wipe earlier runs' certificates, make N literacy confirmations. Prints one JSON line.
SETUP = r"""
import json
from django.contrib.auth.hashers import make_password
from django.db import transaction
from hocvuso.accounts.models import User
from hocvuso.credentials.keys import rotate_signing_key
from hocvuso.credentials.models import Certificate, SigningKey, StatusIndexCounter, StatusList
from hocvuso.learning.models import LiteracyRule, LiteracyStatus
from hocvuso.people.models import Resident

N = {count}
with transaction.atomic():
    Certificate.objects.all().delete()
    StatusList.objects.all().delete()
    StatusIndexCounter.objects.all().delete()
    LiteracyStatus.objects.filter(user__username__startswith="bench.cert.").delete()
    Resident.objects.filter(user__username__startswith="bench.cert.").update(user=None)
    User.objects.filter(username__startswith="bench.cert.").delete()
    if not SigningKey.objects.filter(is_active=True).exists():
        rotate_signing_key(actor=None)
    rule = LiteracyRule.objects.filter(group="citizens", is_active=True).order_by("pk").first()
    residents = list(Resident.objects.filter(user__isnull=True).order_by("pk")[:N])
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench.cert.{{number}}", password=password) for number in range(N)], batch_size=5000
    )
    for resident, user in zip(residents, users):
        resident.user = user
    Resident.objects.bulk_update(residents, ["user"], batch_size=5000)
    LiteracyStatus.objects.bulk_create(
        [LiteracyStatus(user=user, resident=residents[index] if index < len(residents) else None,
                        group=rule.group, rule=rule) for index, user in enumerate(users)],
        batch_size=5000,
    )
print("BENCH_SETUP " + json.dumps({{"confirmations": N, "with_registry_record": len(residents)}}))
"""

AFTER = r"""
import json
from hocvuso.accounts.models import User
from hocvuso.credentials.models import Certificate
from hocvuso.credentials.services import change_certificate_status
admin = User.objects.get(username="admin.tinh")
ids = [str(pk) for pk in Certificate.objects.order_by("?").values_list("pk", flat=True)[:{sample}]]
for certificate in Certificate.objects.filter(pk__in=ids[:10]):
    change_certificate_status(certificate=certificate, status="revoked", reason="bench", actor=admin)
print("BENCH_AFTER " + json.dumps({{"certificates": Certificate.objects.count(), "ids": ids,
      "signed_bytes": len(json.dumps(Certificate.objects.first().credential))}}))
"""


def run(count: int = int(os.environ.get("BENCH_CERTIFICATES", "100000"))) -> dict[str, Any]:
    shared.DATABASE_URL = DATABASE_URL  # bench_http's helpers read it: this benchmark keeps its own database
    figures: dict[str, Any] = {}
    redis_url = shared.REDIS_URL if shared.redis_reachable(shared.REDIS_URL) else ""
    port = shared.free_port()
    environment = shared.server_environment(port, redis_url)
    environment["CREDENTIALS_VERIFY_RATE_PER_MINUTE"] = "1000000000"
    figures["setup"] = (
        f"{count} certificates issued by {PROCESSES} processes; gunicorn {shared.WORKERS} sync workers, "
        f"{shared.CONNECTIONS} connections, load by {shared.LOADGEN}, PostgreSQL database "
        f"{urlsplit(DATABASE_URL).path.lstrip('/')}, Redis {'yes' if redis_url else 'no'}, "
        f"at most {shared.REQUESTS} requests and {shared.SECONDS} s per endpoint; load average {os.getloadavg()}"
    )
    started = time.monotonic()
    shared.create_database()
    shared.manage(environment, "migrate", "--no-input", "-v0")
    shared.manage({**environment, "DJANGO_SETTINGS_MODULE": "config.settings.local"}, "load_demo")
    shared.manage(environment, "collectstatic", "--no-input", "-v0")
    output = shared.manage(environment, "shell", "-c", SETUP.format(count=count))
    setup = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_SETUP "))[12:])
    shared.analyze_database()
    figures["database setup (migrate, demo, confirmations, ANALYZE), s"] = round(time.monotonic() - started, 1)
    figures["confirmations (with a registry record)"] = f"{setup['confirmations']} ({setup['with_registry_record']})"

    print(f"   issuing {count} certificates", file=sys.stderr, flush=True)
    begin = time.monotonic()
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "issue_certificates", "--shard", f"{index}/{PROCESSES}"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(PROCESSES)
    ]
    outputs = [worker.communicate(timeout=3600) for worker in workers]
    elapsed = time.monotonic() - begin
    if any(worker.returncode for worker in workers):
        raise RuntimeError(f"issue_certificates failed: {[error[-2000:] for _out, error in outputs]}")
    after = json.loads(
        next(
            line
            for line in shared.manage(environment, "shell", "-c", AFTER.format(sample=SAMPLE)).splitlines()
            if line.startswith("BENCH_AFTER ")
        )[12:]
    )
    figures["certificates issued"] = after["certificates"]
    figures["issuing: wall-clock s"] = round(elapsed, 1)
    figures["issuing: certificates/s"] = round(after["certificates"] / elapsed, 1)
    figures["issuing: projected s for 100,000 at this rate (not a measurement)"] = round(
        100_000 / (after["certificates"] / elapsed), 1
    )
    figures["signed credential, bytes"] = after["signed_bytes"]
    shared.analyze_database()

    ids = after["ids"]
    log = Path(tempfile.mkdtemp(prefix="hocvuso-bench-credentials-")) / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py")]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=stream, stderr=subprocess.STDOUT)
    try:
        shared.wait_until_serving(process, port, log)
        for name, requests in [
            ("GET /xac-minh/<id>/ (verification page)", [shared.Request("GET", f"/xac-minh/{i}/") for i in ids]),
            ("GET /xac-minh/<id>.json", [shared.Request("GET", f"/xac-minh/{i}.json") for i in ids]),
        ]:
            print(f"   {name}", file=sys.stderr, flush=True)
            try:
                figures.update(shared.measure(port, name, requests))
            except (OSError, RuntimeError) as error:
                figures[name] = f"failed: {type(error).__name__}: {error}"
        figures["gunicorn worker memory after the load, MB each"] = shared.worker_memory_mb(process.pid)
    finally:
        shared.stop(process)
    figures["load average after"] = os.getloadavg()
    return figures


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for key, value in run(size).items():
        print(f"{key}: {value}")
