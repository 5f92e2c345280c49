"""Token authentication: `Authorization: Bearer <prefix>.<secret>` (or `Token …`); every bad token is a 401."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hocvuso.accounts.roles import Role
from hocvuso.api.models import ApiToken
from hocvuso.api.services import issue_api_token, revoke_api_token

ME = reverse("api:me")
INVALID = {"detail": "Khóa truy cập không hợp lệ.", "code": "authentication_failed", "field": None}
UNUSABLE = {"detail": "Khóa truy cập đã hết hạn hoặc đã bị thu hồi.", "code": "authentication_failed", "field": None}


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.fixture
def issued(commune_officer):
    return issue_api_token(user=commune_officer, name="Máy tính bảng", expires_at=None)


@pytest.mark.parametrize("keyword", ["Bearer", "bearer", "Token"])
def test_a_valid_token_authenticates_as_its_user(issued, commune_officer, keyword):
    response = client_with(f"{keyword} {issued.plain_text}").get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == commune_officer.username
    assert response.json()["authentication"] == "token"


def test_a_token_reaches_scoped_endpoints_with_its_users_scope(issued):
    response = client_with(f"Bearer {issued.plain_text}").get(reverse("api:unit-list"))

    assert [row["code"] for row in response.json()["results"]] == ["24631", "24631.001", "24631.002"]


def test_a_token_outside_its_users_scope_gets_404(issued):
    response = client_with(f"Bearer {issued.plain_text}").get(reverse("api:unit-detail", kwargs={"code": "24751"}))

    assert response.status_code == 404


def test_using_a_token_records_when_it_was_last_used(issued):
    assert issued.token.last_used_at is None

    client_with(f"Bearer {issued.plain_text}").get(ME)

    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
    assert timezone.now() - issued.token.last_used_at < timedelta(seconds=5)


def test_the_wrong_secret_is_refused(issued):
    prefix = issued.token.prefix
    response = client_with(f"Bearer {prefix}.{'A' * 43}").get(ME)

    assert response.status_code == 401
    assert response.json() == INVALID
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_unknown_prefix_is_refused(issued):
    secret = issued.plain_text.split(".", 1)[1]
    other_prefix = "0" * 8 if issued.token.prefix != "0" * 8 else "1" * 8

    response = client_with(f"Bearer {other_prefix}.{secret}").get(ME)

    assert response.status_code == 401
    assert response.json() == INVALID


def test_a_revoked_token_is_refused(issued, commune_officer):
    revoke_api_token(user=commune_officer, token_id=issued.token.pk)

    response = client_with(f"Bearer {issued.plain_text}").get(ME)

    assert response.status_code == 401
    assert response.json() == UNUSABLE


def test_an_expired_token_is_refused(issued):
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client_with(f"Bearer {issued.plain_text}").get(ME)

    assert response.status_code == 401
    assert response.json() == UNUSABLE


def test_a_token_before_its_expiry_is_accepted(commune_officer):
    issued = issue_api_token(user=commune_officer, name="Tạm", expires_at=timezone.now() + timedelta(minutes=5))

    response = client_with(f"Bearer {issued.plain_text}").get(ME)

    assert response.status_code == 200


def test_the_token_of_an_inactive_user_is_refused(issued, commune_officer):
    commune_officer.is_active = False
    commune_officer.save(update_fields=["is_active"])

    response = client_with(f"Bearer {issued.plain_text}").get(ME)

    assert response.status_code == 401
    assert response.json() == UNUSABLE


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer nodot",
        "Bearer 0123abcd.",
        "Bearer .secretsecretsecretsecret",
        "Bearer 0123ABCD.secretsecretsecretsecret",
        "Bearer 0123abcd.short",
        "Bearer 0123abcd.' OR '1'='1' --aaaaaaaaaaa",
        "Bearer 0123abcd.s\u00e9cr\u00e8tsecretsecretsecret",
        "Bearer " + "a" * 5000,
    ],
)
def test_a_malformed_bearer_header_is_a_401_not_an_error(db, header):
    response = client_with(header).get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_header_with_raw_non_ascii_bytes_is_a_401(db):
    client = APIClient()

    response = client.get(ME, HTTP_AUTHORIZATION="Bearer 0123abcd.\u0111\u1ea5t".encode().decode("latin-1"))

    assert response.status_code == 401


def test_another_scheme_is_left_to_the_session_and_stays_anonymous(db):
    response = client_with("Basic dXNlcjpwYXNz").get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_is_refused_even_alongside_a_valid_session(session_for, commune_officer):
    client = session_for(commune_officer)
    client.credentials(HTTP_AUTHORIZATION="Bearer 0123abcd.secretsecretsecretsecret")

    response = client.get(ME)

    assert response.status_code == 401


def test_a_token_whose_users_role_ended_reaches_me_but_not_units(make_user, territory):
    user = make_user(Role.TEAM_MEMBER, unit=territory.village)
    issued = issue_api_token(user=user, name="Điện thoại", expires_at=None)
    user.role_assignments.update(
        valid_from=timezone.localdate() - timedelta(days=10), valid_to=timezone.localdate() - timedelta(days=1)
    )
    client = client_with(f"Bearer {issued.plain_text}")

    assert client.get(ME).status_code == 200
    assert client.get(reverse("api:unit-list")).status_code == 404


def test_an_inactive_users_session_is_anonymous(session_for, commune_officer):
    client = session_for(commune_officer)
    commune_officer.is_active = False
    commune_officer.save(update_fields=["is_active"])

    response = client.get(ME)

    assert response.status_code == 401
