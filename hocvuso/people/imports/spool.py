"""The validated rows of an import, kept in a temporary file between the checking pass and the commit.

Records are tuples (a million rows stay cheap) written in marshalled batches: marshal is the fastest serialiser
for ints, strings and tuples; the birth date travels as its ordinal.
"""

import datetime
import marshal
from collections.abc import Iterator
from typing import IO, Any, NamedTuple


class ResidentRecord(NamedTuple):
    """A validated row of a residents file, as the writer reads it from the spool."""

    row: int
    national_id: str
    id_hash: str
    full_name: str
    birth_date: datetime.date
    sex: str
    ethnicity: int
    phone: str
    village_id: int
    household_code: str
    address: str
    is_head: bool
    birth_date_precision: str  # "day", or "year" for a year of birth alone


class RosterRecord(NamedTuple):
    """A validated row of an organisation's roster (staff, students, workers), as the writer reads it."""

    row: int
    national_id: str
    id_hash: str
    full_name: str
    birth_date: datetime.date
    sex: str
    ethnicity: int | None  # None: the row gave none (enough for someone registered)
    phone: str
    village_id: int | None
    position: str
    birth_date_precision: str


Record = ResidentRecord | RosterRecord

# The checking pass builds records as plain tuples in the same layout (cheaper for a million rows, and marshal
# writes only plain tuples); these positions name its places. A test keeps them equal to the fields above.
# Record layout (tuples keep a million rows cheap). Residents: row, national_id, id_hash, full_name, birth_date,
# sex, ethnicity, phone, village_id, household_code, address, is_head, birth_date_precision. Rosters: row,
# national_id, id_hash, full_name, birth_date, sex, ethnicity (or None), phone, village_id (or None), position,
# birth_date_precision. Until the file's date order is known, a birth date readable both ways is the pair
# (day-first date, month-first date); `read_spool` gives the reading chosen.
R_ROW, R_ID, R_HASH, R_NAME, R_BIRTH, R_SEX, R_ETHNICITY, R_PHONE, R_VILLAGE = range(9)
R_HOUSEHOLD, R_ADDRESS, R_HEAD = 9, 10, 11
R_POSITION = 9
R_BIRTH_PRECISION = -1  # the last field of both layouts


def _ordinal(value: Any) -> Any:
    if isinstance(value, tuple):
        return (value[0].toordinal(), value[1].toordinal())
    return value.toordinal()


def write_spool_batch(spool: IO[bytes], batch: list[tuple[Any, ...]]) -> None:
    """Append a batch of records to a spool (marshal: the fastest serialiser for ints, strings and tuples;
    the birth date travels as its ordinal, or the pair of ordinals of its two readings)."""
    blob = marshal.dumps([(*record[:R_BIRTH], _ordinal(record[R_BIRTH]), *record[R_BIRTH + 1 :]) for record in batch])
    spool.write(len(blob).to_bytes(8, "little"))
    spool.write(blob)


def read_spool(spool: IO[bytes], record: type[Any] = tuple, *, day_first: bool = True) -> Iterator[list[Any]]:
    """The batches of records written by `write_spool_batch`, in order, each as `record` (ResidentRecord or
    RosterRecord for the writer; plain tuples by default); a date readable both ways is read day first or month
    first as the file's order was decided."""
    spool.seek(0)
    from_ordinal = datetime.date.fromordinal
    pick = 0 if day_first else 1
    make = tuple.__new__

    def date_of(value: Any) -> datetime.date:
        return from_ordinal(value[pick] if type(value) is tuple else value)

    while True:
        size = spool.read(8)
        if len(size) < 8:
            return
        batch = marshal.loads(spool.read(int.from_bytes(size, "little")))  # noqa: S302 — our own temporary file
        birth = R_BIRTH
        yield [make(record, (*values[:birth], date_of(values[birth]), *values[birth + 1 :])) for values in batch]


def record_type(kind: str) -> type[Record]:
    """The record a writer reads for an import of this kind."""
    return ResidentRecord if kind == "residents" else RosterRecord
