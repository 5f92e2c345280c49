"""The background task of roster imports: a thin wrapper over `run_roster_import`.

Crash safety comes from three things together: the task is acknowledged only after it ends (acks_late, and
reject_on_worker_lost in settings), so a worker killed mid-import leaves the message to be delivered again;
the import writes in one transaction that also marks the job done, so a killed worker leaves nothing; and the
service counts attempts on the job row, so a file that kills its worker every time ends as failed.
"""

from celery import shared_task
from django.db import OperationalError

from .services import expire_stalled_imports, run_roster_import


@shared_task(
    name="hocvuso.people.imports.tasks.run_roster_import",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=3,
)
def run_roster_import_task(job_id: int) -> str:
    """Run the import job `job_id`; returns its final status ("done", "rejected", "failed", …)."""
    return str(run_roster_import(job_id=job_id).status)


@shared_task(name="hocvuso.people.imports.tasks.sweep_stalled_imports", ignore_result=True)
def sweep_stalled_imports_task() -> int:
    """Mark failed the import jobs that stalled (CELERY_BEAT_SCHEDULE "sweep-stalled-imports"); returns how many."""
    return expire_stalled_imports()
