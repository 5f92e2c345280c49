"""/api/v1/roster-imports/: the same import and the same rules as the upload page and the command line."""

import base64
import datetime

from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.models import Resident
from hocvuso.people.tests.import_files import csv_bytes, resident, snapshot

URL = "/api/v1/roster-imports/"


def file_body(data: bytes, **extra):
    return {
        "kind": "residents",
        "unit": "24631",
        "file_name": "ds.csv",
        "content_base64": base64.b64encode(data).decode(),
        **extra,
    }


def test_a_check_that_needs_the_date_order_then_a_confirmation_with_it(token_for, commune_officer, territory):
    client = token_for(commune_officer)
    rows = [resident(1, birth=datetime.date(1985, 3, 4))]  # "04/03/1985": both ways

    checked = client.post(URL, file_body(csv_bytes(rows)), format="json")

    assert checked.status_code == 201
    body = checked.json()
    assert (body["dry_run"], body["status"], body["status_label"], body["needs_date_order"]) == (
        True,
        "done",
        "Đã kiểm tra, chưa nhập",
        True,
    )
    assert body["summary"]["date_examples"] == [{"value": "04/03/1985", "dmy": "04/03/1985", "mdy": "03/04/1985"}]
    refused = client.post(f"{URL}{body['id']}/confirm/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "date_order_needed")
    assert Resident.objects.count() == 0

    imported = client.post(f"{URL}{body['id']}/confirm/", {"date_order": "mdy"}, format="json")

    assert imported.status_code == 201
    assert (imported.json()["status"], imported.json()["date_order"]) == ("done", "mdy")
    assert Resident.objects.get().birth_date == datetime.date(1985, 4, 3)


def test_a_bad_row_is_answered_with_row_column_and_reason(token_for, commune_officer, territory):
    client = token_for(commune_officer)
    row = resident(1, name="An (Tèo)", birth=datetime.date(1990, 9, 25))
    before = snapshot()

    response = client.post(URL, file_body(csv_bytes([row]), dry_run=False), format="json")

    body = response.json()
    assert (response.status_code, body["status"], body["problem_count"]) == (201, ImportStatus.REJECTED, 1)
    assert body["problems"] == [
        {
            "row": 2,
            "column": "Họ và tên",
            "message": "Họ và tên chỉ gồm chữ cái, khoảng trắng, dấu nháy (K'Brơi) hoặc gạch nối; có ký tự không hợp "
            "lệ (chữ số, dấu ngoặc…). Tên gọi khác không ghi vào họ và tên.",
        }
    ]
    assert snapshot() == before


def test_another_communes_officer_cannot_import_here_nor_see_the_job(token_for, make_user, commune_officer, territory):
    from hocvuso.accounts.roles import Role

    mine = token_for(commune_officer).post(
        URL, file_body(csv_bytes([resident(1, birth=datetime.date(1990, 9, 25))])), format="json"
    )
    other = token_for(make_user(Role.COMMUNE_OFFICER, territory.other_commune))

    submitted = other.post(URL, file_body(csv_bytes([resident(2)])), format="json")
    read = other.get(f"{URL}{mine.json()['id']}/")
    confirmed = other.post(f"{URL}{mine.json()['id']}/confirm/", {"date_order": "dmy"}, format="json")

    assert (submitted.status_code, read.status_code, confirmed.status_code) == (404, 404, 404)
    assert ImportJob.objects.count() == 1
    assert Resident.objects.count() == 0


def test_content_that_is_not_base64_is_a_400(token_for, commune_officer, territory):
    response = token_for(commune_officer).post(URL, {**file_body(b"x"), "content_base64": "!!!"}, format="json")

    assert (response.status_code, response.json()["field"]) == (400, "content_base64")
