"""Forms of the account pages: they check the shape of what was sent; the services decide the rest."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.administration import set_own_password
from hocvuso.accounts.roles import Role

_USERNAME_ATTRS = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Tên đăng nhập, họ tên hoặc e-mail"), max_length=100, required=False)


class NewAccountForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150, widget=forms.TextInput(attrs=_USERNAME_ATTRS))
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("E-mail (không bắt buộc)"), required=False)
    role = forms.ChoiceField(
        label=_("Vai trò"), choices=[(role.value, role.label) for role in Role if role != Role.LEARNER]
    )
    place = forms.CharField(
        label=_("Mã đơn vị hoặc mã cơ quan"),
        max_length=40,
        help_text=_("Mã đơn vị hành chính (ví dụ mã xã) hoặc mã cơ quan, tổ chức mà vai trò phụ trách."),
    )


class ResidentAccountForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(label=_("E-mail (không bắt buộc)"), required=False)


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    place = forms.CharField(
        label=_("Mã đơn vị hoặc mã cơ quan"),
        max_length=40,
        required=False,
        help_text=_("Để trống cho vai trò người học."),
    )
    valid_from = forms.DateField(
        label=_("Hiệu lực từ"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Hiệu lực đến (không bắt buộc)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") and data["role"] != Role.LEARNER and not data.get("place"):
            self.add_error("place", _("Vai trò này cần mã đơn vị hoặc mã cơ quan."))
        return data


class EndRoleForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    valid_to = forms.DateField(
        label=_("Kết thúc ngày"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )


class LinkResidentForm(forms.Form):
    resident = forms.IntegerField(label=_("Mã người dân trong sổ"), min_value=1)


def _new_password_field(label: Any, *, autofocus: bool = False, help_text: Any = "") -> forms.CharField:
    attrs: dict[str, Any] = {"autocomplete": "new-password"}
    if autofocus:
        attrs["autofocus"] = True
    return forms.CharField(
        label=label, strip=False, max_length=4096, widget=forms.PasswordInput(attrs=attrs), help_text=help_text
    )


class _PasswordTwiceForm(forms.Form):
    """A new password typed twice (`password1`, `password2`), which must be the same."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        return data


class RegistrationForm(_PasswordTwiceForm):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Số điện thoại là tên đăng nhập của bạn."),
    )
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh"), widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
    )
    password1 = _new_password_field(_("Mật khẩu"))
    password2 = _new_password_field(_("Nhập lại mật khẩu"))


class OwnPasswordForm(_PasswordTwiceForm):
    password1 = _new_password_field(
        _("Mật khẩu mới"),
        autofocus=True,
        help_text=_("Ít nhất 8 ký tự, không quá giống tên hay tên đăng nhập, không chỉ gồm chữ số."),
    )
    password2 = _new_password_field(_("Nhập lại mật khẩu mới"))


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form with the product's label; the view counts and audits each request."""

    email = forms.EmailField(
        label=_("E-mail của tài khoản"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ChosenPasswordForm(SetPasswordForm):
    """Django's new-password form after an e-mailed link; saving goes through the product's service (audited, the
    one-time code flag cleared)."""

    def save(self, commit: bool = True) -> Any:
        return set_own_password(user=self.user, password=self.cleaned_data["new_password1"])
