"""`manage.py rotate_signing_key [--seed-file FILE] [--compromised KEY_ID]` — create the province's first signing
key or rotate to a new one (the old one keeps verifying what it signed); or take a compromised key out of the DID
document. See docs/OPERATIONS.md."""

import base64
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hocvuso.core.errors import DomainError
from hocvuso.credentials.keys import mark_key_compromised, rotate_signing_key


class Command(BaseCommand):
    help = "Create or rotate the certificate signing key (Ed25519), or mark a retired key compromised."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed-file", help="a file holding a 32-byte Ed25519 private key, base64 (else new)")
        parser.add_argument("--compromised", metavar="KEY_ID", help="remove this retired key from the DID document")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["compromised"]:
                key = mark_key_compromised(key_id=options["compromised"], actor=None)
                self.stdout.write(f"{key.key_id} marked compromised: it is no longer in the DID document.")
                return
            seed = None
            if options["seed_file"]:
                seed = base64.b64decode(Path(options["seed_file"]).read_text().strip(), validate=True)
            key = rotate_signing_key(actor=None, seed=seed)
        except (DomainError, ValueError) as error:
            raise CommandError(str(getattr(error, "message", error))) from error
        self.stdout.write(f"Active signing key: {key.key_id}")
