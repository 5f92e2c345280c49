"""Pages of the literacy certificates: the public verification page and its JSON, the issuer's DID document and
status lists, a holder's certificates (list, JSON and PDF downloads, QR code), and the staff pages (revoke or
suspend, dead letters of the VNeID outbox, a cohort's batch issuance)."""

import json
import uuid

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts.access import public, requires, signed_in
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.credentials.documents import did_document, verification_url
from hocvuso.credentials.models import Certificate, CertificateStatus, StatusPurpose
from hocvuso.credentials.selectors import (
    certificate_for_holder,
    certificates_of,
    dead_letters,
    public_verification,
)
from hocvuso.credentials.services import (
    certificate_pdf,
    change_certificate_status,
    issue_cohort,
    published_keys,
    retry_delivery,
    signed_status_list,
)
from hocvuso.indicators.vneid_reconciliation import reconcile_vneid_confirmations
from hocvuso.learning.models import LiteracyStatus
from hocvuso.territory.models import AdministrativeUnit

from .. import uploads
from ..forms import ConfirmUploadForm

JSON_OPTIONS = {"ensure_ascii": False}


def _throttled(request: HttpRequest) -> bool:
    """True when this client address made more than CREDENTIALS_VERIFY_RATE_PER_MINUTE verification requests in
    the current minute (a counter in the cache: shared between processes with Redis)."""
    key = f"credentials:verify:{request.META.get('REMOTE_ADDR', '')}"
    return _count_in_window(key, seconds=60) > settings.CREDENTIALS_VERIFY_RATE_PER_MINUTE


def _count_in_window(key: str, *, seconds: int) -> int:
    """Count one more hit of `key` in a window of `seconds` that starts at its first hit; returns the count.
    With Redis one round trip (SET NX with the window's expiry, then INCR, in one pipeline: Django's `cache.incr`
    costs two); with another cache (the embedded default's local memory) through the cache API."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        cache_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(cache_key, write=True).pipeline(transaction=False)
        pipeline.set(cache_key, 0, ex=seconds, nx=True)
        pipeline.incr(cache_key)
        return int(pipeline.execute()[1])
    try:
        return int(cache.incr(key))
    except ValueError:  # the first hit of the window
        return 1 if cache.add(key, 1, timeout=seconds) else int(cache.incr(key))


def _too_many(request: HttpRequest, *, as_json: bool) -> HttpResponse:
    if as_json:
        response: HttpResponse = JsonResponse({"error": "rate_limited"}, status=429)
    else:
        response = render(request, "web/credentials/verify.html", {"state": "rate_limited"}, status=429)
    response["Retry-After"] = "60"
    return response


@public
@require_GET
def did_json(request: HttpRequest) -> HttpResponse:
    """/.well-known/did.json — the issuer's DID document (did:web): its current and retired signing keys."""
    response = JsonResponse(did_document(published_keys()), json_dumps_params=JSON_OPTIONS)
    response["Content-Type"] = "application/did+json"
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
@require_GET
def status_list(request: HttpRequest, purpose: str, number: int) -> HttpResponse:
    """A signed Bitstring Status List credential (revocation or suspension), for any verifier."""
    if purpose not in StatusPurpose.values:
        raise NotFound()
    response = JsonResponse(signed_status_list(purpose=purpose, number=number), json_dumps_params=JSON_OPTIONS)
    response["Cache-Control"] = "public, max-age=60"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
@require_GET
def verify_page(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    """/xac-minh/<id>/ — anyone checks a certificate: valid, suspended, revoked or not found; the holder's name
    masked; what, when, by whom. Never the national ID. Rate-limited per client address."""
    if _throttled(request):
        return _too_many(request, as_json=False)
    try:
        facts = public_verification(certificate_id)
    except NotFound:
        return render(request, "web/credentials/verify.html", {"state": "not_found"}, status=404)
    return render(request, "web/credentials/verify.html", {"state": facts.status, "facts": facts})


@public
@require_GET
def verify_json(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    """/xac-minh/<id>.json — the verification page's content as JSON."""
    if _throttled(request):
        return _too_many(request, as_json=True)
    try:
        facts = public_verification(certificate_id)
    except NotFound:
        return JsonResponse({"id": str(certificate_id), "status": "not_found"}, status=404)
    response = JsonResponse(facts.as_json(), json_dumps_params=JSON_OPTIONS)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
@require_GET
def verify_qr(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    """The QR code (SVG) of a certificate's verification page (rate-limited with the page: it costs CPU)."""
    if _throttled(request):
        return _too_many(request, as_json=True)
    code = segno.make(verification_url(certificate_id), error="m")
    response = HttpResponse(code.svg_inline(scale=4, border=2), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@public
@require_GET
def achievement_page(request: HttpRequest, group: str) -> HttpResponse:
    """/xac-minh/thanh-tuu/<group>/ — what a group's literacy certificate attests (the achievement's page: its
    competences and the levels, the targets of the credential's alignment links)."""
    certificate = Certificate.objects.filter(group=group).only("credential").order_by("-issued_at").first()
    if certificate is None:
        raise NotFound()
    achievement = certificate.credential["credentialSubject"]["achievement"]
    return render(request, "web/credentials/achievement.html", {"achievement": achievement})


# --- the holder ------------------------------------------------------------------------------------------


@signed_in
@require_GET
def my_certificates(request: HttpRequest) -> HttpResponse:
    """/chung-nhan/ — the signed-in learner's certificates, to see, download and share."""
    rows = [(row, verification_url(row.pk)) for row in certificates_of(request.user)]
    return render(request, "web/credentials/mine.html", {"rows": rows})


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@signed_in
def my_certificate_json(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    """The holder's signed credential (JSON) — only the holder's own."""
    certificate = certificate_for_holder(request.user, certificate_id)  # another's: 404, whatever the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    body = json.dumps(certificate.credential, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/vc+ld+json; charset=utf-8")
    return _attachment(response, f"chung-nhan-{certificate.pk}.json")


@signed_in
def my_certificate_pdf(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    """The holder's printable certificate (PDF) — only the holder's own."""
    certificate = certificate_for_holder(request.user, certificate_id)  # another's: 404, whatever the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = HttpResponse(certificate_pdf(certificate=certificate), content_type="application/pdf")
    return _attachment(response, f"chung-nhan-{certificate.pk}.pdf")


# --- staff -----------------------------------------------------------------------------------------------


@requires(Permission.MANAGE_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def manage_certificate(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    """/chung-nhan/quan-ly/<id>/ — the province administrator revokes, suspends or reinstates a certificate."""
    certificate = Certificate.objects.filter(pk=certificate_id).defer("pdf").first()
    if certificate is None:
        raise NotFound()
    if request.method == "POST":
        try:
            change_certificate_status(certificate=certificate, status=request.POST.get("status", ""),
                                      reason=request.POST.get("reason", ""), actor=request.user)  # fmt: skip
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Đã cập nhật trạng thái chứng nhận."))
            return redirect("web:certificate_manage", certificate_id=certificate.pk)
    context = {"certificate": certificate, "statuses": CertificateStatus.choices,
               "verification_url": verification_url(certificate.pk)}  # fmt: skip
    return render(request, "web/credentials/manage.html", context)


@requires(Permission.MANAGE_CREDENTIALS)
@require_GET
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    """/chung-nhan/gui-loi/ — certificates the VNeID confirmation endpoint did not take after every retry."""
    return render(request, "web/credentials/dead_letters.html", {"rows": list(dead_letters()[:500])})


@requires(Permission.MANAGE_CREDENTIALS)
@require_POST
def dead_letter_retry(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    """Put a dead letter back in the outbox."""
    certificate = Certificate.objects.filter(pk=certificate_id).defer("pdf").first()
    if certificate is None:
        raise NotFound()
    try:
        retry_delivery(certificate=certificate, actor=request.user)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã đưa chứng nhận trở lại hàng đợi gửi."))
    return redirect("web:certificate_dead_letters")


@requires(Permission.RUN_CLASS, unit_kwarg="code")
@require_http_methods(["GET", "POST"])
def cohort_issue(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """/chung-nhan/cap-theo-lop/<code>/ — issue, in one batch, the certificates of everyone in the unit confirmed
    literate who has none yet (a community class's cohort)."""
    pending = LiteracyStatus.objects.filter(
        resident__village__in=AdministrativeUnit.objects.within(unit).values("pk"), certificate__isnull=True
    ).count()
    if request.method == "POST":
        try:
            issued = issue_cohort(unit=unit, actor=request.user)
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Đã cấp %(count)s chứng nhận.") % {"count": issued})
            return redirect("web:certificate_cohort", code=unit.code)
    return render(request, "web/credentials/cohort.html", {"unit": unit, "pending": pending})


# --- reconciliation with VNeID -----------------------------------------------------------------------------

RECONCILIATION_PURPOSE = "vneid-reconciliation"


class ReconciliationFileForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách đã xác nhận trên VNeID (CSV hoặc XLSX)"),
        help_text=_("Các cột: “Số định danh”, “Họ và tên”, “Ngày xác nhận”. Tối đa 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


@requires(Permission.MANAGE_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def vneid_reconciliation(request: HttpRequest) -> HttpResponse:
    """/chung-nhan/doi-soat-vneid/ — the province administrator uploads the national platform's list of people
    confirmed on VNeID: a dry run first (matched, unmatched and bad rows), then confirms the same bytes."""
    form = ReconciliationFileForm()
    context: dict[str, object] = {}
    if request.method == "POST" and "token" in request.POST:
        confirm = ConfirmUploadForm(request.POST)
        data = confirm.is_valid() and uploads.take_upload(
            request, token=confirm.cleaned_data["token"], purpose=RECONCILIATION_PURPOSE
        )
        if not data:
            messages.error(request, _("Tệp đã kiểm tra không còn. Hãy tải tệp lên lại."))
            return redirect("web:vneid_reconciliation")
        try:
            result = reconcile_vneid_confirmations(data=data, file_name="vneid", actor=request.user, dry_run=False)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("web:vneid_reconciliation")
        messages.success(request, _("Đã ghi nhận %(count)s người đã xác nhận trên VNeID.") % {"count": result.recorded})
        context["result"] = result
    elif request.method == "POST":
        form = ReconciliationFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                result = reconcile_vneid_confirmations(data=data, file_name=upload.name, actor=request.user,
                                                       dry_run=True)  # fmt: skip
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                context["result"] = result
                if not result.problems and result.matched:
                    context["token"] = uploads.stash_upload(request, purpose=RECONCILIATION_PURPOSE, data=data)
    context["form"] = form
    return render(request, "web/credentials/reconciliation.html", context)
