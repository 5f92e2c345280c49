"""A synthetic province: households, residents, digital identities, organisations and their rosters.

`generate_population` fills every village of a province with households of realistic size, residents with
Vietnamese names (including ethnic-minority naming), the province's ethnic composition, an age pyramid of
the 2019 census's shape, valid national IDs (consistent with birth date, sex and province of birth), some
phones, VNeID and bank-account status, and organisations (state agencies, schools, universities and
colleges, enterprises, cooperatives) with staff, students and workers. The same seed gives the same rows
(national IDs and phones are encrypted with random nonces, so their ciphertexts differ; their values and
lookup hashes do not).

Demo and benchmark tooling, not part of the people domain (an import-linter contract keeps the domain packages
from importing it). Rows are written in chunks, never all at once, through the registry's one bulk writer
(hocvuso.people.bulk, which the roster import uses too): on PostgreSQL with binary COPY in a background thread,
after dropping the secondary indexes and foreign keys of the four tables for a large load and rebuilding them at
the end; on other databases with batched INSERTs. Everything runs in one transaction: a failure leaves nothing
behind.
"""

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.people.models import (
    DigitalIdentity,
    Household,
    Membership,
    Resident,
)
from hocvuso.territory.models import AdministrativeUnit, Level, lies_within
from hocvuso.territory.services import generate_demo_villages

from .people import _Population, _Rows
from .plan import _create_organisations, _plan
from .shares import GenerationResult
from .writing import _drop_secondary_structures, _Writer

# The day ages are counted from, so that a seed always gives the same birth dates.
REFERENCE_DATE = date(2025, 10, 1)
CHUNK_RESIDENTS = 50_000
# Above this many residents the PostgreSQL load drops and rebuilds secondary indexes and foreign keys.
BULK_THRESHOLD = 100_000

# --- The service --------------------------------------------------------------------------------------------


def _delete_province_population(province: AdministrativeUnit) -> None:
    """Delete the residents and households living in the province, with their identities and memberships."""
    quote = connection.ops.quote_name
    units = quote(AdministrativeUnit._meta.db_table)
    residents = quote(Resident._meta.db_table)
    households = quote(Household._meta.db_table)
    # table names come from the models, the only parameter is bound
    villages = f"SELECT id FROM {units} WHERE path LIKE %s"  # noqa: S608
    in_province = f"SELECT id FROM {residents} WHERE village_id IN ({villages})"  # noqa: S608
    statements = [
        f"DELETE FROM {quote(Membership._meta.db_table)} WHERE resident_id IN ({in_province})",  # noqa: S608
        f"DELETE FROM {quote(DigitalIdentity._meta.db_table)} WHERE resident_id IN ({in_province})",  # noqa: S608
        f"UPDATE {households} SET head_id = NULL WHERE village_id IN ({villages})",  # noqa: S608
        f"DELETE FROM {residents} WHERE village_id IN ({villages})",  # noqa: S608
        f"DELETE FROM {households} WHERE village_id IN ({villages}) AND id NOT IN "  # noqa: S608
        f"(SELECT household_id FROM {residents} WHERE household_id IS NOT NULL)",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [province.path + "%"])


def _reserve_ids(model: type[Any], count: int) -> int:
    """The first of `count` consecutive primary keys nobody else will take."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "
                f"(SELECT last_value FROM {connection.ops.quote_name(_sequence_name(model))})) + %s)",
                [model._meta.db_table, count],
            )
            (last,) = cursor.fetchone()
            return int(last) - count + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        (maximum,) = cursor.fetchone()
        return int(maximum) + 1


def _sequence_name(model: type[Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        (name,) = cursor.fetchone()
    return str(name).split(".")[-1].strip('"')


def generate_population(
    *,
    province_code: str,
    residents: int,
    seed: int,
    replace: bool = False,
    on: date = REFERENCE_DATE,
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Fill a province with a synthetic population of `residents` people (see the module docstring).

    Creates demo villages first when the province has none. Refuses (DomainError) a province that already
    has residents unless `replace`, which deletes them (with their households, identities and memberships)
    first. Deterministic for a seed, province, size and reference day `on`. Runs in one transaction and
    writes one audit entry. `progress(done, total)` is called after each chunk.
    """
    if residents < 1:
        raise DomainError(_("Số người dân cần tạo phải lớn hơn 0."), field="residents")
    started = time.perf_counter()
    result = GenerationResult()
    province = AdministrativeUnit.objects.filter(code=province_code, level=Level.PROVINCE).first()
    if province is None:
        raise DomainError(_("Không có tỉnh/thành phố mã %(code)s.") % {"code": province_code}, field="province")
    now = datetime.now(tz=UTC).replace(microsecond=0)
    rng = random.Random(seed)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            if not AdministrativeUnit.objects.within(province).filter(level=Level.VILLAGE).exists():
                result.villages_created = generate_demo_villages(province=province, seed=seed)
            has_residents = Resident.objects.filter(lies_within(province, through="village")).exists()
            if has_residents and not replace:
                raise DomainError(
                    _("Tỉnh %(name)s đã có dữ liệu người dân; dùng --replace để xóa và tạo lại.")
                    % {"name": province.name},
                    code="province_not_empty",
                )
            if has_residents:
                _delete_province_population(province)
            result.timings["prepare"] = time.perf_counter() - started

            communes = _plan(province, residents, rng)
            if not communes:
                raise DomainError(_("Tỉnh %(name)s chưa có thôn, tổ dân phố nào.") % {"name": province.name})
            organisations = _create_organisations(province, communes, rng, now)
            result.organisations = organisations.created

            bulk = connection.vendor == "postgresql" and residents >= BULK_THRESHOLD
            recreate: list[str] = []
            if bulk:
                tables = [model._meta.db_table for model in (Household, Resident, DigitalIdentity, Membership)]
                recreate = _drop_secondary_structures(tables)
            next_household = _reserve_ids(Household, residents)
            next_resident = _reserve_ids(Resident, residents)
            generation_started = time.perf_counter()
            population = _Population(seed=seed, on=on, organisations=organisations)
            writer = _Writer(now)
            try:
                rows = _Rows()
                done = 0
                for commune in communes:
                    for village in commune.villages:
                        next_household, next_resident = population.village(
                            commune, village, rows, next_household, next_resident
                        )
                        if len(rows.residents) >= CHUNK_RESIDENTS:
                            done += _flush(writer, rows, result)
                            rows = _Rows()
                            if progress:
                                progress(done, residents)
                done += _flush(writer, rows, result)
            finally:
                writer.close()
            if progress:
                progress(done, residents)
            result.timings["generate_and_load"] = time.perf_counter() - generation_started
            rebuild_started = time.perf_counter()
            if recreate:
                with connection.cursor() as cursor:
                    for statement in recreate:
                        cursor.execute(statement)
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for model in (Household, Resident, DigitalIdentity, Membership):
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            result.timings["rebuild_indexes"] = time.perf_counter() - rebuild_started
            record_audit(
                actor=actor,
                action="people.generate_population",
                target=province,
                details={
                    "seed": seed,
                    "residents": result.residents,
                    "households": result.households,
                    "replace": replace,
                },
            )
    except IntegrityError as error:
        raise DomainError(
            _("Không tạo được dân cư mẫu: dữ liệu khác đang tham chiếu tới người dân của tỉnh (%(error)s).")
            % {"error": str(error).splitlines()[0][:200]},
            code="integrity",
        ) from error
    result.seconds = time.perf_counter() - started
    return result


def _flush(writer: _Writer, rows: _Rows, result: GenerationResult) -> int:
    if not rows.residents:
        return 0
    writer.write(rows)
    result.households += len(rows.households)
    result.residents += len(rows.residents)
    result.identities += len(rows.identities)
    result.memberships += len(rows.memberships)
    return len(rows.residents)
