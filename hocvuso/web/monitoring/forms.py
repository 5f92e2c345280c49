"""Forms of the monitoring pages: they check the shape of what the user sent; the indicator services decide the
rest (who may set a target, and the target's own limits)."""

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hocvuso.indicators.models import Measure
from hocvuso.indicators.selectors import IndicatorInfo

# The targets pages offer the plan's years: from its first year to a few years ahead of today.
FIRST_TARGET_YEAR = 2025
TARGET_YEARS_AHEAD = 5
# A count target above this is a typing mistake (the database keeps up to 10 digits before the decimal point).
MAX_COUNT_TARGET = Decimal(1_000_000_000)
# What a target may look like once spaces and a "%" are dropped and "," is read as the decimal point.
TARGET_TEXT = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]+)?")
MAX_TARGET_TEXT = 30


def target_years(this_year: int) -> list[int]:
    """The years a targets page offers (and accepts)."""
    return list(range(FIRST_TARGET_YEAR, max(FIRST_TARGET_YEAR, this_year) + TARGET_YEARS_AHEAD + 1))


def year_error(years: Sequence[int]) -> str:
    """The message for a year that is not offered."""
    message = _("Năm không hợp lệ. Hãy chọn một năm từ %(first)s đến %(last)s.")
    return str(message) % {"first": years[0], "last": years[-1]}


class YearForm(forms.Form):
    """?nam= on a targets page: one of the offered years; empty means the current year."""

    nam = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, years: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["nam"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(year), str(year)) for year in years]
        field.error_messages["invalid_choice"] = year_error(years)


class TargetValueField(forms.DecimalField):
    """A target as people type it: "80", "72,5", "72.5" or "80 %". Anything else (words, exponents, other
    digits) is "not a number"; the limits come from the form, which knows the indicator's unit of measure."""

    def to_python(self, value: Any) -> Any:  # a Decimal or None (the stubs type it as IntegerField's)
        if isinstance(value, str):
            text = value.replace("\xa0", " ").strip().removesuffix("%").strip().replace(",", ".")
            if text and (len(text) > MAX_TARGET_TEXT or not TARGET_TEXT.fullmatch(text)):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            value = text
        return super().to_python(value)


class TargetForm(forms.Form):
    """Set a unit's target for one indicator and year: `indicator` and `year` come from the page (hidden),
    `value` from the user."""

    indicator = forms.CharField(widget=forms.HiddenInput, required=False)
    year = forms.CharField(widget=forms.HiddenInput, required=False)
    value = TargetValueField(
        label=_("Mục tiêu mới (%)"),
        help_text=_("Từ 0 đến 100, ví dụ 80 hoặc 72,5."),
        min_value=0,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8}),
        error_messages={
            "required": _("Hãy nhập mục tiêu."),
            "invalid": _("Mục tiêu phải là một số, ví dụ 80 hoặc 72,5."),
            "min_value": _("Mục tiêu không được là số âm."),
            "max_decimal_places": _("Mục tiêu chỉ có tối đa hai chữ số sau dấu phẩy."),
        },
    )

    def __init__(
        self, *args: Any, indicators: Mapping[str, IndicatorInfo], years: Sequence[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators, self.years = indicators, list(years)
        code = self.data.get("indicator") if self.is_bound else self.initial.get("indicator")
        info = self.indicators.get(str(code or ""))
        if info is not None and info.measure == Measure.COUNT:
            self.fields["value"].label = _("Mục tiêu mới (số lượng)")
            self.fields["value"].help_text = _("Một số không âm, ví dụ 12.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        info = self.indicators.get(cleaned.get("indicator") or "")
        if info is None:
            raise ValidationError(_("Không tìm thấy chỉ tiêu này ở đơn vị. Hãy tải lại trang rồi thử lại."))
        year_text = cleaned.get("year") or ""
        if year_text not in {str(year) for year in self.years}:  # compared as text: no int() of 5,000 digits
            raise ValidationError(year_error(self.years))
        cleaned["indicator"], cleaned["year"] = info, int(year_text)
        value = cleaned.get("value")
        if value is not None:
            if info.measure == Measure.PERCENT and value > 100:
                self.add_error("value", _("Mục tiêu là tỷ lệ phần trăm, không được lớn hơn 100."))
            elif value > MAX_COUNT_TARGET:
                self.add_error("value", _("Mục tiêu quá lớn."))
        return cleaned
