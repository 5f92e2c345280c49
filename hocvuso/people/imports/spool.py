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


Record = ResidentRecord | RosterRecord

# The checking pass builds records as plain tuples in the same layout (cheaper for a million rows, and marshal
# writes only plain tuples); these positions name its places. A test keeps them equal to the fields above.
R_ROW, R_ID, R_HASH, R_NAME, R_BIRTH, R_SEX, R_ETHNICITY, R_PHONE, R_VILLAGE = range(9)
R_HOUSEHOLD, R_ADDRESS, R_HEAD = 9, 10, 11
R_POSITION = 9


def write_spool_batch(spool: IO[bytes], batch: list[tuple[Any, ...]]) -> None:
    """Append a batch of records to a spool (marshal: the fastest serialiser for ints, strings and tuples;
    the birth date travels as its ordinal)."""
    blob = marshal.dumps([(*record[:R_BIRTH], record[R_BIRTH].toordinal(), *record[R_BIRTH + 1 :]) for record in batch])
    spool.write(len(blob).to_bytes(8, "little"))
    spool.write(blob)


def read_spool(spool: IO[bytes], record: type[Any] = tuple) -> Iterator[list[Any]]:
    """The batches of records written by `write_spool_batch`, in order, each as `record` (ResidentRecord or
    RosterRecord for the writer; plain tuples by default)."""
    spool.seek(0)
    from_ordinal = datetime.date.fromordinal
    make = tuple.__new__
    while True:
        size = spool.read(8)
        if len(size) < 8:
            return
        batch = marshal.loads(spool.read(int.from_bytes(size, "little")))  # noqa: S302 — our own temporary file
        yield [
            make(record, (*values[:R_BIRTH], from_ordinal(values[R_BIRTH]), *values[R_BIRTH + 1 :])) for values in batch
        ]


def record_type(kind: str) -> type[Record]:
    """The record a writer reads for an import of this kind."""
    return ResidentRecord if kind == "residents" else RosterRecord
