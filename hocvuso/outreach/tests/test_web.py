"""The leaders' and officers' pages of the field work: what each shows, to whom, and the village worklist exported
as XLSX (text cells only, audited) or printed."""

import datetime
import io
import uuid

from django.urls import reverse
from openpyxl import load_workbook

from hocvuso.accounts.roles import Role
from hocvuso.core.models import AuditEntry
from hocvuso.outreach.models import HouseholdAssignment, Outcome
from hocvuso.outreach.services import create_team
from hocvuso.outreach.visits import record_visit
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

from .conftest import now, people_of


def _visit(user, household, outcomes=(), at=None):
    return record_visit(
        visit_id=uuid.uuid4(),
        form_version=1,
        household=household,
        visited_at=at or now(),
        outcomes=outcomes,
        actor=user,
    )


def _first_of(membership):
    return HouseholdAssignment.objects.filter(membership=membership).order_by("household__code").first().household


def _url(name, territory, **query):
    url = reverse(f"web:{name}", kwargs={"code": territory.commune.code})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_the_commune_page_shows_coverage_per_village_the_week_and_each_member(
    client, field, territory, commune_officer
):
    household = _first_of(field.alice_membership)
    elder, child = people_of(household)
    _visit(field.alice, household, [(elder.pk, Outcome.VNEID_LEVEL_2), (child.pk, Outcome.REFUSED)])
    _visit(field.bob, _first_of(field.bob_membership), at=now() - datetime.timedelta(days=40))
    client.force_login(commune_officer)

    page = client.get(_url("outreach_commune", territory))

    assert page.status_code == 200
    coverage = {row.code: row for row in page.context["coverage"]}
    village = coverage[territory.village.code]
    assert (village.households, village.assigned, village.visited, village.visited_recently) == (4, 4, 2, 1)
    assert coverage[territory.village_b.code].assigned == 0  # the other village's household is nobody's yet
    summary = page.context["summary"]
    assert (summary.visits, summary.households, summary.first_visits, summary.people_helped) == (1, 1, 1, 1)
    assert dict(summary.outcomes) == {"Đã nâng lên VNeID mức 2": 1, "Từ chối": 1}
    (team,) = page.context["teams"]
    members = {member.name: member for member in team.members}
    alice = members[f"Thành viên {field.alice.username}"]
    assert (alice.weeks[-1], alice.total, alice.visited, alice.assigned) == (1, 1, 1, 2)
    assert "Tổng kết tuần" in page.content.decode()


def test_the_commune_page_shows_coverage_per_village_as_tiles_in_colour_and_in_words(
    client, field, territory, commune_officer
):
    from hocvuso.outreach.activity import VillageCoverage

    client.force_login(commune_officer)
    page = client.get(_url("outreach_commune", territory)).content.decode()
    assert 'data-coverage="24631.001" data-band="red"' in page and "0/4 hộ đã đến · Ít hộ được đến" in page
    assert 'data-coverage="24631.002" data-band="grey"' in page and "Chưa phân công hộ" in page
    assert "/static/web/monitoring.css" in page or "monitoring." in page  # the tiles' styles, served locally
    assert "http://" not in page.split("<main", 1)[-1] and "https://" not in page.split("<main", 1)[-1]
    for household in field.households[:3]:
        member = HouseholdAssignment.objects.get(household=household).membership
        _visit(member.user, household)
    page = client.get(_url("outreach_commune", territory)).content.decode()
    assert 'data-coverage="24631.001" data-band="amber"' in page and "3/4 hộ đã đến · Đã đến một phần" in page
    assert f"?thon={territory.village.code}&amp;ngay=" in page  # a tile opens the village's households not visited
    assert VillageCoverage("x", "x", 10, 10, 8, 0).band == "green"
    assert VillageCoverage("x", "x", 10, 10, 7, 0).band == "amber"
    assert VillageCoverage("x", "x", 10, 10, 3, 0).band == "red"
    assert VillageCoverage("x", "x", 10, 0, 0, 0).band == "grey"


def test_an_officer_of_another_commune_and_a_team_member_are_refused(client, field, territory, make_user):
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.other_commune))
    assert client.get(_url("outreach_commune", territory)).status_code == 404
    assert client.get(_url("outreach_worklist_export", territory)).status_code == 404
    client.force_login(field.alice)
    assert client.get(_url("outreach_not_visited", territory)).status_code == 404
    assert client.get(reverse("web:outreach_my_teams")).status_code == 404


def test_a_village_page_refuses_a_unit_that_is_not_a_commune_and_a_village_of_another_commune(
    client, field, territory, province_admin
):
    client.force_login(province_admin)
    village_url = reverse("web:outreach_commune", kwargs={"code": territory.village.code})
    assert client.get(village_url).status_code == 404
    assert client.get(_url("outreach_worklist", territory, thon=territory.other_village.code)).status_code == 404
    assert client.get(_url("outreach_not_visited", territory, thon="'; DROP TABLE x;--")).status_code == 404


def test_households_not_visited_for_n_days(client, field, territory, commune_officer):
    visited = _first_of(field.alice_membership)
    _visit(field.alice, visited, at=now() - datetime.timedelta(days=10))
    client.force_login(commune_officer)

    def codes(**query):
        page = client.get(_url("outreach_not_visited", territory, **query))
        assert page.status_code == 200
        return {row.code for row in page.context["rows"]}, page.context["days"]

    everyone = {household.code for household in field.households} | {field.other_village_household.code}
    assert codes(ngay=30) == (everyone - {visited.code}, 30)
    assert codes(ngay=5) == (everyone, 5)
    assert codes(ngay="mười")[1] == 30  # not a number: the setting
    assert codes(ngay=-4)[1] == 1
    assert codes(ngay=10**9)[1] == 366
    assert codes(ngay=30, thon=territory.village_b.code)[0] == {field.other_village_household.code}


def test_a_village_worklist_exports_as_xlsx_with_text_cells_and_is_audited(client, field, territory, commune_officer):
    household = field.households[0]
    ResidentFactory(household=household, full_name='=HYPERLINK("http://x")', birth_date=datetime.date(1940, 1, 1))
    client.force_login(commune_officer)

    response = client.get(_url("outreach_worklist_export", territory, thon=territory.village.code))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Thôn", "Mã hộ", "Chủ hộ")
    assert len(rows) == 1 + 9  # one row per person of the 4 households (2 each, one with a third)
    names = [row[5] for row in rows[1:]]
    assert all(not str(name).startswith("=") for name in names)  # neutralised, never a formula
    assert all("*" in str(row[7]) or row[7] is None or len(str(row[7])) < 12 for row in rows[1:])  # masked IDs
    assert {row[0] for row in rows[1:]} == {territory.village.name}
    entry = AuditEntry.objects.filter(action="outreach.export_worklist").get()
    assert entry.details == {"format": "xlsx", "households": 4}


def test_the_print_page_lists_the_village_households_by_need_with_their_member(
    client, field, territory, commune_officer
):
    client.force_login(commune_officer)
    chooser = client.get(_url("outreach_worklist", territory))
    assert chooser.status_code == 200 and "lines" not in chooser.context

    page = client.get(_url("outreach_worklist", territory, thon=territory.village.code))

    assert page.status_code == 200
    lines = page.context["lines"]
    assert len(lines) == 4
    assert {line.member for line, _needs in lines} == {
        f"Thành viên {field.alice.username}",
        f"Thành viên {field.bob.username}",
    }
    assert "web/outreach.css" in page.content.decode()
    assert AuditEntry.objects.filter(action="outreach.export_worklist", details__format="print").exists()


def test_a_leader_sees_only_the_teams_they_lead_and_the_home_card(client, field, territory, make_user, commune_officer):
    other_leader = make_user(Role.TEAM_LEADER, territory.commune)
    create_team(commune=territory.commune, name="Tổ khác", leader=other_leader, actor=commune_officer)
    _visit(field.alice, _first_of(field.alice_membership))
    client.force_login(field.leader)

    page = client.get(reverse("web:outreach_my_teams"))

    assert page.status_code == 200
    assert [card["activity"].team.name for card in page.context["cards"]] == ["Tổ 1"]
    assert "Tổ khác" not in page.content.decode()
    assert page.context["cards"][0]["not_visited_total"] == 3
    home = client.get(reverse("web:home"))
    (card,) = home.context["work"].teams
    assert (card.assigned, card.never_visited, len(card.first)) == (4, 3, 3)
    assert 'data-work="team-not-visited"' in home.content.decode()


def test_the_gaps_page_links_a_village_to_its_worklist_for_the_commune_officer(
    client, field, territory, commune_officer
):
    from hocvuso.indicators.services import rebuild_facts

    HouseholdFactory(village=territory.village, code="777")
    rebuild_facts()
    client.force_login(commune_officer)
    page = client.get(reverse("web:monitoring_gaps_unit", kwargs={"code": territory.commune.code}))
    assert page.status_code == 200
    worklist = reverse("web:outreach_worklist", kwargs={"code": territory.commune.code})
    assert f"{worklist}?thon={territory.village.code}" in page.content.decode()
