"""The transfer-request pages (hole 1 of issue 8): the requester's answer is the same whether the ID exists, they
see nothing of the person before approval; the resident's commune decides."""

import re

import pytest
from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.people.models import Resident, TransferRequest
from hocvuso.people.tests.factories import DAO_BIRTH, DAO_ID, national_id_for, register_dao

from .conftest import sign_in_staff

LIST = "/nguoi-dan/yeu-cau-chuyen/"
NEW = "/nguoi-dan/yeu-cau-chuyen/moi/"
BIRTH = DAO_BIRTH
NOBODY_ID = national_id_for(BIRTH, "F", serial=9999)


@pytest.fixture
def dao(territory) -> Resident:
    return register_dao(territory.village)


def form_data(territory, national_id):
    return {
        "national_id": national_id,
        "claimed_name": "Chị Đào",
        "kind": "move",
        "to_village": territory.other_village.pk,
        "reason": "Đã về ở thôn 3.",
    }


def without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'name="transfer" value="\d+"', "", html)


def test_the_requester_gets_the_same_answer_for_a_real_and_a_made_up_id(client: Client, make_user, territory, dao):
    requester = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    sign_in_staff(client, requester)

    real = client.post(NEW, form_data(territory, DAO_ID), follow=True)
    real_page = without_tokens(real.content.decode())
    TransferRequest.objects.update(national_id_last3="999")  # the only difference the requester typed themselves
    fake = client.post(NEW, form_data(territory, NOBODY_ID), follow=True)

    assert real.redirect_chain == fake.redirect_chain == [(LIST, 302)]
    listing = without_tokens(client.get(LIST).content.decode())
    assert "Nguyễn Thị Đào" not in listing and "Thôn 1" not in listing
    assert "Nguyễn Thị Đào" not in real_page and "Thôn 1" not in real_page
    rows = re.findall(r"<tr>\s*<td><span class=\"code\">.*?</tr>", listing, re.DOTALL)
    assert len(rows) == 2 and rows[0] == rows[1]
    assert client.get(f"/nguoi-dan/{dao.pk}/").status_code == 404


def test_the_residents_commune_approves_and_the_requester_then_sees_her(
    client: Client, make_user, territory, dao, commune_officer
):
    requester = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    sign_in_staff(client, requester)
    client.post(NEW, form_data(territory, DAO_ID))
    transfer = TransferRequest.objects.get()
    # the requester cannot approve it themselves
    assert client.post(LIST, {"action": "approve", "transfer": transfer.pk}).status_code == 404
    approver = Client()
    sign_in_staff(approver, commune_officer)
    page = approver.get(LIST).content.decode()
    assert "Nguyễn Thị Đào" in page and "Chị Đào" in page

    approved = approver.post(LIST, {"action": "approve", "transfer": transfer.pk, "note": "Đúng người."})

    assert approved.status_code == 302
    dao.refresh_from_db()
    assert dao.village == territory.other_village
    assert client.get(f"/nguoi-dan/{dao.pk}/").status_code == 200
    assert f'href="/nguoi-dan/{dao.pk}/"' in client.get(LIST).content.decode()


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.TEAM_LEADER, Role.INSTRUCTOR, Role.LEARNER])
def test_roles_that_may_not_manage_people_cannot_open_or_post(client: Client, make_user, territory, dao, role):
    user = make_user(role, territory.commune if role != Role.LEARNER else None)
    client.force_login(user)

    responses = [client.get(LIST), client.get(NEW), client.post(NEW, form_data(territory, DAO_ID))]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert not TransferRequest.objects.exists()


def test_a_made_up_action_or_id_is_a_404_and_changes_nothing(
    client: Client, make_user, territory, dao, commune_officer
):
    requester = make_user(Role.COMMUNE_OFFICER, territory.other_commune)
    TransferRequest.objects.create(
        kind="move",
        requested_by=requester,
        national_id_hash="x",
        national_id_last3="321",
        claimed_name="Đào",
        resident=dao,
        from_village=territory.village,
        to_village=territory.other_village,
        reason="x",
        target_key="v",
    )
    sign_in_staff(client, commune_officer)

    answers = [
        client.post(LIST, {"action": "delete", "transfer": TransferRequest.objects.get().pk}),
        client.post(LIST, {"action": "approve", "transfer": "abc"}),
        client.post(LIST, {"action": "approve", "transfer": "999999"}),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert TransferRequest.objects.get().state == "pending"
