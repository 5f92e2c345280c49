"""Writing a synthetic province's rows: sealing IDs and phones, sending chunks through the registry's bulk
writer, and the PostgreSQL bulk mode that drops secondary indexes and foreign keys and rebuilds them after."""

from datetime import datetime
from typing import Any

from django.db import connection

from hocvuso.core.crypto import encrypt_many, lookup_hash
from hocvuso.people.bulk import BackgroundCopy, BulkTable
from hocvuso.people.models import (
    DigitalIdentity,
    Household,
    Membership,
    Resident,
)

from .people import _Rows

# --- Writing ------------------------------------------------------------------------------------------------

_HOUSEHOLD_COLUMNS = ["id", "created_at", "updated_at", "code", "village_id", "address", "head_id"]
_RESIDENT_COLUMNS = ["id", "full_name", "name_key", "birth_date", "sex", "ethnicity", "national_id_ciphertext",
                     "national_id_hash", "national_id_last4", "phone_ciphertext", "phone_last3", "household_id",
                     "village_id", "created_at", "updated_at"]  # fmt: skip
_IDENTITY_COLUMNS = ["resident_id", "vneid_level", "vneid_source", "vneid_recorded_on", "has_bank_account",
                     "bank_source", "bank_recorded_on", "updated_at"]  # fmt: skip
_MEMBERSHIP_COLUMNS = ["resident_id", "organisation_id", "kind", "valid_from", "valid_to", "created_at",
                       "updated_at"]  # fmt: skip


def _seal(rows: _Rows) -> None:
    """Encrypt and hash the chunk's national IDs and phones in batches."""
    residents = rows.residents
    for row, ciphertext, national_id in zip(residents, encrypt_many(rows.national_ids), rows.national_ids, strict=True):
        row[6] = ciphertext
        row[7] = lookup_hash(national_id)
    for index, ciphertext in zip(rows.phone_rows, encrypt_many(rows.phones), strict=True):
        residents[index][9] = ciphertext


class _Writer:
    """Sends chunks to the database through hocvuso.people.bulk: on PostgreSQL a `BackgroundCopy` thread runs the
    COPY statements while the next chunk is generated; elsewhere batched INSERTs. The main thread does not touch
    the connection until `close()`."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.households = BulkTable(Household, _HOUSEHOLD_COLUMNS)
        self.residents = BulkTable(Resident, _RESIDENT_COLUMNS)
        self.identities = BulkTable(DigitalIdentity, _IDENTITY_COLUMNS)
        self.memberships = BulkTable(Membership, _MEMBERSHIP_COLUMNS)
        self.background = BackgroundCopy() if connection.vendor == "postgresql" else None

    def write(self, rows: _Rows) -> None:
        _seal(rows)
        now = self.now
        chunk: list[tuple[BulkTable, list[Any]]] = [
            (self.households, [(h[0], now, now, h[1], h[2], h[3], h[4]) for h in rows.households]),
            (self.residents, [(*row, now, now) for row in rows.residents]),
            (self.identities, [(*row, now) for row in rows.identities]),
            (self.memberships, [(m[0], m[1], m[2], m[3], None, now, now) for m in rows.memberships]),
        ]
        if self.background is not None:
            self.background.put(chunk)
            return
        for table, table_rows in chunk:
            table.append(table_rows)

    def close(self) -> None:
        """Wait for the last chunk; raise what the COPY thread met (once)."""
        if self.background is not None:
            self.background.close()


# --- PostgreSQL bulk mode: drop secondary indexes and foreign keys, rebuild after ------------------------------


def _drop_secondary_structures(tables: list[str]) -> list[str]:
    """Drop the non-primary indexes, unique and foreign-key constraints of the tables; return the SQL that
    recreates them (unique first, then indexes, then foreign keys, which are validated on creation)."""
    recreate_unique: list[str] = []
    recreate_indexes: list[str] = []
    recreate_foreign: list[str] = []
    with connection.cursor() as cursor:
        # ALTER TABLE is refused while deferred foreign-key checks of this transaction are pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
            ORDER BY c.conname
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for name, table, kind, definition in constraints:
            if kind == "f":
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                recreate_foreign.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, table, kind, definition in constraints:
            if kind == "u":
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                recreate_unique.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
            recreate_indexes.append(definition)
    return recreate_unique + recreate_indexes + recreate_foreign
