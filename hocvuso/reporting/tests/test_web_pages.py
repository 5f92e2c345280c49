"""The reporting pages, driven as officers do: draft, write, submit, return, resubmit, accept; a stale form; the
files; a task update with evidence (and a file that lies about its type); the consolidation and rates pages."""

from django.core.files.uploadedfile import SimpleUploadedFile

from hocvuso.reporting.models import Report, ReportStatus, TaskEvidence, TaskProgress

from .conftest import quarter_of_today


def test_the_report_workflow_through_the_pages(
    client,
    territory,
    registry,
    commune_assignment,
    commune_officer,
    province_admin,
):
    client.force_login(commune_officer)
    home = client.get("/bao-cao/")
    assert home.status_code == 200 and "Lập dự thảo" in home.content.decode()

    response = client.post(
        "/bao-cao/lap/", {"subject": f"u:{territory.commune.pk}", "quarter": str(quarter_of_today()), "frozen_on": ""}
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bao-cao/{report.pk}/"
    page = client.get(f"/bao-cao/{report.pk}/").content.decode()
    assert "Người dân trong độ tuổi trưởng thành có kỹ năng số" in page and "3 / 4" in page

    assert (
        client.post(
            f"/bao-cao/{report.pk}/sua/", {"version": report.version, "results": "Đã tổ chức 12 buổi học."}
        ).status_code
        == 302
    )
    stale = client.post(f"/bao-cao/{report.pk}/sua/", {"version": report.version, "results": "Bản cũ."})
    assert stale.status_code == 400
    report.refresh_from_db()
    assert report.results == "Đã tổ chức 12 buổi học."
    client.post(f"/bao-cao/{report.pk}/gui/", {"version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    client.force_login(province_admin)
    empty_return = client.post(f"/bao-cao/{report.pk}/xet-duyet/", {"version": report.version, "decision": "return"})
    assert empty_return.status_code == 302 and Report.objects.get().status == ReportStatus.SUBMITTED
    client.post(
        f"/bao-cao/{report.pk}/xet-duyet/", {"version": report.version, "decision": "return", "comment": "Bổ sung."}
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    client.force_login(commune_officer)
    assert "Bổ sung." in client.get(f"/bao-cao/{report.pk}/").content.decode()
    client.post(f"/bao-cao/{report.pk}/gui/", {"version": report.version})
    client.force_login(province_admin)
    report.refresh_from_db()
    client.post(f"/bao-cao/{report.pk}/xet-duyet/", {"version": report.version, "decision": "accept"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert list(report.events.values_list("action", flat=True)) == [
        "drafted",
        "saved",
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
    ]
    consolidation = client.get(f"/bao-cao/tong-hop/?quy={quarter_of_today()}").content.decode()
    assert "Xã Quảng Khê" in consolidation and "Chưa báo cáo" in consolidation
    rates = client.get("/bao-cao/ty-le/")
    assert rates.status_code == 200


def test_the_files_download_with_their_types(client, registry, commune_assignment, commune_officer):
    client.force_login(commune_officer)
    client.post("/bao-cao/lap/", {"subject": f"u:{commune_assignment.unit_id}", "quarter": str(quarter_of_today())})
    report = Report.objects.get()

    xlsx = client.get(f"/bao-cao/{report.pk}/bao-cao.xlsx")
    docx = client.get(f"/bao-cao/{report.pk}/bao-cao.docx")

    assert xlsx.status_code == docx.status_code == 200
    assert xlsx.content.startswith(b"PK") and docx.content.startswith(b"PK")
    assert f"bao-cao-24631-{quarter_of_today()}.docx" in docx["Content-Disposition"]


def test_a_lead_updates_a_task_and_adds_evidence_and_a_lying_file_is_refused(
    client,
    plan,
    territory,
    commune_officer,
    other_commune_officer,
):
    progress = TaskProgress.objects.get(task__code="IV.3.4", unit=territory.commune)
    client.force_login(commune_officer)

    updated = client.post(
        f"/ke-hoach/nhiem-vu/{progress.pk}/",
        {"action": "update", "status": "in_progress", "progress": "40", "note": "Đã tổ chức 8 buổi."},
    )
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(
        f"/ke-hoach/nhiem-vu/{progress.pk}/", {"action": "evidence", "title": "Biên bản", "file": fake}
    )
    real = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minh chung", content_type="application/pdf")
    added = client.post(f"/ke-hoach/nhiem-vu/{progress.pk}/", {"action": "evidence", "title": "Biên bản", "file": real})

    progress.refresh_from_db()
    assert updated.status_code == 302 and (progress.status, progress.progress) == ("in_progress", 40)
    assert refused.status_code == 400 and "không khớp" in refused.content.decode()
    assert added.status_code == 302
    (evidence,) = TaskEvidence.objects.all()
    download = client.get(f"/ke-hoach/minh-chung/{evidence.pk}/")
    assert download.content == b"%PDF-1.4 minh chung" and "attachment" in download["Content-Disposition"]

    client.force_login(other_commune_officer)
    assert (
        client.post(
            f"/ke-hoach/nhiem-vu/{progress.pk}/", {"action": "update", "status": "done", "progress": "100", "note": "x"}
        ).status_code
        == 404
    )
    progress.refresh_from_db()
    assert progress.progress == 40


def test_the_staff_home_shows_the_quarters_reporting_for_real_and_no_coming_soon_card(
    client, territory, registry, commune_assignment, commune_officer, province_admin, make_user
):
    from hocvuso.accounts.roles import Role
    from hocvuso.reporting.periods import due_date
    from hocvuso.reporting.services import draft_report, notify, save_report_text, submit_report

    quarter = quarter_of_today()
    due = due_date(quarter).strftime("%d/%m/%Y")
    notify(user=commune_officer, key="test-reminder", message="Sắp đến hạn báo cáo")
    client.force_login(commune_officer)
    page = client.get("/").content.decode()
    assert "Sắp có" not in page and "đang được xây dựng" not in page
    assert f"Báo cáo quý {quarter.number}/{quarter.year}" in page and f"Hạn gửi: {due}." in page
    assert "Đơn vị của bạn đã gửi 0/1 báo cáo." in page and "1 thông báo chưa đọc" in page
    assert 'href="/bao-cao/"' in page and 'href="/theo-doi/"' in page and 'href="/ke-hoach/"' in page
    assert "Toàn tỉnh:" not in page  # not a reviewer

    report = draft_report(assignment=commune_assignment, quarter=quarter, actor=commune_officer)
    report = save_report_text(report=report, changes={"results": "Đã làm."}, actor=commune_officer)
    report = submit_report(report=report, actor=commune_officer)
    assert "Đơn vị của bạn đã gửi 1/1 báo cáo." in client.get("/").content.decode()

    client.force_login(province_admin)
    page = client.get("/").content.decode()
    expected = len(territory.province.children.filter(level="commune")) + 6  # communes and the plan's 6 agencies
    on_time = 0 if report.is_late else 1
    assert f"Toàn tỉnh: 1/{expected} đơn vị đã báo cáo, {on_time} đúng hạn." in page

    client.force_login(make_user(Role.INSTRUCTOR, territory.commune))  # no reporting role: no reporting card
    page = client.get("/").content.decode()
    assert "Báo cáo quý" not in page and "Sắp có" not in page and 'href="/theo-doi/"' in page
