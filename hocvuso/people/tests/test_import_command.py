"""`manage.py import_roster`: the same import from the command line, with exit status 0 or 1 and an error report."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from hocvuso.core.models import AuditEntry
from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.models import Membership, OrganisationKind, Resident
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.people.tests.import_files import ROSTER_HEADER, csv_bytes, resident, roster_member, snapshot


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_roster", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_valid_file_is_imported_with_exit_status_0(territory: Any, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(csv_bytes([resident(1), resident(2, relation="Con", household="HO-00001")]))

    status, out, err = run(str(path), "--kind", "residents", "--unit", "24631", "--date-order", "dmy")

    job = ImportJob.objects.get()
    assert (status, err) == (0, "")
    assert out == (
        f"Imported: 2 rows; created 2, updated 0, unchanged 0; residents created 0, households created 1, "
        f"households updated 0; residents moved to another village 0, households left without a head 0, "
        f"memberships ended 0 (job {job.pk}).\n"
    )
    assert Resident.objects.count() == 2
    entry = AuditEntry.objects.get(action="people.import_roster.imported")
    assert (entry.actor, entry.actor_label) == (None, "system")


def test_a_dry_run_of_a_valid_file_exits_0_and_writes_nothing(territory: Any, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(csv_bytes([resident(1)]))

    status, out, _ = run(str(path), "--kind", "residents", "--unit", "24631", "--dry-run", "--date-order", "dmy")

    assert status == 0
    assert out.startswith("Valid (dry run, nothing written): 1 rows; created 1,")
    assert Resident.objects.count() == 0


def test_a_rejected_file_exits_1_with_the_path_of_the_error_report(territory: Any, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(csv_bytes([resident(1, ethnicity="Sao Hỏa")]))
    before = snapshot()

    status, out, err = run(str(path), "--kind", "residents", "--unit", "24631")

    report = tmp_path / "danh-sach.loi.xlsx"
    assert (status, out) == (1, "")
    assert err.splitlines()[-1] == f"Error report: {report}"
    rows = list(load_workbook(report)["Lỗi"].iter_rows(values_only=True))
    assert rows[-1] == (2, "Dân tộc", "Dân tộc “Sao Hỏa” không có trong danh mục 54 dân tộc Việt Nam.")
    assert snapshot() == before


def test_a_broken_file_exits_1_with_a_report_of_the_file_problem(territory: Any, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)

    status, _, err = run(str(path), "--kind", "residents", "--unit", "24631")

    assert status == 1
    assert "Tệp Excel bị hỏng hoặc không đầy đủ" in err
    assert (tmp_path / "danh-sach.loi.xlsx").exists()
    assert ImportJob.objects.get().status == ImportStatus.REJECTED


def test_the_same_file_twice_exits_0_and_imports_once(territory: Any, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(csv_bytes([resident(1)]))
    run(str(path), "--kind", "residents", "--unit", "24631", "--date-order", "dmy")

    status, out, _ = run(str(path), "--kind", "residents", "--unit", "24631", "--date-order", "dmy")

    job = ImportJob.objects.get()
    assert (status, out) == (0, f"Already imported (job {job.pk}, done): nothing to do.\n")
    assert Resident.objects.count() == 1


def test_an_organisation_roster_from_the_command_line(territory: Any, tmp_path: Path) -> None:
    OrganisationFactory(code="HTX-CP", kind=OrganisationKind.COOPERATIVE, unit=territory.commune)
    path = tmp_path / "xa-vien.csv"
    path.write_bytes(csv_bytes([roster_member(1)], header=ROSTER_HEADER))

    status, _, _ = run(str(path), "--kind", "workers", "--unit", "24631", "--organisation", "HTX-CP")

    assert status == 0
    assert Membership.objects.get().kind == "worker"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "residents", "--unit", "99999"], "No administrative unit with code 99999."),
        (["--kind", "staff", "--unit", "24631", "--organisation", "NOPE"], "No organisation with code NOPE."),
        (["--kind", "staff", "--unit", "24631"], "Hãy chọn cơ quan, tổ chức của danh sách."),
    ],
)
def test_wrong_arguments_are_command_errors(territory: Any, tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([resident(1)]))

    with pytest.raises(CommandError, match=message):
        call_command("import_roster", str(path), *args)


def test_dates_readable_both_ways_ask_for_the_order_and_the_option_gives_it(territory: Any, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(csv_bytes([resident(1)]))  # born 05/09/1990: 5 September or May 9

    status, out, _ = run(str(path), "--kind", "residents", "--unit", "24631", "--dry-run")

    job = ImportJob.objects.get()
    assert status == 0
    assert out == (
        "Valid (dry run, nothing written): 1 rows, but dates can be read two ways (05/09/1990 = 05/09/1990 (dmy) "
        f"or 09/05/1990 (mdy)). Run again with --date-order dmy or --date-order mdy (job {job.pk}).\n"
    )
    assert Resident.objects.count() == 0

    status, out, err = run(str(path), "--kind", "residents", "--unit", "24631")

    assert status == 1
    assert "đọc được theo hai cách" in err
    assert Resident.objects.count() == 0

    status, _, _ = run(str(path), "--kind", "residents", "--unit", "24631", "--date-order", "mdy")

    assert status == 0
    assert Resident.objects.get().birth_date.isoformat() == "1990-05-09"
