"""Forms of the web pages: they check the shape of what the user sent; the services decide the rest."""

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from hocvuso.core.selectors import audit_actions
from hocvuso.territory.models import UNIT_CODE_MAX_LENGTH, AdministrativeUnit
from hocvuso.territory.services import MAX_VILLAGE_FILE_BYTES

from .audit import action_label


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Mã 6 số"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
        help_text=_("Mở ứng dụng xác thực trên điện thoại và nhập mã 6 số đang hiển thị."),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Mã kích hoạt"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "autofocus": True}
        ),
        help_text=_("Mã 12 ký tự (dạng XXXX-XXXX-XXXX) do quản trị viên hoặc cán bộ UBND xã trao cho bạn."),
    )


class IssueEnrolmentCodeForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập của cán bộ"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )


class VillageFileForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV danh sách thôn"),
        help_text=_(
            "Các cột: “Mã thôn” (không bắt buộc), “Tên thôn”, “Loại” (thôn, bon, buôn, tổ dân phố…). Tối đa 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VILLAGE_FILE_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size)s); tối đa %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_VILLAGE_FILE_BYTES)}
            )
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv (lưu từ Excel: “CSV UTF-8”)."))
        return upload


class ConfirmUploadForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AuditFilterForm(forms.Form):
    """The audit log's filters: person, action, unit, dates; an object (type and id) only from a link."""

    actor = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Hành động"), required=False)
    unit = forms.CharField(
        label=_("Đơn vị (mã)"),
        required=False,
        max_length=UNIT_CODE_MAX_LENGTH,
        help_text=_("Việc của những người có vai trò ở đơn vị này hoặc đơn vị trực thuộc."),
    )
    since = forms.DateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    object_type = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = sorted(((name, str(action_label(name))) for name in audit_actions()), key=lambda pair: pair[1])
        self.fields["action"].choices = [("", _("Tất cả")), *choices]  # type: ignore[attr-defined]

    def clean_unit(self) -> str:
        code = self.cleaned_data.get("unit", "").strip()
        if code and not AdministrativeUnit.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Không có đơn vị mã “%(code)s”.") % {"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The filters to apply: the valid ones (an invalid form filters on nothing it could not read)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            name: data.get(name) or ("" if name not in ("since", "until") else None)
            for name in ("actor", "action", "unit", "object_type", "object_id", "since", "until")
        }
