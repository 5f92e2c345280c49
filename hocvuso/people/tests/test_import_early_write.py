"""A file of new residents is written WHILE it is checked (PostgreSQL; `commit.EarlyResidentsWriter`): the database
writes the batches already checked while Python checks the next. The write is a guess the checking pass must
confirm; whatever the file, the registry ends exactly as the usual way (check everything, then write) leaves it:
households whose head or address comes later in the file, a resident or household registered already, dates a
later row shows to be month first, a problem in the last row — each either confirmed or rolled back and done the
usual way, never stored differently."""

import datetime
from typing import Any

import pytest
from django.db import connection

from hocvuso.core.crypto import decrypt
from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.imports import commit, running, validation
from hocvuso.people.models import Household, Resident
from hocvuso.people.tests.factories import DAO_ID, register_dao
from hocvuso.people.tests.import_files import csv_bytes, resident, run_import

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The write while checking is PostgreSQL's (a second connection, COPY from a second thread).")
    monkeypatch.setattr(validation, "BATCH_ROWS", 2)  # households and heads spread over several batches


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each write while checking concluded (True: confirmed and committed)."""
    verdicts: list[bool] = []
    close = commit.EarlyResidentsWriter.close

    def recorded(self: Any) -> bool:
        verdicts.append(close(self))
        return verdicts[-1]

    monkeypatch.setattr(commit.EarlyResidentsWriter, "close", recorded)
    return verdicts


def _registry() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The registry as the officer would read it (no ids or times): residents and households."""
    residents = sorted(
        (
            r.national_id_hash,
            decrypt(bytes(r.national_id_ciphertext)),
            r.full_name,
            r.name_key,
            r.birth_date,
            r.birth_date_precision,
            r.sex,
            r.ethnicity,
            decrypt(bytes(r.phone_ciphertext)) if r.phone_ciphertext else None,
            r.phone_last3,
            r.national_id_last4,
            r.village_id,
            r.household.code if r.household else None,
        )
        for r in Resident.objects.select_related("household")
    )
    households = sorted(
        (h.code, h.village_id, h.address, h.head.national_id_hash if h.head else None)
        for h in Household.objects.select_related("head")
    )
    return residents, households


def _the_usual_way(data: bytes, territory: Any, monkeypatch: pytest.MonkeyPatch, **options: Any) -> Any:
    """Empty the registry and import the same file the usual way."""
    Household.objects.update(head=None)
    Resident.objects.all().delete()
    Household.objects.all().delete()
    ImportJob.objects.all().delete()
    with monkeypatch.context() as patched:
        patched.setattr(running, "_writes_while_checking", lambda job, source: False)
        return run_import(data, unit=territory.commune, **options)


def _rows() -> list[list[Any]]:
    # Heads after their members and in later batches, households interleaved, one without a head, first rows
    # without an address, a head whose address differs from the first row's, a year of birth alone.
    rows = [
        resident(1, household="HO-A", relation="Con", address=""),
        resident(2, household="HO-B", relation="Con", address="Xóm dưới"),
        resident(3, household="HO-C", address=""),
        resident(4, household="HO-B", relation="Con", phone=""),
        resident(5, household="HO-A", relation="Con", address="Số 3 ngõ 5"),
        resident(6, household="HO-B", address="Số 7, đường Lê Lợi", name="Trần Văn Bảy", sex="M"),
        resident(7, household="HO-D", relation="Con", birth=datetime.date(1950, 1, 1)),
        resident(8, household="HO-C", relation="Con", address="Thôn Một"),
        resident(9, household="HO-A", village="24631.001"),
    ]
    rows[6][3] = "1950"
    return rows


def test_a_file_written_while_checked_is_stored_as_the_usual_way_stores_it(
    territory: Any, early: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = csv_bytes(_rows())
    job = run_import(data, unit=territory.commune)

    assert job.status == ImportStatus.DONE, job.message
    assert early == [True]
    assert (job.created_count, job.households_created, job.rows_total, job.progress) == (9, 4, 9, 100)
    written = _registry()
    heads = {code: head for code, _, _, head in written[1]}
    addresses = {code: address for code, _, address, _ in written[1]}
    hashes = {row[1]: row[0] for row in written[0]}
    ids = {row[0]: str(row[1]) for row in _rows()}
    assert heads == {"HO-A": hashes[ids[9]], "HO-B": hashes[ids[6]], "HO-C": hashes[ids[3]], "HO-D": None}
    # a head's address wins over its members'; a member's fills a household whose first rows gave none
    assert addresses == {
        "HO-A": "Số 12, đường Hùng Vương",
        "HO-B": "Số 7, đường Lê Lợi",
        "HO-C": "Thôn Một",
        "HO-D": "Số 12, đường Hùng Vương",
    }

    usual = _the_usual_way(data, territory, monkeypatch)
    assert usual.status == ImportStatus.DONE, usual.message
    assert early == [True]  # the usual way wrote nothing while checking
    assert _registry() == written


def test_a_resident_registered_already_in_a_later_batch_ends_the_guess_and_the_usual_way_updates_them(
    territory: Any, early: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    dao = register_dao(territory.village)
    rows = [resident(serial) for serial in range(1, 6)]
    rows.append(resident(6, national=DAO_ID, name=dao.full_name, birth=dao.birth_date, household="HO-DAO"))
    job = run_import(csv_bytes(rows), unit=territory.commune)

    assert job.status == ImportStatus.DONE, job.message
    assert early == [False]
    assert (job.created_count, job.updated_count + job.unchanged_count) == (5, 1)
    assert Resident.objects.count() == 6
    assert Resident.objects.get(pk=dao.pk).household.code == "HO-DAO"


def test_a_household_registered_already_ends_the_guess(
    territory: Any, early: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    Household.objects.create(code="HO-OLD", village=territory.village, address="Nhà cũ")
    rows = [resident(serial) for serial in range(1, 6)]
    rows.append(resident(6, household="HO-OLD", address=""))
    data = csv_bytes(rows)
    job = run_import(data, unit=territory.commune)

    assert job.status == ImportStatus.DONE, job.message
    assert early == [False]
    assert (job.created_count, job.households_created) == (6, 5)
    household = Household.objects.get(code="HO-OLD")
    assert (household.address, household.members.get().national_id_last4) == ("Nhà cũ", str(rows[5][1])[-4:])


def test_dates_a_later_row_shows_to_be_month_first_are_stored_month_first(
    territory: Any, early: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [resident(serial) for serial in range(1, 6)]  # 05/09/1990: readable both ways
    rows.append(resident(6))
    rows[5][3] = "12/25/1990"  # only month first: the file's order
    data = csv_bytes(rows)
    job = run_import(data, unit=territory.commune, date_order="")

    assert job.status == ImportStatus.DONE, job.message
    assert early == [False]
    births = set(Resident.objects.values_list("birth_date", flat=True))
    assert {f"{day:%m-%d}" for day in births} == {"05-09", "12-25"}  # 5 May, not 5 September


def test_dates_the_officer_said_are_month_first_are_written_month_first(territory: Any, early: list[bool]) -> None:
    rows = [resident(serial) for serial in range(1, 6)]  # 05/09/1990: readable both ways
    job = run_import(csv_bytes(rows), unit=territory.commune, date_order="mdy")

    assert job.status == ImportStatus.DONE, job.message
    assert early == [True]  # with the order given, the check reads each date once: nothing to guess
    assert set(Resident.objects.values_list("birth_date", flat=True)) == {datetime.date(1990, 5, 9)}


def test_a_problem_in_the_last_row_leaves_nothing_written(territory: Any, early: list[bool]) -> None:
    rows = [resident(serial) for serial in range(1, 8)]
    rows[6][1] = "068185000007"  # an ID whose birth-year digits (85) disagree with the date (1990)
    job = run_import(csv_bytes(rows), unit=territory.commune)

    assert job.status == ImportStatus.REJECTED
    assert early == [False]
    assert (Resident.objects.count(), Household.objects.count()) == (0, 0)
    assert job.problems.get().row == 8
