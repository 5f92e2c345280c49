from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.accounts.models import User
from hocvuso.accounts.services import issue_enrolment_code
from hocvuso.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Print a one-time code with which the account enrols an authenticator (its first, or a new phone). For the "
        "server's operator: the first administrator of a deployment, or an account no administrator may manage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(username__iexact=str(options["username"])).first()
        if user is None:
            raise CommandError("No account with that username.")
        try:
            issued = issue_enrolment_code(user=user, issued_by=None)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        expires = issued.code.expires_at.strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"{issued.plain_text}  (for {user.username}; works once, until {expires})")
