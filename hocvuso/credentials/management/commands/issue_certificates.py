"""`manage.py issue_certificates [--shard I/N]` — issue a certificate for every literacy confirmation without one
(as the system); several processes share a backlog with --shard 0/2 and --shard 1/2."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hocvuso.core.errors import DomainError
from hocvuso.credentials.services import issue_pending_certificates


class Command(BaseCommand):
    help = "Issue the pending literacy certificates (optionally one shard of them)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--shard", help="I/N: only confirmations whose id is I modulo N")

    def handle(self, *args: Any, **options: Any) -> None:
        shard = None
        if options["shard"]:
            try:
                index, count = (int(part) for part in options["shard"].split("/"))
            except ValueError as error:
                raise CommandError("--shard is I/N, e.g. 0/2") from error
            shard = (index, count)
        try:
            issued = issue_pending_certificates(shard=shard)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"issued {issued}")
