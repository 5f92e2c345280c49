"""Model instances from hand-written SQL, for the few statements that run on every request of the busiest
endpoints, where building the query through the ORM cost more than running it (bench/profile_lesson.py).

`Columns` names the columns of one model a statement selects (under a table alias); `select_list` writes them for
the statement, and `instance` turns that model's slice of a result row into the instance the ORM would load:
each value through the database backend's and the field's converters, as the ORM's compiler does, so the
instance is the same (fields not selected are deferred, as with `.only()`). The statement itself is written by
the caller, with its values as parameters.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class Columns:
    """Columns of `model` selected under the table alias `alias`: `fields` by name (all concrete fields when
    empty; the primary key is always selected)."""

    model: type[models.Model]
    alias: str
    fields: tuple[str, ...] = ()

    def concrete(self) -> list[Any]:
        """The selected fields, in the model's order (the order `Model.from_db` reads values in)."""
        meta = self.model._meta
        wanted = {meta.pk.name if meta.pk else "", *self.fields}
        return [
            field
            for field in meta.concrete_fields
            if not self.fields or field.name in wanted or field.attname in wanted
        ]

    def __len__(self) -> int:
        return len(self.concrete())


def select_list(connection: BaseDatabaseWrapper, columns: Sequence[Columns]) -> str:
    """The select list of these columns, in order, for a statement on `connection`."""
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(part.alias)}.{quote(field.column)}" for part in columns for field in part.concrete())


def instance(connection: BaseDatabaseWrapper, columns: Columns, values: Sequence[Any]) -> Any:
    """The instance of `columns.model` for its slice of a result row (in the order of `select_list`)."""
    attnames, converters = _conversion(connection.alias, connection.vendor, columns)
    converted = list(values)
    for index, column, functions in converters:
        for function in functions:
            converted[index] = function(converted[index], column, connection)
    return columns.model.from_db(connection.alias, attnames, converted)


@lru_cache(maxsize=64)
def _conversion(alias: str, vendor: str, columns: Columns) -> tuple[list[str], list[tuple[int, Any, list[Converter]]]]:
    from django.db import connections

    connection = connections[alias]
    fields = columns.concrete()
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(columns.alias)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, column, functions))
    return [field.attname for field in fields], converters
