"""Five identical submissions at the same moment, each on its own database connection, import the file once:
the unique index on the fingerprint of live jobs decides the race, not a check before the insert."""

import threading
from typing import Any

import pytest
from django.db import connection

from hocvuso.people.import_models import ImportJob, ImportStatus, RosterUpload
from hocvuso.people.imports.services import submit_roster_import
from hocvuso.people.models import Household, Resident
from hocvuso.people.tests.import_files import csv_bytes, resident

pytestmark = pytest.mark.django_db(transaction=True)

SUBMISSIONS = 5


def test_five_identical_submissions_at_once_are_imported_exactly_once(territory: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite in memory cannot give each thread its own connection to one database.")
    rows = [resident(serial, household=f"HO-{serial // 3}", relation="Con") for serial in range(1, 301)]
    data = csv_bytes(rows)
    barrier = threading.Barrier(SUBMISSIONS)
    outcomes: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            job = submit_roster_import(
                user=None,
                kind="residents",
                file_name="danh-sach.csv",
                data=data,
                unit=territory.commune,
                dry_run=False,
                date_order="dmy",  # every date is 05/09/1990, which reads both ways
            )  # the winner runs the import itself (eager task after commit)
            outcomes.append((job.pk, job.duplicate))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(outcomes) == SUBMISSIONS
    assert len({pk for pk, _ in outcomes}) == 1
    assert sorted(duplicate for _, duplicate in outcomes) == [False, True, True, True, True]
    job = ImportJob.objects.get()
    assert (job.status, job.attempts, job.created_count) == (ImportStatus.DONE, 1, 300)
    assert Resident.objects.count() == 300
    assert Household.objects.count() == 101
    assert RosterUpload.objects.count() == 1  # the losers' stored bytes were rolled back with their jobs
