"""Forms of the registry pages (people search, corrections, digital identity, roster import): they check the
shape of what the user sent; the people services decide the rest."""

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.people.ethnicity import ETHNICITIES
from hocvuso.people.import_models import ImportKind
from hocvuso.people.imports.services import upload_limit
from hocvuso.people.models import EvidenceSource, Household, Organisation, Sex, VneidLevel
from hocvuso.territory.models import AdministrativeUnit

MAX_QUERY_LENGTH = 100
ROSTER_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")
# Above this many organisations in scope (a province administrator) the organisation is typed by its code.
ORGANISATION_SELECT_LIMIT = 100


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Họ tên, số định danh hoặc mã hộ"),
        help_text=_("Gõ có dấu hoặc không dấu, ví dụ “nguyen thi dao”; hoặc đủ 12 số định danh; hoặc mã hộ."),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )

    def query(self) -> str:
        """The query to search for ("" when absent); an over-long query is cut, never an error page."""
        raw = self.data.get("q", "") if hasattr(self.data, "get") else ""
        return str(raw)[:MAX_QUERY_LENGTH].strip()


class NotReachedForm(forms.Form):
    """The "not yet reached" filter of the people list (links from the "leave no one behind" page):
    `chua_dat` names the indicator, and exactly one of `don_vi` (a unit code) or `to_chuc` (an organisation
    code) says where. Only the shape is checked here; the selector decides whether it exists and is visible."""

    chua_dat = forms.SlugField(max_length=60)
    don_vi = forms.CharField(max_length=40, required=False)
    to_chuc = forms.CharField(max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("don_vi")) == bool(cleaned.get("to_chuc")):
            raise forms.ValidationError(_("Hãy chọn một đơn vị hoặc một cơ quan, tổ chức."))
        return cleaned


def _ethnicity_choices() -> list[tuple[int, str]]:
    return sorted(ETHNICITIES.items(), key=lambda item: item[0])


class ResidentCorrectionForm(forms.Form):
    """Correct a resident. The ID and phone fields start empty: empty means "keep", so the page never shows
    (nor reads) the full numbers; the check boxes remove them."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth_date = forms.DateField(
        label=_("Ngày sinh"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, widget=forms.RadioSelect)
    ethnicity = forms.TypedChoiceField(label=_("Dân tộc"), coerce=int, choices=_ethnicity_choices)
    village = forms.ModelChoiceField(label=_("Thôn, tổ dân phố nơi cư trú"), queryset=AdministrativeUnit.objects.none())
    household_code = forms.CharField(
        label=_("Mã hộ"),
        required=False,
        max_length=40,
        help_text=_("Để trống nếu người này không thuộc hộ nào trong sổ."),
    )
    national_id = forms.CharField(
        label=_("Số định danh cá nhân mới"),
        required=False,
        max_length=20,
        help_text=_("Để trống để giữ nguyên số hiện có."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    remove_national_id = forms.BooleanField(label=_("Xóa số định danh cá nhân"), required=False)
    phone = forms.CharField(
        label=_("Số điện thoại mới"),
        required=False,
        max_length=20,
        help_text=_("Để trống để giữ nguyên số hiện có."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    remove_phone = forms.BooleanField(label=_("Xóa số điện thoại"), required=False)

    def __init__(self, *args: Any, villages: Any, households: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.households = households

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["household_code"] = self._household(cleaned)
        if cleaned.get("remove_national_id") and cleaned.get("national_id"):
            self.add_error("national_id", _("Hãy ghi số mới hoặc chọn xóa số, không cả hai."))
        if cleaned.get("remove_phone") and cleaned.get("phone"):
            self.add_error("phone", _("Hãy ghi số mới hoặc chọn xóa số, không cả hai."))
        return cleaned

    def _household(self, cleaned: dict[str, Any]) -> Household | None:
        """The household with the code in the chosen village (household codes are unique per village only)."""
        code = (cleaned.get("household_code") or "").strip()
        village = cleaned.get("village")
        if not code or village is None:
            return None
        household = self.households.filter(code=code, village=village).first()
        if household is None:
            self.add_error(
                "household_code", _("Không tìm thấy hộ có mã này ở thôn, tổ dân phố đã chọn trong địa bàn của bạn.")
            )
        return household

    def changes(self) -> dict[str, Any]:
        """The changes to send to `correct_resident` (only what the form may change; empty numbers kept)."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "full_name": data["full_name"],
            "birth_date": data["birth_date"],
            "sex": data["sex"],
            "ethnicity": data["ethnicity"],
            "village": data["village"],
            "household": data["household_code"],
        }
        if data.get("remove_national_id"):
            changes["national_id"] = None
        elif data.get("national_id"):
            changes["national_id"] = data["national_id"]
        if data.get("remove_phone"):
            changes["phone"] = None
        elif data.get("phone"):
            changes["phone"] = data["phone"]
        return changes


_UNCHANGED = ("", _("Giữ nguyên"))


class DigitalIdentityForm(forms.Form):
    vneid_level = forms.TypedChoiceField(
        label=_("Mức định danh điện tử VNeID"),
        choices=[_UNCHANGED, *VneidLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    has_bank_account = forms.TypedChoiceField(
        label=_("Tài khoản ngân hàng số"),
        choices=[_UNCHANGED, ("1", _("Có")), ("0", _("Chưa có"))],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Nguồn thông tin"),
        choices=[(value, label) for value, label in EvidenceSource.choices if value != EvidenceSource.IMPORT],
        initial=EvidenceSource.VISIT,
    )
    on = forms.DateField(label=_("Ngày ghi nhận"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("vneid_level") is None and cleaned.get("has_bank_account") is None and not self.errors:
            raise forms.ValidationError(_("Hãy chọn mức VNeID hoặc tình trạng tài khoản ngân hàng số."))
        return cleaned


class RosterUploadForm(forms.Form):
    """Choose the roster kind, where it goes (a unit, or an organisation) and the file."""

    kind = forms.ChoiceField(label=_("Loại danh sách"), choices=ImportKind.choices, widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(
        label=_("Địa bàn"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=None,
        help_text=_("Xã, phường của danh sách dân cư; hoặc nơi tìm thôn cư trú của người mới trong danh sách tổ chức."),
    )
    organisation = forms.CharField(
        label=_("Cơ quan, tổ chức"),
        required=False,
        max_length=40,
        help_text=_("Chỉ cho danh sách cán bộ, học sinh, sinh viên, người lao động."),
    )
    as_of = forms.DateField(
        label=_("Danh sách tính đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Chỉ cho danh sách của cơ quan, tổ chức: đó là danh sách đầy đủ tại ngày này; người có trong danh sách "
            "trước mà không còn trong danh sách này sẽ thôi từ ngày này (bạn xem và xác nhận trước khi nhập). Để "
            "trống: hôm nay."
        ),
    )
    file = forms.FileField(
        label=_("Tệp danh sách (.xlsx hoặc .csv)"),
        error_messages={
            "empty": _("Tệp rỗng. Hãy điền danh sách vào tệp mẫu rồi gửi lại."),
            "required": _("Hãy chọn tệp danh sách."),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,.txt,.tsv,text/csv,text/plain,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, units: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        self.fields["file"].help_text = _("Dùng tệp mẫu bên dưới. Tối đa %(xlsx)s với .xlsx, %(csv)s với .csv.") % {
            "xlsx": filesizeformat(upload_limit("xlsx")),
            "csv": filesizeformat(upload_limit("csv")),
        }
        unit_field = self.fields["unit"]
        unit_field.queryset = units  # type: ignore[attr-defined]
        if not units.exists():
            del self.fields["unit"]
        count = organisations.count()
        if count == 0:
            del self.fields["organisation"]
            del self.fields["as_of"]
        elif count <= ORGANISATION_SELECT_LIMIT:
            self.fields["organisation"].widget = forms.Select(
                choices=[("", _("— Không chọn (danh sách dân cư) —"))]
                + [(code, name) for code, name in organisations.values_list("code", "name")]
            )
        else:
            self.fields["organisation"].help_text = _("Ghi mã cơ quan, tổ chức (chỉ cho danh sách tổ chức).")

    def clean_organisation(self) -> Organisation | None:
        code = self.cleaned_data.get("organisation", "").strip()
        if not code:
            return None
        organisation = self.organisations.select_related("unit").filter(code=code).first()
        if organisation is None:
            raise forms.ValidationError(_("Không tìm thấy cơ quan, tổ chức này trong phạm vi của bạn."))
        return organisation

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ROSTER_EXTENSIONS):
            raise forms.ValidationError(
                _("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv). Tệp .xls cũ: mở bằng Excel và lưu lại dạng .xlsx.")
            )
        limit = upload_limit("xlsx" if name.endswith(".xlsx") else "csv")  # the service applies the same limit
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size)s); tối đa %(limit)s. Hãy chia danh sách thành nhiều tệp.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Tệp rỗng. Hãy điền danh sách vào tệp mẫu rồi gửi lại."))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        organisation = cleaned.get("organisation")
        if "unit" in self.fields and cleaned.get("unit") is None and "unit" not in self.errors:
            units = list(self.fields["unit"].queryset[:2])  # type: ignore[attr-defined]
            if len(units) == 1:  # the only unit the user has is the one they mean
                cleaned["unit"] = units[0]
        if kind == ImportKind.RESIDENTS:
            if organisation is not None:
                self.add_error("organisation", _("Danh sách dân cư không gắn với cơ quan, tổ chức."))
            if cleaned.get("unit") is None and "unit" not in self.errors:
                self.add_error("unit" if "unit" in self.fields else None, _("Hãy chọn xã, phường của danh sách."))
        elif kind and organisation is None and "organisation" not in self.errors:
            self.add_error(
                "organisation" if "organisation" in self.fields else None,
                _("Hãy chọn cơ quan, tổ chức của danh sách."),
            )
        return cleaned
