"""Forms of the reporting pages: they check the shape of what was sent; the reporting services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.reporting.models import TaskStatus

QUARTER_PATTERN = r"^\d{4}-?Q[1-4]$"


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DraftForm(forms.Form):
    subject = forms.RegexField(regex=r"^[uo]:\d{1,15}$", widget=forms.HiddenInput)
    quarter = forms.RegexField(regex=QUARTER_PATTERN, widget=forms.HiddenInput)
    frozen_on = forms.DateField(
        label=_("Chốt số liệu đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReportTextForm(VersionForm):
    results = forms.CharField(label=_("Kết quả đạt được"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    strengths = forms.CharField(label=_("Ưu điểm"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    limitations = forms.CharField(
        label=_("Hạn chế, nguyên nhân"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    proposals = forms.CharField(label=_("Đề xuất, kiến nghị"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    document_number = forms.CharField(label=_("Số văn bản"), required=False, max_length=20)
    signer_name = forms.CharField(label=_("Họ và tên người ký"), required=False, max_length=120)


class FreezeForm(VersionForm):
    frozen_on = forms.DateField(label=_("Chốt lại số liệu đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))


class ReviewForm(VersionForm):
    decision = forms.ChoiceField(choices=[("accept", _("Chấp nhận")), ("return", _("Trả lại"))])
    comment = forms.CharField(
        label=_("Ý kiến (bắt buộc khi trả lại)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=TaskStatus.choices)
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Nội dung đã thực hiện"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Tên minh chứng"), max_length=200)
    url = forms.URLField(label=_("Đường dẫn"), required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(label=_("Hoặc tệp (PDF, ảnh, Word, Excel)"), required=False)
