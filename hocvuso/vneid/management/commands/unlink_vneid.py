from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.accounts.models import User
from hocvuso.vneid.services import unlink_provider_accounts


class Command(BaseCommand):
    help = (
        "Remove the VNeID (OpenID Connect) accounts linked to an account, e.g. a link made by mistake. The account, "
        "its registry record and its identity facts stay; the next VNeID sign-in decides anew whose account it is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(username__iexact=str(options["username"])).first()
        if user is None:
            raise CommandError("No account with that username.")
        removed = unlink_provider_accounts(user=user, actor=None)
        self.stdout.write(f"{removed} link(s) removed from {user.username}.")
