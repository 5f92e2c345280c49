"""Each role's home leads to work, from live data, scoped to the user's own units: a commune officer's people not
reached yet and targets behind, imports waiting for confirmation; an agency officer's rosters and members who
have not passed; the province's communes furthest behind; an instructor's sessions and learners."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.indicators.services import rebuild_facts
from hocvuso.indicators.tests.conftest import birthday, confirm_literacy
from hocvuso.learning.models import Assessment, AssessmentKind, Attempt, AttemptState
from hocvuso.learning.services import (
    import_course_from_folder,
    load_frameworks,
    open_supervised_session,
    start_attempt,
)
from hocvuso.learning.tests.conftest import CURRICULA, write_course
from hocvuso.people.import_models import ImportJob, ImportStatus
from hocvuso.people.imports.services import submit_roster_import
from hocvuso.people.models import Household, Membership, Resident
from hocvuso.people.tests.factories import OrganisationFactory, ResidentFactory

pytestmark = pytest.mark.django_db

ADULTS = "adults-digital-skills"
SINCE = date(2024, 1, 1)


def person(village: Any, name: str, *, household: Household | None = None) -> Resident:
    return ResidentFactory(
        village=village, full_name=name, birth_date=birthday(30, timezone.localdate()), household=household
    )


def block(body: str, work: str) -> str:
    """The HTML of the home's work card `work` (data-work attribute)."""
    start = body.index(f'data-work="{work}"')
    return body[start : body.index("</li>\n", body.index("</ul>", start))]


@pytest.fixture
def figures(territory: Any) -> dict[str, Any]:
    """Xã Quảng Khê: 4 adults in one household of Thôn 1 (1 literate) and 2 more in a household of Bon Bu Đăng;
    Xã Nhân Cơ: 7 adults (none literate). A cooperative of Xã Quảng Khê with 3 workers (1 literate as a worker)."""
    home = Household.objects.create(village=territory.village, code="HK-1")
    quang_khe = [person(territory.village, f"Hồ Thị Mai {index}", household=home) for index in range(4)]
    other_home = Household.objects.create(village=territory.village_b, code="HK-2")
    quang_khe += [person(territory.village_b, f"Y Bhin Niê {index}", household=other_home) for index in range(2)]
    nhan_co = [person(territory.other_village, f"Lò Văn Páo {index}") for index in range(7)]
    confirm_literacy(quang_khe[0])
    cooperative = OrganisationFactory(
        code="HTX-1", name="Hợp tác xã Quảng Khê", kind="cooperative", unit=territory.commune
    )
    other = OrganisationFactory(
        code="HTX-2", name="Hợp tác xã Nhân Cơ", kind="cooperative", unit=territory.other_commune
    )
    for resident in quang_khe[:3]:
        Membership.objects.create(
            resident=resident, organisation=cooperative, kind="worker", valid_from=date(2024, 1, 1)
        )
    for resident in nhan_co[:2]:
        Membership.objects.create(resident=resident, organisation=other, kind="worker", valid_from=date(2024, 1, 1))
    confirm_literacy(quang_khe[1], "workers")
    rebuild_facts()
    return {"cooperative": cooperative, "other": other}


@pytest.fixture
def final(tmp_path: Path) -> Assessment:
    """A course's final assessment (the learning tests' sample course)."""
    load_frameworks(path=CURRICULA / "frameworks", actor=None)
    course = import_course_from_folder(path=write_course(tmp_path / "khoa-thu"), actor=None).course
    return course.assessments.get(kind=AssessmentKind.FINAL)


def checked(territory: Any, *, unit: Any, name: str, organisation: Any = None, kind: str = "residents") -> ImportJob:
    """A successful check (dry run) of a roster, as the background job leaves it."""
    job = submit_roster_import(
        user=None,
        kind=kind,
        file_name=name,
        data=f"ho_ten\n{name}\n".encode(),
        unit=unit,
        organisation=organisation,
        dry_run=True,
        enqueue=False,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE)
    return job


def test_a_commune_officer_sees_people_not_reached_per_indicator_of_their_commune_only(
    client: Client, commune_officer: Any, territory: Any, figures: dict[str, Any]
) -> None:
    client.force_login(commune_officer)

    body = client.get("/").content.decode()

    card = block(body, "not-reached")
    assert "Chưa tiếp cận ở Xã Quảng Khê" in card
    assert "4/6 người chưa đạt" in card  # adults: 2 literate of 6 (a citizen, a worker)
    assert f'href="/nguoi-dan/?chua_dat={ADULTS}&amp;don_vi=24631"' in card
    # Thôn 1's household has a literate member, which alone does not make a digital family (the rule, issue 13)
    assert "Gia đình số: <strong>2/2 hộ chưa đạt</strong>" in card
    assert "24751" not in body and "Xã Nhân Cơ" not in body and "/7 người" not in body
    assert 'href="/theo-doi/chua-tiep-can/24631/"' in card


def test_a_commune_officer_sees_targets_behind_with_the_dashboard(
    client: Client, commune_officer: Any, figures: dict[str, Any]
) -> None:
    client.force_login(commune_officer)

    card = block(client.get("/").content.decode(), "behind")

    assert "Chỉ tiêu chậm tiến độ" in card
    assert (
        "Người dân trong độ tuổi trưởng thành có kỹ năng số: 33,3&nbsp;% / mục tiêu 80&nbsp;% — "
        '<span class="muted">Chậm tiến độ</span>'
    ) in card  # 2 of the commune's 6 adults; Xã Nhân Cơ has none (0,0 %)
    assert "Gia đình số: 0,0&nbsp;%" in card
    assert 'href="/theo-doi/don-vi/24631/"' in card


def test_checks_waiting_for_confirmation_are_listed_in_scope_and_leave_once_imported(
    client: Client, commune_officer: Any, territory: Any
) -> None:
    waiting = checked(territory, unit=territory.commune, name="thon-1.csv")
    imported = checked(territory, unit=territory.commune, name="thon-2.csv")
    ImportJob.objects.create(
        kind=imported.kind,
        unit=imported.unit,
        upload=imported.upload,
        file_name=imported.file_name,
        fingerprint=imported.fingerprint,
        dry_run=False,
        status=ImportStatus.DONE,
    )
    checked(territory, unit=territory.other_commune, name="nhan-co.csv")
    client.force_login(commune_officer)

    card = block(client.get("/").content.decode(), "awaiting")

    assert f'href="/nhap-danh-sach/{waiting.pk}/"' in card and "thon-1.csv" in card
    assert "thon-2.csv" not in card and "nhan-co.csv" not in card


def test_an_agency_officer_sees_their_rosters_and_members_not_passed(
    client: Client, make_user: Any, territory: Any, figures: dict[str, Any]
) -> None:
    officer = make_user(Role.AGENCY_OFFICER, organisation=figures["cooperative"])
    checked(territory, unit=territory.commune, organisation=figures["cooperative"], name="xa-vien.csv", kind="workers")
    checked(territory, unit=territory.other_commune, organisation=figures["other"], name="khac.csv", kind="workers")
    client.force_login(officer)

    body = client.get("/").content.decode()

    organisation = block(body, "organisation")
    assert "Hợp tác xã Quảng Khê" in organisation
    assert "2/3 người chưa đạt" in organisation
    assert "to_chuc=HTX-1" in organisation
    rosters = block(body, "rosters")
    assert "xa-vien.csv" in rosters and "khac.csv" not in rosters
    assert "Hợp tác xã Nhân Cơ" not in body and "HTX-2" not in body
    assert 'data-work="not-reached"' not in body  # no commune card for an organisation's officer


def test_the_province_sees_the_communes_furthest_behind(
    client: Client, province_admin: Any, figures: dict[str, Any]
) -> None:
    client.force_login(province_admin)

    card = block(client.get("/").content.decode(), "furthest")

    assert card.index("Xã Nhân Cơ") < card.index("Xã Quảng Khê")  # 7 adults to reach before 5
    assert 'href="/theo-doi/don-vi/24751/"' in card
    assert "Phường Ba Đình" not in card  # another province
    assert 'href="/theo-doi/chua-tiep-can/68/?cap=xa"' in card


def test_an_instructor_sees_their_sessions_and_learners_only(
    client: Client, make_user: Any, territory: Any, final: Assessment
) -> None:
    instructor = make_user(Role.INSTRUCTOR, territory.commune)
    colleague = make_user(Role.INSTRUCTOR, territory.commune)
    learners = [make_user(Role.LEARNER) for _ in range(3)]
    opened = open_supervised_session(instructor=instructor, unit_code="24631", assessment=final)
    for learner in learners[:2]:
        start_attempt(user=learner, assessment=final, supervised_by=opened.session.pk, instructor_pin=opened.pin)
    other = open_supervised_session(instructor=colleague, unit_code="24631", assessment=final)
    start_attempt(user=learners[2], assessment=final, supervised_by=other.session.pk, instructor_pin=other.pin)
    Attempt.objects.filter(user=learners[0]).update(
        state=AttemptState.SUBMITTED, submitted_at=timezone.now(), score=90, passed=True
    )
    client.force_login(instructor)

    card = block(client.get("/").content.decode(), "classes")

    assert "1 buổi kiểm tra có giám sát đã mở, 1 buổi đang mở." in card
    assert "2 người học đã làm bài dưới sự giám sát của bạn, 1 người đã đạt." in card
    assert 'href="/giam-sat/"' in card
    assert 'href="/giam-sat/hoc-vien/">Xem học viên của tôi: tiến độ và kết quả</a>' in card
    assert 'href="/giam-sat/thu-am/">Thu âm bài học</a>' in card


def test_no_placeholder_is_offered_on_any_home(client: Client, commune_officer: Any) -> None:
    assert "Sắp có" not in client.get("/").content.decode()
    client.force_login(commune_officer)
    assert "Sắp có" not in client.get("/").content.decode()


def test_a_household_indicator_counts_households_on_the_dashboard(
    client: Client, commune_officer: Any, figures: dict[str, Any]
) -> None:
    client.force_login(commune_officer)

    body = client.get("/theo-doi/don-vi/24631/").content.decode()

    families = body[body.index('data-indicator="digital-families"') :].split("</li>")[0]
    adults = body[body.index(f'data-indicator="{ADULTS}"') :].split("</li>")[0]
    assert "0/2 hộ" in families and "người" not in families  # Gia đình số: households, not people
    assert "2/6 người" in adults
