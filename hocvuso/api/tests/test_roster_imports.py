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


def test_through_the_api_a_roster_is_a_full_list_and_reaches_no_one_outside_the_importers_area(
    token_for, commune_officer, territory
):
    """Issue 9 (rosters are full lists, a row must be the registered person) and issue 8 hole 1, by the API."""
    from hocvuso.people.models import Membership, OrganisationKind
    from hocvuso.people.services import register_resident
    from hocvuso.people.tests.factories import OrganisationFactory
    from hocvuso.people.tests.import_files import ROSTER_HEADER, national_id, roster_member

    OrganisationFactory(code="THPT", name="Trường THPT", kind=OrganisationKind.SCHOOL, unit=territory.commune)
    birth = datetime.date(1985, 3, 14)
    register_resident(
        full_name="Đinh Thị Lan",
        birth_date=birth,
        sex="F",
        ethnicity="Kinh",
        village=territory.other_village,
        national_id=national_id(birth, "F", 555),
        actor=None,
    )
    client = token_for(commune_officer)

    def send(rows, as_of, dry_run=False):
        body = file_body(
            csv_bytes(rows, header=ROSTER_HEADER), kind="staff", organisation="THPT", as_of=as_of, dry_run=dry_run
        )
        response = client.post(URL, body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    binh, hoa = roster_member(1), roster_member(2, name="Lê Thị Hoa", sex="F")
    assert send([binh, hoa], "2025-01-01")["created_count"] == 2
    check = send([roster_member(1, position="Hiệu trưởng")], "2025-07-01", dry_run=True)
    assert (check["memberships_ended"], check["as_of"], check["changes"]) == (
        1,
        "2025-07-01",
        {"ended": [{"name": "Lê Thị Hoa", "position": "Chuyên viên"}]},
    )
    confirmed = client.post(f"{URL}{check['id']}/confirm/", {}, format="json").json()
    assert (confirmed["status"], confirmed["memberships_ended"]) == ("done", 1)
    assert sorted(Membership.objects.values_list("resident__full_name", "position", "valid_to")) == [
        ("Lê Thị Hoa", "Chuyên viên", datetime.date(2025, 6, 30)),
        ("Trần Văn Bình", "Hiệu trưởng", None),
    ]
    before = snapshot()

    lan = roster_member(555, name="Đinh Thị Lan", sex="F", birth=birth)
    nobody = roster_member(556, name="Đinh Thị Lan", sex="F", birth=birth)
    checked_lan = send([roster_member(1, position="Hiệu trưởng"), lan], "2025-07-01", dry_run=True)
    checked_nobody = send([roster_member(1, position="Hiệu trưởng"), nobody], "2025-07-01", dry_run=True)
    same = ["status", "message", "created_count", "updated_count", "unchanged_count", "residents_created", "changes"]
    assert [checked_lan[key] for key in same] == [checked_nobody[key] for key in same]
    imported = send([roster_member(1, position="Hiệu trưởng"), lan], "2025-07-01")

    assert imported["status"] == "rejected"
    assert [problem["row"] for problem in imported["problems"]] == [3]
    assert "/nguoi-dan/yeu-cau-chuyen/moi/" in imported["problems"][0]["message"]
    assert "Đinh Thị Lan" not in str(imported)
    assert snapshot() == before
