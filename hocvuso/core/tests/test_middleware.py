"""Requests with a NUL character in the path or the query string get a 400 before any view runs."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/don-vi/%00/", "/ho/%00/", "/theo-doi/chua-tiep-can/%00/", "/nguoi-dan/?q=a%00b", "/nguoi-dan/?%00=1", "/%00"],
)
def test_a_nul_character_is_refused_with_a_clear_answer(client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 400
    assert response.content.decode() == "Địa chỉ có ký tự không hợp lệ."


def test_ordinary_requests_pass(client) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/?q=ab").status_code == 200


def test_the_api_answers_for_itself_in_json(client) -> None:
    response = client.get("/api/v1/units/68%00/")

    assert response.status_code in {401, 403, 404}
    assert response["Content-Type"].startswith("application/json")
