from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import Organisation
from hocvuso.reporting.models import (
    Notice,
    Plan,
    PlanTask,
    ReportingAssignment,
    TaskEvidence,
    TaskProgress,
    TaskUpdate,
)
from hocvuso.reporting.selectors import TaskState, plan_overview, task_state
from hocvuso.reporting.services import (
    DEFAULT_PLAN_FILE,
    add_evidence,
    load_plan,
    send_report_reminders,
    send_task_reminders,
    sync_reporting_assignments,
    update_task,
)
from hocvuso.territory.services import merge_units


def test_the_plan_file_loads_the_tasks_leads_agencies_and_who_reports(territory, plan):
    assert PlanTask.objects.filter(plan=plan).count() == 31
    festival = PlanTask.objects.get(code="IV.1.3")
    assert festival.yearly_on == ["10-10", "11-01"] and festival.recurrence == "yearly"
    assert {o.code for o in festival.coordinating.all()} == {"SGDDT-68", "UBMTTQ-68"}
    assert TaskProgress.objects.get(task=festival).organisation.code == "SKHCN-68"
    # a task every unit leads: each commune in force and each reporting agency
    classes = TaskProgress.objects.filter(task__code="IV.3.4")
    assert {p.unit.code for p in classes if p.unit} == {"24631", "24751"}
    assert Organisation.objects.get(code="CAT-68").name == "Công an tỉnh Lâm Đồng"
    reporting = ReportingAssignment.objects.filter(valid_to__isnull=True)
    assert {a.unit.code for a in reporting if a.unit} == {"24631", "24751"}
    assert {a.organisation.code for a in reporting if a.organisation} == {
        "SKHCN-68",
        "CAT-68",
        "SGDDT-68",
        "SNV-68",
        "STC-68",
        "UBMTTQ-68",
    }
    assert plan.consolidating_agency.code == "SKHCN-68"


def test_loading_the_same_file_again_changes_nothing(territory, plan):
    counts = (PlanTask.objects.count(), TaskProgress.objects.count(), ReportingAssignment.objects.count())
    audits = AuditEntry.objects.count()

    result = load_plan(data=DEFAULT_PLAN_FILE.read_bytes(), province=territory.province, actor=None)

    assert not result.created and not result.changed
    assert (PlanTask.objects.count(), TaskProgress.objects.count(), ReportingAssignment.objects.count()) == counts
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize(
    "data, where",
    [
        (b"\xff\xfe not utf-8", "không đọc được"),
        (b"plan: [1, 2]", "plan"),
        (b"plan: {code: x, title: y, year: 2025}\ntasks:\n  - {code: IV.1, title: t, lead: [NOPE]}", "tasks[1]"),
        (b"plan: {code: x, title: y, year: 2025}\ntasks:\n  - {code: '=1+1', title: t, lead: every_unit}", "tasks[1]"),
        (
            b"plan: {code: x, title: y, year: 2025}\ntasks:\n  - {code: IV.1, title: t, lead: every_unit, due: soon}",
            "due",
        ),
    ],
)
def test_a_malformed_plan_file_is_refused_with_where_and_nothing_is_written(territory, data, where):
    with pytest.raises(DomainError) as error:
        load_plan(data=data, province=territory.province, actor=None)

    assert where in str(error.value.message)
    assert not Plan.objects.exists() and not Organisation.objects.exists()


def test_a_lead_officer_updates_a_task_audited_and_others_cannot(territory, plan, commune_officer, province_admin):
    progress = TaskProgress.objects.get(task__code="IV.3.4", unit=territory.commune)

    update_task(progress=progress, status="in_progress", percent=40, note="Đã tổ chức 8 buổi.", actor=commune_officer)
    for outsider in (province_admin,):
        with pytest.raises(NotFound):
            update_task(progress=progress, status="done", percent=100, note="x", actor=outsider)
    with pytest.raises(DomainError):
        update_task(progress=progress, status="done", percent=90, note="x", actor=commune_officer)

    progress.refresh_from_db()
    assert (progress.status, progress.progress) == ("in_progress", 40)
    assert TaskUpdate.objects.count() == 1
    assert AuditEntry.objects.filter(action="reporting.update_task").count() == 1


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("minh-chung.pdf", b"MZ\x90\x00", "evidence_content"),
        ("minh-chung.exe", b"MZ\x90\x00", "evidence_type"),
        ("anh.png", b"%PDF-1.4", "evidence_content"),
    ],
)
def test_evidence_whose_content_is_not_what_it_claims_is_refused(territory, plan, commune_officer, name, data, code):
    progress = TaskProgress.objects.get(task__code="IV.3.4", unit=territory.commune)

    with pytest.raises(DomainError) as error:
        add_evidence(progress=progress, title="Biên bản", file_name=name, data=data, actor=commune_officer)

    assert error.value.code == code and not TaskEvidence.objects.exists()


def test_a_link_evidence_must_be_http(territory, plan, commune_officer):
    progress = TaskProgress.objects.get(task__code="IV.3.4", unit=territory.commune)

    with pytest.raises(DomainError):
        add_evidence(progress=progress, title="Tin", url="javascript:alert(1)", actor=commune_officer)
    add_evidence(progress=progress, title="Tin", url="https://lamdong.gov.vn/tin", actor=commune_officer)

    assert list(TaskEvidence.objects.values_list("url", flat=True)) == ["https://lamdong.gov.vn/tin"]


def test_task_states_late_stale_and_on_track(territory, plan, settings):
    settings.PLAN_TASK_STALE_DAYS = 30
    one_off = TaskProgress.objects.get(task__code="VI.2.3")  # due 2025-12-31
    festival = TaskProgress.objects.get(task__code="IV.1.3")  # 10/10 and 01/11 each year
    on = date(2026, 11, 5)
    TaskProgress.objects.filter(pk=festival.pk).update(
        last_update_at=timezone.make_aware(timezone.datetime(2026, 10, 20))
    )
    festival.refresh_from_db()

    assert task_state(one_off, on=on) == TaskState.LATE
    assert task_state(festival, on=on) == TaskState.LATE  # 01/11 passed with no update since
    assert task_state(festival, on=date(2026, 10, 25)) == TaskState.ON_TRACK
    continuous = TaskProgress.objects.get(task__code="IV.2.4")
    assert task_state(continuous, on=timezone.localdate() + timedelta(days=31)) == TaskState.STALE


def test_the_overview_shows_only_the_leads_the_user_follows(territory, plan, commune_officer, province_admin):
    mine = {row.code: row.leads for row in plan_overview(user=commune_officer)}
    everyone = {row.code: row.leads for row in plan_overview(user=province_admin)}

    assert mine == {"IV.1.1": 1, "IV.3.4": 1, "IV.4.1": 1, "IV.4.2": 1, "IV.4.3": 1, "VI.7.4": 1}
    assert everyone["IV.3.4"] == 2 + 6


def test_report_reminders_go_once_to_the_officers_of_units_that_have_not_reported(
    territory, plan, commune_officer, other_commune_officer, make_user, settings
):
    settings.REPORTING_REMINDER_DAYS = [7, 3, 1]
    commune_officer.email = "xa@example.vn"
    commune_officer.save()
    day = date(2026, 12, 14)  # the Q4 2026 report is due by 19/12: 5 days left, the 7-day reminder

    first = send_report_reminders(today=day)
    again = send_report_reminders(today=day)

    assert again.notices == 0
    assert Notice.objects.filter(user=commune_officer).count() == 1
    assert Notice.objects.filter(user=other_commune_officer).count() == 1
    assert first.notices == Notice.objects.count()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xa@example.vn"]
    assert "19/12/2026" in Notice.objects.get(user=commune_officer).message
    send_report_reminders(today=date(2026, 12, 17))  # 2 days left: the 3-day reminder
    assert Notice.objects.filter(user=commune_officer).count() == 2


def test_task_reminders_go_to_the_lead_of_a_late_task(territory, plan, make_user):
    agency = Organisation.objects.get(code="CAT-68")
    officer = make_user(Role.AGENCY_OFFICER, None, agency)

    send_task_reminders(today=date(2026, 3, 1))

    messages = list(Notice.objects.filter(user=officer).values_list("message", flat=True))
    assert any("VI.2.3" in message and "quá hạn" in message for message in messages)


def test_a_merger_ends_the_merged_communes_assignment(territory, plan):
    merge_units(units=[territory.other_commune], into=territory.commune, effective=date(2026, 7, 1), actor=None)
    territory.other_commune.refresh_from_db()

    sync_reporting_assignments(province=territory.province, agencies=[], on=date(2026, 1, 1), actor=None)

    ended = ReportingAssignment.objects.get(unit=territory.other_commune)
    assert ended.valid_to == territory.other_commune.valid_to
