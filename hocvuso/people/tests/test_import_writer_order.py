"""The residents writer's path for a file of new residents only (PostgreSQL): it takes every resident's id first,
writes the households with their heads, then the residents in chunks whose foreign keys are checked as each chunk
is written. Each household must name its own head wherever the head's row is; a plan that does not match the rows
stops the import whole."""

from typing import Any

import pytest
from django.db import connection

from hocvuso.core.crypto import lookup_hash
from hocvuso.people.import_models import ImportStatus
from hocvuso.people.imports import commit, running, validation
from hocvuso.people.models import Household, Resident
from hocvuso.people.tests.import_files import csv_bytes, resident, run_import

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _the_usual_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check the whole file, then write (a file with one sheet is otherwise written while it is checked,
    test_import_early_write.py): the way a workbook of several sheets, or a guess that failed, takes."""
    monkeypatch.setattr(running, "_writes_while_checking", lambda job, source: False)


def _rows() -> list[list[Any]]:
    # Heads after their members, households interleaved, one household without a head.
    return [
        resident(1, household="HO-A", relation="Con"),
        resident(2, household="HO-B", relation="Con"),
        resident(3, household="HO-A"),
        resident(4, household="HO-B", relation="Con"),
        resident(5, household="HO-C"),
        resident(6, household="HO-B"),
        resident(7, household="HO-D", relation="Con"),
    ]


def _national_id(serial: int) -> str:
    """The keyed hash of the sample row's ID (what the registry stores to find it)."""
    return lookup_hash(str(resident(serial)[1]))


def test_each_household_names_its_own_head_wherever_the_heads_row_is(
    territory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The writer's path for new residents is PostgreSQL's.")
    monkeypatch.setattr(commit, "COPY_CHUNK_ROWS", 2)  # several chunks through the second thread
    job = run_import(csv_bytes(_rows()), unit=territory.commune)

    assert job.status == ImportStatus.DONE, job.message
    assert (job.created_count, job.households_created) == (7, 4)
    heads = {
        household.code: household.head.national_id_hash if household.head else None
        for household in Household.objects.select_related("head")
    }
    assert heads == {"HO-A": _national_id(3), "HO-B": _national_id(6), "HO-C": _national_id(5), "HO-D": None}
    members = {r.national_id_hash: r.household.code for r in Resident.objects.select_related("household")}
    assert members == {
        _national_id(serial): code
        for serial, code in [(1, "HO-A"), (2, "HO-B"), (3, "HO-A"), (4, "HO-B"), (5, "HO-C"), (6, "HO-B"), (7, "HO-D")]
    }


def test_a_plan_that_does_not_match_the_rows_stops_the_import_whole(
    territory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The writer's path for new residents is PostgreSQL's.")
    checked = validation.FileValidator.run

    def check_then_misplace_a_head(self: Any, source: Any) -> Any:
        result = checked(self, source)
        plan = next(plan for (_, code), plan in result.households.items() if code == "HO-B")
        plan.head_index = 1  # row 2's place: a member of HO-B, not its head
        return result

    monkeypatch.setattr(validation.FileValidator, "run", check_then_misplace_a_head)
    job = run_import(csv_bytes(_rows()), unit=territory.commune)

    assert job.status == ImportStatus.FAILED
    assert "chưa có dữ liệu nào được ghi" in job.message
    assert (Resident.objects.count(), Household.objects.count()) == (0, 0)
