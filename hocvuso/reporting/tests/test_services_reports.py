from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.indicators.selectors import unit_dashboard
from hocvuso.reporting.models import Report, ReportEvent, ReportingAssignment, ReportStatus
from hocvuso.reporting.periods import Quarter, due_date
from hocvuso.reporting.selectors import reporting_rate
from hocvuso.reporting.services import (
    accept_report,
    draft_consolidated_report,
    draft_report,
    refreeze_report,
    return_report,
    save_report_text,
    submit_report,
)

from .conftest import quarter_of_today


def test_the_due_date_is_before_the_20th_of_the_quarters_last_month():
    assert due_date(Quarter.parse("2026Q4")) == date(2026, 12, 19)
    assert due_date(Quarter.parse("2026-Q1")) == date(2026, 3, 19)


def test_the_due_day_is_a_setting(settings):
    settings.REPORTING_DUE_BEFORE_DAY = 25

    assert due_date(Quarter.parse("2026Q2")) == date(2026, 6, 24)


def test_a_draft_freezes_the_dashboards_figures_with_the_change_over_the_quarter(
    territory, registry, commune_assignment, commune_officer
):
    report = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)

    adults = next(figure for figure in report.figures if figure["code"] == "adults-digital-skills")
    dashboard = unit_dashboard(user=commune_officer, unit=territory.commune).unit.figure("adults-digital-skills")
    assert (adults["numerator"], adults["denominator"]) == (dashboard.numerator, dashboard.denominator) == (3, 4)
    assert adults["value"] == 75.0 and adults["target"] == 80.0 and adults["gap"] == 5.0
    assert adults["change"] == 50.0  # 1 of 4 two weeks ago (the quarter's first facts), 3 of 4 now
    assert adults["newly_reached"] == 2
    assert report.status == ReportStatus.DRAFT and report.due_date == due_date(quarter_of_today())
    assert report.frozen_on == timezone.localdate() and report.facts_day == timezone.localdate()
    assert [section["key"] for section in report.content["sections"]] == ["learning", "classes", "plan_tasks"]
    assert list(ReportEvent.objects.filter(report=report).values_list("action", flat=True)) == ["drafted"]


def test_a_second_draft_returns_the_first(registry, commune_assignment, commune_officer):
    first = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)
    second = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)

    assert first.pk == second.pk and Report.objects.count() == 1


def test_only_the_units_own_officers_draft_its_report(
    registry, commune_assignment, province_admin, other_commune_officer
):
    for outsider in (province_admin, other_commune_officer):
        with pytest.raises(NotFound):
            draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=outsider)

    assert not Report.objects.exists()


def test_a_freeze_day_outside_the_quarter_or_in_the_future_is_refused(registry, commune_assignment):
    quarter = quarter_of_today()
    for day in (quarter.first_day - timedelta(days=1), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(DomainError) as error:
            draft_report(assignment=commune_assignment, quarter=quarter, actor=None, frozen_on=day)
        assert error.value.field == "frozen_on"
    assert not Report.objects.exists()


def _written(report, officer):
    return save_report_text(
        report=report, changes={"results": "Đã tổ chức 12 buổi học.", "proposals": "Hỗ trợ thiết bị."}, actor=officer
    )


def test_the_workflow_draft_submitted_returned_resubmitted_accepted(
    registry, commune_assignment, commune_officer, province_admin
):
    report = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)
    report = _written(report, commune_officer)
    report = submit_report(report=report, actor=commune_officer, version=report.version)
    report = return_report(report=report, comment="Bổ sung số lớp cho người cao tuổi.", actor=province_admin)
    report = save_report_text(
        report=report, changes={"results": "Đã tổ chức 12 buổi, 3 buổi cho người cao tuổi."}, actor=commune_officer
    )
    report = submit_report(report=report, actor=commune_officer)
    report = accept_report(report=report, actor=province_admin)

    assert report.status == ReportStatus.ACCEPTED and report.accepted_at is not None
    assert list(report.events.values_list("action", flat=True)) == [
        "drafted",
        "saved",
        "submitted",
        "returned",
        "saved",
        "resubmitted",
        "accepted",
    ]
    assert report.events.get(action="returned").comment == "Bổ sung số lớp cho người cao tuổi."
    assert AuditEntry.objects.filter(action__startswith="reporting.report_", object_id=str(report.pk)).count() == 7
    with pytest.raises(DomainError):
        save_report_text(report=report, changes={"results": "khác"}, actor=commune_officer)
    assert Report.objects.get(pk=report.pk).results == "Đã tổ chức 12 buổi, 3 buổi cho người cao tuổi."


def test_frozen_figures_never_change_after_submission(registry, commune_assignment, commune_officer, province_admin):
    report = _written(
        draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer), commune_officer
    )
    report = submit_report(report=report, actor=commune_officer)
    frozen = (report.content, report.frozen_at)
    report = return_report(report=report, comment="Sửa lại.", actor=province_admin)

    with pytest.raises(DomainError):
        refreeze_report(report=report, actor=commune_officer)
    report.refresh_from_db()
    assert (report.content, report.frozen_at) == frozen


def test_a_stale_version_is_refused_and_changes_nothing(registry, commune_assignment, commune_officer):
    report = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)
    stale = report.version
    save_report_text(report=report, changes={"results": "Bản một."}, actor=commune_officer, version=stale)

    with pytest.raises(DomainError) as error:
        save_report_text(report=report, changes={"results": "Bản hai."}, actor=commune_officer, version=stale)

    assert error.value.code == "report_stale"
    assert Report.objects.get(pk=report.pk).results == "Bản một."


def test_a_report_cannot_be_submitted_without_results(registry, commune_assignment, commune_officer):
    report = draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer)

    with pytest.raises(DomainError):
        submit_report(report=report, actor=commune_officer)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_nobody_reviews_their_own_report_and_only_reviewers_review(
    registry, commune_assignment, commune_officer, other_commune_officer
):
    report = submit_report(
        report=_written(
            draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=None), commune_officer
        ),
        actor=commune_officer,
    )

    for user in (commune_officer, other_commune_officer):
        with pytest.raises(NotFound):
            accept_report(report=report, actor=user)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_late_report_is_accepted_and_stays_marked_late(territory, plan, province_admin, commune_officer):
    assignment = ReportingAssignment.objects.get(unit=territory.commune)
    report = draft_report(assignment=assignment, quarter="2026Q1", actor=None, frozen_on=date(2026, 3, 31))
    report = save_report_text(report=report, changes={"results": "Xong."}, actor=None)
    sent = timezone.make_aware(datetime(2026, 3, 25, 9, 0))
    report = submit_report(report=report, actor=None, at=sent)
    report = accept_report(report=report, actor=province_admin)

    assert report.is_late and report.status == ReportStatus.ACCEPTED


def test_reporting_rates_count_only_the_assignments_valid_in_the_period(
    territory, plan, province_admin, commune_officer
):
    quarter = Quarter.parse("2026Q2")
    merged = ReportingAssignment.objects.get(unit=territory.other_commune)
    # the other commune reports, then is merged away before the quarter's due date: its report no longer counts
    report = draft_report(assignment=merged, quarter=quarter, actor=None, frozen_on=date(2026, 6, 1))
    save_report_text(report=report, changes={"results": "Xong."}, actor=None)
    submit_report(report=report, actor=None, at=timezone.make_aware(datetime(2026, 6, 2, 8, 0)))
    merged.valid_to = date(2026, 6, 10)
    merged.save()
    own = draft_report(
        assignment=ReportingAssignment.objects.get(unit=territory.commune),
        quarter=quarter,
        actor=None,
        frozen_on=date(2026, 6, 1),
    )
    save_report_text(report=own, changes={"results": "Xong."}, actor=None)
    submit_report(report=own, actor=None, at=timezone.make_aware(datetime(2026, 6, 25, 8, 0)))

    rate = reporting_rate(quarter, province=territory.province)

    agencies = ReportingAssignment.objects.filter(organisation__isnull=False).count()
    assert rate.expected == 1 + agencies  # the commune and the agencies; not the merged commune
    assert (rate.submitted, rate.on_time) == (1, 0)
    assert rate.reporting_rate <= 100.0


def test_the_consolidated_report_lists_every_unit_and_those_that_did_not_report(
    territory, registry, commune_assignment, commune_officer, province_admin
):
    report = _written(
        draft_report(assignment=commune_assignment, quarter=quarter_of_today(), actor=commune_officer), commune_officer
    )
    accept_report(report=submit_report(report=report, actor=commune_officer), actor=province_admin)

    consolidated = draft_consolidated_report(
        province=territory.province, quarter=quarter_of_today(), actor=province_admin
    )

    sections = {section["key"]: section for section in consolidated.content["sections"]}
    annex = {row[0]: row for row in sections["annex"]["rows"]}
    assert set(annex) == {"24631", "24751"} | set(
        ReportingAssignment.objects.filter(organisation__isnull=False).values_list("organisation__code", flat=True)
    )
    assert annex["24631"][4] == "Báo cáo đã chấp nhận" and annex["24751"][4] == "Số liệu hệ thống"
    missing = [row[0] for row in sections["submissions"]["rows"]]
    assert "Xã Nhân Cơ" in missing and "Xã Quảng Khê" not in missing
    assert sections["proposals"]["rows"] == [["Xã Quảng Khê", "Hỗ trợ thiết bị."]]
    province = next(figure for figure in consolidated.figures if figure["code"] == "adults-digital-skills")
    assert (province["numerator"], province["denominator"]) == (4, 6)


def test_only_the_provinces_own_officers_draft_the_consolidated_report(territory, registry, make_user):
    commune_officer = make_user(Role.COMMUNE_OFFICER, territory.commune)

    with pytest.raises(NotFound):
        draft_consolidated_report(province=territory.province, quarter=quarter_of_today(), actor=commune_officer)
