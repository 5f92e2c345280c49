"""/api/v1/ — every route is a class from views.py, whose base class carries its access policy."""

from django.urls import path

from . import field, field_classes, imports, reporting, views

app_name = "api"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("units/", views.UnitListView.as_view(), name="unit-list"),
    path("units/<str:code>/", views.UnitDetailView.as_view(), name="unit-detail"),
    path("units/<str:code>/children/", views.UnitChildrenView.as_view(), name="unit-children"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("audit-entries/", views.AuditEntryListView.as_view(), name="audit-entry-list"),
    path("tokens/", views.ApiTokenListView.as_view(), name="token-list"),
    path("tokens/<int:token_id>/", views.ApiTokenDetailView.as_view(), name="token-detail"),
    path("reports/", reporting.ReportListView.as_view(), name="report-list"),
    path("reports/<int:report_id>/", reporting.ReportDetailView.as_view(), name="report-detail"),
    path("roster-imports/", imports.RosterImportListView.as_view(), name="roster-import-list"),
    path("roster-imports/<int:job_id>/", imports.RosterImportDetailView.as_view(), name="roster-import-detail"),
    path(
        "roster-imports/<int:job_id>/confirm/",
        imports.RosterImportConfirmView.as_view(),
        name="roster-import-confirm",
    ),
    path("field/devices/", field.FieldDeviceListView.as_view(), name="field-device-list"),
    path("field/devices/revoke/", field.FieldDeviceRevokeView.as_view(), name="field-device-revoke"),
    path("field/worklist/", field.WorklistView.as_view(), name="field-worklist"),
    path("field/visits/", field.VisitBatchView.as_view(), name="field-visits"),
    path("field/sessions/", field_classes.FieldSessionsView.as_view(), name="field-sessions"),
    path(
        "field/sessions/<uuid:session_id>/people/",
        field_classes.FieldSessionPeopleView.as_view(),
        name="field-session-people",
    ),
    path("field/attendances/", field_classes.AttendanceBatchView.as_view(), name="field-attendances"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
]
