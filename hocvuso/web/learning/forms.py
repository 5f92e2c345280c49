"""Forms of the learning pages: they check the shape of what was sent; the learning services decide the rest."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.learning.models import Assessment
from hocvuso.learning.services.supervision import MAX_VALID_HOURS
from hocvuso.territory.models import AdministrativeUnit


def _assessment_choices(assessments: list[Assessment], blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(assessment.pk), f"{assessment.course.title} — {assessment.title}")
                            for assessment in assessments]  # fmt: skip


class OpenSessionForm(forms.Form):
    """An instructor opens a supervised session for a unit they run classes in."""

    unit = forms.ChoiceField(label=_("Địa bàn của lớp"))
    assessment = forms.ChoiceField(label=_("Bài đánh giá"), required=False)
    class_session = forms.CharField(
        label=_("Buổi học cộng đồng"),
        max_length=64,
        required=False,
        help_text=_("Không bắt buộc, ví dụ: “Nhà văn hóa thôn 1, sáng thứ Bảy”."),
    )
    valid_hours = forms.IntegerField(
        label=_("Mã PIN dùng được trong (giờ)"), min_value=1, max_value=MAX_VALID_HOURS, initial=3
    )

    def __init__(self, *args: Any, units: list[AdministrativeUnit], assessments: list[Assessment], **kwargs: Any):
        super().__init__(*args, **kwargs)
        unit_field = cast(forms.ChoiceField, self.fields["unit"])
        unit_field.choices = [(unit.code, f"{unit.name} ({unit.code})") for unit in units]
        assessment_field = cast(forms.ChoiceField, self.fields["assessment"])
        assessment_field.choices = _assessment_choices(assessments, str(_("Bài nào cũng được")))
        self.assessments = {str(assessment.pk): assessment for assessment in assessments}

    def chosen_assessment(self) -> Assessment | None:
        return self.assessments.get(self.cleaned_data.get("assessment") or "")


class ClassStartForm(forms.Form):
    """A learner on the class device starts a supervised assessment with the session code and the PIN."""

    code = forms.CharField(
        label=_("Mã buổi kiểm tra"),
        max_length=20,
        help_text=_("Gồm 8 chữ và số, người giám sát đọc cho bạn."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    pin = forms.CharField(
        label=_("Mã PIN của người giám sát"),
        max_length=12,
        help_text=_("Người giám sát tự nhập mã này."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )
    assessment = forms.ChoiceField(
        label=_("Bài đánh giá"),
        required=False,
        help_text=_("Chỉ cần chọn khi buổi kiểm tra không dành riêng cho một bài."),
    )

    def __init__(self, *args: Any, assessments: list[Assessment], **kwargs: Any):
        super().__init__(*args, **kwargs)
        assessment_field = cast(forms.ChoiceField, self.fields["assessment"])
        assessment_field.choices = _assessment_choices(assessments, str(_("— Chọn bài —")))
        self.assessments = {str(assessment.pk): assessment for assessment in assessments}

    def chosen_assessment(self) -> Assessment | None:
        return self.assessments.get(self.cleaned_data.get("assessment") or "")
