"""Batch look-ups by a list of values (IDs' keyed hashes, household codes) in one query.

On PostgreSQL the list goes as ONE array parameter (`column = ANY(%s)`): a 5,000-value IN list costs more to
build, send and plan than the index look-up itself. Elsewhere Django's `__in`.
"""

from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, models


def select_any(
    model: type[models.Model], columns: Sequence[str], field: str, values: Sequence[Any], *, using: Any = None
) -> list[tuple[Any, ...]]:
    """Rows (as tuples of `columns`, attnames) of `model` whose `field` is one of `values`; on `using` (a Django
    connection of PostgreSQL) when given, else the default connection."""
    if not values:
        return []
    if using is None and connection.vendor != "postgresql":
        return list(model._default_manager.filter(**{f"{field}__in": list(values)}).values_list(*columns))
    meta = model._meta
    quote = (using or connection).ops.quote_name
    selected = ", ".join(quote(str(cast(models.Field, meta.get_field(name)).column)) for name in columns)
    where = quote(str(cast(models.Field, meta.get_field(field)).column))
    table = quote(meta.db_table)
    with (using or connection).cursor() as cursor:
        if all(isinstance(value, str) and "," not in value for value in values):
            # One text parameter split on the server: cheaper than adapting a list of thousands of strings.
            cursor.execute(
                f"SELECT {selected} FROM {table} WHERE {where} = ANY(string_to_array(%s, ','))",  # noqa: S608
                [",".join(values)],
            )
        else:
            cursor.execute(f"SELECT {selected} FROM {table} WHERE {where} = ANY(%s)", [list(values)])  # noqa: S608
        return cursor.fetchall()
