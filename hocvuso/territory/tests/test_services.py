from datetime import date

import pytest

from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry
from hocvuso.territory.models import AdministrativeUnit, Level
from hocvuso.territory.selectors import breadcrumb, effective_unit, rollup_to_effective_units
from hocvuso.territory.services import import_villages, load_admin_units, merge_units


@pytest.mark.django_db
def test_load_admin_units_loads_every_province_and_commune_once():
    first = load_admin_units(actor=None)

    assert AdministrativeUnit.objects.provinces().count() == 34
    assert AdministrativeUnit.objects.communes().count() == 3321
    assert AdministrativeUnit.objects.get(code="68").children.count() == 124
    assert first.created == 34 + 3321
    kinds = set(AdministrativeUnit.objects.get(code="68").children.values_list("kind", flat=True))
    assert kinds == {"xã", "phường", "đặc khu"}

    snapshot = list(AdministrativeUnit.objects.values_list("code", "name", "path", "updated_at"))
    second = load_admin_units(actor=None)

    assert (second.created, second.updated, second.unchanged) == (0, 0, 34 + 3321)
    assert list(AdministrativeUnit.objects.values_list("code", "name", "path", "updated_at")) == snapshot


def test_import_villages_creates_villages_and_ignores_a_resend(territory, commune_officer):
    data = "Mã thôn,Tên thôn,Loại\n24631.010,Thôn Mới,thôn\n,Buôn Ja,buôn\n".encode()

    report = import_villages(commune=territory.commune, data=data, actor=commune_officer)
    again = import_villages(
        commune=territory.commune,
        data="Mã thôn,Tên thôn,Loại\n24631.010,Thôn Mới,thôn\n".encode(),
        actor=commune_officer,
    )

    assert (report.created, report.committed) == (2, True)
    assert (again.created, again.unchanged) == (0, 1)
    created = AdministrativeUnit.objects.get(code="24631.010")
    assert (created.level, created.parent, created.path) == (
        Level.VILLAGE,
        territory.commune,
        "/68/24631/24631.010/",
    )
    assert AdministrativeUnit.objects.filter(parent=territory.commune, name="Buôn Ja", kind="buôn").count() == 1


@pytest.mark.parametrize(
    ("content", "row", "column"),
    [
        ("Mã thôn,Tên thôn,Loại\n24631.010,,thôn\n", 2, "Tên thôn"),
        ("Mã thôn,Tên thôn,Loại\n24631.010,Thôn X,phố cổ\n", 2, "Loại"),
        ("Mã thôn,Tên thôn,Loại\n99999.001,Thôn X,thôn\n", 2, "Mã thôn"),
        ("Mã thôn,Tên thôn,Loại\n24631.010,Thôn X,thôn\n24631.010,Thôn Y,thôn\n", 3, "Mã thôn"),
        ("Mã thôn,Tên thôn,Loại\n,Thôn X,thôn\n,thôn x,thôn\n", 3, "Tên thôn"),
        ("Mã thôn,Tên thôn,Loại\n24631.001,Thôn Khác,thôn\n", 2, "Mã thôn"),
    ],
)
def test_import_villages_rejects_the_whole_file_for_any_bad_row(territory, commune_officer, content, row, column):
    before = list(AdministrativeUnit.objects.values_list("code", "name"))
    good_row = "\n24631.020,Thôn Tốt,thôn\n"

    report = import_villages(
        commune=territory.commune, data=(content.rstrip("\n") + good_row).encode(), actor=commune_officer
    )

    assert report.committed is False
    assert [(error.row, error.column) for error in report.errors] == [(row, column)]
    assert list(AdministrativeUnit.objects.values_list("code", "name")) == before


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n",
        "Tên,Khác\nA,B\n".encode(),
        b"\x00\x01\x02PK\x03\x04",
        "Tên thôn\nThôn A\n".encode("cp1258"),
    ],
)
def test_import_villages_refuses_unreadable_files_with_a_message(territory, commune_officer, data):
    before = AdministrativeUnit.objects.count()

    with pytest.raises(DomainError) as error:
        import_villages(commune=territory.commune, data=data, actor=commune_officer)

    assert str(error.value)
    assert AdministrativeUnit.objects.count() == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_import_villages_reads_the_encodings_offices_send(territory, commune_officer, encoding):
    data = "Tên thôn;Loại\nBon Bu Prăng;bon\n".encode(encoding)

    report = import_villages(commune=territory.commune, data=data, actor=commune_officer)

    assert report.created == 1
    assert AdministrativeUnit.objects.filter(name="Bon Bu Prăng", parent=territory.commune).exists()


def test_dry_run_writes_nothing(territory, commune_officer):
    report = import_villages(
        commune=territory.commune, data="Tên thôn\nThôn Z\n".encode(), actor=commune_officer, dry_run=True
    )

    assert (report.is_valid, report.committed) == (True, False)
    assert not AdministrativeUnit.objects.filter(name="Thôn Z").exists()


def test_data_recorded_before_a_merger_is_reported_under_the_successor(territory, province_admin):
    # Visits recorded against two villages in 2025; the villages merge on 1 March 2026.
    recorded = {territory.village.pk: 7, territory.village_b.pk: 5, territory.other_village.pk: 2}
    merge_units(units=[territory.village_b], into=territory.village, effective=date(2026, 3, 1), actor=province_admin)

    before = rollup_to_effective_units(recorded, on=date(2026, 2, 28))
    after = rollup_to_effective_units(recorded, on=date(2026, 3, 1))

    assert before == {territory.village.pk: 7, territory.village_b.pk: 5, territory.other_village.pk: 2}
    assert after == {territory.village.pk: 12, territory.other_village.pk: 2}
    territory.village_b.refresh_from_db()
    assert effective_unit(territory.village_b, on=date(2026, 3, 1)) == territory.village
    assert effective_unit(territory.village_b, on=date(2026, 2, 28)) == territory.village_b
    assert territory.village_b.valid_to == date(2026, 2, 28)
    assert AuditEntry.objects.filter(action="territory.merge_unit", object_id=str(territory.village_b.pk)).count() == 1


def test_merging_into_itself_or_across_levels_is_refused(territory, province_admin):
    with pytest.raises(DomainError):
        merge_units(
            units=[territory.village],
            into=territory.village,
            effective=date(2026, 3, 1),
            actor=province_admin,
        )
    with pytest.raises(DomainError):
        merge_units(
            units=[territory.village],
            into=territory.commune,
            effective=date(2026, 3, 1),
            actor=province_admin,
        )
    territory.village.refresh_from_db()
    assert (territory.village.valid_to, territory.village.successor) == (None, None)


def test_breadcrumb_runs_from_province_to_unit(territory, django_assert_num_queries):
    with django_assert_num_queries(1):
        trail = breadcrumb(territory.village)

    assert [unit.code for unit in trail] == ["68", "24631", "24631.001"]
