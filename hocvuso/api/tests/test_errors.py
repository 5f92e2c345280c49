"""The one error shape: `{"detail", "code", "field"}` (+ `errors` for invalid input), whatever went wrong."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions

from hocvuso.api.errors import api_exception_handler
from hocvuso.core.errors import DomainError, NotFound


def handle(exc):
    response = api_exception_handler(exc, {"request": None, "view": None})
    return (response.status_code, response.data) if response is not None else None


def test_a_domain_error_is_a_400_with_its_message_field_and_code():
    error = DomainError("Mã đơn vị đã tồn tại.", field="code", code="duplicate")

    assert handle(error) == (400, {"detail": "Mã đơn vị đã tồn tại.", "field": "code", "code": "duplicate"})


def test_a_domain_not_found_is_a_404():
    assert handle(NotFound()) == (404, {"detail": "Không tìm thấy.", "code": "not_found", "field": None})


def test_a_django_404_never_names_the_model():
    error = Http404("No AdministrativeUnit matches the given query.")

    assert handle(error) == (404, {"detail": "Không tìm thấy.", "code": "not_found", "field": None})


def test_a_django_permission_denied_is_a_403():
    assert handle(PermissionDenied()) == (
        403,
        {"detail": "Bạn không được thực hiện thao tác này.", "code": "permission_denied", "field": None},
    )


def test_a_nested_validation_error_names_the_path_of_the_first_field():
    error = exceptions.ValidationError({"visits": [{}, {"household": ["Bắt buộc."]}]})

    status, body = handle(error)

    assert status == 400
    assert body == {
        "detail": "Bắt buộc.",
        "code": "invalid",
        "field": "visits.1.household",
        "errors": {"visits": [{}, {"household": ["Bắt buộc."]}]},
    }


def test_a_non_field_validation_error_has_no_field():
    status, body = handle(exceptions.ValidationError(["Dữ liệu không nhất quán."], code="inconsistent"))

    assert (status, body["detail"], body["code"], body["field"]) == (
        400,
        "Dữ liệu không nhất quán.",
        "inconsistent",
        None,
    )


def test_a_message_a_view_chose_is_kept():
    error = exceptions.PermissionDenied("Chỉ quản trị tỉnh.", code="province_only")

    assert handle(error) == (403, {"detail": "Chỉ quản trị tỉnh.", "code": "province_only", "field": None})


def test_an_unexpected_error_is_left_to_django():
    assert handle(ValueError("bug")) is None
