from datetime import date

import pytest
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.reporting.models import Report, ReportingAssignment


@pytest.fixture
def reports(territory):
    made = {}
    for unit in (territory.commune, territory.other_commune):
        assignment = ReportingAssignment.objects.create(unit=unit, valid_from=date(2026, 1, 1))
        made[unit.code] = Report.objects.create(
            assignment=assignment,
            unit=unit,
            year=2026,
            quarter=4,
            due_date=date(2026, 12, 19),
            frozen_on=date(2026, 12, 1),
            frozen_at=timezone.now(),
            content={
                "figures": [
                    {
                        "code": "adults-digital-skills",
                        "name": "Người lớn",
                        "measure": "percent",
                        "status": "on_track",
                        "value": 75.0,
                        "target": 80.0,
                        "gap": 5.0,
                        "change": 50.0,
                        "numerator": 3,
                        "denominator": 4,
                        "newly_reached": 2,
                    }
                ],
                "sections": [{"key": "learning", "title": "Học tập", "columns": ["a"], "rows": [[1]], "note": ""}],
            },
        )
    return made


def test_an_officer_lists_only_the_reports_in_their_scope_with_frozen_figures(
    session_for, reports, make_user, territory
):
    client = session_for(make_user(Role.COMMUNE_OFFICER, territory.commune))

    response = client.get("/api/v1/reports/?period=2026-Q4")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["unit"] == "24631" and row["status"] == "draft" and row["period"] == "2026-Q4"
    assert row["figures"][0]["value"] == 75.0 and row["figures"][0]["numerator"] == 3


def test_a_report_outside_the_scope_is_a_404_like_a_missing_one(session_for, reports, make_user, territory):
    client = session_for(make_user(Role.COMMUNE_OFFICER, territory.commune))

    other = client.get(f"/api/v1/reports/{reports['24751'].pk}/")
    missing = client.get("/api/v1/reports/999999/")
    own = client.get(f"/api/v1/reports/{reports['24631'].pk}/")

    assert other.status_code == missing.status_code == 404
    assert own.status_code == 200 and own.json()["sections"][0]["key"] == "learning"


def test_the_province_sees_every_report_and_a_bad_filter_is_a_400(session_for, reports, province_admin):
    client = session_for(province_admin)

    assert len(client.get("/api/v1/reports/").json()["results"]) == 2
    bad = client.get("/api/v1/reports/?period=2026-Q9")
    assert bad.status_code == 400 and bad.json()["field"] == "period"
