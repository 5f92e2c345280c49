"""The certificate pages: public verification (states, masking, no national ID, rate limit, JSON), the holder's
list and downloads (JSON, PDF in Vietnamese within 150 KB), the staff's revocation page, `export_credential`."""

import io
import json
import subprocess

import pytest
from django.core.management import call_command
from django.test import override_settings

from hocvuso.credentials.models import Certificate
from hocvuso.credentials.services import change_certificate_status, issue_certificate
from hocvuso.credentials.tests.conftest import DAO_ID, confirm, course, dao, signing_key  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(signing_key, dao, confirm) -> Certificate:  # noqa: F811
    return issue_certificate(literacy_status=confirm(dao, username="dao.nguyen"))


def test_the_verification_page_shows_a_valid_certificate_with_the_name_masked(client, certificate) -> None:
    response = client.get(f"/xac-minh/{certificate.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Chứng nhận hợp lệ, còn hiệu lực." in body
    assert "Nguyễn T. Đ." in body and "Nguyễn Thị Đào" not in body
    assert DAO_ID not in body and DAO_ID[-3:] + "<" not in body
    assert "Lâm Đồng" in body and "4.1 " in body and "CB1" in body


def test_the_page_and_the_json_tell_revoked_suspended_and_not_found(client, certificate, province_admin) -> None:
    change_certificate_status(certificate=certificate, status="suspended", reason="Xác minh lại", actor=province_admin)
    assert "tạm đình chỉ" in client.get(f"/xac-minh/{certificate.pk}/").content.decode()
    assert client.get(f"/xac-minh/{certificate.pk}.json").json()["status"] == "suspended"
    change_certificate_status(certificate=certificate, status="revoked", reason="Gian lận", actor=province_admin)
    assert "đã bị thu hồi" in client.get(f"/xac-minh/{certificate.pk}/").content.decode()
    answer = client.get(f"/xac-minh/{certificate.pk}.json").json()
    assert answer["status"] == "revoked" and answer["holder"] == "Nguyễn T. Đ."
    assert DAO_ID not in json.dumps(answer) and "Gian lận" not in json.dumps(answer)
    missing = client.get("/xac-minh/00000000-0000-4000-8000-000000000000/")
    assert missing.status_code == 404 and "Không tìm thấy chứng nhận này." in missing.content.decode()
    assert client.get("/xac-minh/00000000-0000-4000-8000-000000000000.json").json()["status"] == "not_found"


@override_settings(CREDENTIALS_VERIFY_RATE_PER_MINUTE=3)
def test_verification_is_rate_limited_per_client_address(client, certificate) -> None:
    from django.core.cache import cache

    cache.clear()
    codes = [client.get(f"/xac-minh/{certificate.pk}.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client.get(f"/xac-minh/{certificate.pk}/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    cache.clear()


def test_the_holder_downloads_the_signed_json_and_nobody_else_can(client, certificate, make_user) -> None:
    client.force_login(certificate.user)
    listing = client.get("/chung-nhan/").content.decode()
    assert f"/xac-minh/{certificate.pk}/" in listing and f"/xac-minh/{certificate.pk}/qr.svg" in listing
    response = client.get(f"/chung-nhan/{certificate.pk}/tai-ve.json")
    assert response.status_code == 200 and json.loads(response.content) == certificate.credential
    client.force_login(make_user())
    assert client.get(f"/chung-nhan/{certificate.pk}/tai-ve.json").status_code == 404
    assert client.get(f"/chung-nhan/{certificate.pk}/tai-ve.pdf").status_code == 404


def test_the_pdf_is_a4_in_vietnamese_under_150_kb(client, certificate, tmp_path) -> None:
    client.force_login(certificate.user)
    response = client.get(f"/chung-nhan/{certificate.pk}/tai-ve.pdf")
    content = response.content
    assert response.status_code == 200 and content.startswith(b"%PDF")
    assert len(content) <= 150 * 1024
    (tmp_path / "c.pdf").write_bytes(content)
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True, text=True, check=True).stdout
    assert "x 841.89 pts (A4)" in info
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True)
    words = " ".join(text.stdout.split())
    for expected in ("CHỨNG NHẬN", "ĐẠT PHỔ CẬP KỸ NĂNG SỐ", "Nguyễn Thị Đào", "LÂM ĐỒNG", "Người dân",
                     "4.1 Bảo vệ thiết bị", str(certificate.pk)):  # fmt: skip
        assert expected in words, expected
    assert DAO_ID not in words
    assert Certificate.objects.get().pdf is not None  # kept for the next download


def test_the_qr_code_is_an_svg_of_the_verification_url(client, certificate) -> None:
    response = client.get(f"/xac-minh/{certificate.pk}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_the_province_administrator_revokes_from_the_page(client, certificate, province_admin) -> None:
    client.force_login(province_admin)
    refused = client.post(f"/chung-nhan/quan-ly/{certificate.pk}/", {"status": "revoked", "reason": ""})
    assert refused.status_code == 200 and Certificate.objects.get().status == "valid"
    done = client.post(f"/chung-nhan/quan-ly/{certificate.pk}/", {"status": "revoked", "reason": "Thi hộ"})
    assert done.status_code == 302 and Certificate.objects.get().status == "revoked"


def test_export_credential_prints_the_signed_json(certificate) -> None:
    out = io.StringIO()
    call_command("export_credential", str(certificate.pk), stdout=out)
    assert json.loads(out.getvalue()) == certificate.credential
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_credential", "not-a-uuid", stdout=io.StringIO())


def test_the_did_document_lists_the_keys_as_multikeys(client, certificate) -> None:
    document = client.get("/.well-known/did.json").json()
    assert document["id"] == "did:web:localhost%3A8000"
    assert document["verificationMethod"][0]["type"] == "Multikey"
    assert document["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
    assert "privateKey" not in json.dumps(document)


def test_the_province_administrator_reconciles_vneid_after_a_dry_run(client, province_admin, dao) -> None:  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hocvuso.indicators.models import VneidCertification

    client.force_login(province_admin)
    data = f"Số định danh,Họ và tên,Ngày xác nhận\n{DAO_ID},Nguyễn Thị Đào,15/10/2026\n".encode()
    checked = client.post("/chung-nhan/doi-soat-vneid/", {"file": SimpleUploadedFile("vneid.csv", data)})
    body = checked.content.decode()
    assert checked.status_code == 200 and "Kết quả kiểm tra" in body and DAO_ID not in body
    assert not VneidCertification.objects.exists()
    token = checked.context["token"]
    done = client.post("/chung-nhan/doi-soat-vneid/", {"token": token})
    assert done.status_code == 200 and VneidCertification.objects.filter(resident=dao).count() == 1
    again = client.post("/chung-nhan/doi-soat-vneid/", {"token": token})  # the stash is used once
    assert again.status_code == 302


def test_learners_and_administrators_find_the_certificate_pages_in_the_navigation(client, certificate, province_admin):
    from hocvuso.accounts.tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=certificate.user, role="learner")
    client.force_login(certificate.user)
    assert 'href="/chung-nhan/"' in client.get("/").content.decode()
    client.force_login(province_admin)
    home = client.get("/").content.decode()
    assert "/chung-nhan/doi-soat-vneid/" in home and "/chung-nhan/gui-loi/" in home
