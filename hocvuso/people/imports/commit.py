"""Writing validated roster rows into the registry, in batches, inside the caller's single transaction.

Each batch of records (see validation.py for their layout) is matched to the registry by the national ID's
keyed hash with one query; new residents and households are inserted with PostgreSQL COPY (ids taken from
the sequence first, so households can name their head and memberships their resident) or with bulk_create
elsewhere; changed rows are updated with one UPDATE … FROM (VALUES …) per batch (bulk_update elsewhere) — all
through hocvuso.people.bulk, the registry's one bulk writer (the synthetic population uses it too).
With `apply=False` nothing is written and the counts say what an import would do (the dry run).
"""

import datetime
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from hocvuso.core.crypto import decrypt, encrypt_many
from hocvuso.core.text import search_key
from hocvuso.people.bulk import BackgroundCopy, BulkTable
from hocvuso.people.models import Household, Membership, Organisation, Resident
from hocvuso.territory.models import AdministrativeUnit

from ..import_models import ImportKind
from .lookups import select_any
from .spool import (
    R_ADDRESS,
    R_BIRTH,
    R_BIRTH_PRECISION,
    R_ETHNICITY,
    R_HASH,
    R_HEAD,
    R_HOUSEHOLD,
    R_ID,
    R_NAME,
    R_PHONE,
    R_SEX,
    R_VILLAGE,
    Record,
    ResidentRecord,
    RosterRecord,
)
from .validation import HouseholdPlan

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
_MEMBERSHIP_COLUMNS = [
    "created_at",
    "updated_at",
    "resident_id",
    "organisation_id",
    "kind",
    "position",
    "valid_from",
]
MAX_LISTED_CHANGES = 200  # moves and leavers a dry run lists by name (all are counted)
# A record's row key holds the sheet's index above its row number (validation.FileValidator.where).
ROW_MASK = (1 << 21) - 1


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    residents_created: int = 0
    households_created: int = 0
    households_updated: int = 0
    residents_moved: int = 0
    heads_cleared: int = 0
    memberships_ended: int = 0


class _NameKeys:
    """`search_key` of a full name, a word at a time with a cache: names repeat their words (Nguyễn, Thị,
    Văn…) so a million names fold in a fraction of the time. Folding is per character and a word's key has no
    outer spaces, so joining the words' keys gives the name's key."""

    def __init__(self) -> None:
        self.words: dict[str, str] = {}
        self.names: dict[str, str] = {}  # whole names: a commune's names repeat too (one look-up, no split)

    def __call__(self, name: str) -> str:
        key = self.names.get(name)
        if key is not None:
            return key
        key = self._fold(name)
        if len(self.names) < 200_000:
            self.names[name] = key
        return key

    def _fold(self, name: str) -> str:
        words = self.words
        parts = []
        for word in name.split(" "):
            folded = words.get(word)
            if folded is None:
                folded = search_key(word)
                if len(words) < 200_000:
                    words[word] = folded
            if folded:
                parts.append(folded)
        return " ".join(parts)[:150]


def _resident_columns(
    record: Record,
    now: Any,
    name_key: Callable[[str], str],
    id_ciphertext: bytes,
    phone_ciphertext: bytes | None,
    household_id: int | None,
) -> tuple[Any, ...]:
    """A new resident's columns from created_at to village, in the order both insert paths write them."""
    phone = record.phone
    name = record.full_name
    return (
        now,
        now,
        name,
        name_key(name),
        record.birth_date,
        record.birth_date_precision,
        record.sex,
        record.ethnicity,
        id_ciphertext,
        record.id_hash,
        record.national_id[-4:],
        phone_ciphertext,
        phone[-3:] if phone else "",
        household_id,
        record.village_id,
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


# Residents per COPY statement when each statement checks its own foreign keys: the spool's batch. Chunks wait in
# memory for the second thread (up to four in flight: ~22 MB at 5,000 rows, ~36 MB at 10,000).
COPY_CHUNK_ROWS = 5_000


def _take_ids(table: str, count: int, allocate_ids: Callable[[str, int], list[int]]) -> "array[int]":
    """`count` new ids of `table` in the order taken, 100,000 a call, kept as 8-byte integers (a million ids in
    8 MB rather than 36)."""
    ids: array[int] = array("q")
    for start in range(0, count, 100_000):
        ids.extend(allocate_ids(table, min(100_000, count - start)))
    return ids


def _foreign_keys(model: type[Any], targets: list[type[Any]]) -> str:
    """The quoted names of `model`'s foreign-key constraints to `targets`' tables (for SET CONSTRAINTS)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
            "AND confrelid = ANY(%s::regclass[]) ORDER BY conname",
            [model._meta.db_table, [target._meta.db_table for target in targets]],
        )
        names = [row[0] for row in cursor.fetchall()]
    if len(names) != len(targets):
        raise RuntimeError(f"Expected {len(targets)} foreign keys of {model._meta.db_table}, found {names}.")
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _registered(batch: Sequence[Record], read_as_new: set[str]) -> dict[str, tuple[Any, ...]]:
    """The registry's rows of the batch's residents (by ID hash), with the fields an import compares; a dry run's
    IDs registered outside the importer's reach (`read_as_new`, see registry.py) are left out, as if new."""
    hashes = [record.id_hash for record in batch]
    rows = select_any(Resident, _REGISTERED_COLUMNS, "national_id_hash", hashes)
    return {row[1]: row for row in rows if row[1] not in read_as_new}


class RegistryWriter:
    """Applies batches of validated records of one import to the registry and counts what changed.

    Residents: created, updated (name, birth date, sex, ethnicity, village, household or phone differ) or
    unchanged, matched by national ID; a resident whose village changes is a move (counted and listed for the dry
    run); their households — a code in a village, never moved to another village — created or updated (address,
    head). A household whose head leaves it for another household, and that the file gives no new head, is left
    without a head (`heads_cleared`), never naming someone who lives or heads elsewhere.
    Organisation rosters are the organisation's full list of that kind on `as_of`: residents matched by ID (the
    registry check made sure it is the same person) or created; a membership created from `as_of` when the person
    has no open one of that kind (created), its position updated (updated), or left as it is (unchanged); the open
    memberships of people the roster does not list end the day before `as_of` (`memberships_ended`), except those
    that began on or after it.
    Call `finish()` after the last batch.
    """

    def __init__(
        self,
        *,
        kind: str,
        organisation: Organisation | None,
        households: dict[tuple[int, str], HouseholdPlan],
        apply: bool,
        as_of: datetime.date | None = None,
        read_as_new: set[str] | None = None,
    ) -> None:
        self.kind = kind
        self.organisation = organisation
        self.plans = households
        self.apply = apply
        self.counts = Counts()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.as_of = as_of or self.today
        self.read_as_new = read_as_new or set()
        self.residents = BulkTable(Resident, _RESIDENT_COLUMNS, apply=apply)
        self.households = BulkTable(Household, _HOUSEHOLD_COLUMNS, apply=apply)
        self.memberships = BulkTable(Membership, _MEMBERSHIP_COLUMNS, apply=apply)
        self.name_key = _NameKeys()
        self.household_ids: dict[tuple[int, str], int] = {}  # (village id, code) → household id
        self.household_heads: dict[int, int | None] = {}  # household id → head id in the registry now
        self.left_heads: dict[int, int] = {}  # household id → its head, who moved to another household
        self.moves: list[tuple[int, str, int, int]] = []  # (row, name, from village id, to village id)
        self.listed: set[int] = set()  # roster: the residents the file lists
        self.changes: dict[str, Any] = {}

    def write(self, batch: list[Any]) -> None:
        if self.kind == ImportKind.RESIDENTS:
            self._write_residents(batch)
        else:
            self._write_roster(batch)

    def finish(self) -> None:
        """After the last batch: clear the heads that left, end the memberships a roster no longer lists, and put
        what the officer must see in `changes`."""
        if self.kind == ImportKind.RESIDENTS:
            self._clear_heads_that_left()
            self._describe_moves()
        else:
            self._end_unlisted_memberships()

    # --- residents --------------------------------------------------------------------------------------

    def _household_key(self, record: ResidentRecord) -> tuple[int, str]:
        return (record.village_id, record.household_code)

    def _known_households(self, keys: set[tuple[int, str]]) -> list[tuple[Any, ...]]:
        """The registry's households among `keys` (village id, code): id, code, village id, address, head id."""
        codes = sorted({code for _, code in keys})
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(codes), 10_000):
            rows = select_any(
                Household, ["id", "code", "village_id", "address", "head_id"], "code", codes[start : start + 10_000]
            )
            found.extend(row for row in rows if (row[2], row[1]) in keys)
        return found

    def _take_households(self, keys: set[tuple[int, str]]) -> list[tuple[int, str]]:
        """Look up the households of `keys`, update the addresses that changed; return the keys not registered."""
        changed = []
        for household_id, code, village_id, address, head_id in self._known_households(keys):
            key = (village_id, code)
            plan = self.plans[key]
            self.household_ids[key] = household_id
            self.household_heads[household_id] = head_id
            new_address = plan.address or address
            if address != new_address:
                changed.append((household_id, new_address, self.now))
            keys.discard(key)
        self.households.update(["address", "updated_at"], changed)
        self.counts.households_updated += len(changed)
        return sorted(keys)

    def _resolve_households(self, batch: list[ResidentRecord]) -> None:
        keys = {self._household_key(record) for record in batch} - self.household_ids.keys()
        if not keys:
            return
        new_keys = self._take_households(keys)
        rows = [
            (self.now, self.now, code, village_id, self.plans[(village_id, code)].address, None)
            for village_id, code in new_keys
        ]
        for key, household_id in zip(new_keys, self.households.insert(rows), strict=True):
            self.household_ids[key] = household_id
            self.household_heads[household_id] = None
        self.counts.households_created += len(new_keys)

    def _write_residents(self, batch: list[ResidentRecord]) -> None:
        self._resolve_households(batch)
        existing = _registered(batch, self.read_as_new)
        new_records = []
        updates = []
        heads: list[tuple[int, int]] = []  # (household id, resident id)
        for record in batch:
            household_id = self.household_ids[self._household_key(record)]
            current = existing.get(record.id_hash)
            if current is None:
                new_records.append((record, household_id))
                continue
            if record.is_head:
                heads.append((household_id, current[0]))
            update = self._update_of(record, current, household_id)
            if update is not None:
                updates.append(update)
        self._note_leavers(updates)
        self._insert_residents(new_records, heads)
        self._update_residents(updates)
        self._set_heads(heads)

    def _update_of(
        self, record: ResidentRecord, current: tuple[Any, ...], household_id: int
    ) -> tuple[int, ResidentRecord, int, bool, int | None] | None:
        """What a registered resident (a row of _registered) needs from the record: (resident id, record,
        household id, phone changed, household it leaves), or None when nothing changed (counted as unchanged).
        A change of village is counted (and listed) as a move."""
        phone = record.phone
        phone_changed = bool(phone) and (current[9] != phone[-3:] or _decrypted(current[8]) != phone)
        if record.birth_date_precision == "year" and current[10] == "day" and current[3].year == record.birth_date.year:
            # The file knows only the year the registry already has with its day: keep the fuller date.
            record = record._replace(birth_date=current[3], birth_date_precision="day")
        wanted = (record.full_name, record.birth_date, record.sex, record.ethnicity, record.village_id, household_id)
        if wanted == tuple(current[2:8]) and record.birth_date_precision == current[10] and not phone_changed:
            self.counts.unchanged += 1
            return None
        if current[6] != record.village_id:
            self.counts.residents_moved += 1
            if len(self.moves) < MAX_LISTED_CHANGES:
                self.moves.append((record.row, record.full_name, current[6], record.village_id))
        leaves = current[7] if current[7] is not None and current[7] != household_id else None
        return (current[0], record, household_id, phone_changed, leaves)

    def _note_leavers(self, updates: list[tuple[int, ResidentRecord, int, bool, int | None]]) -> None:
        """Remember the households whose head leaves them (one query per batch for their heads)."""
        leaving = [(household_id, resident_id) for resident_id, _, _, _, household_id in updates if household_id]
        unknown = list({household_id for household_id, _ in leaving if household_id not in self.household_heads})
        for household_id, head_id in select_any(Household, ["id", "head_id"], "id", unknown):
            self.household_heads[household_id] = head_id
        for household_id, resident_id in leaving:
            if self.household_heads.get(household_id) == resident_id:
                self.left_heads[household_id] = resident_id

    def _clear_heads_that_left(self) -> None:
        """Households whose head moved to another household and that the file gave no other head lose their head
        (one UPDATE per 2,000): a household never names as head someone who lives elsewhere."""
        cleared = [
            household_id
            for household_id, resident_id in self.left_heads.items()
            if self.household_heads.get(household_id) == resident_id
        ]
        self.households.update(["head_id", "updated_at"], [(household_id, None, self.now) for household_id in cleared])
        self.counts.heads_cleared += len(cleared)
        if cleared:
            codes = list(Household.objects.filter(pk__in=cleared[:MAX_LISTED_CHANGES]).values_list("code", flat=True))
            self.changes["heads_cleared"] = sorted(codes)

    def _describe_moves(self) -> None:
        if not self.moves:
            return
        villages = {village_id for _, _, before, after in self.moves for village_id in (before, after)}
        names = dict(AdministrativeUnit.objects.filter(pk__in=villages).values_list("pk", "name"))
        # A record's row is its sheet's index << 21 | its row number (validation.FileValidator.where).
        self.changes["moves"] = [
            {"row": row & ROW_MASK, "name": name, "from": names.get(before, ""), "to": names.get(after, "")}
            for row, name, before, after in self.moves
        ]

    def _insert_residents(
        self, new_records: Sequence[tuple[Record, int | None]], heads: list[tuple[int, int]]
    ) -> list[int]:
        if not new_records:
            return []
        id_ciphertexts = encrypt_many(record.national_id for record, _ in new_records)
        phones = [record.phone for record, _ in new_records if record.phone]
        phone_ciphertexts = iter(encrypt_many(phones))
        now = self.now
        rows = []
        for (record, household_id), id_ciphertext in zip(new_records, id_ciphertexts, strict=True):
            phone = record.phone
            phone_ciphertext = next(phone_ciphertexts) if phone else None
            rows.append(_resident_columns(record, now, self.name_key, id_ciphertext, phone_ciphertext, household_id))
        ids = self.residents.insert(rows)
        if self.kind == ImportKind.RESIDENTS:
            for (record, household_id), resident_id in zip(new_records, ids, strict=True):
                if isinstance(record, ResidentRecord) and record.is_head and household_id is not None:
                    heads.append((household_id, resident_id))
            self.counts.created += len(ids)
        else:
            self.counts.residents_created += len(ids)
        return ids

    def _update_residents(self, updates: list[tuple[int, ResidentRecord, int, bool, int | None]]) -> None:
        if not updates:
            return
        plain = []
        with_phone = []
        phones = encrypt_many(record.phone for _, record, _, changed, _ in updates if changed)
        phone_iter = iter(phones)
        for resident_id, record, household_id, phone_changed, _ in updates:
            name = record.full_name
            values = (
                resident_id,
                name,
                self.name_key(name),
                record.birth_date,
                record.birth_date_precision,
                record.sex,
                record.ethnicity,
                record.village_id,
                household_id,
                self.now,
            )
            if phone_changed:
                with_phone.append((*values, next(phone_iter), record.phone[-3:]))
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

    def _write_roster(self, batch: list[RosterRecord]) -> None:
        assert self.organisation is not None
        existing = {
            digest: resident_id
            for digest, resident_id in select_any(
                Resident, ["national_id_hash", "id"], "national_id_hash", [record.id_hash for record in batch]
            )
            if digest not in self.read_as_new
        }
        new_records = [(record, None) for record in batch if record.id_hash not in existing]
        new_ids = self._insert_residents(new_records, [])
        kind = MEMBERSHIP_KIND[self.kind]
        listed = [(existing[record.id_hash], record) for record in batch if record.id_hash in existing]
        open_memberships = {
            resident_id: (membership_id, position)
            for membership_id, resident_id, position in Membership.objects.filter(
                organisation=self.organisation,
                kind=kind,
                valid_to__isnull=True,
                resident_id__in=[resident_id for resident_id, _ in listed],
            ).values_list("id", "resident_id", "position")
        }
        joining = []
        position_changes = []
        for resident_id, record in listed:
            self.listed.add(resident_id)
            held = open_memberships.get(resident_id)
            if held is None:
                joining.append((resident_id, record.position))
            elif held[1] != record.position:
                position_changes.append((held[0], record.position, self.now))
            else:
                self.counts.unchanged += 1
        for (record, _), resident_id in zip(new_records, new_ids, strict=True):
            self.listed.add(resident_id)
            joining.append((resident_id, record.position))
        self.memberships.update(["position", "updated_at"], position_changes)
        self.counts.updated += len(position_changes)
        rows = [
            (self.now, self.now, resident_id, self.organisation.pk, kind, position, self.as_of)
            for resident_id, position in joining
        ]
        self.memberships.insert(rows)
        self.counts.created += len(rows)

    def _end_unlisted_memberships(self) -> None:
        """The roster is the full list on `as_of`: the open memberships of that kind of people it does not list
        end the day before (one query to find them, one UPDATE per 2,000). Memberships that began on or after
        `as_of` are newer than the roster and stay."""
        assert self.organisation is not None
        open_memberships = Membership.objects.filter(
            organisation=self.organisation,
            kind=MEMBERSHIP_KIND[self.kind],
            valid_to__isnull=True,
            valid_from__lt=self.as_of,
        ).values_list("id", "resident_id", "resident__full_name", "position")
        leaving = [row for row in open_memberships if row[1] not in self.listed]
        last_day = self.as_of - datetime.timedelta(days=1)
        self.memberships.update(
            ["valid_to", "updated_at"], [(membership_id, last_day, self.now) for membership_id, *_ in leaving]
        )
        self.counts.memberships_ended += len(leaving)
        if leaving:
            self.changes["ended"] = [
                {"name": name, "position": position}
                for _, _, name, position in sorted(leaving, key=lambda row: row[2])[:MAX_LISTED_CHANGES]
            ]
            self.changes["ended_ids"] = [membership_id for membership_id, *_ in leaving]


def _decrypted(ciphertext: bytes | memoryview | None) -> str | None:
    if ciphertext is None:
        return None
    return decrypt(bytes(ciphertext))


class StreamingResidentsWriter(RegistryWriter):
    """The residents import on PostgreSQL, written as streams so the database works while Python prepares rows.

    1. Households: the file's codes are looked up in chunks; changed ones updated; ids for the new ones taken
       from the sequence (through `allocate_ids`, a second connection: sequences are not transactional).
    2. Residents already registered (matched by the ID's hash, a batch at a time) are updated or counted
       unchanged — a pass skipped when the checking pass found none registered.
    3. ONE `COPY` streams every new resident (ids again from the sequence), then one `COPY` the new households
       with their heads; foreign keys are deferred to the commit, so the order does not matter.
    When none of the file's residents is registered (every first import), `_write_all_new` replaces 2 and 3: the
    households first, then the residents in chunks whose foreign keys are checked as each is written.
    Same counts and same rows as `RegistryWriter`; the caller's transaction makes it all or nothing.
    """

    def run(
        self,
        batches: Callable[[], Iterable[list[ResidentRecord]]],
        *,
        allocate_ids: Callable[[str, int], list[int]],
        progress: Callable[[int], None],
        any_registered: bool = True,
        rows: int | None = None,
    ) -> None:
        """Write everything; `batches()` gives the validated records from the start each time it is called.
        `any_registered=False` (the checking pass found none of the file's residents registered) skips the pass
        that looks them up: a resident registered since by someone else makes the unique index refuse the COPY,
        and the import fails whole, writing nothing. With it, `rows` (how many records the spool holds) lets the
        writer take every resident's id first and write the households before their residents
        (`_write_all_new`)."""
        assert self.apply and self.kind == ImportKind.RESIDENTS and connection.vendor == "postgresql"
        new_households = self._prepare_households(allocate_ids)
        if not any_registered and rows is not None:
            self._write_all_new(batches(), new_households, rows, allocate_ids, progress)
            self.finish()
            return
        heads: list[tuple[int, int]] = []
        registered: set[int] = set()  # row numbers of the records that matched a resident already registered
        for batch in batches() if any_registered else ():
            self._match_residents(batch, heads, registered)
            progress(len(registered))
        self._copy_new_residents(batches(), registered, heads, allocate_ids, progress, len(registered))
        self._write_households(new_households, heads)
        self.finish()

    def _write_all_new(
        self,
        batches: Iterable[list[ResidentRecord]],
        new_keys: list[tuple[int, str]],
        rows: int,
        allocate_ids: Callable[[str, int], list[int]],
        progress: Callable[[int], None],
    ) -> None:
        """Every record is a new resident (none registered): take all their ids first, in spool order, so each
        household's head is known (`HouseholdPlan.head_index`); COPY the households; then COPY the residents in
        chunks from a second thread (`BackgroundCopy`) with their two foreign keys checked at the end of each
        chunk's statement instead of all at the commit — the database checks one chunk while Python prepares the
        next, where the commit used to check a million rows with Python idle. A record whose place does not match
        the plan, or a count that differs, stops the import (the caller's transaction writes nothing)."""
        table = self.residents
        ids = _take_ids(table.table, rows, allocate_ids)
        self._write_households(  # household_heads then names each household's head, checked below row by row
            new_keys,
            {self.household_ids[key]: ids[plan.head_index] for key, plan in self.plans.items() if plan.head_index >= 0},
        )
        head_of = self.household_heads
        with_ids = BulkTable(Resident, ["id", *_RESIDENT_COLUMNS])
        constraints = _foreign_keys(Resident, [Household, AdministrativeUnit])
        household_ids = self.household_ids
        done = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {constraints} IMMEDIATE")
        background = BackgroundCopy()
        try:
            chunk: list[Sequence[Any]] = []
            for records in batches:
                if done + len(records) > rows:
                    raise RuntimeError("The spool holds more records than the checking pass counted.")
                for offset, record in enumerate(records):
                    if record.is_head and head_of.get(household_ids[self._household_key(record)]) != ids[done + offset]:
                        raise RuntimeError("A head's place in the spool differs from the checking pass's plan.")
                chunk += self._new_resident_rows(records, ids, done)
                done += len(records)
                if len(chunk) >= COPY_CHUNK_ROWS:
                    background.put([(with_ids, chunk)])
                    chunk = []
                progress(done)
            if done != rows:
                raise RuntimeError("The spool holds fewer records than the checking pass counted.")
            background.put([(with_ids, chunk)])
        finally:
            background.close()
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {constraints} DEFERRED")
        self.counts.created += done

    def _new_resident_rows(
        self, records: Sequence[Sequence[Any]], ids: "array[int]", start: int
    ) -> list[Sequence[Any]]:
        """The COPY rows (id, then `_RESIDENT_COLUMNS`) of new residents, from records in the spool's layout:
        ResidentRecords, or the checking pass's plain tuples, whose birth date may still be its two readings (the
        first, day first, is taken: the caller makes sure it is the file's order). Record i gets ids[start + i].
        The columns of `_resident_columns`, written inline: a function call per row costs seconds at a million."""
        now = self.now
        name_key = self.name_key
        household_ids = self.household_ids
        id_ciphertexts = encrypt_many([record[R_ID] for record in records])
        phone_ciphertexts = iter(encrypt_many([record[R_PHONE] for record in records if record[R_PHONE]]))
        rows: list[Sequence[Any]] = []
        for index, (record, id_ciphertext) in enumerate(zip(records, id_ciphertexts, strict=True), start):
            phone = record[R_PHONE]
            name = record[R_NAME]
            birth = record[R_BIRTH]
            village_id = record[R_VILLAGE]
            rows.append(
                (
                    ids[index],
                    now,
                    now,
                    name,
                    name_key(name),
                    birth[0] if type(birth) is tuple else birth,
                    record[R_BIRTH_PRECISION],
                    record[R_SEX],
                    record[R_ETHNICITY],
                    id_ciphertext,
                    record[R_HASH],
                    record[R_ID][-4:],
                    next(phone_ciphertexts) if phone else None,
                    phone[-3:] if phone else "",
                    household_ids[(village_id, record[R_HOUSEHOLD])],
                    village_id,
                )
            )
        return rows

    def _prepare_households(self, allocate_ids: Callable[[str, int], list[int]]) -> list[tuple[int, str]]:
        new_keys = self._take_households(set(self.plans))
        for key, household_id in zip(new_keys, allocate_ids(Household._meta.db_table, len(new_keys)), strict=True):
            self.household_ids[key] = household_id
            self.household_heads[household_id] = None
        self.counts.households_created += len(new_keys)
        return new_keys

    def _match_residents(self, batch: list[ResidentRecord], heads: list[tuple[int, int]], registered: set[int]) -> None:
        existing = _registered(batch, self.read_as_new)
        if not existing:
            return
        updates = []
        for record in batch:
            current = existing.get(record.id_hash)
            if current is None:
                continue
            registered.add(record.row)
            household_id = self.household_ids[self._household_key(record)]
            if record.is_head:
                heads.append((household_id, current[0]))
            update = self._update_of(record, current, household_id)
            if update is not None:
                updates.append(update)
        self._note_leavers(updates)
        self._update_residents(updates)

    def _copy_new_residents(
        self,
        batches: Iterable[list[ResidentRecord]],
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
        with connection.cursor() as cursor, table.copy(cursor.cursor) as copy:
            write = copy.write_row
            household_ids = self.household_ids
            for records in batches:
                batch = [
                    (record, household_ids[(record.village_id, record.household_code)])
                    for record in records
                    if record.row not in registered
                ]
                if not batch:
                    continue
                ids = allocate_ids(table.table, len(batch))
                id_ciphertexts = encrypt_many(record.national_id for record, _ in batch)
                phone_ciphertexts = iter(encrypt_many(record.phone for record, _ in batch if record.phone))
                for (record, household_id), resident_id, id_ciphertext in zip(batch, ids, id_ciphertexts, strict=True):
                    phone = record.phone
                    phone_ciphertext = next(phone_ciphertexts) if phone else None
                    columns = _resident_columns(record, now, name_key, id_ciphertext, phone_ciphertext, household_id)
                    write((resident_id, *columns, *extra))
                    if record.is_head:
                        heads.append((household_id, resident_id))
                self.counts.created += len(batch)
                done += len(batch)
                progress(done)
        return done

    def _write_households(self, new_keys: list[tuple[int, str]], heads: list[tuple[int, int]] | dict[int, int]) -> None:
        head_of = heads if isinstance(heads, dict) else dict(heads)
        new_ids = set()
        table = self.households
        if new_keys:
            extra = tuple(table.extra_values)
            with connection.cursor() as cursor, table.copy(cursor.cursor) as copy:
                for key in new_keys:
                    household_id = self.household_ids[key]
                    plan = self.plans[key]
                    code = key[1]
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
        self.household_heads.update(head_of)
        self.households.update(["head_id", "updated_at"], changed)


class EarlyResidentsWriter(StreamingResidentsWriter):
    """A residents file written WHILE it is checked (PostgreSQL), for the usual first import: every person and
    every household new. Python checks the rows with one core while the database writes those already checked
    with the other (`running._check_writing` holds both in one transaction).

    `take` gets each batch the checking pass has just spooled, takes ids for its residents (spool order) and for
    the households it meets first, and queues both to a second thread (`BackgroundCopy`: households, then
    residents, each chunk's foreign keys checked at its statement's end). A household is written as its first row
    gives it (address, and head when that row is the head); `close` later settles the households whose head or
    address the rest of the file changed, so they end as the checking pass planned them. A birth date readable
    both ways is written day first.

    The write is only a guess that the checking pass confirms: the first batch with a resident or household
    already registered, a row left out, or a failed statement ends it (`abandoned`), and `close` says False
    unless the whole file passed and the dates it wrote day first are the file's order — the caller then rolls
    everything back and
    imports the usual way (`StreamingResidentsWriter.run`), so what is stored never depends on the guess.
    """

    def __init__(
        self,
        *,
        result: Any,
        registry: Any,
        allocate_ids: Callable[[str, int], list[int]],
        using: Any,
        progress: Callable[[int], None],
    ) -> None:
        super().__init__(kind=ImportKind.RESIDENTS, organisation=None, households=result.households, apply=True)
        self.progress = progress  # told how many rows are queued for writing after each batch
        self.result = result  # the checking pass's ValidationResult, filled as it goes
        self.registry = registry  # its RegistryCheck
        self.allocate_ids = allocate_ids
        self.using = using  # the second connection, for the look-ups of households (the first one is writing)
        self.ids: array[int] = array("q")
        # household id → the address written, when the household's first row was not its head, or gave no address
        self.unsettled: dict[int, str] = {}
        self.abandoned = False
        self.read_both_ways = False  # a birth date written as its day-first reading (the file's order not known yet)
        self.background: BackgroundCopy | None = None
        self.constraints = ""
        self.with_ids = BulkTable(Resident, ["id", *_RESIDENT_COLUMNS])
        self.households_with_ids = BulkTable(Household, ["id", *_HOUSEHOLD_COLUMNS])

    def take(self, good: list[tuple[Any, ...]]) -> None:
        if self.abandoned:
            return
        if self.registry.registered_rows or self.registry.outside_rows or not self.result.is_valid:
            self.abandon()
            return
        if self.background is None:
            self.constraints = _foreign_keys(Resident, [Household, AdministrativeUnit])
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {self.constraints} IMMEDIATE")
            self.background = BackgroundCopy()
        start = len(self.ids)
        self.ids.extend(self.allocate_ids(self.with_ids.table, len(good)))
        households = self._new_households(good, start)
        if households is None:
            self.abandon()
            return
        rows = self._new_resident_rows(good, self.ids, start)
        if not self.read_both_ways:
            self.read_both_ways = any(type(record[R_BIRTH]) is tuple for record in good)
        try:
            self.background.put([(self.households_with_ids, households), (self.with_ids, rows)])
        except Exception:  # the thread's statement failed: the transaction is lost, the usual way will say why
            self.abandon()
            return
        self.progress(len(self.ids))

    def _new_households(self, good: list[tuple[Any, ...]], start: int) -> list[Sequence[Any]] | None:
        """The COPY rows of the households the batch names first; None when one of them is registered already."""
        first: dict[tuple[int, str], int] = {}  # key → index of its first row in the batch
        for offset, record in enumerate(good):
            key = (record[R_VILLAGE], record[R_HOUSEHOLD])
            if key not in self.household_ids and key not in first:
                first[key] = offset
        if not first:
            return []
        codes = sorted({code for _, code in first})
        known = select_any(Household, ["village_id", "code"], "code", codes, using=self.using)
        if any((village_id, code) in first for village_id, code in known):
            return None
        rows: list[Sequence[Any]] = []
        now = self.now
        for (key, offset), household_id in zip(
            first.items(), self.allocate_ids(self.households_with_ids.table, len(first)), strict=True
        ):
            record = good[offset]
            address = record[R_ADDRESS]
            head_id = self.ids[start + offset] if record[R_HEAD] else None
            self.household_ids[key] = household_id
            self.household_heads[household_id] = head_id
            if head_id is None or not address:
                self.unsettled[household_id] = address
            rows.append((household_id, now, now, key[1], key[0], address, head_id))
        return rows

    def abandon(self) -> None:
        self.abandoned = True
        self._stop()

    def _stop(self) -> None:
        if self.background is None:
            return
        background, self.background = self.background, None
        try:
            background.close()
        except Exception:  # the statement's error ends the guess; the usual way meets it again
            self.abandoned = True

    def close(self) -> bool:
        """After the checking pass (before its `finish`): wait for the last chunk; True when the whole file is
        written as the pass planned it — then settle the households, count, and let the caller commit."""
        self._stop()
        result = self.result
        if (
            self.abandoned
            or not result.is_valid
            or result.date_order_needed
            or (self.read_both_ways and not result.day_first)
            or self.registry.registered_rows
            or self.registry.outside_rows
            or len(self.ids) != result.rows
        ):
            return False
        self._settle_households()
        if self.constraints:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {self.constraints} DEFERRED")
        self.counts.created = len(self.ids)
        self.counts.households_created = len(self.household_ids)
        self.finish()
        return True

    def _settle_households(self) -> None:
        """The households whose first row was not their head, or gave no address: their head and address as the
        whole file planned them (one UPDATE per 2,000)."""
        if not self.unsettled:
            return
        heads = []
        addresses = []
        for key, plan in self.plans.items():
            household_id = self.household_ids[key]
            if household_id not in self.unsettled:
                continue
            written = self.unsettled[household_id]
            head_id = self.ids[plan.head_index] if plan.head_index >= 0 else None
            if head_id != self.household_heads[household_id]:
                heads.append((household_id, head_id, self.now))
                self.household_heads[household_id] = head_id
            if plan.address != written:
                addresses.append((household_id, plan.address, self.now))
        self.households.update(["head_id", "updated_at"], heads)
        self.households.update(["address", "updated_at"], addresses)
