"""`manage.py deliver_certificates` — issue pending certificates and send due ones to the VNeID endpoint now."""

from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.credentials.services import deliver_certificates, issue_pending_certificates


class Command(BaseCommand):
    help = "Issue certificates for literacy confirmations without one, then run the VNeID outbox once."

    def handle(self, *args: Any, **options: Any) -> None:
        issued = issue_pending_certificates()
        report = deliver_certificates()
        self.stdout.write(
            f"issued {issued}; delivered {report.delivered}, retrying {report.retrying}, dead {report.dead}"
        )
