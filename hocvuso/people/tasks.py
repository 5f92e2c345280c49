"""Background tasks of the people app (found by Celery's autodiscovery, which imports `<app>.tasks`)."""

from .imports.tasks import run_roster_import_task

__all__ = ["run_roster_import_task"]
