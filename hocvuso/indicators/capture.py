"""Change capture: database triggers that put the villages and organisations whose facts a write changes into
the dirty-unit queue (DirtyUnit), in the same transaction as the write.

Why triggers. The registry and learning parts sit below the monitoring and must not import it, yet every
way they write has to be seen: their services, the admin, roster imports and the population generator
(COPY on PostgreSQL), bulk updates. Timestamps cannot say where a resident lived before a move, nor that a
row was deleted, and would need indexes on tables this part does not own; a change log written by each
service would miss every write that does not go through one. A trigger sees the old and the new row of every
write, whatever wrote it, and lower parts stay unaware of the monitoring. The triggers only ever insert
into the queue (never fail the write for any other reason); the refresh job reads the queue.

On PostgreSQL each trigger is statement-level with transition tables (one INSERT … SELECT DISTINCT per
statement, so a COPY of 50,000 rows adds one small query); on SQLite, row-level. They are part of the
schema: migrations install them (`InstallChangeCapture`, migration 0003), so a database restored from a
backup, or built by `migrate` alone, has them like any table or index — nothing needs to run after a restore.
A migration that changes `SOURCES`, or that rebuilds a source table on SQLite (which drops its triggers with
it), adds an `InstallChangeCapture()` operation after it; `tests/test_capture.py` fails until it does. The
property test (tests/test_property.py) checks that what they capture lets the incremental facts equal a full
rebuild.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections, migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from hocvuso.learning.models import Enrolment, LessonCompletion, LiteracyStatus
from hocvuso.outreach.models import ClassAttendance, Event, Market, Team, Trader, TraderStep, Visit, VisitOutcome
from hocvuso.people.models import DigitalIdentity, Household, Membership, Resident
from hocvuso.territory.models import AdministrativeUnit, Level

from .models import DirtyKind, DirtyUnit, VneidCertification

PREFIX = "indicators_capture"


@dataclass(frozen=True)
class Join:
    """`table alias ON condition`; `{row}` in the condition stands for the changed row."""

    model: type[Model]
    alias: str
    condition: str


@dataclass(frozen=True)
class Mark:
    """One kind of unit a changed row makes dirty: `value` (an expression over `{row}` and the joins)."""

    kind: str
    value: str
    joins: tuple[Join, ...] = ()


@dataclass(frozen=True)
class Source:
    """A table whose writes change facts: the columns that matter on UPDATE, and what to mark."""

    model: type[Model]
    watched: tuple[str, ...]
    marks: tuple[Mark, ...]


_RESIDENT = Join(Resident, "r", "r.id = {row}.resident_id")
_VILLAGE_OF_RESIDENT = Mark(DirtyKind.VILLAGE, "r.village_id", (_RESIDENT,))
# The village of the resident's household (digital families count households, whose village may differ).
_HOUSEHOLD_OF_RESIDENT = Mark(
    DirtyKind.VILLAGE, "h.village_id", (_RESIDENT, Join(Household, "h", "h.id = r.household_id"))
)

# The village a team (a market) is counted in (computations._teams, _markets): its own, else its commune's first
# village; an event and a class attendance are counted in their commune's first village.
_FIRST_VILLAGE = (
    "(SELECT MIN(u.id) FROM "  # noqa: S608 (names from the models)
    + AdministrativeUnit._meta.db_table
    + " u WHERE u.parent_id = {team}.commune_id AND u.level = '"
    + Level.VILLAGE.value
    + "')"
)
_TEAM_VILLAGE = "COALESCE({team}.village_id, " + _FIRST_VILLAGE + ")"
_MARKET = Join(Market, "m", "m.id = t.market_id")

SOURCES: tuple[Source, ...] = (
    Source(
        Resident,
        ("village_id", "household_id", "birth_date", "died_on"),
        (
            Mark(DirtyKind.VILLAGE, "{row}.village_id"),
            Mark(DirtyKind.VILLAGE, "h.village_id", (Join(Household, "h", "h.id = {row}.household_id"),)),
        ),
    ),
    Source(Household, ("village_id",), (Mark(DirtyKind.VILLAGE, "{row}.village_id"),)),
    Source(
        Membership,
        ("resident_id", "organisation_id", "kind", "valid_from", "valid_to"),
        (Mark(DirtyKind.ORGANISATION, "{row}.organisation_id"), _VILLAGE_OF_RESIDENT),
    ),
    Source(
        DigitalIdentity,
        ("resident_id", "vneid_level", "has_bank_account"),
        (_VILLAGE_OF_RESIDENT, _HOUSEHOLD_OF_RESIDENT),
    ),
    # Learning that a digital family's "learned" condition reads: enrolments and completed lessons.
    Source(Enrolment, ("resident_id",), (_VILLAGE_OF_RESIDENT, _HOUSEHOLD_OF_RESIDENT)),
    Source(
        LessonCompletion,
        ("enrolment_id",),
        (
            Mark(
                DirtyKind.VILLAGE,
                "h.village_id",
                (
                    Join(Enrolment, "e", "e.id = {row}.enrolment_id"),
                    Join(Resident, "r", "r.id = e.resident_id"),
                    Join(Household, "h", "h.id = r.household_id"),
                ),
            ),
        ),
    ),
    Source(
        LiteracyStatus,
        ("resident_id", "group"),
        (
            _VILLAGE_OF_RESIDENT,
            Mark(DirtyKind.VILLAGE, "h.village_id", (_RESIDENT, Join(Household, "h", "h.id = r.household_id"))),
            Mark(
                DirtyKind.ORGANISATION,
                "m.organisation_id",
                (Join(Membership, "m", "m.resident_id = {row}.resident_id"),),
            ),
        ),
    ),
    Source(VneidCertification, ("resident_id",), (_VILLAGE_OF_RESIDENT,)),
    # Home visits (outreach): the household's village (households visited, visits per week), the team's village
    # (active teams), and for each person's outcome the person's village (helped to VNeID level 2).
    Source(
        Visit,
        ("village_id", "household_id", "team_id", "visited_at"),
        (
            Mark(DirtyKind.VILLAGE, "{row}.village_id"),
            Mark(
                DirtyKind.VILLAGE,
                _TEAM_VILLAGE.format(team="t"),
                (Join(Team, "t", "t.id = {row}.team_id"),),
            ),
        ),
    ),
    Source(VisitOutcome, ("resident_id", "outcome", "visit_id"), (_VILLAGE_OF_RESIDENT, _HOUSEHOLD_OF_RESIDENT)),
    # Chợ số (markets, traders, the Ts they reached) and events: the village each is counted in.
    Source(
        Market,
        ("commune_id", "village_id", "created_at"),
        (Mark(DirtyKind.VILLAGE, _TEAM_VILLAGE.format(team="{row}")),),
    ),
    Source(
        Trader,
        ("market_id", "registered_on"),
        (Mark(DirtyKind.VILLAGE, _TEAM_VILLAGE.format(team="m"), (Join(Market, "m", "m.id = {row}.market_id"),)),),
    ),
    Source(
        TraderStep,
        ("trader_id", "step", "achieved_on"),
        (
            Mark(
                DirtyKind.VILLAGE,
                _TEAM_VILLAGE.format(team="m"),
                (Join(Trader, "t", "t.id = {row}.trader_id"), _MARKET),
            ),
        ),
    ),
    Source(Event, ("commune_id", "starts_on"), (Mark(DirtyKind.VILLAGE, _FIRST_VILLAGE.format(team="{row}")),)),
    Source(
        Team, ("commune_id", "village_id", "created_at"), (Mark(DirtyKind.VILLAGE, _TEAM_VILLAGE.format(team="{row}")),)
    ),
    # Community classes: an attendance makes its commune's first village dirty (classes held, attendance).
    Source(
        ClassAttendance,
        ("commune_id", "day", "resident_id"),
        (Mark(DirtyKind.VILLAGE, _FIRST_VILLAGE.format(team="{row}")),),
    ),
    Source(
        AdministrativeUnit,
        ("parent_id", "level", "valid_from", "valid_to", "successor_id"),
        (Mark(DirtyKind.TERRITORY, "0"),),
    ),
)

EVENTS = ("insert", "update", "delete")


def _table(model: type[Model]) -> str:
    return model._meta.db_table


def _column(connection: BaseDatabaseWrapper, name: str) -> str:
    return str(connection.ops.quote_name(name))


def _row_references(text: str) -> list[tuple[str, str]]:
    """`text` cut at each `{row}.column`: (column, the text after it up to the next one), after the text before
    the first."""
    parts = text.split("{row}.")
    cut = [("", parts[0])]
    for part in parts[1:]:
        name, rest = part, ""
        for index, character in enumerate(part):
            if not (character.isalnum() or character == "_"):
                name, rest = part[:index], part[index:]
                break
        cut.append((name, rest))
    return cut


def _expression(connection: BaseDatabaseWrapper, text: str, row: str) -> str:
    """Quote the column after `{row}.` (LiteracyStatus has a column named "group")."""
    cut = _row_references(text)
    return cut[0][1] + "".join(f"{row}.{_column(connection, name)}{rest}" for name, rest in cut[1:])


def trigger_names(source: Source) -> Iterator[str]:
    for event in EVENTS:
        yield f"{PREFIX}_{_table(source.model)}_{event}"


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _row_columns(connection: BaseDatabaseWrapper, mark: Mark) -> list[str]:
    """The quoted columns of the changed row that a mark reads (in its value and its joins' conditions)."""
    texts = [mark.value, *(join.condition for join in mark.joins)]
    return sorted({_column(connection, name) for text in texts for name, _ in _row_references(text)[1:]})


def _postgresql_select(connection: BaseDatabaseWrapper, mark: Mark, rows: str) -> str:
    """The units one mark makes dirty, for the changed rows `rows`.

    The rows are first reduced to the distinct values the mark reads (a COPY of 5,000 residents names ~1,300
    households), and each join is a lookup per value (`LATERAL … OFFSET 0`, which the planner cannot merge into a
    hash join): a transition table has no statistics, and for a few thousand rows the planner preferred to read
    the whole joined table on every statement — a cost that grew with the registry, not with the write (a million
    residents imported in 5,000-row statements spent ~8 s of the server's time here)."""
    value = _expression(connection, mark.value, "x")
    columns = ", ".join(_row_columns(connection, mark))
    joins = " ".join(
        f"JOIN LATERAL (SELECT * FROM {_table(join.model)} {join.alias} "  # noqa: S608 (names from the models)
        f"WHERE {_expression(connection, join.condition, 'x')} OFFSET 0) {join.alias} ON TRUE"
        for join in mark.joins
    )
    distinct = f"(SELECT DISTINCT {columns} FROM {rows} r0)" if columns else rows  # noqa: S608
    return f"SELECT '{mark.kind}' AS kind, {value} AS object_id FROM {distinct} x {joins}"  # noqa: S608


def _postgresql_statements(connection: BaseDatabaseWrapper, source: Source) -> list[str]:
    table = _table(source.model)
    queue = _table(DirtyUnit)
    pk = _column(connection, str(source.model._meta.pk.column))
    changed = " OR ".join(
        f"o.{_column(connection, name)} IS DISTINCT FROM n.{_column(connection, name)}" for name in source.watched
    )
    rows_of = {
        "insert": "new_rows",
        "delete": "old_rows",
        # an UPDATE marks the units of the old and of the new row, for the rows whose watched columns changed
        "update": (
            f"(SELECT o.* FROM old_rows o JOIN new_rows n ON o.{pk} = n.{pk} WHERE {changed} "  # noqa: S608
            f"UNION ALL SELECT n.* FROM old_rows o JOIN new_rows n ON o.{pk} = n.{pk} WHERE {changed})"
        ),
    }
    referencing = {
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
        "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    statements = []
    for event, name in zip(EVENTS, trigger_names(source), strict=True):
        selects = " UNION ALL ".join(_postgresql_select(connection, mark, rows_of[event]) for mark in source.marks)
        statements += [
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {queue} (kind, object_id, since)
    SELECT DISTINCT marks.kind, marks.object_id, now() FROM ({selects}) marks
    WHERE marks.object_id IS NOT NULL
    ON CONFLICT (kind, object_id) DO NOTHING;
    RETURN NULL;
END
$$""",  # noqa: S608 (names from the models)
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} {referencing[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


# --- SQLite ---------------------------------------------------------------------------------------------------


def _sqlite_insert(connection: BaseDatabaseWrapper, mark: Mark, row: str) -> str:
    queue = _table(DirtyUnit)
    value = _expression(connection, mark.value, row)
    tables = ", ".join(f"{_table(join.model)} {join.alias}" for join in mark.joins)
    conditions = [_expression(connection, join.condition, row) for join in mark.joins] + [f"{value} IS NOT NULL"]
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    return (
        f"INSERT OR IGNORE INTO {queue} (kind, object_id, since) SELECT '{mark.kind}', {value}, {now}"  # noqa: S608
        + (f" FROM {tables}" if tables else "")
        + f" WHERE {' AND '.join(conditions)};"
    )


def _sqlite_statements(connection: BaseDatabaseWrapper, source: Source) -> list[str]:
    table = _table(source.model)
    changed = " OR ".join(
        f"OLD.{_column(connection, name)} IS NOT NEW.{_column(connection, name)}" for name in source.watched
    )
    rows_of = {"insert": ["NEW"], "delete": ["OLD"], "update": ["OLD", "NEW"]}
    statements = []
    for event, name in zip(EVENTS, trigger_names(source), strict=True):
        body = " ".join(_sqlite_insert(connection, mark, row) for row in rows_of[event] for mark in source.marks)
        when = f" WHEN {changed}" if event == "update" else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} FOR EACH ROW{when} BEGIN {body} END",
        ]
    return statements


def capture_statements(connection: BaseDatabaseWrapper) -> list[str]:
    """The SQL that installs every capture trigger on this database (PostgreSQL or SQLite)."""
    build = _postgresql_statements if connection.vendor == "postgresql" else _sqlite_statements
    return [statement for source in SOURCES for statement in build(connection, source)]


def install_change_capture(*, using: str = "default") -> int:
    """Install (or replace) the capture triggers; returns how many source tables have them. Tables that do
    not exist yet (a partial migrate) are skipped; nothing is installed before the queue table exists."""
    connection = connections[using]
    if connection.vendor not in {"postgresql", "sqlite"}:
        return 0
    tables = set(connection.introspection.table_names())
    if _table(DirtyUnit) not in tables:
        return 0
    installed = 0
    build = _postgresql_statements if connection.vendor == "postgresql" else _sqlite_statements
    with connection.cursor() as cursor:
        for source in SOURCES:
            if _table(source.model) not in tables:
                continue
            for statement in build(connection, source):
                cursor.execute(statement)
            installed += 1
    return installed


def remove_change_capture(*, using: str = "default") -> int:
    """Drop every capture trigger (and, on PostgreSQL, its function); returns how many were present."""
    connection = connections[using]
    present = installed_triggers(using=using)
    with connection.cursor() as cursor:
        for source in SOURCES:
            for name in trigger_names(source):
                if name not in present:
                    continue
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_table(source.model)}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    return len(present)


class InstallChangeCapture(migrations.RunPython):
    """The migration operation that installs (or replaces) the capture triggers; reversed, it removes them.
    Elidable: a squash that keeps a later one loses nothing."""

    reduces_to_sql = False

    def __init__(self) -> None:
        super().__init__(self._install, self._remove, elidable=True)

    @staticmethod
    def _install(apps: Any, schema_editor: Any) -> None:
        install_change_capture(using=schema_editor.connection.alias)

    @staticmethod
    def _remove(apps: Any, schema_editor: Any) -> None:
        remove_change_capture(using=schema_editor.connection.alias)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__qualname__}", [], {})


def installed_triggers(*, using: str = "default") -> set[str]:
    """Names of the capture triggers present in the database (for checks and tests)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", [PREFIX + "%"])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
        return {str(row[0]) for row in cursor.fetchall()}


def expected_triggers() -> set[str]:
    return {name for source in SOURCES for name in trigger_names(source)}
