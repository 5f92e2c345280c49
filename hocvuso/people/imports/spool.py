"""The validated rows of an import, kept in a temporary file between the checking pass and the commit.

Records are tuples (a million rows stay cheap) written in marshalled batches: marshal is the fastest serialiser
for ints, strings and tuples; the birth date travels as its ordinal.
"""

import datetime
import marshal
from collections.abc import Iterator
from typing import IO, Any

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


def read_spool(spool: IO[bytes], *, day_first: bool = True) -> Iterator[list[tuple[Any, ...]]]:
    """The batches of records written by `write_spool_batch`, in order; a date readable both ways is read
    day first or month first as the file's order was decided."""
    spool.seek(0)
    from_ordinal = datetime.date.fromordinal
    pick = 0 if day_first else 1

    def date_of(value: Any) -> datetime.date:
        return from_ordinal(value[pick] if type(value) is tuple else value)

    while True:
        size = spool.read(8)
        if len(size) < 8:
            return
        batch = marshal.loads(spool.read(int.from_bytes(size, "little")))  # noqa: S302 — our own temporary file
        yield [(*record[:R_BIRTH], date_of(record[R_BIRTH]), *record[R_BIRTH + 1 :]) for record in batch]
