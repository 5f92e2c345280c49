"""Pages. Each view reads the request, calls one service or selector, and renders; every view declares its
access policy with a decorator from `hocvuso.accounts.access`."""

import csv
import io
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.access import home_unit, public, requires, signs_in_with_second_factor
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission
from hocvuso.accounts.services import (
    check_credentials,
    check_enrolment_code,
    complete_sign_in,
    confirmed_totp_device,
    enrol_authenticator,
    issue_enrolment_code,
    pending_totp_device,
    verify_second_factor,
)
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.jsonbody import MalformedJSON, read_json_body
from hocvuso.core.services import record_audit
from hocvuso.territory.models import AdministrativeUnit, Level
from hocvuso.territory.selectors import child_units
from hocvuso.territory.services import VILLAGE_COLUMNS, import_villages
from hocvuso.vneid import provider as oidc_provider

from . import selectors, signin, uploads
from .audit import action_label
from .forms import (
    AuditFilterForm,
    CodeForm,
    ConfirmUploadForm,
    EnrolmentCodeForm,
    IssueEnrolmentCodeForm,
    SignInForm,
    VillageFileForm,
)
from .home import work_home
from .learning.views import learner_home
from .vneid import views as vneid

LARGE_TEXT_COOKIE = "large_text"
ENROL_PARAMETER = "kich-hoat"  # ?kich-hoat on the second step: enrol a new phone with an enrolment code
CSP_REPORT_MAX_BYTES = 16 * 1024
csp_log = logging.getLogger("hocvuso.web.csp")
ONE_YEAR = 365 * 24 * 60 * 60


@public
def home(request: HttpRequest) -> HttpResponse:
    kind = selectors.home_kind(request.user)
    if kind == "staff":
        context = {"home": selectors.staff_home(request.user), "work": work_home(request.user)}
        return render(request, "web/home_staff.html", context)
    if kind == "learner":
        return learner_home(request)
    return render(request, "web/home_public.html")


@public
@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Switch the large-text display on or off (a cookie, so it holds before signing in too)."""
    response = redirect(signin.safe_next(request, request.POST.get("next")))
    if request.POST.get(LARGE_TEXT_COOKIE) == "1":
        response.set_cookie(
            LARGE_TEXT_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True, secure=request.is_secure()
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = signin.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = check_credentials(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip_address=signin.client_address(request),
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            if signs_in_with_second_factor(user):
                signin.remember_pending(request, user=user, next_url=next_url)
                return redirect("accounts:second_factor")
            complete_sign_in(request, user, method="password", second_factor_verified=False)
            return redirect(next_url)
    if oidc_provider.is_configured():
        oidc_provider.prefetch_metadata()
    context = {
        "form": form,
        "next": next_url,
        "vneid": oidc_provider.is_configured(),
        "vneid_name": oidc_provider.provider_name(),
    }
    return render(request, "accounts/sign_in.html", context)


@public
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Step 2 for staff: the authenticator's code. Enrolling an authenticator (the first one, or a new phone)
    first asks for the one-time enrolment code an administrator handed over, then shows the QR code."""
    user = signin.pending_user(request)
    if user is None:
        messages.info(request, _("Bước xác thực chỉ có hiệu lực 5 phút. Hãy đăng nhập lại."))
        return redirect("accounts:login")
    enrolment_id = signin.pending_enrolment(request)
    has_device = confirmed_totp_device(user=user) is not None
    if enrolment_id is None and (not has_device or ENROL_PARAMETER in request.GET or "enrolment_code" in request.POST):
        return _enrolment_code_step(request, user, has_device=has_device)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, address = form.cleaned_data["token"], signin.client_address(request)
        try:
            if enrolment_id is not None:
                enrol_authenticator(user=user, enrolment_code_id=enrolment_id, token=token, ip_address=address)
            else:
                verify_second_factor(user=user, token=token, ip_address=address)
        except DomainError as error:
            if error.code == "enrolment_code_spent":
                signin.forget_enrolment(request)
            form.add_error("token" if error.field == "token" else None, str(error.message))
        else:
            next_url, method = signin.pending_next(request), signin.pending_method(request)
            signin.forget_pending(request)
            complete_sign_in(request, user, method=f"{method}+totp", second_factor_verified=True)
            return redirect(next_url)
    context: dict[str, object] = {"form": form, "enrolling": enrolment_id is not None}
    if enrolment_id is not None:
        device = pending_totp_device(user=user)
        context["qr_svg"] = mark_safe(  # noqa: S308 — SVG made by segno from our own data, label escaped
            signin.enrolment_qr_svg(device, label=_("Mã QR để thêm tài khoản vào ứng dụng xác thực"))
        )
        context["secret"] = signin.grouped_secret(device)
    return render(request, "accounts/second_factor.html", context)


def _enrolment_code_step(request: HttpRequest, user: User, *, has_device: bool) -> HttpResponse:
    form = EnrolmentCodeForm(request.POST if "enrolment_code" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            code = check_enrolment_code(
                user=user, code=form.cleaned_data["enrolment_code"], ip_address=signin.client_address(request)
            )
        except DomainError as error:
            form.add_error("enrolment_code" if error.field == "enrolment_code" else None, str(error.message))
        else:
            signin.remember_enrolment(request, enrolment_code_id=code.pk)
            return redirect("accounts:second_factor")
    return render(request, "accounts/enrolment_code.html", {"form": form, "has_device": has_device})


@requires(Permission.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
@never_cache
def enrolment_codes(request: HttpRequest) -> HttpResponse:
    """Issue a one-time enrolment code to a member of staff of one's area (shown once, on this response), with the
    list of such accounts that have no authenticator yet."""
    form = IssueEnrolmentCodeForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        account = User.objects.filter(username__iexact=form.cleaned_data["username"].strip()).first()
        try:
            if account is None:
                raise NotFound(_("Không tìm thấy tài khoản."))
            issued = issue_enrolment_code(user=account, issued_by=request.user)  # type: ignore[arg-type]
        except NotFound:
            form.add_error("username", _("Không tìm thấy tài khoản cán bộ này trong địa bàn của bạn."))
    context = {"form": form, "issued": issued, "waiting": selectors.accounts_without_authenticator(request.user)}
    return render(request, "accounts/enrolment_codes.html", context)


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    was_signed_in = request.user.is_authenticated
    at_provider = vneid.sign_out_redirect(request) if was_signed_in else None
    logout(request)
    if was_signed_in:
        messages.success(request, _("Bạn đã đăng xuất."))
    # signed in with VNeID: end the session at the provider too (RP-initiated logout), which sends the browser back
    return redirect(at_provider or "web:home")


@requires(Permission.VIEW_UNITS)
def unit_picker(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request.user)
    if unit is None:
        raise Http404
    return redirect("web:unit", code=unit.code)


@requires(Permission.VIEW_UNITS, unit_kwarg="code")
def unit_detail(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    overview = selectors.unit_overview(request.user, unit, query=request.GET.get("q", "")[:100])
    return render(request, "web/unit.html", {"overview": overview, "unit": unit})


def _village_purpose(unit: AdministrativeUnit) -> str:
    return f"villages:{unit.code}"


@requires(Permission.MANAGE_UNITS, unit_kwarg="code")
@require_http_methods(["GET", "POST"])
def village_import(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Upload a CSV of villages: a dry run first (every bad row listed), then the user confirms."""
    if unit.level != Level.COMMUNE:
        raise Http404
    form = VillageFileForm()
    context: dict[str, object] = {"unit": unit, "columns": VILLAGE_COLUMNS}
    if request.method == "POST" and "cancel" in request.POST:
        uploads.discard_upload(request, token=request.POST.get("token", ""))
        return redirect("web:village_import", code=unit.code)
    if request.method == "POST" and "token" in request.POST:
        confirm = ConfirmUploadForm(request.POST)
        data = confirm.is_valid() and uploads.take_upload(
            request, token=confirm.cleaned_data["token"], purpose=_village_purpose(unit)
        )
        if not data:
            messages.error(request, _("Tệp đã kiểm tra không còn. Hãy tải tệp lên lại."))
            return redirect("web:village_import", code=unit.code)
        try:
            report = import_villages(commune=unit, data=data, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("web:village_import", code=unit.code)
        if report.committed:
            messages.success(
                request,
                ngettext("Đã nhập %(count)s thôn mới.", "Đã nhập %(count)s thôn mới.", report.created)
                % {"count": report.created},
            )
            return redirect("web:unit", code=unit.code)
        context["report"] = report
    elif request.method == "POST":
        form = VillageFileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                report = import_villages(commune=unit, data=data, actor=request.user, dry_run=True)
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                context["report"] = report
                context["new_count"] = report.rows - report.unchanged
                if report.is_valid and report.rows > report.unchanged:
                    context["token"] = uploads.stash_upload(request, purpose=_village_purpose(unit), data=data)
    context["form"] = form
    return render(request, "web/village_import.html", context)


def _neutralise(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@requires(Permission.MANAGE_UNITS, unit_kwarg="code")
def village_template(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """The CSV to fill in: the right column titles and the commune's villages already known (sending the
    file back unchanged creates nothing)."""
    if unit.level != Level.COMMUNE:
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([VILLAGE_COLUMNS["code"], VILLAGE_COLUMNS["name"], VILLAGE_COLUMNS["kind"]])
    for village in child_units(unit):
        writer.writerow([village.code, _neutralise(village.name), village.kind])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thon-{unit.code}.csv"'
    return response


@requires(Permission.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page = selectors.audit_page(page_number=request.GET.get("page"), **form.filters())
    return render(request, "web/audit_log.html", {"form": form, "page": page})


AUDIT_EXPORT_COLUMNS = [
    "at", "actor", "action", "action_label", "object_type", "object_id", "object_label", "ip_address", "request_id",
    "details",
]  # fmt: skip


@requires(Permission.VIEW_AUDIT)
@require_http_methods(["GET"])
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV, with the codes the page does not show (action, object type and id, request id).
    The export is itself logged."""
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    record_audit(
        actor=request.user,
        action="audit.export",
        details={key: str(value) for key, value in filters.items() if value},
    )

    def lines() -> Any:
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush() -> str:
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        yield "\ufeff"
        writer.writerow(AUDIT_EXPORT_COLUMNS)
        for entry in selectors.audit_entries(**filters).iterator(chunk_size=2000):
            writer.writerow(
                [
                    entry.at.isoformat(),
                    _neutralise(entry.actor_label),
                    entry.action,
                    str(action_label(entry.action)),
                    entry.object_type,
                    _neutralise(entry.object_id),
                    _neutralise(entry.object_label),
                    entry.ip_address or "",
                    entry.request_id,
                    _neutralise(json.dumps(entry.details, ensure_ascii=False, sort_keys=True)),
                ]
            )
            yield flush()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nhat-ky.csv"'
    return response


def _without_query(uri: object) -> str:
    """A reported address without its query string or fragment (they may hold search terms), cut to 200."""
    text = str(uri or "")[:500]
    parts = urlsplit(text) if "://" in text else None
    return (f"{parts.scheme}://{parts.netloc}{parts.path}" if parts else text.split("?")[0])[:200]


def _csp_violations(body: Any) -> list[dict[str, Any]]:
    """The violations in a report-uri body (`{"csp-report": {…}}`) or a Reporting API batch (a list of
    `{"type": "csp-violation", "body": {…}}`), as dicts; anything else gives none."""
    if isinstance(body, dict) and isinstance(body.get("csp-report"), dict):
        return [body["csp-report"]]
    if isinstance(body, list):
        return [item["body"] for item in body[:20] if isinstance(item, dict) and isinstance(item.get("body"), dict)]
    return []


@public
@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Where browsers report Content-Security-Policy violations (both report formats): each is logged as a warning
    on "hocvuso.web.csp" — the directive, the blocked address and the page, without query strings. 204 always
    (400 for a body that is not JSON): a browser does nothing with the answer."""
    try:
        body = read_json_body(request.read(CSP_REPORT_MAX_BYTES + 1), max_bytes=CSP_REPORT_MAX_BYTES)
    except MalformedJSON:
        return HttpResponse(status=400)
    for violation in _csp_violations(body):
        directive = violation.get("effective-directive") or violation.get("effectiveDirective") or ""
        csp_log.warning(
            "Content-Security-Policy violation: %s blocked %s on %s (%s:%s)",
            str(directive)[:60],
            _without_query(violation.get("blocked-uri") or violation.get("blockedURL")),
            _without_query(violation.get("document-uri") or violation.get("documentURL")),
            _without_query(violation.get("source-file") or violation.get("sourceFile")),
            str(violation.get("line-number") or violation.get("lineNumber") or "")[:10],
        )
    return HttpResponse(status=204)
