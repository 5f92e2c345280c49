from django.urls import path

from . import views
from .credentials import views as credentials
from .field import views as field
from .learning import attempts as learning_attempts
from .learning import class_learners, narration
from .learning import files as course_files
from .learning import views as learning
from .monitoring import public, rankings, targets
from .monitoring import views as monitoring
from .outreach import activities as outreach_activities
from .outreach import classes as outreach_classes
from .outreach import setup as outreach_setup
from .outreach import views as outreach
from .people import transfers
from .people import views as people
from .reporting import views as reporting
from .vneid import views as vneid

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("co-chu/", views.text_size, name="text_size"),
    path("csp-report/", views.csp_report, name="csp_report"),
    path("don-vi/", views.unit_picker, name="unit_picker"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit"),
    path("don-vi/<str:code>/nhap-thon/", views.village_import, name="village_import"),
    path("don-vi/<str:code>/nhap-thon/mau.csv", views.village_template, name="village_template"),
    path("nhat-ky/", views.audit_log, name="audit"),
    path("nhat-ky/xuat.csv", views.audit_export, name="audit_export"),
    # Population registry (hocvuso/web/people/views.py)
    path("nguoi-dan/", people.people_search, name="people_search"),
    path("nguoi-dan/yeu-cau-chuyen/", transfers.transfer_requests, name="transfer_requests"),
    path("nguoi-dan/yeu-cau-chuyen/moi/", transfers.transfer_request_new, name="transfer_request_new"),
    path("nguoi-dan/dang-ky-vneid/", vneid.registrations, name="vneid_registrations"),
    path("nguoi-dan/dang-ky-vneid/<int:registration_id>/", vneid.registration_detail, name="vneid_registration"),
    path("nguoi-dan/<int:resident_id>/", people.resident_detail, name="resident"),
    path("nguoi-dan/<int:resident_id>/sua/", people.resident_correct, name="resident_correct"),
    path("nguoi-dan/<int:resident_id>/danh-tinh-so/", people.resident_identity, name="resident_identity"),
    path("nguoi-dan/<int:resident_id>/so-dinh-danh/", people.resident_reveal, name="resident_reveal"),
    path("ho/<str:household_code>/", people.household_detail, name="household"),
    path("du-lieu-cua-toi/", people.my_data, name="my_data"),
    path("du-lieu-cua-toi/tai-ve/", people.my_data_download, name="my_data_download"),
    path("du-lieu-cua-toi/so-dinh-danh/", people.my_data_reveal, name="my_data_reveal"),
    path("nhap-danh-sach/", people.roster_import, name="roster_import"),
    path("nhap-danh-sach/mau/", people.roster_template, name="roster_template"),
    path("nhap-danh-sach/<int:job_id>/", people.roster_import_job, name="roster_import_job"),
    path("nhap-danh-sach/<int:job_id>/tien-do/", people.roster_import_progress, name="roster_import_progress"),
    path("nhap-danh-sach/<int:job_id>/bao-cao-loi.xlsx", people.roster_import_report, name="roster_import_report"),
    path("nhap-danh-sach/<int:job_id>/xac-nhan/", people.roster_import_confirm, name="roster_import_confirm"),
    # Learning (hocvuso/web/learning/)
    path(".well-known/did.json", credentials.did_json, name="did_json"),
    path("xac-minh/trang-thai/<str:purpose>/<int:number>", credentials.status_list, name="status_list"),
    path("xac-minh/thanh-tuu/<slug:group>/", credentials.achievement_page, name="achievement"),
    path("xac-minh/<uuid:certificate_id>/", credentials.verify_page, name="verify"),
    path("xac-minh/<uuid:certificate_id>.json", credentials.verify_json, name="verify_json"),
    path("xac-minh/<uuid:certificate_id>/qr.svg", credentials.verify_qr, name="verify_qr"),
    path("chung-nhan/", credentials.my_certificates, name="my_certificates"),
    path("chung-nhan/<uuid:certificate_id>/tai-ve.json", credentials.my_certificate_json, name="my_certificate_json"),
    path("chung-nhan/<uuid:certificate_id>/tai-ve.pdf", credentials.my_certificate_pdf, name="my_certificate_pdf"),
    path("chung-nhan/quan-ly/<uuid:certificate_id>/", credentials.manage_certificate, name="certificate_manage"),
    path("chung-nhan/gui-loi/", credentials.dead_letter_list, name="certificate_dead_letters"),
    path("chung-nhan/gui-loi/<uuid:certificate_id>/", credentials.dead_letter_retry, name="certificate_retry"),
    path("chung-nhan/doi-soat-vneid/", credentials.vneid_reconciliation, name="vneid_reconciliation"),
    path("chung-nhan/cap-theo-lop/<str:code>/", credentials.cohort_issue, name="certificate_cohort"),
    path("khoa-hoc/", learning.catalogue, name="courses"),
    path("media/learning/<path:path>", course_files.course_file, name="course_file"),
    path("khoa-hoc/<slug:course_slug>/", learning.course_detail, name="course"),
    path("khoa-hoc/<slug:course_slug>/<slug:lesson_slug>/", learning.lesson_detail, name="lesson"),
    path("hoc/ghi-danh/", learning.enrol_in_course, name="enrol"),
    path("hoc/hoan-thanh/", learning.complete_lesson_view, name="complete_lesson"),
    path("tu-danh-gia/", learning.self_assessment, name="self_assessment"),
    path("tu-danh-gia/ket-qua/", learning.self_assessment_result, name="self_assessment_result"),
    path("danh-gia/<int:assessment_id>/", learning_attempts.assessment_detail, name="assessment"),
    path("hoc/lam-bai/", learning_attempts.start, name="start_attempt"),
    path("hoc/tai-lop/", learning_attempts.class_start, name="class_start"),
    path("bai-lam/<uuid:attempt_id>/", learning_attempts.attempt_detail, name="attempt"),
    path("bai-lam/<uuid:attempt_id>/tra-loi/", learning_attempts.attempt_answer, name="attempt_answer"),
    path("bai-lam/<uuid:attempt_id>/nop/", learning_attempts.attempt_submit, name="attempt_submit"),
    path("bai-lam/<uuid:attempt_id>/ket-qua/", learning_attempts.attempt_result_view, name="attempt_result"),
    path("giam-sat/", learning_attempts.supervision, name="supervision"),
    path("giam-sat/dong/", learning_attempts.supervision_close, name="supervision_close"),
    path("giam-sat/hoc-vien/", class_learners.class_learners, name="class_learners"),
    path("giam-sat/thu-am/", narration.record_narration, name="narration"),
    # Monitoring (hocvuso/web/monitoring/)
    path("theo-doi/", monitoring.monitoring_start, name="monitoring"),
    path("theo-doi/don-vi/<str:code>/", monitoring.unit_dashboard, name="monitoring_unit"),
    path("theo-doi/don-vi/<str:code>/xuat.xlsx", monitoring.unit_dashboard_export, name="monitoring_unit_export"),
    path("theo-doi/co-quan/", monitoring.organisation_list, name="monitoring_organisations"),
    path("theo-doi/co-quan/<str:org_code>/", monitoring.organisation_dashboard, name="monitoring_organisation"),
    path(
        "theo-doi/co-quan/<str:org_code>/xuat.xlsx",
        monitoring.organisation_dashboard_export,
        name="monitoring_organisation_export",
    ),
    # Monitoring: ranking, gaps (hocvuso/web/monitoring/rankings.py), public (public.py)
    path("theo-doi/thi-dua/", rankings.ranking, name="monitoring_ranking"),
    path("theo-doi/chua-tiep-can/", rankings.gaps_home, name="monitoring_gaps"),
    path("theo-doi/chua-tiep-can/<str:code>/", rankings.gaps, name="monitoring_gaps_unit"),
    path("tien-do/", public.public_progress_page, name="public_progress"),
    # Monitoring: targets (hocvuso/web/monitoring/targets.py)
    path("theo-doi/chi-tieu/<str:code>/", targets.unit_targets, name="monitoring_targets"),
    # Quarterly reports and plan tasks (hocvuso/web/reporting/)
    path("bao-cao/", reporting.reports_home, name="reports"),
    path("bao-cao/lap/", reporting.report_draft, name="report_draft"),
    path("bao-cao/tong-hop/", reporting.consolidation, name="reports_consolidation"),
    path("bao-cao/tong-hop/lap/", reporting.consolidated_draft, name="reports_consolidated_draft"),
    path("bao-cao/ty-le/", reporting.reporting_rates, name="reports_rates"),
    path("bao-cao/<int:report_id>/", reporting.report_detail, name="report"),
    path("bao-cao/<int:report_id>/sua/", reporting.report_edit, name="report_edit"),
    path("bao-cao/<int:report_id>/gui/", reporting.report_submit, name="report_submit"),
    path("bao-cao/<int:report_id>/xet-duyet/", reporting.report_review, name="report_review"),
    path("bao-cao/<int:report_id>/bao-cao.docx", reporting.report_file, {"fmt": "docx"}, name="report_docx"),
    path("bao-cao/<int:report_id>/bao-cao.pdf", reporting.report_file, {"fmt": "pdf"}, name="report_pdf"),
    path("bao-cao/<int:report_id>/bao-cao.xlsx", reporting.report_file, {"fmt": "xlsx"}, name="report_xlsx"),
    path("ke-hoach/", reporting.plan_overview, name="plan"),
    path("ke-hoach/don-vi/<str:code>/", reporting.plan_board_unit, name="plan_board_unit"),
    path("ke-hoach/co-quan/<str:org_code>/", reporting.plan_board_organisation, name="plan_board_organisation"),
    path("ke-hoach/nhiem-vu/<int:task_id>/", reporting.plan_task, name="plan_task"),
    path("ke-hoach/minh-chung/<int:evidence_id>/", reporting.evidence_file, name="plan_evidence"),
    path("thong-bao/", reporting.notices, name="notices"),
    # The field app of the community digital teams (hocvuso/web/field/): offline first, served by its service worker
    path("thuc-dia/", field.field_app, name="field_app"),
    path("thuc-dia/ung-dung.webmanifest", field.field_manifest, name="field_manifest"),
    path("thuc-dia/sw.js", field.field_service_worker, name="field_service_worker"),
    path("thuc-dia/dang-ky/", field.field_register, name="field_register"),
    # Weekly community classes (hocvuso/web/outreach/classes.py)
    path("lop-cong-dong/", outreach_classes.my_classes, name="classes_mine"),
    path("lop-cong-dong/diem-danh/", outreach_classes.check_in, name="class_check_in"),
    path("lop-cong-dong/xa/<str:code>/", outreach_classes.commune_calendar, name="class_calendar"),
    path("lop-cong-dong/xa/<str:code>/lop-moi/", outreach_classes.new_class, name="class_new"),
    path("lop-cong-dong/xa/<str:code>/vang-lai/", outreach_classes.walk_ins, name="class_walk_ins"),
    path("lop-cong-dong/tong-hop/<str:code>/", outreach_classes.area_week, name="class_area"),
    path("lop-cong-dong/lop/<int:class_id>/", outreach_classes.class_detail, name="class_detail"),
    path("lop-cong-dong/lop/<int:class_id>/sua/", outreach_classes.edit_class, name="class_edit"),
    path("lop-cong-dong/lop/<int:class_id>/huy/", outreach_classes.cancel_class, name="class_cancel"),
    path("lop-cong-dong/buoi/<uuid:session_id>/", outreach_classes.session_page, name="class_session"),
    path("lop-cong-dong/buoi/<uuid:session_id>/huy/", outreach_classes.cancel_session, name="class_session_cancel"),
    # Community digital teams: leaders' and officers' views (hocvuso/web/outreach/views.py)
    path("to-cong-nghe-so/", outreach.my_teams, name="outreach_my_teams"),
    path("to-cong-nghe-so/xa/<str:code>/", outreach.commune_field, name="outreach_commune"),
    path(
        "to-cong-nghe-so/thiet-bi/thu-hoi/", outreach_setup.leader_revoke_device, name="outreach_leader_device_revoke"
    ),
    path("to-cong-nghe-so/xa/<str:code>/bao-cao/", outreach_setup.commune_reports, name="outreach_reports"),
    path("to-cong-nghe-so/xa/<str:code>/bao-cao/xu-ly/", outreach_setup.decide_report, name="outreach_report_decide"),
    path("to-cong-nghe-so/xa/<str:code>/to/lap/", outreach_setup.create_team, name="outreach_team_create"),
    path("to-cong-nghe-so/xa/<str:code>/to/them-thanh-vien/", outreach_setup.add_member, name="outreach_member_add"),
    path(
        "to-cong-nghe-so/xa/<str:code>/to/ket-thuc-thanh-vien/", outreach_setup.end_member, name="outreach_member_end"
    ),
    path("to-cong-nghe-so/xa/<str:code>/to/giao-ho/", outreach_setup.assign, name="outreach_assign"),
    path("to-cong-nghe-so/xa/<str:code>/to/giao-lai/", outreach_setup.commune_reassign, name="outreach_reassign"),
    path("to-cong-nghe-so/giao-lai/", outreach_setup.leader_reassign, name="outreach_leader_reassign"),
    path(
        "to-cong-nghe-so/xa/<str:code>/thiet-bi/thu-hoi/",
        outreach_setup.commune_revoke_device,
        name="outreach_commune_device_revoke",
    ),
    path("to-cong-nghe-so/xa/<str:code>/chua-tham/", outreach.commune_not_visited, name="outreach_not_visited"),
    path("to-cong-nghe-so/xa/<str:code>/danh-sach/", outreach.commune_worklist, name="outreach_worklist"),
    # The movement's activities (hocvuso/web/outreach/activities.py): Gia đình số, Chợ số 4T, events
    path("gia-dinh-so/<str:code>/", outreach_activities.digital_families, name="digital_families"),
    path("cho-so/xa/<str:code>/", outreach_activities.market_page, name="markets"),
    path("cho-so/xa/<str:code>/cho/", outreach_activities.market_create, name="market_create"),
    path("cho-so/xa/<str:code>/tieu-thuong/", outreach_activities.trader_register, name="trader_register"),
    path("cho-so/xa/<str:code>/4t/", outreach_activities.trader_step, name="trader_step"),
    path("su-kien/", outreach_activities.event_calendar, name="events"),
    path("su-kien/xa/<str:code>/", outreach_activities.commune_events, name="commune_events"),
    path("su-kien/<int:event_id>/sua/", outreach_activities.edit_event, name="event_edit"),
    path("su-kien/<int:event_id>/xoa/", outreach_activities.delete_event, name="event_delete"),
    path(
        "to-cong-nghe-so/xa/<str:code>/danh-sach.xlsx",
        outreach.commune_worklist_export,
        name="outreach_worklist_export",
    ),
]
