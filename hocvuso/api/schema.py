"""OpenAPI: how the document describes this API's own parts (the token scheme, the one error shape)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer <prefix>.<secret>` — the token made at /api/v1/tokens/ (registered on import)."""

    target_class = "hocvuso.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "<prefix>.<secret>",
            "description": "An API token made by a signed-in user at /api/v1/tokens/ (shown once).",
        }


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every error answer."""

    detail = serializers.CharField(help_text="Thông báo lỗi cho người dùng.")
    code = serializers.CharField(help_text="Mã lỗi ổn định cho máy đọc, ví dụ not_found, invalid, parse_error.")
    field = serializers.CharField(allow_null=True, help_text="Trường hoặc tham số gây lỗi, nếu có.")
    errors: Any = serializers.DictField(
        required=False, help_text="Mọi lỗi theo từng trường (chỉ khi dữ liệu không hợp lệ)."
    )


class ApiAutoSchema(AutoSchema):
    """Adds the error answers every scoped endpoint can give: 400 (bad input), 401 (no or bad credentials) and
    404 (missing, or outside the caller's scope — the two look the same)."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors = {"401": "Chưa đăng nhập, hoặc khóa truy cập không hợp lệ."}
        if self.method in {"POST", "PUT", "PATCH"} or self._is_list_view():
            errors["400"] = "Dữ liệu gửi lên hoặc tham số không hợp lệ."
        if getattr(self.view, "required_permission", None) is not None or "{" in self.path:
            errors["404"] = "Không có, hoặc nằm ngoài phạm vi của người dùng."
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code]["description"] = description
        return dict(sorted(responses.items()))
