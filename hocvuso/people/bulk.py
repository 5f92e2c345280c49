"""The one bulk writer of the registry: many rows of a model in one statement, by the fastest means the database
offers — PostgreSQL's binary COPY (psycopg 3), elsewhere `bulk_create`/`executemany` — and many updates in one
`UPDATE … FROM (VALUES …)`.

Used by the roster import (hocvuso/people/imports/commit.py) and the synthetic population
(hocvuso/demo/population), so both write the same columns the same way: a column a writer does not give gets
the model's default (a new required column without one fails loudly instead of writing bad rows).

`BulkTable.insert` takes ids from the table's sequence and returns them (households can then name their head,
memberships their resident); `BulkTable.append` writes rows as given (their primary key among the columns, or
left to the database). `BackgroundCopy` runs the COPY statements in a second thread on the same connection,
so the caller prepares the next rows while the server parses the previous ones (psycopg connections are
thread-safe and release the GIL while they wait).
"""

import queue
import threading
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connection, models

UPDATE_BATCH = 2_000


def allocate_ids(table: str, count: int, *, column: str = "id", using: Any = None) -> list[int]:
    """`count` new ids from the sequence of `table`'s `column` (PostgreSQL), on `using` (a Django connection;
    by default this thread's). The sequence is looked up once (a materialised CTE), not on every row:
    `pg_get_serial_sequence` in the select list is evaluated per row, and made 100,000 ids cost 1.4 s instead of
    0.24 s."""
    if count == 0:
        return []
    with (using or connection).cursor() as cursor:
        cursor.execute(
            "WITH named AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS sequence) "
            "SELECT nextval(sequence) FROM named, generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_type(field: Any) -> str:
    """The PostgreSQL type name psycopg needs for a binary COPY of this field ('varchar(150)' → 'varchar')."""
    return str(field.db_type(connection)).split("(")[0].strip()


def _defaults(model: type[models.Model], given: Sequence[str]) -> tuple[list[str], list[Any]]:
    """Columns of `model` that a writer does not give, with their (constant) defaults; the primary key is left to
    the caller (`insert`) or the database (`append`)."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:  # a new required column the writers do not know: fail loudly rather than write bad rows
            raise RuntimeError(f"{model.__name__}.{field.name} has no default; the bulk writers must set it.")
        columns.append(str(field.column))
        values.append(value)
    return columns, values


class _Typed:
    """A psycopg Copy whose column types are set once it is entered (binary COPY needs them)."""

    def __init__(self, copy: Any, types: list[str]) -> None:
        self.copy = copy
        self.types = types

    def __enter__(self) -> Any:
        entered = self.copy.__enter__()
        entered.set_types(self.types)
        return entered

    def __exit__(self, *exc: Any) -> Any:
        return self.copy.__exit__(*exc)


class BulkTable:
    """Inserts and updates of many rows of one model. `columns` are attnames, in the order rows give them;
    with `apply=False` nothing is written (`insert` returns negative stand-in ids: a dry run)."""

    def __init__(self, model: type[models.Model], columns: list[str], *, apply: bool = True) -> None:
        self.model = model
        self.columns = columns
        self.apply = apply
        self.postgres = connection.vendor == "postgresql"
        meta = model._meta
        self.table = meta.db_table
        self.pk_column = str(cast(models.Field, meta.pk).column)
        self.db_columns = [str(cast(models.Field, meta.get_field(name)).column) for name in columns]
        self.extra_columns, self.extra_values = _defaults(model, columns)
        self.extra = tuple(self.extra_values)
        self._fake_id = 0
        if self.postgres:
            by_column = {str(field.column): field for field in meta.concrete_fields}
            self.types = [_copy_type(by_column[name]) for name in [*self.db_columns, *self.extra_columns]]
            self.pk_type = _copy_type(meta.pk)

    # --- COPY ------------------------------------------------------------------------------------------------

    def copy(self, raw_cursor: Any, *, with_id: bool = True) -> Any:
        """A binary COPY into the table on a psycopg cursor: (id when `with_id`, the given columns, the defaulted
        ones), its types set. Write rows with `write_row((id, *row, *table.extra))` or `(*row, *table.extra)`."""
        quote = connection.ops.quote_name
        names = [self.pk_column] if with_id else []
        names += [*self.db_columns, *self.extra_columns]
        statement = f"COPY {quote(self.table)} ({', '.join(quote(name) for name in names)}) FROM STDIN (FORMAT BINARY)"
        types = [self.pk_type, *self.types] if with_id else list(self.types)
        return _Typed(raw_cursor.copy(statement), types)

    def allocate_ids(self, count: int) -> list[int]:
        """`count` new ids from the table's sequence (PostgreSQL)."""
        return allocate_ids(self.table, count, column=self.pk_column)

    # --- writes ----------------------------------------------------------------------------------------------

    def insert(self, rows: list[tuple[Any, ...]]) -> list[int]:
        """Insert rows (values in `columns` order, without the primary key) and return their new ids."""
        if not rows:
            return []
        if not self.apply:
            first = self._fake_id - 1
            self._fake_id -= len(rows)
            return list(range(first, self._fake_id - 1, -1))
        if self.postgres:
            ids = self.allocate_ids(len(rows))
            extra = self.extra
            with connection.cursor() as cursor, self.copy(cursor.cursor) as copy:
                write = copy.write_row
                for new_id, row in zip(ids, rows, strict=True):
                    write((new_id, *row, *extra))
            return ids
        objects = [self.model(**dict(zip(self.columns, row, strict=True))) for row in rows]
        self.model._default_manager.bulk_create(objects, batch_size=500)
        return [cast(int, obj.pk) for obj in objects]

    def append(self, rows: Iterable[Sequence[Any]], *, raw_cursor: Any = None) -> None:
        """Write rows as given (values in `columns` order; the primary key among them, or assigned by the
        database). On PostgreSQL with COPY, on `raw_cursor` (a psycopg cursor) when given; elsewhere with
        executemany, 5,000 rows a statement."""
        if not self.apply:
            return
        extra = self.extra
        if self.postgres:
            if raw_cursor is None:
                with connection.cursor() as cursor:
                    self.append(rows, raw_cursor=cursor.cursor)
                return
            with self.copy(raw_cursor, with_id=False) as copy:
                write = copy.write_row
                for row in rows:
                    write((*row, *extra))
            return
        quote = connection.ops.quote_name
        names = [*self.db_columns, *self.extra_columns]
        placeholders = ", ".join(["%s"] * len(names))
        listed = ", ".join(quote(name) for name in names)
        statement = f"INSERT INTO {quote(self.table)} ({listed}) VALUES ({placeholders})"  # noqa: S608 — model names
        values = [(*row, *extra) for row in rows]
        with connection.cursor() as cursor:
            for start in range(0, len(values), 5_000):
                cursor.executemany(statement, values[start : start + 5_000])

    def update(self, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
        """Set `fields` (attnames) on rows given as (id, *values)."""
        if not rows or not self.apply:
            return
        meta = self.model._meta
        if self.postgres:
            quote = connection.ops.quote_name
            targets = [cast(models.Field, meta.get_field(name)) for name in fields]
            casts = ["bigint", *(field.db_type(connection) or "text" for field in targets)]
            placeholder = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            names = ["id", *(str(field.column) for field in targets)]
            assignments = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in names[1:])
            for start in range(0, len(rows), UPDATE_BATCH):
                part = rows[start : start + UPDATE_BATCH]
                values = ", ".join([placeholder] * len(part))
                sql = (
                    f"UPDATE {quote(self.table)} AS t SET {assignments} FROM (VALUES {values}) "  # noqa: S608 — names from model metadata
                    f"AS v({', '.join(quote(name) for name in names)}) WHERE t.id = v.id"
                )
                with connection.cursor() as cursor:
                    cursor.execute(sql, [value for row in part for value in row])
            return
        objects = []
        for row in rows:
            obj = self.model(pk=row[0])
            for name, value in zip(fields, row[1:], strict=True):
                setattr(obj, name, value)
            objects.append(obj)
        self.model._default_manager.bulk_update(objects, fields, batch_size=500)


class BackgroundCopy:
    """Runs `BulkTable.append` for queued chunks in a second thread on the connection's psycopg connection
    (PostgreSQL only), so the producer prepares the next chunk meanwhile. The producer must not use the
    connection until `close()`, which waits for the last chunk and raises what the thread met (once)."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw_connection = connection.connection
        self.error: BaseException | None = None
        self.queue: queue.Queue[list[tuple[BulkTable, list[Sequence[Any]]]] | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._work, name="hocvuso-bulk-copy", daemon=True)
        self.thread.start()

    def put(self, chunk: list[tuple[BulkTable, list[Sequence[Any]]]]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(chunk)

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _work(self) -> None:
        while True:
            chunk = self.queue.get()
            if chunk is None:
                return
            if self.error is not None:
                continue  # keep draining so the producer never blocks
            try:
                with self.raw_connection.cursor() as cursor:
                    for table, rows in chunk:
                        if rows:
                            table.append(rows, raw_cursor=cursor)
            except BaseException as error:
                self.error = error
