"""Forms of the VNeID pages: the learner's commune, the officer's confirmation and rejection."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hocvuso.people.ethnicity import ETHNICITIES
from hocvuso.territory.models import AdministrativeUnit, Level


class CommuneForm(forms.Form):
    commune = forms.ModelChoiceField(
        label=_("Xã, phường nơi bạn đang sống"), queryset=AdministrativeUnit.objects.none(), empty_label=_("— Chọn —")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = AdministrativeUnit.objects.filter(level=Level.PROVINCE, code=settings.PROVINCE_CODE).first()
        communes = AdministrativeUnit.objects.in_force().communes()
        self.fields["commune"].queryset = (  # type: ignore[attr-defined]
            communes.within(province).order_by("name") if province else communes.none()
        )


class ConfirmRegistrationForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("Thôn, tổ dân phố"), queryset=AdministrativeUnit.objects.none(), empty_label=_("— Chọn —")
    )
    ethnicity = forms.TypedChoiceField(
        label=_("Dân tộc"), coerce=int, choices=[("", _("— Chọn —")), *sorted(ETHNICITIES.items())]
    )

    def __init__(self, *args: Any, commune: AdministrativeUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (  # type: ignore[attr-defined]
            AdministrativeUnit.objects.in_force().villages().filter(parent=commune).order_by("name")
        )


class RejectRegistrationForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do từ chối (người học sẽ đọc)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
