"""Issuing and revoking API tokens: the services, and /api/v1/tokens/ (a token cannot mint tokens)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hocvuso.accounts.roles import Role
from hocvuso.accounts.services import assign_role
from hocvuso.api.models import ApiToken, hash_token_secret
from hocvuso.api.services import MAX_ACTIVE_TOKENS, issue_api_token, revoke_api_token
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry

TOKENS = reverse("api:token-list")


def audit_rows(action):
    return list(AuditEntry.objects.filter(action=action).values("actor_label", "object_type", "object_id", "details"))


# services


def test_issue_api_token_stores_only_a_hash_and_audits(commune_officer):
    expires_at = timezone.now() + timedelta(days=30)

    issued = issue_api_token(user=commune_officer, name="  Máy tính bảng  ", expires_at=expires_at)

    prefix, secret = issued.plain_text.split(".")
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix, token.expires_at) == (
        commune_officer,
        "Máy tính bảng",
        prefix,
        expires_at,
    )
    assert token.secret_hash == hash_token_secret(secret)
    assert secret not in token.secret_hash
    assert audit_rows("api_token.issue") == [
        {
            "actor_label": commune_officer.username,
            "object_type": "api.apitoken",
            "object_id": str(token.pk),
            "details": {"name": "Máy tính bảng", "expires_at": expires_at.isoformat()},
        }
    ]


@pytest.mark.parametrize(
    ("name", "expires_in", "field", "code"),
    [
        ("", None, "name", "required"),
        ("   ", None, "name", "required"),
        ("x" * 101, None, "name", "max_length"),
        ("Điện thoại", timedelta(seconds=-1), "expires_at", "in_past"),
        ("Điện thoại", timedelta(days=367), "expires_at", "too_far"),
    ],
)
def test_issue_api_token_refuses_bad_input_and_changes_nothing(commune_officer, name, expires_in, field, code):
    expires_at = timezone.now() + expires_in if expires_in is not None else None

    with pytest.raises(DomainError) as refused:
        issue_api_token(user=commune_officer, name=name, expires_at=expires_at)

    assert (refused.value.field, refused.value.code) == (field, code)
    assert ApiToken.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_issue_api_token_refuses_an_inactive_user(commune_officer):
    commune_officer.is_active = False

    with pytest.raises(DomainError) as refused:
        issue_api_token(user=commune_officer, name="Điện thoại", expires_at=None)

    assert refused.value.code == "inactive_user"
    assert ApiToken.objects.count() == 0


def test_issue_api_token_limits_usable_tokens_but_not_revoked_ones(commune_officer):
    for number in range(MAX_ACTIVE_TOKENS):
        issued = issue_api_token(user=commune_officer, name=f"Thiết bị {number}", expires_at=None)

    with pytest.raises(DomainError) as refused:
        issue_api_token(user=commune_officer, name="Một khóa nữa", expires_at=None)
    assert refused.value.code == "too_many_tokens"
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS

    revoke_api_token(user=commune_officer, token_id=issued.token.pk)
    issue_api_token(user=commune_officer, name="Một khóa nữa", expires_at=None)
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS + 1


def test_revoke_api_token_revokes_once_and_audits_once(commune_officer):
    token = issue_api_token(user=commune_officer, name="Điện thoại", expires_at=None).token

    revoke_api_token(user=commune_officer, token_id=token.pk)
    first_revoked_at = ApiToken.objects.get().revoked_at
    revoke_api_token(user=commune_officer, token_id=token.pk)

    assert first_revoked_at is not None
    assert ApiToken.objects.get().revoked_at == first_revoked_at
    assert audit_rows("api_token.revoke") == [
        {
            "actor_label": commune_officer.username,
            "object_type": "api.apitoken",
            "object_id": str(token.pk),
            "details": {"name": "Điện thoại"},
        }
    ]


def test_revoke_api_token_of_someone_else_is_not_found_and_changes_nothing(commune_officer, province_admin):
    token = issue_api_token(user=commune_officer, name="Điện thoại", expires_at=None).token

    with pytest.raises(NotFound):
        revoke_api_token(user=province_admin, token_id=token.pk)
    with pytest.raises(NotFound):
        revoke_api_token(user=province_admin, token_id=token.pk + 1000)

    assert ApiToken.objects.get().revoked_at is None
    assert audit_rows("api_token.revoke") == []


# the endpoint


def test_a_signed_in_staff_member_creates_a_token_shown_once(session_for, commune_officer):
    client = session_for(commune_officer)

    response = client.post(TOKENS, {"name": "Máy tính bảng", "expires_at": None}, format="json")

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    body = response.json()
    assert body == {
        "id": token.pk,
        "name": "Máy tính bảng",
        "prefix": token.prefix,
        "created_at": timezone.localtime(token.created_at).isoformat(),
        "expires_at": timezone.localtime(token.expires_at).isoformat(),
        "last_used_at": None,
        "revoked_at": None,
        "is_usable": True,
        "token": body["token"],
    }
    assert body["token"].startswith(f"{token.prefix}.")
    assert token.secret_hash == hash_token_secret(body["token"].split(".", 1)[1])
    listed = client.get(TOKENS).json()["results"]
    assert "token" not in listed[0]
    assert body["token"].split(".", 1)[1] not in str(listed)

    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert with_token.get(reverse("api:me")).json()["username"] == commune_officer.username


def test_a_learner_signed_in_with_a_password_may_create_a_token(session_for, make_user):
    learner = make_user(Role.LEARNER)

    response = session_for(learner).post(TOKENS, {"name": "Điện thoại"}, format="json")

    assert response.status_code == 201


def test_a_token_cannot_create_tokens(token_for, commune_officer):
    client = token_for(commune_officer)

    response = client.post(TOKENS, {"name": "Khóa con"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Chỉ có thể tạo khóa khi đăng nhập bằng trình duyệt; một khóa không thể tạo khóa khác.",
        "code": "session_required",
        "field": None,
    }
    assert ApiToken.objects.count() == 1
    assert AuditEntry.objects.filter(action="api_token.issue").count() == 1


def test_a_staff_session_without_the_second_factor_cannot_create_tokens(session_for, commune_officer):
    client = session_for(commune_officer, second_factor=False)

    response = client.post(TOKENS, {"name": "Máy tính bảng"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert ApiToken.objects.count() == 0


def test_creating_a_token_with_a_past_expiry_is_a_400_naming_the_field(session_for, commune_officer):
    response = session_for(commune_officer).post(
        TOKENS, {"name": "Máy tính bảng", "expires_at": "2020-01-01T00:00:00+07:00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Thời điểm hết hạn phải ở tương lai.",
        "field": "expires_at",
        "code": "in_past",
    }
    assert ApiToken.objects.count() == 0


def test_creating_a_token_without_a_name_is_a_400_naming_the_field(session_for, commune_officer):
    response = session_for(commune_officer).post(TOKENS, {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["code"]) == ("name", "required")
    assert body["errors"] == {"name": [body["detail"]]}
    assert ApiToken.objects.count() == 0


def test_creating_a_token_with_a_bad_date_is_a_400(session_for, commune_officer):
    response = session_for(commune_officer).post(
        TOKENS, {"name": "Điện thoại", "expires_at": "ngày mai"}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == ("expires_at", "invalid")


def test_malformed_json_is_a_400_that_says_so(session_for, commune_officer):
    response = session_for(commune_officer).post(TOKENS, '{"name": "Điện thoại",', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nội dung yêu cầu không phải là JSON hợp lệ.",
        "code": "parse_error",
        "field": None,
    }
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code"), [("[]", "invalid"), ('"Điện thoại"', "invalid"), ("null", "null"), ("42", "invalid")]
)
def test_json_that_is_not_an_object_is_a_400(session_for, commune_officer, body, code):
    response = session_for(commune_officer).post(TOKENS, body, content_type="application/json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, None)
    assert ApiToken.objects.count() == 0


def test_a_form_post_is_415_in_json(session_for, commune_officer):
    response = session_for(commune_officer).post(TOKENS, {"name": "Điện thoại"})

    assert response.status_code == 415
    assert response.json() == {
        "detail": "API chỉ nhận nội dung JSON (Content-Type: application/json).",
        "code": "unsupported_media_type",
        "field": None,
    }


def test_session_writes_need_the_csrf_token(commune_officer):
    from hocvuso.api.tests.conftest import sign_in

    client = sign_in(APIClient(enforce_csrf_checks=True), commune_officer)

    response = client.post(TOKENS, {"name": "Điện thoại"}, format="json")

    assert response.status_code == 403
    assert ApiToken.objects.count() == 0


def test_revoking_a_token_through_the_api(session_for, commune_officer):
    token = issue_api_token(user=commune_officer, name="Điện thoại", expires_at=None).token
    client = session_for(commune_officer)

    response = client.delete(reverse("api:token-detail", kwargs={"token_id": token.pk}))

    assert response.status_code == 200
    token.refresh_from_db()
    assert response.json()["revoked_at"] == timezone.localtime(token.revoked_at).isoformat()
    assert response.json()["is_usable"] is False
    assert AuditEntry.objects.filter(action="api_token.revoke", object_id=str(token.pk)).count() == 1


def test_a_device_may_revoke_its_own_token(commune_officer):
    issued = issue_api_token(user=commune_officer, name="Điện thoại", expires_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain_text}")

    revoked = client.delete(reverse("api:token-detail", kwargs={"token_id": issued.token.pk}))
    afterwards = client.get(reverse("api:me"))

    assert revoked.status_code == 200
    assert afterwards.status_code == 401


def test_reading_one_token(session_for, commune_officer):
    token = issue_api_token(user=commune_officer, name="Điện thoại", expires_at=None).token

    response = session_for(commune_officer).get(reverse("api:token-detail", kwargs={"token_id": token.pk}))

    assert response.status_code == 200
    assert response.json()["name"] == "Điện thoại"
    assert "token" not in response.json()


def test_tokens_cannot_be_changed_with_put_or_patch(session_for, commune_officer):
    token = issue_api_token(user=commune_officer, name="Điện thoại", expires_at=None).token
    client = session_for(commune_officer)
    url = reverse("api:token-detail", kwargs={"token_id": token.pk})

    put = client.put(url, {"name": "Đổi tên"}, format="json")
    patch = client.patch(url, {"name": "Đổi tên"}, format="json")

    assert (put.status_code, patch.status_code) == (405, 405)
    assert put.json() == {
        "detail": "Phương thức PUT không dùng được ở địa chỉ này.",
        "code": "method_not_allowed",
        "field": None,
    }
    assert ApiToken.objects.get().name == "Điện thoại"


# expiry (issue 8, hole 10) and role changes (hole 5)


def test_a_token_made_without_an_expiry_expires_after_the_default_lifetime(commune_officer, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 30
    before = timezone.now()

    token = issue_api_token(user=commune_officer, name="Điện thoại").token

    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    assert ApiToken.objects.filter(expires_at__isnull=True).count() == 0


def test_an_expired_token_opens_nothing(commune_officer):
    issued = issue_api_token(user=commune_officer, name="Điện thoại")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain_text}")
    assert client.get(reverse("api:me")).status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("api:me"))

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")


def test_a_learners_token_stops_working_when_a_staff_role_is_given(make_user, territory, province_admin):
    learner = make_user(Role.LEARNER)
    issued = issue_api_token(user=learner, name="Điện thoại")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain_text}")
    assert client.get(reverse("api:me")).status_code == 200

    assign_role(user=learner, role=Role.COMMUNE_OFFICER, unit=territory.commune, assigned_by=province_admin)
    me = client.get(reverse("api:me"))
    units = client.get(reverse("api:unit-list"))

    assert (me.status_code, units.status_code) == (401, 401)
    assert "24631" not in units.content.decode()
    assert ApiToken.objects.get().is_usable() is False
    assert ApiToken.objects.usable().count() == 0
