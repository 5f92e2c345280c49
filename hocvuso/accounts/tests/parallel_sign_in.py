"""Fifteen wrong passwords for one username at the same moment, each on its own thread and database connection.

`try_in_parallel` is used by the PostgreSQL test in-process and, through `python -m`, by the SQLite test on a
database file in a child process (SQLite in memory cannot give each thread its own connection to one database).
"""

import json
import os
import sys
import threading
import time
from collections import Counter
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

ATTEMPTS = 15
USERNAME = "lan"
CHECKS: Counter[str] = Counter()
_CHECKS_LOCK = threading.Lock()


class SlowCountingHasher(PBKDF2PasswordHasher):
    """PBKDF2 (as in production, fewer rounds) that counts every password it checks and takes a tenth of a
    second more, so that parallel attempts overlap as they do with production's slower hashing."""

    algorithm = "pbkdf2_sha256_counted"
    iterations = 10_000

    def verify(self, password: str, encoded: str) -> bool:
        with _CHECKS_LOCK:
            CHECKS["verify"] += 1
        time.sleep(0.1)
        return super().verify(password, encoded)


HASHERS = ["hocvuso.accounts.tests.parallel_sign_in.SlowCountingHasher"]


def try_in_parallel(attempts: int = ATTEMPTS) -> dict[str, Any]:
    """Send `attempts` wrong passwords for USERNAME at once; return how each ended and how many were checked."""
    from django.db import connection

    from hocvuso.accounts.services import check_credentials
    from hocvuso.core.errors import DomainError

    CHECKS.clear()
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    errors: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait(timeout=30)
            check_credentials(username=USERNAME, password="wrong-password", ip_address="10.0.0.9")
            outcomes.append("signed_in")
        except DomainError as error:
            outcomes.append(error.code)
        except BaseException as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return {"outcomes": dict(Counter(outcomes)), "checked": CHECKS["verify"], "errors": errors}


def _main() -> None:  # pragma: no cover - run in a child process by the SQLite test
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.PASSWORD_HASHERS = HASHERS
    call_command("migrate", verbosity=0)
    from hocvuso.accounts.models import LoginFailure, User
    from hocvuso.accounts.tests import parallel_sign_in  # the module the hasher setting names, not __main__

    User.objects.create_user(username=USERNAME, password="the-right-password")
    result = parallel_sign_in.try_in_parallel()
    result["failures_recorded"] = LoginFailure.objects.filter(username=USERNAME).count()
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__" and os.environ.get("DATABASE_URL", "").startswith("sqlite:"):
    _main()
