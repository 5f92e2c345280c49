"""The authentication backend: Django's ModelBackend, with the session's user read by one SQL statement written
once per process.

Every signed-in request reads its user (accounts.middleware.AuthenticationMiddleware); through the ORM, building
that query (`User.objects.get(pk=…)`) cost more than running it, and was the largest share of a quiz answer's
time besides the answer itself (bench/profile_lesson.py). The statement selects the same columns the ORM would
and turns each value into Python the way the ORM does (`core/rows.py`), so the
user is the same object; what a backend decides (`user_can_authenticate`, the session hash Django checks after)
is Django's.

Sessions made before this backend existed name Django's own (`LEGACY_BACKEND`): the middleware renames it in the
session, so nobody is signed out by the change.
"""

from functools import lru_cache
from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connections, router

from hocvuso.core.rows import Columns, instance, select_list

from .models import User

LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"
USER = Columns(User, User._meta.db_table)


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend; `get_user` reads the row with `user_by_pk`."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = user_by_pk(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def user_by_pk(pk: int) -> User | None:
    """The user with this id, every field loaded as `User.objects.filter(pk=pk).first()` loads it, or None."""
    alias = router.db_for_read(User)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_statement(alias, connection.vendor), [pk])
        row = cursor.fetchone()
    return instance(connection, USER, row) if row is not None else None


@lru_cache(maxsize=8)
def _statement(alias: str, vendor: str) -> str:
    connection = connections[alias]
    table = connection.ops.quote_name(User._meta.db_table)
    key = User._meta.pk
    assert key is not None and key.column is not None
    pk = connection.ops.quote_name(key.column)
    return f"SELECT {select_list(connection, [USER])} FROM {table} WHERE {table}.{pk} = %s"  # noqa: S608
