"""`manage.py export_credential <certificate id>` — print a certificate's signed JSON (as issued)."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hocvuso.core.services import record_audit
from hocvuso.credentials.models import Certificate


class Command(BaseCommand):
    help = "Print a literacy certificate's signed credential (JSON)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("certificate_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            certificate = Certificate.objects.filter(pk=options["certificate_id"]).first()
        except ValidationError:
            certificate = None
        if certificate is None:
            raise CommandError(f"No certificate {options['certificate_id']!r}.")
        record_audit(actor=None, action="credentials.export", target=certificate)
        self.stdout.write(json.dumps(certificate.credential, ensure_ascii=False, indent=2))
