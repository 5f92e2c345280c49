"""What the API shows of each object, and the query filters it accepts (validated: a bad value is a 400)."""

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hocvuso.accounts.roles import Permission, Role
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import Organisation, OrganisationKind
from hocvuso.territory.models import UNIT_CODE_MAX_LENGTH, AdministrativeUnit, Level
from hocvuso.territory.models import UNIT_CODE_PATTERN as UNIT_CODE_SHAPE

from .models import ApiToken

# National unit codes are digits ("68", "24631"); villages add a suffix ("24631.001"). Anything else is refused
# before it reaches the database (no NUL bytes, no quotes, no wildcards).
UNIT_CODE_PATTERN = f"^{UNIT_CODE_SHAPE}$"  # the one definition, anchored for the schema
UNIT_CODE_MESSAGE = format_lazy(
    _("Mã đơn vị chỉ gồm chữ số, chữ cái Latin, dấu chấm, gạch dưới hoặc gạch ngang (tối đa {length} ký tự)."),
    length=UNIT_CODE_MAX_LENGTH,
)


def unit_code_field(help_text: str) -> serializers.RegexField:
    return serializers.RegexField(
        UNIT_CODE_PATTERN,
        max_length=UNIT_CODE_MAX_LENGTH,
        required=False,
        help_text=help_text,
        error_messages={"invalid": UNIT_CODE_MESSAGE},
    )


class UnitSerializer(serializers.ModelSerializer[AdministrativeUnit]):
    # `parent` is also an attribute of every DRF field, hence the ignore; the API name is worth it.
    parent: Any = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Mã đơn vị cấp trên (null: cấp cao nhất)."
    )
    successor: Any = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Mã đơn vị kế thừa khi đơn vị đã sáp nhập (null: chưa sáp nhập).",
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "level", "kind", "parent", "valid_from", "valid_to", "successor"]
        read_only_fields = fields


class UnitFilters(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=Level.choices, required=False, help_text="Chỉ các đơn vị thuộc cấp này.")
    parent: Any = unit_code_field("Chỉ các đơn vị trực thuộc đơn vị có mã này.")


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    unit: Any = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Mã đơn vị nơi đặt trụ sở.")

    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "unit"]
        read_only_fields = fields


class OrganisationFilters(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False, help_text="Loại cơ quan, tổ chức.")
    unit = unit_code_field("Chỉ các cơ quan, tổ chức đặt tại đơn vị có mã này hoặc đơn vị trực thuộc nó.")


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.CharField(source="actor_label", read_only=True, help_text="Tên đăng nhập người thực hiện.")
    details = serializers.DictField(read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "ip_address",
            "user_agent",
            "request_id",
            "details",
        ]
        read_only_fields = fields


class AuditEntryFilters(serializers.Serializer[Any]):
    actor = serializers.CharField(max_length=150, required=False, help_text="Một phần tên đăng nhập người thực hiện.")
    action = serializers.CharField(max_length=80, required=False, help_text="Hành động, ví dụ api_token.issue.")
    object_type = serializers.CharField(max_length=80, required=False, help_text="Loại đối tượng, ví dụ api.apitoken.")
    object_id = serializers.CharField(max_length=64, required=False, help_text="Mã đối tượng.")
    since = serializers.DateField(required=False, help_text="Từ ngày (YYYY-MM-DD), tính cả ngày này.")
    until = serializers.DateField(required=False, help_text="Đến ngày (YYYY-MM-DD), tính cả ngày này.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
        return attrs


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    is_usable = serializers.SerializerMethodField(
        help_text="Chưa thu hồi, chưa hết hạn, và vai trò của tài khoản chưa đổi từ khi tạo khóa."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "is_usable"]
        read_only_fields = fields

    def get_is_usable(self, token: ApiToken) -> bool:
        return token.is_usable()


class ApiTokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, help_text="Tên gợi nhớ, ví dụ tên thiết bị.")
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Thời điểm hết hạn (tối đa một năm); bỏ trống: sau 90 ngày."
    )


class IssuedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Khóa đầy đủ — chỉ hiện một lần, hãy lưu lại ngay.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class UnitReferenceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)


class OrganisationReferenceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class RoleAssignmentSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(help_text="Tên vai trò, theo ngôn ngữ của yêu cầu.")
    unit = UnitReferenceSerializer(allow_null=True, help_text="Phạm vi: đơn vị và mọi đơn vị trực thuộc.")
    organisation = OrganisationReferenceSerializer(allow_null=True, help_text="Phạm vi: một cơ quan, tổ chức.")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    is_staff = serializers.BooleanField(help_text="Giữ vai trò cán bộ (cần xác thực hai lớp).")
    authentication = serializers.ChoiceField(choices=["session", "token"], help_text="Cách yêu cầu này được xác thực.")
    roles = RoleAssignmentSerializer(many=True)
    permissions = serializers.ListField(child=serializers.ChoiceField(choices=[p.value for p in Permission]))
    home_unit = UnitReferenceSerializer(allow_null=True, help_text="Đơn vị cao nhất người dùng được xem.")
