"""Writing validated roster rows into the registry, in batches, inside the caller's single transaction.

Each batch of records (see validation.py for their layout) is matched to the registry by the national ID's
keyed hash with one query; new residents and households are inserted with PostgreSQL COPY (ids taken from
the sequence first, so households can name their head and memberships their resident) or with bulk_create
elsewhere; changed rows are updated with one UPDATE … FROM (VALUES …) per batch (bulk_update elsewhere).
With `apply=False` nothing is written and the counts say what an import would do (the dry run).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from hocvuso.core.crypto import decrypt, encrypt_many
from hocvuso.core.text import fold_diacritics
from hocvuso.people.models import Household, Membership, Organisation, Resident

from ..import_models import ImportKind
from .lookups import select_any
from .validation import (
    R_BIRTH,
    R_BIRTH_PRECISION,
    R_ETHNICITY,
    R_HASH,
    R_HEAD,
    R_HOUSEHOLD,
    R_ID,
    R_NAME,
    R_PHONE,
    R_ROW,
    R_SEX,
    R_VILLAGE,
    HouseholdPlan,
)

MEMBERSHIP_KIND: dict[str, str] = {
    ImportKind.STAFF: "staff",
    ImportKind.STUDENTS: "student",
    ImportKind.WORKERS: "worker",
}

_RESIDENT_COLUMNS = [
    "created_at",
    "updated_at",
    "full_name",
    "name_key",
    "birth_date",
    "birth_date_precision",
    "sex",
    "ethnicity",
    "national_id_ciphertext",
    "national_id_hash",
    "national_id_last4",
    "phone_ciphertext",
    "phone_last3",
    "household_id",
    "village_id",
]
_HOUSEHOLD_COLUMNS = ["created_at", "updated_at", "code", "village_id", "address", "head_id"]
_MEMBERSHIP_COLUMNS = ["created_at", "updated_at", "resident_id", "organisation_id", "kind", "valid_from"]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    residents_created: int = 0
    households_created: int = 0
    households_updated: int = 0


def _copy_type(field: Any) -> str:
    """The PostgreSQL type name psycopg needs for a binary COPY of this field ('varchar(150)' → 'varchar')."""
    return str(field.db_type(connection)).split("(")[0].strip()


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


def _defaults(model: type[models.Model], given: Sequence[str]) -> tuple[list[str], list[Any]]:
    """Columns of `model` that an insert does not give, with their (constant) defaults."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:  # a new required column the importer does not know: fail loudly rather than write bad rows
            raise RuntimeError(f"{model.__name__}.{field.name} has no default; the roster importer must set it.")
        columns.append(str(field.column))
        values.append(value)
    return columns, values


class _Table:
    """Inserts and updates for one model, by the fastest means the database offers."""

    def __init__(self, model: type[models.Model], columns: list[str], *, apply: bool) -> None:
        self.model = model
        self.columns = columns
        self.apply = apply
        self.postgres = connection.vendor == "postgresql"
        meta = model._meta
        self.table = meta.db_table
        self.db_columns = [str(cast(models.Field, meta.get_field(name)).column) for name in columns]
        self.extra_columns, self.extra_values = _defaults(model, columns)
        self._fake_id = 0
        if self.postgres:
            by_column = {str(field.column): field for field in meta.concrete_fields}
            self.copy_types = ["bigint"] + [
                _copy_type(by_column[name]) for name in [*self.db_columns, *self.extra_columns]
            ]

    def copy(self, cursor: Any) -> Any:
        """A binary COPY into the table (id, the given columns, the defaulted ones), its types set."""
        quote = connection.ops.quote_name
        columns = ", ".join(quote(name) for name in ["id", *self.db_columns, *self.extra_columns])
        copy = cursor.cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN (FORMAT BINARY)")
        return _Typed(copy, self.copy_types)

    def insert(self, rows: list[tuple[Any, ...]]) -> list[int]:
        """Insert rows (values in `columns` order) and return their new ids."""
        if not rows:
            return []
        if not self.apply:
            first = self._fake_id - 1
            self._fake_id -= len(rows)
            return list(range(first, self._fake_id - 1, -1))
        if self.postgres:
            return self._copy(rows)
        objects = [self.model(**dict(zip(self.columns, row, strict=True))) for row in rows]
        self.model.objects.bulk_create(objects, batch_size=500)  # type: ignore[attr-defined]
        return [obj.pk for obj in objects]

    def _copy(self, rows: list[tuple[Any, ...]]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.table, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            extra = tuple(self.extra_values)
            with self.copy(cursor) as copy:
                write = copy.write_row
                for new_id, row in zip(ids, rows, strict=True):
                    write((new_id, *row, *extra))
        return ids

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
            for start in range(0, len(rows), 2_000):
                part = rows[start : start + 2_000]
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
        self.model.objects.bulk_update(objects, fields, batch_size=500)  # type: ignore[attr-defined]


class _NameKeys:
    """`fold_diacritics` of a full name, a word at a time with a cache: names repeat their words (Nguyễn, Thị,
    Văn…) so a million names fold in a fraction of the time. Folding is per character, so the result is the same."""

    def __init__(self) -> None:
        self.words: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        words = self.words
        parts = []
        for word in name.split(" "):
            folded = words.get(word)
            if folded is None:
                folded = fold_diacritics(word)
                if len(words) < 200_000:
                    words[word] = folded
            parts.append(folded)
        return " ".join(parts)[:150]


def _resident_columns(
    record: tuple[Any, ...],
    now: Any,
    name_key: Callable[[str], str],
    id_ciphertext: bytes,
    phone_ciphertext: bytes | None,
    household_id: int | None,
) -> tuple[Any, ...]:
    """A new resident's columns from created_at to village, in the order both insert paths write them."""
    phone = record[R_PHONE]
    name = record[R_NAME]
    return (
        now,
        now,
        name,
        name_key(name),
        record[R_BIRTH],
        record[R_BIRTH_PRECISION],
        record[R_SEX],
        record[R_ETHNICITY],
        id_ciphertext,
        record[R_HASH],
        record[R_ID][-4:],
        phone_ciphertext,
        phone[-3:] if phone else "",
        household_id,
        record[R_VILLAGE],
    )


_REGISTERED_COLUMNS = [
    "id",
    "national_id_hash",
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "village_id",
    "household_id",
    "phone_ciphertext",
    "phone_last3",
    "birth_date_precision",
]


def _registered(batch: list[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """The registry's rows of the batch's residents (by ID hash), with the fields an import compares."""
    hashes = [record[R_HASH] for record in batch]
    return {row[1]: row for row in select_any(Resident, _REGISTERED_COLUMNS, "national_id_hash", hashes)}


class RegistryWriter:
    """Applies batches of validated records of one import to the registry and counts what changed.

    Residents: created, updated (name, birth date, sex, ethnicity, village, household or phone differ) or
    unchanged, matched by national ID; their households created or updated (village, address, head).
    Organisation rosters: residents matched by ID or created; a membership of the organisation created when
    the person has no open one of that kind (created), else left as it is (unchanged).
    """

    def __init__(
        self,
        *,
        kind: str,
        organisation: Organisation | None,
        households: dict[str, HouseholdPlan],
        apply: bool,
    ) -> None:
        self.kind = kind
        self.organisation = organisation
        self.plans = households
        self.apply = apply
        self.counts = Counts()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.residents = _Table(Resident, _RESIDENT_COLUMNS, apply=apply)
        self.households = _Table(Household, _HOUSEHOLD_COLUMNS, apply=apply)
        self.memberships = _Table(Membership, _MEMBERSHIP_COLUMNS, apply=apply)
        self.name_key = _NameKeys()
        self.household_ids: dict[str, int] = {}
        self.household_heads: dict[int, int | None] = {}  # household id → head id in the registry now

    def write(self, batch: list[tuple[Any, ...]]) -> None:
        if self.kind == ImportKind.RESIDENTS:
            self._write_residents(batch)
        else:
            self._write_roster(batch)

    # --- residents --------------------------------------------------------------------------------------

    def _resolve_households(self, batch: list[tuple[Any, ...]]) -> None:
        codes = {record[R_HOUSEHOLD] for record in batch} - self.household_ids.keys()
        if not codes:
            return
        existing = Household.objects.filter(code__in=codes).values_list(
            "id", "code", "village_id", "address", "head_id"
        )
        changed = []
        for household_id, code, village_id, address, head_id in existing:
            plan = self.plans[code]
            self.household_ids[code] = household_id
            self.household_heads[household_id] = head_id
            new_address = plan.address or address
            if (village_id, address) != (plan.village_id, new_address):
                changed.append((household_id, plan.village_id, new_address, self.now))
            codes.discard(code)
        self.households.update(["village_id", "address", "updated_at"], changed)
        self.counts.households_updated += len(changed)
        new_codes = sorted(codes)
        rows = [
            (self.now, self.now, code, self.plans[code].village_id, self.plans[code].address, None)
            for code in new_codes
        ]
        for code, household_id in zip(new_codes, self.households.insert(rows), strict=True):
            self.household_ids[code] = household_id
            self.household_heads[household_id] = None
        self.counts.households_created += len(new_codes)

    def _write_residents(self, batch: list[tuple[Any, ...]]) -> None:
        self._resolve_households(batch)
        existing = _registered(batch)
        new_records = []
        updates = []
        heads: list[tuple[int, int]] = []  # (household id, resident id)
        for record in batch:
            household_id = self.household_ids[record[R_HOUSEHOLD]]
            current = existing.get(record[R_HASH])
            if current is None:
                new_records.append((record, household_id))
                continue
            if record[R_HEAD]:
                heads.append((household_id, current[0]))
            update = self._update_of(record, current, household_id)
            if update is not None:
                updates.append(update)
        self._insert_residents(new_records, heads)
        self._update_residents(updates)
        self._set_heads(heads)

    def _update_of(
        self, record: tuple[Any, ...], current: tuple[Any, ...], household_id: int
    ) -> tuple[int, tuple[Any, ...], int, bool] | None:
        """What a registered resident (a row of _registered) needs from the record: (resident id, record,
        household id, phone changed), or None when nothing changed (counted as unchanged)."""
        phone = record[R_PHONE]
        phone_changed = bool(phone) and (current[9] != phone[-3:] or _decrypted(current[8]) != phone)
        if record[R_BIRTH_PRECISION] == "year" and current[10] == "day" and current[3].year == record[R_BIRTH].year:
            # The file knows only the year the registry already has with its day: keep the fuller date.
            record = (*record[:R_BIRTH], current[3], *record[R_BIRTH + 1 : -1], "day")
        wanted = (record[R_NAME], record[R_BIRTH], record[R_SEX], record[R_ETHNICITY], record[R_VILLAGE], household_id)
        if wanted == tuple(current[2:8]) and record[R_BIRTH_PRECISION] == current[10] and not phone_changed:
            self.counts.unchanged += 1
            return None
        return (current[0], record, household_id, phone_changed)

    def _insert_residents(
        self, new_records: Sequence[tuple[tuple[Any, ...], int | None]], heads: list[tuple[int, int]]
    ) -> list[int]:
        if not new_records:
            return []
        id_ciphertexts = encrypt_many(record[R_ID] for record, _ in new_records)
        phones = [record[R_PHONE] for record, _ in new_records if record[R_PHONE]]
        phone_ciphertexts = iter(encrypt_many(phones))
        now = self.now
        rows = []
        for (record, household_id), id_ciphertext in zip(new_records, id_ciphertexts, strict=True):
            phone = record[R_PHONE]
            phone_ciphertext = next(phone_ciphertexts) if phone else None
            rows.append(_resident_columns(record, now, self.name_key, id_ciphertext, phone_ciphertext, household_id))
        ids = self.residents.insert(rows)
        if self.kind == ImportKind.RESIDENTS:
            for (record, household_id), resident_id in zip(new_records, ids, strict=True):
                if record[R_HEAD] and household_id is not None:
                    heads.append((household_id, resident_id))
            self.counts.created += len(ids)
        else:
            self.counts.residents_created += len(ids)
        return ids

    def _update_residents(self, updates: list[tuple[int, tuple[Any, ...], int, bool]]) -> None:
        if not updates:
            return
        plain = []
        with_phone = []
        phones = encrypt_many(record[R_PHONE] for _, record, _, changed in updates if changed)
        phone_iter = iter(phones)
        for resident_id, record, household_id, phone_changed in updates:
            name = record[R_NAME]
            values = (
                resident_id,
                name,
                self.name_key(name),
                record[R_BIRTH],
                record[R_BIRTH_PRECISION],
                record[R_SEX],
                record[R_ETHNICITY],
                record[R_VILLAGE],
                household_id,
                self.now,
            )
            if phone_changed:
                with_phone.append((*values, next(phone_iter), record[R_PHONE][-3:]))
            else:
                plain.append(values)
        fields = [
            "full_name",
            "name_key",
            "birth_date",
            "birth_date_precision",
            "sex",
            "ethnicity",
            "village_id",
            "household_id",
            "updated_at",
        ]
        self.residents.update(fields, plain)
        self.residents.update([*fields, "phone_ciphertext", "phone_last3"], with_phone)
        self.counts.updated += len(updates)

    def _set_heads(self, heads: list[tuple[int, int]]) -> None:
        changes = []
        for household_id, resident_id in heads:
            if self.household_heads.get(household_id) != resident_id:
                self.household_heads[household_id] = resident_id
                changes.append((household_id, resident_id, self.now))
        self.households.update(["head_id", "updated_at"], changes)

    # --- organisation rosters ---------------------------------------------------------------------------

    def _write_roster(self, batch: list[tuple[Any, ...]]) -> None:
        assert self.organisation is not None
        existing = dict(
            select_any(Resident, ["national_id_hash", "id"], "national_id_hash", [record[R_HASH] for record in batch])
        )
        new_records = [(record, None) for record in batch if record[R_HASH] not in existing]
        new_ids = self._insert_residents(new_records, [])
        resident_ids = [existing[record[R_HASH]] for record in batch if record[R_HASH] in existing]
        kind = MEMBERSHIP_KIND[self.kind]
        members = set(
            Membership.objects.filter(
                organisation=self.organisation, kind=kind, valid_to__isnull=True, resident_id__in=resident_ids
            ).values_list("resident_id", flat=True)
        )
        self.counts.unchanged += len(members)
        joining = [resident_id for resident_id in resident_ids if resident_id not in members] + new_ids
        rows = [(self.now, self.now, resident_id, self.organisation.pk, kind, self.today) for resident_id in joining]
        self.memberships.insert(rows)
        self.counts.created += len(rows)


def _decrypted(ciphertext: bytes | memoryview | None) -> str | None:
    if ciphertext is None:
        return None
    return decrypt(bytes(ciphertext))


class StreamingResidentsWriter(RegistryWriter):
    """The residents import on PostgreSQL, written as streams so the database works while Python prepares rows.

    1. Households: the file's codes are looked up in chunks; changed ones updated; ids for the new ones taken
       from the sequence (through `allocate_ids`, a second connection: sequences are not transactional).
    2. Residents already registered (matched by the ID's hash, a batch at a time) are updated or counted
       unchanged; the new ones go to a temporary spool.
    3. ONE `COPY` streams every new resident (ids again from the sequence), then one `COPY` the new households
       with their heads; foreign keys are deferred to the commit, so the order does not matter.
    Same counts and same rows as `RegistryWriter`; the caller's transaction makes it all or nothing.
    """

    def run(
        self,
        batches: Callable[[], Iterable[list[tuple[Any, ...]]]],
        *,
        allocate_ids: Callable[[str, int], list[int]],
        progress: Callable[[int], None],
    ) -> None:
        """Write everything; `batches()` gives the validated records from the start each time it is called."""
        assert self.apply and self.kind == ImportKind.RESIDENTS and connection.vendor == "postgresql"
        new_households = self._prepare_households(allocate_ids)
        heads: list[tuple[int, int]] = []
        registered: set[int] = set()  # row numbers of the records that matched a resident already registered
        for batch in batches():
            self._match_residents(batch, heads, registered)
            progress(len(registered))
        self._copy_new_residents(batches(), registered, heads, allocate_ids, progress, len(registered))
        self._write_households(new_households, heads)

    def _prepare_households(self, allocate_ids: Callable[[str, int], list[int]]) -> list[str]:
        codes = list(self.plans)
        changed = []
        for start in range(0, len(codes), 10_000):
            chunk = codes[start : start + 10_000]
            for household_id, code, village_id, address, head_id in select_any(
                Household, ["id", "code", "village_id", "address", "head_id"], "code", chunk
            ):
                plan = self.plans[code]
                self.household_ids[code] = household_id
                self.household_heads[household_id] = head_id
                new_address = plan.address or address
                if (village_id, address) != (plan.village_id, new_address):
                    changed.append((household_id, plan.village_id, new_address, self.now))
        self.households.update(["village_id", "address", "updated_at"], changed)
        self.counts.households_updated += len(changed)
        new_codes = [code for code in codes if code not in self.household_ids]
        for code, household_id in zip(new_codes, allocate_ids(Household._meta.db_table, len(new_codes)), strict=True):
            self.household_ids[code] = household_id
            self.household_heads[household_id] = None
        self.counts.households_created += len(new_codes)
        return new_codes

    def _match_residents(
        self, batch: list[tuple[Any, ...]], heads: list[tuple[int, int]], registered: set[int]
    ) -> None:
        existing = _registered(batch)
        if not existing:
            return
        updates = []
        for record in batch:
            current = existing.get(record[R_HASH])
            if current is None:
                continue
            registered.add(record[R_ROW])
            household_id = self.household_ids[record[R_HOUSEHOLD]]
            if record[R_HEAD]:
                heads.append((household_id, current[0]))
            update = self._update_of(record, current, household_id)
            if update is not None:
                updates.append(update)
        self._update_residents(updates)

    def _copy_new_residents(
        self,
        batches: Iterable[list[tuple[Any, ...]]],
        registered: set[int],
        heads: list[tuple[int, int]],
        allocate_ids: Callable[[str, int], list[int]],
        progress: Callable[[int], None],
        done: int,
    ) -> int:
        table = self.residents
        extra = tuple(table.extra_values)
        now = self.now
        name_key = self.name_key
        with connection.cursor() as cursor, table.copy(cursor) as copy:
            write = copy.write_row
            household_ids = self.household_ids
            for records in batches:
                batch = [
                    (record, household_ids[record[R_HOUSEHOLD]])
                    for record in records
                    if record[R_ROW] not in registered
                ]
                if not batch:
                    continue
                ids = allocate_ids(table.table, len(batch))
                id_ciphertexts = encrypt_many(record[R_ID] for record, _ in batch)
                phone_ciphertexts = iter(encrypt_many(record[R_PHONE] for record, _ in batch if record[R_PHONE]))
                for (record, household_id), resident_id, id_ciphertext in zip(batch, ids, id_ciphertexts, strict=True):
                    phone = record[R_PHONE]
                    phone_ciphertext = next(phone_ciphertexts) if phone else None
                    columns = _resident_columns(record, now, name_key, id_ciphertext, phone_ciphertext, household_id)
                    write((resident_id, *columns, *extra))
                    if record[R_HEAD]:
                        heads.append((household_id, resident_id))
                self.counts.created += len(batch)
                done += len(batch)
                progress(done)
        return done

    def _write_households(self, new_codes: list[str], heads: list[tuple[int, int]]) -> None:
        head_of = dict(heads)
        new_ids = set()
        table = self.households
        if new_codes:
            extra = tuple(table.extra_values)
            with connection.cursor() as cursor, table.copy(cursor) as copy:
                for code in new_codes:
                    household_id = self.household_ids[code]
                    plan = self.plans[code]
                    new_ids.add(household_id)
                    copy.write_row(
                        (
                            household_id,
                            self.now,
                            self.now,
                            code,
                            plan.village_id,
                            plan.address,
                            head_of.get(household_id),
                            *extra,
                        )
                    )
        changed = [
            (household_id, resident_id, self.now)
            for household_id, resident_id in head_of.items()
            if household_id not in new_ids and self.household_heads.get(household_id) != resident_id
        ]
        self.households.update(["head_id", "updated_at"], changed)
