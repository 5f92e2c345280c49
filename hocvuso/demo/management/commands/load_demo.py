import base64

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.accounts.roles import Role
from hocvuso.demo.services import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo province (Lâm Đồng) and one demo account per role; prints the accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=68)

    def handle(self, *args: object, **options: object) -> None:
        try:
            accounts = load_demo(seed=int(str(options["seed"])))
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
        self.stdout.write("Staff sign in with a 6-digit code: add the secret (random, made for this database) to an")
        self.stdout.write("authenticator app, or run")
        self.stdout.write("  make totp USER=<username>\n")
        for account in accounts:
            secret = base64.b32encode(bytes.fromhex(account.totp_key)).decode() if account.totp_key else "—"
            self.stdout.write(
                f"  {account.username:<16} {Role(account.role).label:<45} {account.scope:<40} TOTP secret: {secret}"
            )
