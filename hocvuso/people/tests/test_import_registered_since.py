"""The residents writer skips looking up residents again when the checking pass found none registered. A resident
registered by someone else between the check and the write must not be duplicated or overwritten: the unique
index refuses the write and the import fails whole, saying nothing was written; sent again, it updates them."""

from typing import Any

import pytest
from django.db import connection

from hocvuso.people.import_models import ImportStatus
from hocvuso.people.imports import running, validation
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import DAO_ID, register_dao
from hocvuso.people.tests.import_files import csv_bytes, resident, run_import

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _the_usual_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check the whole file, then write (a file with one sheet is otherwise written while it is checked,
    test_import_early_write.py): the way a workbook of several sheets, or a guess that failed, takes."""
    monkeypatch.setattr(running, "_writes_while_checking", lambda job, source: False)


def test_a_resident_registered_between_the_check_and_the_write_fails_the_import_whole(
    territory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The streaming writer (and its skipped look-up) is PostgreSQL's.")
    rows = [resident(serial, household=f"HO-{serial}") for serial in range(1, 40)]
    rows.append(resident(40, national=DAO_ID, household="HO-40"))
    data = csv_bytes(rows)
    checked = validation.FileValidator.run

    def check_then_someone_registers_dao(self: Any, source: Any) -> Any:
        result = checked(self, source)
        assert result.registered_rows == 0  # the check saw none registered: the writer skips the look-up
        register_dao(territory.village)
        return result

    monkeypatch.setattr(validation.FileValidator, "run", check_then_someone_registers_dao)
    job = run_import(data, unit=territory.commune)

    assert job.status == ImportStatus.FAILED
    assert "chưa có dữ liệu nào được ghi" in job.message
    assert Resident.objects.count() == 1  # only the one registered meanwhile

    monkeypatch.undo()
    again = run_import(data, unit=territory.commune, file_name="gui-lai.csv")

    assert again.status == ImportStatus.DONE, again.message
    assert (again.created_count, Resident.objects.count()) == (39, 40)
