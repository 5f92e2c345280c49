"""Run by tests/test_embedded_refresh.py in a process of its own, on a migrated SQLite database file: the
embedded default (`make run`: SQLite, no Redis). It loads the WSGI application exactly as the server does, makes
a change through a service and prints, as JSON, how long the dashboard figure took to follow it — no request and
no refresh call in between — and the threads the application started."""

import json
import sys
import threading
import time

from django.utils import timezone

import config.wsgi  # noqa: F401 — the application, as runserver and gunicorn load it
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role
from hocvuso.indicators.selectors import unit_dashboard
from hocvuso.people.models import Resident
from hocvuso.people.services import record_digital_identity
from hocvuso.territory.models import AdministrativeUnit

BUDGET_SECONDS = float(sys.argv[1])


def main() -> None:
    province = AdministrativeUnit.objects.create(code="68", name="Lâm Đồng", level="province", kind="tỉnh", path="/68/")
    commune = AdministrativeUnit.objects.create(
        code="24631", name="Xã Quảng Khê", level="commune", kind="xã", parent=province, path="/68/24631/"
    )
    village = AdministrativeUnit.objects.create(
        code="24631.001", name="Thôn 1", level="village", kind="thôn", parent=commune, path="/68/24631/24631.001/"
    )
    admin = User.objects.create_user(username="quan-tri", password=None)
    assign_role(user=admin, role=Role.PROVINCE_ADMIN, unit=province, assigned_by=None)
    adult = Resident.objects.create(
        full_name="Y Bhăm Niê", birth_date="1980-03-01", sex="M", ethnicity=12, village=village
    )

    def figure() -> tuple[int | None, int | None] | None:
        found = unit_dashboard(user=admin, unit=village).unit.figure("digital-identity")
        return None if found is None else (found.numerator, found.denominator)

    def wait(expected: tuple[int, int]) -> float:
        started = time.monotonic()
        while figure() != expected and time.monotonic() - started < BUDGET_SECONDS:
            time.sleep(0.1)
        return time.monotonic() - started

    first = wait((0, 1))
    record_digital_identity(
        resident=adult, vneid_level=2, has_bank_account=None, source="vneid", on=timezone.localdate(), actor=None
    )
    seconds = wait((1, 1))
    threads = sorted(thread.name for thread in threading.enumerate() if thread.name.startswith("hocvuso"))
    print(json.dumps({"first": first, "seconds": seconds, "figure": figure(), "threads": threads}))


if __name__ == "__main__":
    main()
