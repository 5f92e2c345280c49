"""Pages of the population registry. Each view reads the request, calls the people services or selectors, and
renders; every view declares its access policy with a decorator from `hocvuso.accounts.access`, and anything
outside the user's scope answers 404 exactly like something that does not exist."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.access import can, has_permission, requires, signed_in
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.indicators.selectors import not_reached_filter, not_reached_residents
from hocvuso.outreach.families import household_standing
from hocvuso.people.import_models import ImportJob, ImportKind
from hocvuso.people.imports.report import build_error_report_xlsx
from hocvuso.people.imports.selectors import get_import_job, import_job_progress
from hocvuso.people.imports.services import confirm_roster_import, submit_roster_import
from hocvuso.people.imports.templates import build_template_xlsx, template_file_name
from hocvuso.people.models import Resident
from hocvuso.people.selectors import AmbiguousHousehold, household_with_members, search_residents
from hocvuso.people.services import (
    correct_resident,
    export_own_data,
    record_digital_identity,
    reveal_national_id,
)

from ..forms_people import (
    DigitalIdentityForm,
    NotReachedForm,
    PeopleSearchForm,
    ResidentCorrectionForm,
    RosterUploadForm,
)
from . import selectors

SEARCH_LIMIT = 50
PROBLEMS_PER_PAGE = 50
NOT_REACHED_PER_PAGE = 50
MAX_HOUSEHOLD_CODE = 40
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_POLL_SECONDS = 2


def _attachment(response: HttpResponse, file_name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


# --- finding people ---------------------------------------------------------------------------------------


def _not_reached_list(request: HttpRequest) -> HttpResponse:
    """The people a "leave no one behind" figure counts as not reached (?chua_dat=<indicator>&don_vi=<unit> or
    &to_chuc=<organisation>), a page of NOT_REACHED_PER_PAGE at a time. Anything malformed, unknown or out of
    scope answers 404."""
    filters = NotReachedForm(request.GET)
    if not filters.is_valid():
        raise Http404
    selection = not_reached_filter(
        request.user,
        indicator_code=filters.cleaned_data["chua_dat"],
        unit_code=filters.cleaned_data["don_vi"],
        organisation_code=filters.cleaned_data["to_chuc"],
    )
    residents = not_reached_residents(selection)
    page = Paginator(residents, NOT_REACHED_PER_PAGE).get_page(request.GET.get("trang"))
    results = list(page.object_list)
    context = {
        "form": PeopleSearchForm(),
        "query": "",
        "results": results,
        "seen_as_members": selectors.seen_as_members(request.user, results),
        "not_reached": selection,
        "page": page,
    }
    return render(request, "web/people/search.html", context)


@requires(Permission.VIEW_PEOPLE)
def people_search(request: HttpRequest) -> HttpResponse:
    """Search residents by name (with or without diacritics), national ID or household code, in the user's scope;
    with ?chua_dat=…, list the people of a unit or organisation an indicator does not count yet."""
    if "chua_dat" in request.GET:
        return _not_reached_list(request)
    form = PeopleSearchForm(request.GET)
    query = form.query()
    results: list[Resident] = []
    search_error = ""
    if query:
        try:
            results = list(
                search_residents(user=request.user, query=query, limit=SEARCH_LIMIT)
                .select_related("village__parent", "household")
                .defer("national_id_ciphertext", "phone_ciphertext")
            )
        except DomainError as error:  # a search by full ID refused (not allowed, or too many this hour)
            search_error = str(error.message)
    household_code = ""
    if results and results[0].household is not None and results[0].household.code == query:
        household_code = query
    context = {
        "form": form,
        "query": query,
        "results": results,
        "search_error": search_error,
        "may_request_transfer": has_permission(request.user, Permission.MANAGE_PEOPLE),
        "seen_as_members": selectors.seen_as_members(request.user, results),
        "limit_reached": len(results) >= SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
        "household_code": household_code,
    }
    return render(request, "web/people/search.html", context)


@requires(Permission.VIEW_PEOPLE)
def household_detail(request: HttpRequest, household_code: str) -> HttpResponse:
    """A household with its members, their ages, target groups and digital-identity statuses."""
    if len(household_code) > MAX_HOUSEHOLD_CODE:
        raise Http404
    village = request.GET.get("thon", "")
    try:
        household = household_with_members(
            user=request.user, code=household_code, village_id=int(village) if village.isdigit() else None
        )
    except AmbiguousHousehold as ambiguous:  # household codes are unique per village only
        context = {"code": household_code, "villages": ambiguous.villages}
        return render(request, "web/people/household_choice.html", context)
    rows = selectors.household_rows(household)
    standing = household_standing(household)  # Gia đình số: where the household stands, what is missing
    return render(request, "web/people/household.html", {"household": household, "rows": rows, "standing": standing})


# --- one resident -----------------------------------------------------------------------------------------


def _resident_page(request: HttpRequest, resident: Resident, **extra: Any) -> HttpResponse:
    profile = selectors.resident_profile(request.user, resident)
    context: dict[str, Any] = {"profile": profile, "resident": resident}
    # Officers who manage accounts where the resident lives: make their account, or open it (no query).
    context["manages_account"] = can(request.user, Permission.MANAGE_ACCOUNTS, resident)
    if profile.can_record_identity and "identity_form" not in extra:
        context["identity_form"] = DigitalIdentityForm(auto_id="identity_%s")
    context.update(extra)
    return render(request, "web/people/resident.html", context)


@requires(Permission.VIEW_PEOPLE)
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    """A resident's record with masked ID and phone; staff who manage them see the correction and reveal actions."""
    return _resident_page(request, selectors.resident_for(request.user, resident_id))


@requires(Permission.MANAGE_PEOPLE)
@never_cache
def resident_reveal(request: HttpRequest, resident_id: int) -> HttpResponse:
    """Show the full national ID once, on the response to an explicit POST (audited by the service; the page
    is never cached)."""
    resident = selectors.resident_for(request.user, resident_id, Permission.MANAGE_PEOPLE)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        national_id = reveal_national_id(resident=resident, actor=request.user)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:resident", resident_id=resident.pk)
    return _resident_page(request, resident, revealed_id=national_id)


_FORM_FIELD_OF = {"household": "household_code", "on": "on"}


def _form_field(form: Any, field: str | None) -> str | None:
    name = _FORM_FIELD_OF.get(field or "", field)
    return name if name in form.fields else None


@requires(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def resident_correct(request: HttpRequest, resident_id: int) -> HttpResponse:
    """Correct a resident's record (authorised staff); every change is audited by `correct_resident`."""
    resident = selectors.resident_for(request.user, resident_id, Permission.MANAGE_PEOPLE)
    initial = {
        "full_name": resident.full_name,
        "birth_date": resident.birth_date,
        "sex": resident.sex,
        "ethnicity": resident.ethnicity,
        "village": resident.village_id,
        "household_code": resident.household.code if resident.household else "",
    }
    form = ResidentCorrectionForm(
        request.POST or None,
        initial=initial,
        villages=selectors.villages_for_correction(request.user, resident),
        households=selectors.households_for_correction(request.user),
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        household = changes["household"]
        if household is not None and changes["village"].pk == resident.village_id:
            changes["village"] = household.village  # moving into a household moves into its village
        try:
            correct_resident(resident=resident, changes=changes, actor=request.user)
        except NotFound as error:
            form.add_error(None, str(error.message))
        except DomainError as error:
            form.add_error(_form_field(form, error.field), str(error.message))
        else:
            messages.success(request, _("Đã lưu thông tin người dân."))
            return redirect("web:resident", resident_id=resident.pk)
    return render(request, "web/people/resident_correct.html", {"resident": resident, "form": form})


@requires(Permission.VIEW_PEOPLE)
@require_http_methods(["GET", "POST"])
def resident_identity(request: HttpRequest, resident_id: int) -> HttpResponse:
    """Record a resident's VNeID level and/or digital bank account, with its source and date (staff who manage
    people or record visits there)."""
    resident = selectors.resident_for(request.user, resident_id)
    if not selectors.may_record_identity(request.user, resident):
        raise NotFound()
    form = DigitalIdentityForm(request.POST or None, auto_id="identity_%s")
    if request.method == "POST" and form.is_valid():
        try:
            record_digital_identity(
                resident=resident,
                vneid_level=form.cleaned_data["vneid_level"],
                has_bank_account=form.cleaned_data["has_bank_account"],
                source=form.cleaned_data["source"],
                on=form.cleaned_data["on"],
                actor=request.user,
            )
        except NotFound:
            raise
        except DomainError as error:
            form.add_error(_form_field(form, error.field), str(error.message))
        else:
            messages.success(request, _("Đã ghi nhận danh tính số."))
            return redirect("web:resident", resident_id=resident.pk)
    return render(request, "web/people/resident_identity.html", {"resident": resident, "identity_form": form})


# --- my data ----------------------------------------------------------------------------------------------


@signed_in
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the registry holds about the signed-in resident (numbers masked), with its history."""
    return render(request, "web/people/my_data.html", {"record": selectors.own_record(request.user)})


@signed_in
@require_POST
@never_cache
def my_data_reveal(request: HttpRequest) -> HttpResponse:
    """Show the signed-in resident their own full national ID (audited, never cached)."""
    record = selectors.own_record(request.user)
    if record is None:
        return redirect("web:my_data")
    try:
        national_id = reveal_national_id(resident=record.resident, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:my_data")
    return render(request, "web/people/my_data.html", {"record": record, "revealed_id": national_id})


@signed_in
@require_POST
@never_cache
def my_data_download(request: HttpRequest) -> HttpResponse:
    """The signed-in resident's data as a JSON file (`export_own_data`, audited)."""
    try:
        data = export_own_data(user=request.user)
    except NotFound as error:
        messages.info(request, str(error.message))
        return redirect("web:my_data")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _attachment(response, "du-lieu-cua-toi.json")


# --- roster imports ---------------------------------------------------------------------------------------


def _submit_check(request: HttpRequest, form: RosterUploadForm) -> ImportJob | None:
    """Queue the check (dry run) of the uploaded roster; None, with the reason on the form, when refused."""
    organisation = form.cleaned_data.get("organisation")
    unit = form.cleaned_data.get("unit")
    if unit is None and organisation is not None:
        unit = selectors.organisation_area(organisation)
    if unit is None:
        form.add_error(None, _("Hãy chọn xã, phường của danh sách."))
        return None
    upload = form.cleaned_data["file"]
    try:
        return submit_roster_import(
            user=request.user,
            kind=form.cleaned_data["kind"],
            file_name=upload.name,
            data=upload.read(),
            unit=unit,
            organisation=organisation,
            dry_run=True,
            as_of=form.cleaned_data.get("as_of"),
        )
    except NotFound:
        form.add_error(None, _("Bạn không được nhập danh sách vào địa bàn hoặc cơ quan, tổ chức này."))
    except DomainError as error:
        form.add_error(_form_field(form, error.field) or "file", str(error.message))
    return None


@requires(Permission.IMPORT_ROSTER)
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    """Upload a roster: it is checked first (a dry run, as a background job); the job page offers the import."""
    kind = request.GET.get("loai", "")
    form = RosterUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": kind if kind in ImportKind.values else ImportKind.RESIDENTS},
        units=selectors.import_units(request.user),
        organisations=selectors.import_organisations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        job = _submit_check(request, form)
        if job is not None:
            if job.duplicate:
                messages.info(request, _("Tệp này đã được nhập (hoặc đang được nhập); không nhập lại lần nữa."))
            return redirect("web:roster_import_job", job_id=job.pk)
    context = {
        "form": form,
        "kinds": ImportKind.choices,
        "recent": selectors.recent_imports(request.user),
    }
    return render(request, "web/people/import.html", context)


@requires(Permission.IMPORT_ROSTER)
def roster_template(request: HttpRequest) -> HttpResponse:
    """The XLSX template of a roster kind (?loai=residents|staff|students|workers; residents when not given), with
    Vietnamese headers."""
    kind = request.GET.get("loai") or ImportKind.RESIDENTS
    if kind not in ImportKind.values:
        raise Http404
    return _attachment(HttpResponse(build_template_xlsx(kind), content_type=XLSX), template_file_name(kind))


@requires(Permission.IMPORT_ROSTER)
def roster_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A roster import: status and progress while it runs, then every problem (paginated) or the counts, and for
    a successful check the button that imports the file."""
    job = get_import_job(user=request.user, job_id=job_id)
    problems = Paginator(job.problems.all(), PROBLEMS_PER_PAGE).get_page(request.GET.get("trang"))
    context = {
        "job": job,
        "problems": problems,
        "live_import": selectors.live_import_of(request.user, job),
        "poll_seconds": PROGRESS_POLL_SECONDS,
    }
    response = render(request, "web/people/import_job.html", context)
    if not job.is_finished:
        add_never_cache_headers(response)
    return response


@requires(Permission.IMPORT_ROSTER)
def roster_import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's progress as JSON, for the progress bar to poll (no personal data)."""
    job = get_import_job(user=request.user, job_id=job_id)
    response = JsonResponse(import_job_progress(job))
    add_never_cache_headers(response)
    return response


@requires(Permission.IMPORT_ROSTER)
def roster_import_report(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's problems as an XLSX file (formulas neutralised)."""
    job = get_import_job(user=request.user, job_id=job_id)
    response = HttpResponse(build_error_report_xlsx(job), content_type=XLSX)
    add_never_cache_headers(response)
    return _attachment(response, f"bao-cao-loi-{job.pk}.xlsx")


@requires(Permission.IMPORT_ROSTER)
def roster_import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import the file a successful check validated. Sending the form twice imports once: the second request
    finds the first one's job and goes to it."""
    job = get_import_job(user=request.user, job_id=job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        imported = confirm_roster_import(user=request.user, job=job, date_order=request.POST.get("thu_tu_ngay", ""))
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:roster_import_job", job_id=job.pk)
    if imported.duplicate:
        messages.info(request, _("Tệp này đã được nhập (hoặc đang được nhập); không nhập lại lần nữa."))
    return redirect(reverse("web:roster_import_job", kwargs={"job_id": imported.pk}))
