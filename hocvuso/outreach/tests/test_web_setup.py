"""The pages that change a commune's teams: reports of visits decided, phones revoked, teams set up. Each action works
for the right person, is refused (404) to an officer of another commune and to a team member, sends an anonymous
visitor to sign in, answers 405 to a GET, and does nothing twice when the form is sent twice."""

import uuid

import pytest
from django.urls import reverse

from hocvuso.accounts.roles import Role
from hocvuso.core.models import AuditEntry
from hocvuso.outreach.models import (
    HouseholdAssignment,
    Outcome,
    RegistryChangeReport,
    ReportStatus,
    Team,
    TeamMembership,
)
from hocvuso.outreach.services import add_team_member, create_team, end_team_member, issue_device
from hocvuso.outreach.visits import record_visit
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import HouseholdFactory, OrganisationFactory, ResidentFactory

from .conftest import now, people_of

pytestmark = pytest.mark.django_db


def _url(name, territory, code=None):
    return reverse(f"web:{name}", kwargs={"code": code or territory.commune.code})


def _report(field):
    household = HouseholdAssignment.objects.filter(membership=field.alice_membership).first().household
    elder, _child = people_of(household)
    record_visit(
        visit_id=uuid.uuid4(),
        form_version=1,
        household=household,
        visited_at=now(),
        outcomes=[(elder.pk, Outcome.MOVED_AWAY)],
        actor=field.alice,
    )
    return RegistryChangeReport.objects.get(resident=elder)


def _audits(action):
    return AuditEntry.objects.filter(action=action).count()


def _refusals(client, make_user, territory, field, url, data):
    """An officer of another commune, a team member: 404; anonymous: to sign in."""
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.other_commune))
    assert client.post(url, data).status_code == 404
    client.force_login(field.alice)
    assert client.post(url, data).status_code == 404
    client.logout()
    response = client.post(url, data)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


# --- Reports ------------------------------------------------------------------------------------------------------


def test_an_officer_sees_the_pending_report_and_confirms_it_once(client, field, territory, commune_officer):
    report = _report(field)
    client.force_login(commune_officer)

    page = client.get(_url("outreach_reports", territory))
    assert page.status_code == 200
    assert [r.pk for r in page.context["reports"]] == [report.pk]
    assert report.resident.full_name in page.content.decode()
    assert f"Thành viên {field.alice.username}" in page.content.decode()

    url = _url("outreach_report_decide", territory)
    assert client.get(url).status_code == 405
    first = client.post(url, {"report": report.pk, "decision": "confirm"}, follow=True)
    second = client.post(url, {"report": report.pk, "decision": "reject"}, follow=True)

    report.refresh_from_db()
    assert report.status == ReportStatus.CONFIRMED and report.decided_by == commune_officer
    assert Resident.objects.get(pk=report.resident_id).household_id is None  # moved out of the household
    assert _audits("outreach.decide_registry_report") == 1
    assert "Đã xác nhận báo cáo" in first.content.decode()
    assert "Báo cáo này đã được xử lý." in second.content.decode()
    assert client.get(_url("outreach_reports", territory)).context["reports"] == []


def test_a_report_can_be_rejected_and_a_bad_decision_changes_nothing(client, field, territory, commune_officer):
    report = _report(field)
    client.force_login(commune_officer)
    url = _url("outreach_report_decide", territory)

    assert client.post(url, {"report": report.pk, "decision": "delete"}).status_code == 302
    assert client.post(url, {"report": "x", "decision": "confirm"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING

    client.post(url, {"report": report.pk, "decision": "reject"})
    report.refresh_from_db()
    assert report.status == ReportStatus.REJECTED
    assert Resident.objects.get(pk=report.resident_id).household_id is not None


def test_reports_are_refused_outside_the_commune(client, field, territory, commune_officer, make_user):
    report = _report(field)
    _refusals(client, make_user, territory, field, _url("outreach_report_decide", territory),
              {"report": report.pk, "decision": "confirm"})  # fmt: skip
    client.force_login(make_user(Role.COMMUNE_OFFICER, territory.other_commune))
    assert client.get(_url("outreach_reports", territory)).status_code == 404
    # A report about a person of another commune, posted through the officer's own commune: not found.
    stranger = ResidentFactory(village=territory.other_village)
    foreign = RegistryChangeReport.objects.create(visit=report.visit, resident=stranger, kind="deceased")
    client.force_login(commune_officer)
    decide = _url("outreach_report_decide", territory)
    assert client.post(decide, {"report": foreign.pk, "decision": "confirm"}).status_code == 404
    report.refresh_from_db()
    foreign.refresh_from_db()
    assert (report.status, foreign.status) == (ReportStatus.PENDING, ReportStatus.PENDING)


# --- Devices ------------------------------------------------------------------------------------------------------


def test_the_leader_sees_and_revokes_a_members_phone_once(client, field):
    device, _token = issue_device(membership=field.alice_membership, name="Điện thoại Alice", actor=field.alice)
    client.force_login(field.leader)
    page = client.get(reverse("web:outreach_my_teams"))
    assert [d.pk for d in page.context["devices"]] == [device.pk]
    assert "Thu hồi" in page.content.decode()

    url = reverse("web:outreach_leader_device_revoke")
    assert client.get(url).status_code == 405
    assert client.post(url, {"device": device.pk}).status_code == 302
    assert client.post(url, {"device": device.pk}).status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == field.leader
    assert _audits("outreach.revoke_device") == 1
    assert client.get(reverse("web:outreach_my_teams")).context["devices"] == []


def test_a_leader_of_another_team_and_a_member_cannot_revoke(client, field, territory, commune_officer, make_user):
    device, _token = issue_device(membership=field.bob_membership, name="Máy Bob", actor=field.bob)
    other_leader = make_user(Role.TEAM_LEADER, territory.commune)
    create_team(commune=territory.commune, name="Tổ 2", leader=other_leader, actor=commune_officer)
    url = reverse("web:outreach_leader_device_revoke")
    client.force_login(other_leader)
    assert client.post(url, {"device": device.pk}).status_code == 404
    client.force_login(field.alice)
    assert client.post(url, {"device": device.pk}).status_code == 404
    client.logout()
    assert client.post(url, {"device": device.pk}).status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is None


def test_the_officer_revokes_a_phone_of_the_commune(client, field, territory, commune_officer, make_user):
    device, _token = issue_device(membership=field.alice_membership, name="Máy Alice", actor=field.alice)
    url = _url("outreach_commune_device_revoke", territory)
    _refusals(client, make_user, territory, field, url, {"device": device.pk})
    device.refresh_from_db()
    assert device.revoked_at is None
    client.force_login(commune_officer)
    assert [d.pk for d in client.get(_url("outreach_commune", territory)).context["devices"]] == [device.pk]
    assert client.get(url).status_code == 405
    client.post(url, {"device": device.pk})
    client.post(url, {"device": device.pk})
    device.refresh_from_db()
    assert device.revoked_by == commune_officer
    assert _audits("outreach.revoke_device") == 1


# --- Team setup ---------------------------------------------------------------------------------------------------


def _linked(make_user, territory, name, village=None):
    user = make_user(Role.TEAM_MEMBER, territory.commune)
    ResidentFactory(village=village or territory.village, full_name=name, user=user)
    return user


def test_an_officer_creates_a_team_once_and_the_name_error_shows_on_the_field(
    client, territory, commune_officer, make_user
):
    leader = _linked(make_user, territory, "Trưởng Tổ Mới")
    client.force_login(commune_officer)
    url = _url("outreach_team_create", territory)
    data = {"create-name": "Tổ  thôn A", "create-village": territory.village.pk, "create-leader": leader.pk}
    assert client.get(url).status_code == 405

    assert client.post(url, data).status_code == 302
    again = client.post(url, data)

    team = Team.objects.get()
    assert (team.name, team.village, team.leader) == ("Tổ thôn A", territory.village, leader)
    assert again.status_code == 200
    assert again.context["create_form"].errors["name"] == ["Xã đã có tổ mang tên này."]
    assert _audits("outreach.create_team") == 1


def test_a_leader_from_another_commune_or_a_village_outside_is_refused(client, territory, commune_officer, make_user):
    outsider = _linked(make_user, territory, "Người Xã Khác", village=territory.other_village)
    insider = _linked(make_user, territory, "Người Trong Xã")
    client.force_login(commune_officer)
    url = _url("outreach_team_create", territory)
    assert client.post(url, {"create-name": "Tổ X", "create-leader": outsider.pk}).status_code == 200  # not a choice
    other_village = {"create-name": "Tổ Y", "create-leader": insider.pk, "create-village": territory.other_village.pk}
    assert "village" in client.post(url, other_village).context["create_form"].errors
    assert not Team.objects.exists()


def test_team_setup_is_refused_outside_the_commune(client, field, territory, make_user):
    leader = _linked(make_user, territory, "Trưởng Tổ Khác")
    data = {"create-name": "Tổ lạ", "create-leader": leader.pk}
    _refusals(client, make_user, territory, field, _url("outreach_team_create", territory), data)
    data = {"member-team": field.team.pk, "member-user": leader.pk}
    _refusals(client, make_user, territory, field, _url("outreach_member_add", territory), data)
    data = {"membership": field.bob_membership.pk}
    _refusals(client, make_user, territory, field, _url("outreach_member_end", territory), data)
    data = {"assign-team": field.team.pk, "assign-village": territory.village_b.pk}
    _refusals(client, make_user, territory, field, _url("outreach_assign", territory), data)
    assert Team.objects.count() == 1
    assert TeamMembership.objects.filter(valid_to__isnull=True).count() == 2
    assert not HouseholdAssignment.objects.filter(household=field.other_village_household).exists()


def test_an_officer_adds_a_member_once_ends_them_once_and_gives_out_a_village(
    client, field, territory, commune_officer, make_user
):
    carol = _linked(make_user, territory, "Chị Carol")
    union = OrganisationFactory(code="DTN-X", name="Đoàn Thanh niên xã", kind="state_agency", unit=territory.commune)
    client.force_login(commune_officer)
    add = _url("outreach_member_add", territory)
    data = {"member-team": field.team.pk, "member-user": carol.pk, "member-sent_by": "youth_union",
            "member-organisation": union.pk}  # fmt: skip
    first = client.post(add, data)
    again = client.post(add, data)
    membership = TeamMembership.objects.get(user=carol)
    assert first.status_code == 302 and membership.organisation == union
    assert again.context["member_form"].errors["user"] == ["Người này đã là thành viên của tổ."]

    end = _url("outreach_member_end", territory)
    assert client.get(end).status_code == 405
    client.post(end, {"membership": field.bob_membership.pk})
    client.post(end, {"membership": field.bob_membership.pk})
    field.bob_membership.refresh_from_db()
    assert field.bob_membership.valid_to is not None
    assert _audits("outreach.end_team_member") == 1
    assert not HouseholdAssignment.objects.filter(membership=field.bob_membership, valid_to__isnull=True).exists()

    # "Giao hộ": Bob's two households and village B's one go to Alice and Carol, balanced; twice gives nothing more.
    HouseholdFactory(village=territory.village_b, code="901")
    assign = _url("outreach_assign", territory)
    for village in (territory.village, territory.village_b, territory.village_b):
        response = client.post(assign, {"assign-team": field.team.pk, "assign-village": village.pk})
        assert response.status_code == 302
    open_ = HouseholdAssignment.objects.filter(team=field.team, valid_to__isnull=True)
    assert open_.count() == 6
    loads = sorted(open_.filter(membership__user__in=[field.alice, carol]).values_list("membership", flat=True))
    assert sorted(loads.count(m) for m in set(loads)) == [3, 3]
    assert _audits("outreach.assign_households") == 4  # the fixture's and three here


def test_a_member_of_another_communes_team_cannot_be_ended_through_this_commune(client, field, territory, make_user):
    other_officer = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    client.force_login(other_officer)
    # The other commune's own page, with this commune's membership id: not found, nothing ends.
    url = _url("outreach_member_end", territory, code=territory.other_commune.code)
    assert client.post(url, {"membership": field.alice_membership.pk}).status_code == 404
    field.alice_membership.refresh_from_db()
    assert field.alice_membership.valid_to is None


# --- Re-assigning one household -----------------------------------------------------------------------------------


def _alices_household(field):
    assignment = HouseholdAssignment.objects.filter(membership=field.alice_membership, valid_to__isnull=True).first()
    return assignment.household


def _open_member(field, household):
    return (
        HouseholdAssignment.objects.filter(team=field.team, household=household, valid_to__isnull=True)
        .values_list("membership_id", flat=True)
        .get()
    )


def test_an_officer_gives_one_household_to_another_member_once(client, field, territory, commune_officer):
    household = _alices_household(field)
    client.force_login(commune_officer)
    url = _url("outreach_reassign", territory)

    chooser = client.get(url)
    assert chooser.status_code == 200 and field.team.name in chooser.content.decode()
    page = client.get(url, {"to": field.team.pk, "thon": territory.village.code})
    assert page.status_code == 200
    assert {row.household_id for row in page.context["rows"]} == {h.pk for h in field.households}
    assert f'data-household="{household.pk}"' in page.content.decode()

    data = {"team": field.team.pk, "household": household.pk, "membership": field.bob_membership.pk}
    first = client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)  # the form sent twice

    assert first.status_code == 200 and "nay do" in first.content.decode()
    assert second.status_code == 200
    assert _open_member(field, household) == field.bob_membership.pk
    assert HouseholdAssignment.objects.filter(team=field.team, household=household).count() == 2
    assert _audits("outreach.reassign_household") == 1
    entry = AuditEntry.objects.get(action="outreach.reassign_household")
    assert entry.details["from"] == field.alice_membership.pk and entry.details["to"] == field.bob_membership.pk


def test_the_leader_reassigns_in_their_team_only(client, field, territory, commune_officer, make_user):
    household = _alices_household(field)
    url = reverse("web:outreach_leader_reassign")
    data = {"team": field.team.pk, "household": household.pk, "membership": field.bob_membership.pk}
    client.force_login(field.leader)
    assert client.get(url, {"to": field.team.pk}).status_code == 200
    assert client.post(url, data).status_code == 302
    assert _open_member(field, household) == field.bob_membership.pk

    # Another leader of the same commune, leading another team: the first team is not theirs.
    other_leader = make_user(Role.TEAM_LEADER, territory.commune)
    create_team(commune=territory.commune, name="Tổ 2", leader=other_leader, actor=commune_officer)
    client.force_login(other_leader)
    assert client.get(url, {"to": field.team.pk}).status_code == 404
    back = {**data, "membership": field.alice_membership.pk}
    assert client.post(url, back).status_code == 404
    # A member of the team is no manager.
    client.force_login(field.alice)
    assert client.post(url, back).status_code == 404
    assert _open_member(field, household) == field.bob_membership.pk


def test_reassign_refuses_other_teams_members_ended_members_and_outsiders(
    client, field, territory, commune_officer, make_user
):
    household = _alices_household(field)
    url = _url("outreach_reassign", territory)
    client.force_login(commune_officer)

    # A member of another team of the same commune: refused by the domain, shown as a message.
    other_leader = make_user(Role.TEAM_LEADER, territory.commune)
    other_team = create_team(commune=territory.commune, name="Tổ 2", leader=other_leader, actor=commune_officer)
    stranger = make_user(Role.TEAM_MEMBER, territory.commune)
    resident = ResidentFactory(village=territory.village, user=stranger)
    other_member = add_team_member(
        team=other_team, user=stranger, resident=resident, valid_from=field.alice_membership.valid_from, actor=None
    )
    page = client.post(
        url, {"team": field.team.pk, "household": household.pk, "membership": other_member.pk}, follow=True
    )
    assert "không là thành viên của tổ" in page.content.decode()
    # An ended member cannot take a household.
    end_team_member(membership=field.bob_membership, valid_to=field.bob_membership.valid_from, actor=None)
    page = client.post(
        url, {"team": field.team.pk, "household": household.pk, "membership": field.bob_membership.pk}, follow=True
    )
    assert "không là thành viên của tổ" in page.content.decode()
    # Bad values and missing fields: a message, nothing changes.
    assert client.post(url, {"team": "x"}).status_code == 302
    assert client.post(url, {"team": field.team.pk, "household": "1 OR 1"}).status_code == 302
    assert _open_member(field, household) == field.alice_membership.pk
    assert _audits("outreach.reassign_household") == 0

    # A household or a member of another commune, or another commune's officer: 404.
    far_household = HouseholdFactory(village=territory.other_village)
    data = {"team": field.team.pk, "household": far_household.pk, "membership": field.alice_membership.pk}
    assert client.post(url, data).status_code == 404
    assert client.get(url, {"to": field.team.pk, "thon": territory.other_village.code}).status_code == 404
    assert client.get(url, {"to": 999999}).status_code == 404
    _refusals(
        client,
        make_user,
        territory,
        field,
        url,
        {"team": field.team.pk, "household": household.pk, "membership": field.alice_membership.pk},
    )
    assert _audits("outreach.reassign_household") == 0
