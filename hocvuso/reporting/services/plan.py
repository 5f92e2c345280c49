"""Writes of plan tracking: loading a plan's data file (tasks, leads, agencies, who reports), a lead's update of a
task's status and progress, and its evidence (a file or a link). Each runs in one transaction and is audited."""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.access import officer_of
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit
from hocvuso.people.models import Organisation, OrganisationKind
from hocvuso.people.services import ensure_organisation
from hocvuso.territory.models import AdministrativeUnit, Level

from ..models import (
    EvidenceKind,
    Plan,
    PlanTask,
    Recurrence,
    TaskEvidence,
    TaskProgress,
    TaskStatus,
    TaskUpdate,
)
from .assignments import sync_reporting_assignments

PLANS_FOLDER = Path(__file__).resolve().parent.parent / "plans"
DEFAULT_PLAN_FILE = PLANS_FOLDER / "bdhvs-2025.yaml"
EVERY_UNIT = "every_unit"
_TASK_CODE = re.compile(r"^[A-Z]{1,4}(\.[0-9]{1,2}){0,3}$")
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")

# What an evidence file may be: its first bytes decide, never its name. Office files are zips; they are stored
# and served as downloads only, never unpacked on the server.
EVIDENCE_TYPES: dict[str, tuple[bytes, str]] = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    ".docx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@dataclass(frozen=True)
class PlanLoadResult:
    plan: Plan
    created: bool
    changed: bool
    tasks: int
    leads: int
    agencies_created: int


def _fill(text: str, province: AdministrativeUnit) -> str:
    """The placeholders of a data file's names: {province} "tỉnh Lâm Đồng", {province_name} "Lâm Đồng", and the
    same in capitals."""
    lower = f"{province.kind} {province.name}"
    return (
        text.replace("{province}", lower)
        .replace("{province_name}", province.name)
        .replace("{PROVINCE}", lower.upper())
        .replace("{PROVINCE_NAME}", province.name.upper())
    )


def _problem(where: str, message: str) -> DomainError:
    return DomainError(_("Tệp kế hoạch, %(where)s: %(message)s") % {"where": where, "message": message}, code="plan")


def read_plan_file(data: bytes) -> dict[str, Any]:
    """The plan data file parsed and checked: every problem raises DomainError naming where it is."""
    try:
        content = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise _problem("", _("không đọc được (%(error)s).") % {"error": str(error)[:200]}) from error
    if not isinstance(content, dict) or not isinstance(content.get("plan"), dict):
        raise _problem("plan", _("thiếu phần plan."))
    plan, agencies, tasks = content["plan"], content.get("agencies") or [], content.get("tasks") or []
    for key in ("code", "title", "year"):
        if not plan.get(key):
            raise _problem("plan", _("thiếu %(key)s.") % {"key": key})
    codes = set()
    for index, agency in enumerate(agencies, start=1):
        if not isinstance(agency, dict) or not agency.get("code") or not agency.get("name"):
            raise _problem(f"agencies[{index}]", _("cần code và name."))
        codes.add(str(agency["code"]))
    if plan.get("consolidating_agency") and plan["consolidating_agency"] not in codes:
        raise _problem("plan", _("cơ quan tổng hợp không có trong agencies."))
    seen = set()
    for index, task in enumerate(tasks, start=1):
        where = f"tasks[{index}]"
        if not isinstance(task, dict):
            raise _problem(where, _("không phải một nhiệm vụ."))
        code = str(task.get("code", ""))
        if not _TASK_CODE.match(code) or code in seen:
            raise _problem(where, _("mã nhiệm vụ “%(code)s” không hợp lệ hoặc bị trùng.") % {"code": code})
        seen.add(code)
        if not task.get("title"):
            raise _problem(where, _("thiếu title."))
        lead = task.get("lead")
        if lead != EVERY_UNIT and (not isinstance(lead, list) or not lead or set(map(str, lead)) - codes):
            raise _problem(where, _("lead phải là every_unit hoặc danh sách mã cơ quan có trong agencies."))
        if set(map(str, task.get("coordinating") or [])) - codes:
            raise _problem(where, _("coordinating có mã cơ quan không có trong agencies."))
        if task.get("recurrence", Recurrence.ONCE) not in Recurrence.values:
            raise _problem(where, _("recurrence không hợp lệ."))
        if task.get("due") is not None and not isinstance(task["due"], date):
            raise _problem(where, _("due phải là ngày YYYY-MM-DD."))
        for day in task.get("yearly_on") or []:
            if not _MONTH_DAY.match(str(day)):
                raise _problem(where, _("yearly_on phải là MM-DD."))
    return content


def _agency_profile(agency: dict[str, Any], province: AdministrativeUnit) -> dict[str, str]:
    governing = agency.get("governing_body", "UBND {PROVINCE}")
    return {
        "governing_body": _fill(str(governing or ""), province),
        "issuer": _fill(str(agency.get("issuer", "")), province),
        "symbol": str(agency.get("symbol", "")),
        "authority": str(agency.get("authority", "")),
        "signer_title": str(agency.get("signer_title", "")),
        "place_name": province.name,
    }


def load_plan(
    *, data: bytes, province: AdministrativeUnit, actor: Any, valid_from: date | None = None
) -> PlanLoadResult:
    """Load a plan data file (format in reporting/plans/*.yaml) for the province: its agencies (registered as
    organisations when missing), its tasks with their coordinating agencies, one TaskProgress per lead (an
    agency; or, for tasks every unit leads, every commune in force and every agency that reports), and who
    reports each quarter (the agencies marked `reports` and every commune in force, from `valid_from`, the
    plan's year start by default). Idempotent: the same file again changes nothing; a changed file updates the
    tasks in place and adds what is new (progress already reported is kept). Audited ("reporting.load_plan").
    Raises DomainError naming the problem for a malformed file."""
    content = read_plan_file(data)
    fingerprint = hashlib.sha256(data).hexdigest()
    meta = content["plan"]
    start = valid_from or date(int(meta["year"]), 1, 1)
    with transaction.atomic():
        plan, created = Plan.objects.get_or_create(
            code=str(meta["code"]),
            defaults={"title": meta["title"], "reference": meta.get("reference", ""), "year": int(meta["year"])},
        )
        unchanged = not created and plan.fingerprint == fingerprint
        agencies: dict[str, Organisation] = {}
        agencies_created = 0
        for agency in content.get("agencies") or []:
            organisation, made = ensure_organisation(
                code=f"{agency['code']}-{province.code}",
                name=_fill(str(agency["name"]), province),
                kind=OrganisationKind.STATE_AGENCY,
                unit=province,
                actor=actor,
            )
            agencies[str(agency["code"])] = organisation
            agencies_created += int(made)
        reporting_agencies = [agencies[str(a["code"])] for a in content.get("agencies") or [] if a.get("reports")]
        profiles = {agencies[str(a["code"])].pk: _agency_profile(a, province) for a in content.get("agencies") or []}
        sync_reporting_assignments(
            province=province, agencies=reporting_agencies, on=start, profiles=profiles, actor=actor
        )
        communes = list(AdministrativeUnit.objects.filter(parent=province, level=Level.COMMUNE).in_force())
        leads = 0
        for position, item in enumerate(content.get("tasks") or [], start=1):
            task, _made = PlanTask.objects.update_or_create(
                plan=plan,
                code=str(item["code"]),
                defaults={
                    "section": str(item.get("section", "")),
                    "title": str(item["title"]),
                    "expected_outputs": [str(output) for output in item.get("outputs") or []],
                    "recurrence": item.get("recurrence", Recurrence.ONCE),
                    "due_date": item.get("due"),
                    "yearly_on": [str(day) for day in item.get("yearly_on") or []],
                    "led_by_every_unit": item["lead"] == EVERY_UNIT,
                    "position": position,
                },
            )
            task.coordinating.set([agencies[str(code)] for code in item.get("coordinating") or []])
            if item["lead"] == EVERY_UNIT:
                lead_units, lead_organisations = communes, reporting_agencies
            else:
                lead_units, lead_organisations = [], [agencies[str(code)] for code in item["lead"]]
            for unit in lead_units:
                TaskProgress.objects.get_or_create(task=task, unit=unit)
            for organisation in lead_organisations:
                TaskProgress.objects.get_or_create(task=task, organisation=organisation)
            leads += len(lead_units) + len(lead_organisations)
        consolidating = meta.get("consolidating_agency")
        plan.title, plan.reference, plan.year = meta["title"], meta.get("reference", ""), int(meta["year"])
        plan.consolidating_agency = agencies[str(consolidating)] if consolidating else None
        plan.report_recipients = [str(r) for r in meta.get("report_recipients") or []]
        plan.consolidated_recipients = [str(r) for r in meta.get("consolidated_recipients") or []]
        plan.fingerprint = fingerprint
        plan.save()
        if not unchanged:
            record_audit(
                actor=actor,
                action="reporting.load_plan",
                target=plan,
                details={"fingerprint": fingerprint[:16], "tasks": len(content.get("tasks") or []), "leads": leads},
            )
    return PlanLoadResult(plan, created, not unchanged, len(content.get("tasks") or []), leads, agencies_created)


def load_plan_file(*, path: Path | str, province: AdministrativeUnit, actor: Any) -> PlanLoadResult:
    """`load_plan` over a file on disk."""
    return load_plan(data=Path(path).read_bytes(), province=province, actor=actor)


# --- Updates by the lead ------------------------------------------------------------------------------------


def _require_lead(actor: Any, progress: TaskProgress) -> None:
    """Only an officer of the task's lead (UPDATE_TASKS on the agency or the commune itself) updates it."""
    if not officer_of(actor, Permission.UPDATE_TASKS, progress):
        raise NotFound(_("Không tìm thấy nhiệm vụ."))


def update_task(*, progress: TaskProgress, status: str, percent: int, note: str, actor: Any) -> TaskUpdate:
    """Record an update of a task by an officer of its lead: status, progress 0–100 (100 with "done", and
    "done" only at 100), and what was done. Returns the update. Raises NotFound for anyone else, DomainError
    for an invalid status or progress or an empty note."""
    _require_lead(actor, progress)
    if status not in TaskStatus.values:
        raise DomainError(_("Tình trạng không hợp lệ."), field="status", code="task_status")
    if not 0 <= int(percent) <= 100:
        raise DomainError(_("Tiến độ phải từ 0 đến 100%."), field="progress", code="task_progress")
    if (status == TaskStatus.DONE) != (int(percent) == 100):
        raise DomainError(
            _("Nhiệm vụ đã hoàn thành khi và chỉ khi tiến độ là 100%."), field="progress", code="task_done"
        )
    note = note.strip()
    if not note:
        raise DomainError(_("Hãy ghi nội dung đã thực hiện."), field="note", code="task_note")
    with transaction.atomic():
        locked = TaskProgress.objects.select_for_update().get(pk=progress.pk)
        update = TaskUpdate.objects.create(
            progress_of=locked, author=actor, status=status, progress=int(percent), note=note[:5000]
        )
        locked.status, locked.progress, locked.last_update_at = status, int(percent), update.at
        locked.save(update_fields=["status", "progress", "last_update_at", "updated_at"])
        record_audit(
            actor=actor,
            action="reporting.update_task",
            target=locked,
            details={"task": locked.task.code, "status": status, "progress": int(percent)},
        )
    progress.status, progress.progress, progress.last_update_at = locked.status, locked.progress, locked.last_update_at
    return update


def _checked_link(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
        raise DomainError(_("Đường dẫn phải bắt đầu bằng http:// hoặc https://."), field="url", code="evidence_url")
    return url


def _checked_file(file_name: str, data: bytes) -> tuple[str, str]:
    """(safe file name, content type) of an evidence file whose first bytes match its extension."""
    name = re.sub(r"[^\w.\- ]+", "_", Path(file_name).name).strip() or "minh-chung"
    extension = Path(name).suffix.lower()
    if extension not in EVIDENCE_TYPES:
        raise DomainError(
            _("Chỉ nhận tệp PDF, ảnh PNG/JPG, Word (.docx) hoặc Excel (.xlsx)."), field="file", code="evidence_type"
        )
    magic, content_type = EVIDENCE_TYPES[extension]
    if not data.startswith(magic):
        raise DomainError(
            _("Nội dung tệp không khớp với phần mở rộng %(extension)s.") % {"extension": extension},
            field="file",
            code="evidence_content",
        )
    if len(data) > settings.REPORTING_EVIDENCE_MAX_BYTES:
        limit = settings.REPORTING_EVIDENCE_MAX_BYTES // (1024 * 1024)
        raise DomainError(_("Tệp lớn hơn %(limit)s MB.") % {"limit": limit}, field="file", code="evidence_size")
    return name[:200], content_type


def add_evidence(
    *,
    progress: TaskProgress,
    title: str,
    actor: Any,
    url: str = "",
    file_name: str = "",
    data: bytes | None = None,
    update: TaskUpdate | None = None,
) -> TaskEvidence:
    """Attach evidence to a task: a link (http/https) or a file (PDF, PNG, JPEG, DOCX, XLSX up to
    REPORTING_EVIDENCE_MAX_BYTES, its first bytes matching its extension; stored, never unpacked). Only an
    officer of the lead. Audited. Raises NotFound for anyone else, DomainError for anything else wrong."""
    _require_lead(actor, progress)
    title = re.sub(r"\s+", " ", title).strip()[:200]
    if not title:
        raise DomainError(_("Hãy đặt tên cho minh chứng."), field="title", code="evidence_title")
    if (data is None) == (not url):
        raise DomainError(_("Gửi một tệp hoặc một đường dẫn."), field="file", code="evidence_one")
    with transaction.atomic():
        if data is not None:
            name, content_type = _checked_file(file_name, data)
            evidence = TaskEvidence.objects.create(
                progress_of=progress,
                update=update,
                kind=EvidenceKind.FILE,
                title=title,
                file_name=name,
                content_type=content_type,
                content=data,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                added_by=actor,
            )
        else:
            evidence = TaskEvidence.objects.create(
                progress_of=progress,
                update=update,
                kind=EvidenceKind.LINK,
                title=title,
                url=_checked_link(url),
                added_by=actor,
            )
        record_audit(
            actor=actor,
            action="reporting.add_evidence",
            target=progress,
            details={"evidence": evidence.pk, "kind": evidence.kind, "size": evidence.size},
        )
    return evidence
