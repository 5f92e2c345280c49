"""Reconciling the national platform's list of people confirmed on VNeID: matched by keyed hash, unmatched and bad
rows reported, dry run, all-or-nothing, and the "adults certified on VNeID" figure that follows."""

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.models import VneidCertification
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.vneid_reconciliation import reconcile_vneid_confirmations
from hocvuso.people.tests.factories import DAO_ID, national_id_for, register_dao

from .conftest import facts_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(territory: Any) -> dict[str, Any]:
    from hocvuso.people.services import register_resident

    dao = register_dao(territory.village)
    binh_id = national_id_for(date(1985, 3, 2), "F", serial=555)
    binh = register_resident(full_name="Trần Thị Bình", birth_date=date(1985, 3, 2), sex="F", ethnicity="Kinh",
                             village=territory.village_b, household=None, national_id=binh_id, actor=None)  # fmt: skip
    return {"dao": dao, "binh": binh, "binh_id": binh_id}


def _csv(rows: list[str]) -> bytes:
    return ("Số định danh,Họ và tên,Ngày xác nhận\n" + "\n".join(rows) + "\n").encode("utf-8-sig")


def test_a_dry_run_reports_matches_and_unmatched_rows_and_writes_nothing(people, province_admin) -> None:
    stranger = national_id_for(date(1970, 1, 1), "M", serial=999)
    data = _csv([f"{DAO_ID},Nguyễn Thị Đào,15/10/2026", f"{stranger},Lê Văn Lạ,15/10/2026",
                 f"{people['binh_id']},Trần Thị Bính,16/10/2026"])  # fmt: skip
    result = reconcile_vneid_confirmations(data=data, file_name="vneid.csv", actor=province_admin, dry_run=True)
    assert (result.rows, result.matched, result.recorded) == (3, 1, 0)
    assert [(p.row, p.column) for p in result.unmatched] == [(3, "*********999"), (4, "*********555")]
    assert "Họ tên khác" in result.unmatched[1].reason
    assert not VneidCertification.objects.exists()


def test_matched_rows_are_recorded_and_the_indicator_counts_them(people, province_admin) -> None:
    today = timezone.localdate()
    rebuild_facts(on=today)
    before = facts_of(today)[("adults-certified-vneid", "province", "68")]
    assert before == (0, 2)
    data = _csv([f"{DAO_ID},NGUYỄN THỊ ĐÀO,2026-10-15", f"{people['binh_id']},Trần Thị Bình,16/10/2026"])
    result = reconcile_vneid_confirmations(data=data, file_name="vneid.csv", actor=province_admin, dry_run=False)
    assert (result.matched, result.recorded, result.unmatched) == (2, 2, [])
    assert VneidCertification.objects.get(resident=people["dao"]).pushed_at.date() == date(2026, 10, 15)
    rebuild_facts(on=today)
    assert facts_of(today)[("adults-certified-vneid", "province", "68")] == (2, 2)
    assert facts_of(today)[("adults-certified-vneid", "commune", "24631")] == (2, 2)
    entry = AuditEntry.objects.get(action="indicators.vneid_reconciliation")
    assert entry.details == {"rows": 2, "recorded": 2, "unmatched": 0} and DAO_ID not in str(entry.details)
    again = reconcile_vneid_confirmations(data=data, file_name="vneid.csv", actor=province_admin, dry_run=False)
    assert again.recorded == 2 and VneidCertification.objects.count() == 2  # the same file twice: same records


def test_a_file_with_a_bad_row_records_nothing_and_says_where(people, province_admin) -> None:
    future = (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")
    data = _csv([f"{DAO_ID},Nguyễn Thị Đào,15/10/2026", "12345,Ai Đó,15/10/2026",
                 f"{people['binh_id']},Trần Thị Bình,{future}", f"{DAO_ID},Nguyễn Thị Đào,31/02/2026",
                 f"{people['binh_id']},Trần Thị Bình,hôm qua"])  # fmt: skip
    result = reconcile_vneid_confirmations(data=data, file_name="vneid.csv", actor=province_admin, dry_run=False)
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "Số định danh"), (4, "Ngày xác nhận"), (5, "Ngày xác nhận"), (6, "Ngày xác nhận")
    ]  # fmt: skip
    assert result.recorded == 0 and not VneidCertification.objects.exists()


def test_an_xlsx_with_ids_as_numbers_is_read_by_the_roster_reader(people, province_admin) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Danh sách người dân đã xác nhận trên VNeID"])
    sheet.append(["STT", "Số CCCD", "Họ tên", "Ngày xác nhận"])
    sheet.append([1, int(DAO_ID), "Nguyễn Thị Đào", date(2026, 10, 15)])
    buffer = io.BytesIO()
    book.save(buffer)
    result = reconcile_vneid_confirmations(data=buffer.getvalue(), file_name="vneid.xlsx", actor=province_admin,
                                           dry_run=False)  # fmt: skip
    assert (result.matched, result.recorded, result.problems) == (1, 1, [])


def test_hostile_files_are_refused_with_a_reason(province_admin) -> None:
    with pytest.raises(DomainError):
        reconcile_vneid_confirmations(data=b"PK\x03\x04garbage", file_name="x.xlsx", actor=province_admin, dry_run=True)
    with pytest.raises(DomainError):
        reconcile_vneid_confirmations(data=b"%PDF-1.4", file_name="x.pdf", actor=province_admin, dry_run=True)
    with pytest.raises(DomainError, match="tiêu đề"):
        reconcile_vneid_confirmations(data=b"a,b\n1,2\n", file_name="x.csv", actor=province_admin, dry_run=True)


def test_only_the_province_administrator_reconciles(people, commune_officer) -> None:
    with pytest.raises(NotFound):
        reconcile_vneid_confirmations(data=_csv([f"{DAO_ID},Nguyễn Thị Đào,15/10/2026"]), file_name="v.csv",
                                      actor=commune_officer, dry_run=False)  # fmt: skip
    assert not VneidCertification.objects.exists()


def test_the_command_runs_a_dry_run_then_the_import(people, tmp_path) -> None:
    path = tmp_path / "vneid.csv"
    path.write_bytes(_csv([f"{DAO_ID},Nguyễn Thị Đào,15/10/2026"]))
    out = io.StringIO()
    call_command("import_vneid_confirmations", str(path), "--dry-run", stdout=out)
    assert "1" in out.getvalue() and not VneidCertification.objects.exists()
    call_command("import_vneid_confirmations", str(path), stdout=io.StringIO())
    assert VneidCertification.objects.count() == 1
