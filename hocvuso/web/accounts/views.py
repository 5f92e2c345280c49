"""Account management pages for the province administrator and commune officers (MANAGE_ACCOUNTS), and a community
class's accounts with printable sign-in cards (RUN_CLASS). Each view reads the request, calls one service, renders."""

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hocvuso.accounts import administration
from hocvuso.accounts.access import (
    home_unit,
    is_staff_user,
    manageable_accounts,
    may_administer_account,
    may_make_class_accounts,
    require,
    requires,
)
from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.people import account_services
from hocvuso.people.models import Organisation, Resident
from hocvuso.territory.models import AdministrativeUnit

from ..outreach.classes import learner_card_svg
from .forms import AccountSearchForm, EndRoleForm, GrantRoleForm, LinkResidentForm, NewAccountForm, ResidentAccountForm

LIST_LIMIT = 100
CLASS_LIMIT = 200


def _in_force_roles() -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.in_force().select_related("unit", "organisation").order_by("valid_from"),
        to_attr="roles_in_force",
    )


def _place(code: str) -> dict[str, Any]:
    """The unit or organisation a role is given over, by its code (a unit first); NotFound when neither exists."""
    code = code.strip()
    unit = AdministrativeUnit.objects.filter(code=code).first()
    if unit is not None:
        return {"unit": unit}
    organisation = Organisation.objects.select_related("unit").filter(code=code).first()
    if organisation is not None:
        return {"organisation": organisation}
    raise NotFound(_("Không tìm thấy đơn vị hoặc cơ quan có mã này."))


@requires(Permission.MANAGE_ACCOUNTS)
def account_list(request: HttpRequest) -> HttpResponse:
    """The accounts of the officer's area, searched by username, name or e-mail, and the self-registrations
    waiting for their link to a resident of the area."""
    form = AccountSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    accounts = manageable_accounts(request.user)
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(email__icontains=query)
        )
    found = list(accounts.prefetch_related(_in_force_roles()).order_by("username")[:LIST_LIMIT])
    waiting = list(
        manageable_accounts(request.user)
        .filter(registry_candidate__isnull=False, resident__isnull=True)
        .select_related("registry_candidate")
        .order_by("date_joined")[:LIST_LIMIT]
    )
    context = {
        "form": form,
        "query": query,
        "accounts": found,
        "waiting": waiting,
        "limit": LIST_LIMIT,
        "class_unit": home_unit(request.user, Permission.RUN_CLASS),
    }
    return render(request, "web/accounts/list.html", context)


@requires(Permission.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@never_cache
def account_new(request: HttpRequest) -> HttpResponse:
    """Create a staff account (a role over a unit or organisation), or a resident's learner account (?nguoi-dan=id);
    the one-time sign-in code is shown once, on this response."""
    resident_id = request.POST.get("resident") or request.GET.get("nguoi-dan")
    resident = None
    if resident_id and str(resident_id).isdigit():
        resident = Resident.objects.select_related("village").filter(pk=int(resident_id)).first()
        require(request.user, Permission.MANAGE_ACCOUNTS, resident)  # not found and not theirs: the same 404
    staff_form = NewAccountForm(request.POST if request.method == "POST" and resident is None else None)
    resident_form = ResidentAccountForm(
        request.POST if request.method == "POST" and resident is not None else None,
        initial={"resident": resident.pk if resident else None},
    )
    issued = None
    try:
        if resident is not None and resident_form.is_bound and resident_form.is_valid():
            issued = account_services.create_resident_account(
                resident=resident, email=resident_form.cleaned_data["email"], created_by=request.user
            )
        elif staff_form.is_bound and staff_form.is_valid():
            data = staff_form.cleaned_data
            issued = administration.create_account(
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                role=data["role"],
                created_by=request.user,
                **_place(data["place"]),
            )
    except DomainError as error:
        form = resident_form if resident is not None else staff_form
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
    context = {"staff_form": staff_form, "resident_form": resident_form, "resident": resident, "issued": issued}
    return render(request, "web/accounts/new.html", context)


def _account_for(request: HttpRequest, account_id: int) -> User:
    account = User.objects.select_related("registry_candidate__village").filter(pk=account_id).first()
    if account is None or not may_administer_account(request.user, account):
        raise NotFound(_("Không tìm thấy tài khoản."))
    return account


@requires(Permission.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@never_cache
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """One account: its roles (grant, end), and its sign-in (a one-time code, a new enrolment code, a lock)."""
    account = _account_for(request, account_id)
    action = request.POST.get("action", "")
    grant_form = GrantRoleForm(request.POST if action == "grant" else None)
    end_form = EndRoleForm(request.POST if action == "end" else None)
    link_form = LinkResidentForm(request.POST if action == "link" else None)
    shown: dict[str, Any] = {}
    if request.method == "POST":
        try:
            shown = _act(request, account, action, grant_form, end_form, link_form)
        except DomainError as error:
            messages.error(request, str(error.message))
        if not shown and not any(form.errors for form in (grant_form, end_form, link_form)):
            return redirect("accounts:manage_account", account_id=account.pk)
    roles = account.role_assignments.select_related("unit", "organisation").order_by("-valid_from", "-pk")
    context = {
        "account": account,
        "resident": Resident.objects.select_related("village").filter(user=account).first(),
        "roles": roles,
        "holds_staff_role": is_staff_user(account),
        "today": timezone.localdate(),
        "grant_form": grant_form,
        "end_form": end_form,
        "link_form": link_form,
        **shown,
    }
    return render(request, "web/accounts/detail.html", context)


def _act(request: HttpRequest, account: User, action: str, *forms: Any) -> dict[str, Any]:
    """Carry out one action of the account page; returns what to show once (a code), else {} (then a redirect)."""
    grant_form, end_form, link_form = forms
    actor = request.user
    if action == "grant" and grant_form.is_valid():
        data = grant_form.cleaned_data
        place = _place(data["place"]) if data["place"] else {}
        administration.grant_role(
            account=account,
            role=data["role"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            granted_by=actor,
            **place,
        )
        messages.success(request, _("Đã cấp vai trò. Các phiên đăng nhập của tài khoản đã kết thúc."))
    elif action == "end" and end_form.is_valid():
        assignment = RoleAssignment.objects.filter(pk=end_form.cleaned_data["assignment"], user=account).first()
        if assignment is None:
            raise NotFound(_("Không tìm thấy vai trò."))
        administration.end_role_assignment(
            assignment=assignment, valid_to=end_form.cleaned_data["valid_to"], ended_by=actor
        )
        messages.success(request, _("Đã kết thúc vai trò. Các phiên đăng nhập của tài khoản đã kết thúc."))
    elif action == "link" and link_form.is_valid():
        resident = Resident.objects.select_related("village").filter(pk=link_form.cleaned_data["resident"]).first()
        if resident is None:
            raise NotFound(_("Không tìm thấy người dân."))
        account_services.link_account_to_resident(account=account, resident=resident, linked_by=actor)
        messages.success(request, _("Đã gắn tài khoản với người dân."))
    elif action == "reset_password":
        return {"one_time_code": administration.reset_password(account=account, reset_by=actor)}
    elif action == "reset_second_factor":
        return {"enrolment_code": administration.reset_second_factor(account=account, reset_by=actor)}
    elif action == "deactivate":
        administration.deactivate_account(account=account, deactivated_by=actor)
        messages.success(request, _("Đã khóa tài khoản."))
    elif action == "reactivate":
        administration.reactivate_account(account=account, reactivated_by=actor)
        messages.success(request, _("Đã mở khóa tài khoản."))
    return {}


@requires(Permission.RUN_CLASS, unit_kwarg="code")
@require_http_methods(["GET", "POST"])
@never_cache
def class_accounts(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A community class's accounts: the residents of the unit (and below) without an account, to tick; posting
    makes their accounts and shows the printable sign-in cards (each one-time code shown only there, once)."""
    residents = (
        Resident.objects.filter(user__isnull=True)
        .filter(village__in=AdministrativeUnit.objects.within(unit))
        .select_related("village")
        .order_by("village__name", "full_name")
    )
    if request.method == "POST":
        chosen = [int(value) for value in request.POST.getlist("resident") if value.isdigit()]
        picked = [
            resident for resident in residents.filter(pk__in=chosen) if may_make_class_accounts(request.user, resident)
        ]
        if not picked:
            messages.error(request, _("Hãy chọn ít nhất một người."))
            return redirect("accounts:class_accounts", code=unit.code)
        made = account_services.make_class_accounts(residents=picked, made_by=request.user)
        # each card carries the learner card's QR code, which an instructor scans to mark them present at a class
        cards = [(resident, code, learner_card_svg(resident)) for resident, code in made.cards]
        return render(request, "web/accounts/cards.html", {"unit": unit, "made": made, "cards": cards})
    context = {"unit": unit, "residents": list(residents[:CLASS_LIMIT]), "limit": CLASS_LIMIT}
    return render(request, "web/accounts/class.html", context)
