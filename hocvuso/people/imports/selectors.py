"""Reads of roster imports for pages and the API: the jobs a user may see, one job, its progress for polling."""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from hocvuso.accounts.access import require, scope
from hocvuso.accounts.roles import Permission

from ..import_models import LIVE_IMPORT_STATUSES, ImportJob, ImportStatus


def import_jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    """Import jobs the user may follow (IMPORT_ROSTER): into a unit of their subtrees, or for an organisation
    assigned to them. Newest first."""
    return (
        ImportJob.objects.filter(scope(user, Permission.IMPORT_ROSTER, ImportJob))
        .select_related("unit", "organisation")
        .order_by("-created_at", "-id")
    )


def get_import_job(*, user: Any, job_id: int) -> ImportJob:
    """The job if the user may see it; raises NotFound for a missing job and for someone else's alike."""
    job = ImportJob.objects.select_related("unit", "organisation").filter(pk=job_id).first()
    require(user, Permission.IMPORT_ROSTER, job)
    assert job is not None
    return job


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """What a progress bar polls: the status (code and Vietnamese label), 0–100 progress, the row counters,
    the result counts, and the message. Contains no personal data."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.status_label,
        "finished": job.is_finished,
        "dry_run": job.dry_run,
        "progress": job.progress,
        "rows_total": job.rows_total,
        "rows_validated": job.rows_validated,
        "rows_imported": job.rows_imported,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "residents_created": job.residents_created,
        "households_created": job.households_created,
        "households_updated": job.households_updated,
        "problems": job.problem_count,
        "message": job.message,
        "needs_date_order": job.needs_date_order,
    }


def imports_awaiting_confirmation(user: Any, *, limit: int = 10) -> list[ImportJob]:
    """Checks (dry runs) that succeeded and were not imported since: the file of each is waiting for the officer's
    confirmation. Only jobs the user may follow (IMPORT_ROSTER), newest first, at most `limit`. One query."""
    imported = ImportJob.objects.filter(
        fingerprint=OuterRef("fingerprint"), dry_run=False, status__in=LIVE_IMPORT_STATUSES
    )
    return list(
        import_jobs_visible_to(user).filter(dry_run=True, status=ImportStatus.DONE).exclude(Exists(imported))[:limit]
    )


def recent_imports(user: Any, *, limit: int = 5) -> list[ImportJob]:
    """The last roster imports (checks and imports) the user may follow, newest first. One query."""
    return list(import_jobs_visible_to(user)[:limit])
