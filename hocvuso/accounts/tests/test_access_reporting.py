"""The two reporting rules of access.py that are not "lies in the scope": only a subject's own officers prepare its
reports and update its tasks (`officer_of`, `officer_scope`, and `officers_of` from the other side), and nobody
reviews a report as its own officer (`may_review`). Reading them is `can`/`scope` (test_access.py's table)."""

from datetime import date

import pytest

from hocvuso.accounts.access import can, may_review, officer_of, officer_scope, officers_of
from hocvuso.accounts.roles import Permission, Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.reporting.models import Plan, PlanTask, ReportingAssignment, TaskEvidence, TaskProgress
from hocvuso.reporting.tests.factories import make_report


@pytest.fixture
def agency(territory):
    return OrganisationFactory(code="SNV-68", name="Sở Nội vụ", unit=territory.province)


@pytest.mark.parametrize(
    "role, scope, reads, acts, reviews",
    [
        (Role.COMMUNE_OFFICER, "commune", True, True, False),  # its own officer: prepares it, never reviews it
        (Role.COMMUNE_OFFICER, "other_commune", False, False, False),
        (Role.PROVINCE_ADMIN, "province", True, False, True),  # over it, not its officer: reviews it
        (Role.PROVINCE_ADMIN, "other_province", False, False, False),
        (Role.TEAM_LEADER, "commune", False, False, False),  # inside, without the reporting permissions
        (Role.LEARNER, None, False, False, False),
    ],
)
def test_a_communes_report(territory, make_user, role, scope, reads, acts, reviews):
    user = make_user(role, getattr(territory, scope) if scope else None)
    report = make_report(unit=territory.commune)

    assert can(user, Permission.VIEW_REPORTS, report) is reads
    assert officer_of(user, Permission.EDIT_REPORTS, report) is acts
    assert officer_of(user, Permission.EDIT_REPORTS, report.assignment) is acts
    assert officer_of(user, Permission.EDIT_REPORTS, territory.commune) is acts
    assert may_review(user, report) is reviews


def test_an_agencys_report(territory, make_user, agency):
    officer = make_user(Role.AGENCY_OFFICER, None, agency)
    other = make_user(Role.AGENCY_OFFICER, None, OrganisationFactory(unit=territory.province))
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)
    commune_officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    report = make_report(organisation=agency)

    assert officer_of(officer, Permission.EDIT_REPORTS, report)
    assert officer_of(officer, Permission.EDIT_REPORTS, agency)
    assert not may_review(officer, report)
    assert not can(other, Permission.VIEW_REPORTS, report)
    assert not can(commune_officer, Permission.VIEW_REPORTS, report)
    assert may_review(admin, report)
    assert not officer_of(admin, Permission.EDIT_REPORTS, report)  # over the agency's place, not its officer
    assert list(officers_of(Permission.EDIT_REPORTS, report.assignment)) == [officer]


def test_a_commune_officer_is_not_the_officer_of_a_school_in_the_commune(territory, make_user):
    school = OrganisationFactory(unit=territory.commune)
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    report = make_report(organisation=school)

    assert can(officer, Permission.VIEW_REPORTS, report)  # it lies in the commune
    assert not officer_of(officer, Permission.EDIT_REPORTS, report)
    assert not may_review(officer, report)  # reading is not reviewing: REVIEW_REPORTS is the province's


def test_the_province_admin_is_the_provinces_own_officer(territory, make_user):
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)
    consolidated = make_report(unit=territory.province, kind="consolidated")

    assert officer_of(admin, Permission.EDIT_REPORTS, territory.province)
    assert officer_of(admin, Permission.EDIT_REPORTS, consolidated)
    assert not may_review(admin, consolidated)


def test_a_lead_task_its_update_and_evidence_belong_to_its_lead(territory, make_user):
    plan = Plan.objects.create(code="ke-hoach-thu", title="Kế hoạch thử", year=2026)
    task = PlanTask.objects.create(plan=plan, code="IV.3.4", section="IV.3", title="Buổi học cộng đồng")
    progress = TaskProgress.objects.create(task=task, unit=territory.commune)
    evidence = TaskEvidence.objects.create(progress_of=progress, kind="link", title="Tin bài", url="https://x.vn/")
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)

    assert officer_of(officer, Permission.UPDATE_TASKS, progress)
    assert officer_of(officer, Permission.UPDATE_TASKS, evidence)
    assert not officer_of(admin, Permission.UPDATE_TASKS, progress)
    assert can(admin, Permission.VIEW_PLAN, evidence)
    assert list(officers_of(Permission.UPDATE_TASKS, progress)) == [officer]


def test_officer_scope_lists_what_officer_of_allows(territory, make_user, agency):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    RoleAssignmentFactory(user=officer, role=Role.AGENCY_OFFICER, organisation=agency)
    admin = make_user(Role.PROVINCE_ADMIN, territory.province)
    assignments = [
        ReportingAssignment.objects.create(unit=unit, organisation=organisation, valid_from=date(2026, 1, 1))
        for unit, organisation in [(territory.commune, None), (territory.other_commune, None), (None, agency)]
    ]

    def listed(user):
        return set(
            ReportingAssignment.objects.filter(officer_scope(user, Permission.EDIT_REPORTS, ReportingAssignment))
        )

    commune, _other_commune, agencys = assignments
    assert listed(officer) == {commune, agencys}
    assert listed(admin) == set()  # over all three, the officer of none
    for user in (officer, admin):
        assert listed(user) == {a for a in assignments if officer_of(user, Permission.EDIT_REPORTS, a)}


def test_officers_of_are_active_holders_in_force_today(territory, make_user):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    make_user(Role.COMMUNE_OFFICER, territory.commune, is_active=False)
    ended = make_user(Role.COMMUNE_OFFICER, territory.commune)
    ended.role_assignments.update(valid_from=date(2025, 1, 1), valid_to=date(2025, 6, 30))
    make_user(Role.TEAM_LEADER, territory.commune)  # inside, without EDIT_REPORTS
    make_user(Role.PROVINCE_ADMIN, territory.province)  # over the commune, not its officer

    assert list(officers_of(Permission.EDIT_REPORTS, territory.commune)) == [officer]


def test_a_kind_about_no_subject_is_a_programming_error(territory, make_user):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune)
    with pytest.raises(TypeError):
        officer_of(officer, Permission.EDIT_REPORTS, officer)
    with pytest.raises(TypeError):
        officer_scope(officer, Permission.EDIT_REPORTS, Plan)
