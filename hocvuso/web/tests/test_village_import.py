import os
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.core.models import AuditEntry
from hocvuso.territory.models import AdministrativeUnit
from hocvuso.web.uploads import FOLDER, SESSION_KEY, remove_abandoned_uploads

PAGE = "/don-vi/24631/nhap-thon/"


def csv_file(text: str, name: str = "thon.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def village_names(code: str = "24631") -> list[str]:
    return list(AdministrativeUnit.objects.filter(parent__code=code).order_by("code").values_list("name", flat=True))


def test_page_shows_the_upload_form(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    response = client.get(PAGE)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in body
    assert 'href="/don-vi/24631/nhap-thon/mau.csv"' in body


def test_dry_run_then_confirm_creates_the_villages(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    preview = client.post(
        PAGE, {"file": csv_file("Mã thôn,Tên thôn,Loại\n24631.001,Thôn 1,thôn\n,Buôn Mới,buôn\n,Thôn 9,thôn\n")}
    )

    assert preview.status_code == 200
    report = preview.context["report"]
    assert (report.rows, report.unchanged, report.errors, preview.context["new_count"]) == (3, 1, [], 2)
    assert village_names() == ["Thôn 1", "Bon Bu Đăng"]  # nothing written by the dry run
    token = preview.context["token"]
    assert f'name="token" value="{token}"' in preview.content.decode()

    response = client.post(PAGE, {"token": token})

    assert response.status_code == 302
    assert response["Location"] == "/don-vi/24631/"
    assert village_names() == ["Thôn 1", "Bon Bu Đăng", "Buôn Mới", "Thôn 9"]
    assert AuditEntry.objects.filter(action="territory.import_villages").count() == 1
    assert client.session[SESSION_KEY] == {}
    assert "Đã nhập 2 thôn mới." in client.get("/don-vi/24631/").content.decode()


def test_confirming_twice_imports_once(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)
    token = client.post(PAGE, {"file": csv_file("Tên thôn\nThôn 9\n")}).context["token"]
    client.post(PAGE, {"token": token})

    response = client.post(PAGE, {"token": token})

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert village_names() == ["Thôn 1", "Bon Bu Đăng", "Thôn 9"]


def test_bad_rows_are_listed_and_nothing_can_be_confirmed(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    response = client.post(PAGE, {"file": csv_file("Tên thôn,Loại\n,thôn\nThôn 5,phố\nThôn 6,thôn\n")})

    body = response.content.decode()
    errors = [(error.row, error.column) for error in response.context["report"].errors]
    assert errors == [(2, "Tên thôn"), (3, "Loại")]
    assert "Thiếu tên thôn." in body
    assert "Loại “phố” không hợp lệ" in body
    assert "token" not in response.context
    assert 'name="token"' not in body
    assert village_names() == ["Thôn 1", "Bon Bu Đăng"]


def test_unreadable_file_shows_the_service_message(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    response = client.post(PAGE, {"file": csv_file("Ten,Loai\nA,thôn\n")})

    assert response.status_code == 200
    assert "Thiếu cột bắt buộc: Tên thôn." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_too_large_or_wrong_type_is_refused_before_reading(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    large = client.post(PAGE, {"file": csv_file("Tên thôn\n" + "x" * (2 * 1024 * 1024 + 1))})
    excel = client.post(PAGE, {"file": csv_file("Tên thôn\nThôn 9\n", name="thon.xlsx")})

    assert "Tệp quá lớn" in large.content.decode()
    assert "Chỉ nhận tệp .csv" in excel.content.decode()
    assert village_names() == ["Thôn 1", "Bon Bu Đăng"]


def test_cancel_forgets_the_checked_file(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)
    token = client.post(PAGE, {"file": csv_file("Tên thôn\nThôn 9\n")}).context["token"]

    client.post(PAGE, {"token": token, "cancel": "1"})
    response = client.post(PAGE, {"token": token})

    assert response["Location"] == PAGE
    assert village_names() == ["Thôn 1", "Bon Bu Đăng"]


def test_a_token_from_another_commune_is_useless(client: Client, province_admin, territory) -> None:
    client.force_login(province_admin)
    token = client.post("/don-vi/24751/nhap-thon/", {"file": csv_file("Tên thôn\nThôn 9\n")}).context["token"]

    client.post(PAGE, {"token": token})

    assert village_names() == ["Thôn 1", "Bon Bu Đăng"]
    assert village_names("24751") == ["Thôn 3"]


def test_template_lists_existing_villages(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    response = client.get("/don-vi/24631/nhap-thon/mau.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Mã thôn,Tên thôn,Loại",
        "24631.002,Bon Bu Đăng,thôn",
        "24631.001,Thôn 1,thôn",
    ]


def test_import_is_for_communes_in_scope_with_the_right_role(client: Client, make_user, territory) -> None:
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    leader = make_user(Role.TEAM_LEADER, territory.commune)
    file = "Tên thôn\nThôn 9\n"

    client.force_login(officer)
    assert client.get("/don-vi/24751/nhap-thon/").status_code == 404
    assert client.get("/don-vi/24631.001/nhap-thon/").status_code == 404
    assert client.post("/don-vi/24751/nhap-thon/", {"file": csv_file(file)}).status_code == 404

    client.force_login(leader)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"file": csv_file(file)}).status_code == 404
    assert client.get("/don-vi/24631/mau.csv").status_code == 404
    assert "nhap-thon" not in client.get("/don-vi/24631/").content.decode()
    assert village_names() == ["Thôn 1", "Bon Bu Đăng"]


def test_abandoned_checked_files_are_removed_after_twelve_hours(
    client: Client, commune_officer, settings, tmp_path
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    client.force_login(commune_officer)
    token = client.post(PAGE, {"file": csv_file("Tên thôn\nThôn 9\n")}).context["token"]
    stashed = tmp_path / FOLDER / f"{token}.bin"
    assert remove_abandoned_uploads() == 0
    thirteen_hours_ago = time.time() - 13 * 3600
    os.utime(stashed, (thirteen_hours_ago, thirteen_hours_ago))

    assert remove_abandoned_uploads() == 1
    assert not stashed.exists()
