"""Pages of transfer requests (hocvuso.people.transfers): the list of requests to decide and of one's own, and
the form to ask for a resident registered elsewhere. Before approval the requester's pages show nothing about the
person but what the requester typed."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from hocvuso.accounts.access import requires, units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.people.models import MembershipKind, Organisation, TransferKind
from hocvuso.people.transfers import (
    approve_transfer,
    cancel_transfer,
    reject_transfer,
    request_transfer,
    transfer_for,
    transfers_requested_by,
    transfers_to_decide,
)
from hocvuso.territory.models import AdministrativeUnit, Level

LIST_LENGTH = 50


class TransferRequestForm(forms.Form):
    national_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân (12 số)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Số trên căn cước của người dân. Bạn sẽ không thấy thông tin của họ trước khi yêu cầu được duyệt."
        ),
    )
    claimed_name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=150,
        help_text=gettext_lazy("Như người dân cho bạn biết; nơi duyệt sẽ đối chiếu với sổ dân cư."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Yêu cầu"), choices=TransferKind.choices, widget=forms.RadioSelect)
    to_village = forms.ModelChoiceField(
        label=gettext_lazy("Chuyển về thôn, tổ dân phố"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan, tổ chức"), queryset=Organisation.objects.none(), required=False
    )
    membership_kind = forms.ChoiceField(
        label=gettext_lazy("Nhóm thành viên"), choices=[("", "—"), *MembershipKind.choices], required=False
    )
    membership_from = forms.DateField(
        label=gettext_lazy("Là thành viên từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Ví dụ: đã chuyển về sinh sống tại thôn; là học sinh của trường từ năm học này."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages = units_visible_to(user, Permission.MANAGE_PEOPLE).filter(level=Level.VILLAGE)
        self.fields["to_village"].queryset = villages.select_related("parent").order_by("path")  # type: ignore[attr-defined]
        self.fields["to_village"].label_from_instance = lambda unit: f"{unit.name} — {unit.parent.name}"  # type: ignore[attr-defined]
        organisations = Organisation.objects.visible_to(user, Permission.MANAGE_PEOPLE).order_by("name")
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


def _initial(request: HttpRequest) -> dict[str, Any]:
    """What a link may fill in (the roster import's refusal links here with the organisation and group)."""
    initial: dict[str, Any] = {"kind": TransferKind.MOVE, "membership_from": timezone.localdate()}
    organisation_code, group = request.GET.get("to_chuc", "")[:40], request.GET.get("nhom", "")
    if organisation_code:
        initial["kind"] = TransferKind.MEMBERSHIP
        initial["organisation"] = Organisation.objects.filter(code=organisation_code).first()
    if group in MembershipKind.values:
        initial["membership_kind"] = group
    return initial


@requires(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def transfer_request_new(request: HttpRequest) -> HttpResponse:
    """Ask for a resident registered elsewhere. The answer is the same whether the ID is in the registry or not."""
    form = TransferRequestForm(request.POST or None, user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        move = data["kind"] == TransferKind.MOVE
        try:
            request_transfer(
                requested_by=request.user,
                national_id=data["national_id"],
                claimed_name=data["claimed_name"],
                reason=data["reason"],
                to_village=data["to_village"] if move else None,
                organisation=None if move else data["organisation"],
                membership_kind="" if move else data["membership_kind"],
                membership_from=None if move else data["membership_from"],
            )
        except NotFound as error:
            form.add_error(None, str(error.message))
        except DomainError as error:
            field = {"no_target": "to_village" if move else "organisation"}.get(error.code, error.field)
            form.add_error(field if field in form.fields else None, str(error.message))
        else:
            messages.success(
                request,
                _(
                    "Đã gửi yêu cầu. Xã, phường nơi người này đang cư trú (hoặc tỉnh) sẽ xem xét; "
                    "kết quả hiện ở danh sách dưới đây."
                ),
            )
            return redirect("web:transfer_requests")
    return render(request, "web/people/transfer_new.html", {"form": form})


_ACTIONS = {"approve", "reject", "cancel"}


def _act(request: HttpRequest) -> None:
    """Carry out the posted decision (approve, reject) or withdrawal (cancel) on one request."""
    action = request.POST.get("action", "")
    raw_id = request.POST.get("transfer", "")
    if action not in _ACTIONS or not raw_id.isdigit() or len(raw_id) > 18:
        raise NotFound()
    note = request.POST.get("note", "")
    try:
        transfer = transfer_for(request.user, int(raw_id))
        if action == "approve":
            approve_transfer(transfer=transfer, decided_by=request.user, note=note)
            messages.success(request, _("Đã duyệt yêu cầu và cập nhật sổ dân cư."))
        elif action == "reject":
            reject_transfer(transfer=transfer, decided_by=request.user, note=note)
            messages.success(request, _("Đã từ chối yêu cầu."))
        else:
            cancel_transfer(transfer=transfer, cancelled_by=request.user)
            messages.success(request, _("Đã hủy yêu cầu."))
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))


@requires(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def transfer_requests(request: HttpRequest) -> HttpResponse:
    """The requests about residents of the user's area (to decide) and the user's own requests."""
    if request.method == "POST":
        _act(request)
        return redirect("web:transfer_requests")
    to_decide = list(transfers_to_decide(request.user)[:LIST_LENGTH])
    context = {
        "pending": [transfer for transfer in to_decide if transfer.state == "pending"],
        "decided": [transfer for transfer in to_decide if transfer.state != "pending"],
        "mine": list(transfers_requested_by(request.user)[:LIST_LENGTH]),
    }
    return render(request, "web/people/transfers.html", context)
