from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.accounts.roles import Role
from hocvuso.core.models import AuditEntry
from hocvuso.core.services import record_audit


def entry(actor, action: str, object_type: str = "", object_id: str = "", at: datetime | None = None) -> AuditEntry:
    created = record_audit(actor=actor, action=action, object_type=object_type, object_id=object_id)
    if at is not None:
        AuditEntry.objects.filter(pk=created.pk).update(at=at)
    return created


@pytest.fixture
def log(province_admin, commune_officer) -> None:
    aware = timezone.make_aware
    entry(
        commune_officer, "territory.import_villages", "territory.administrativeunit", "7", aware(datetime(2026, 3, 2))
    )
    entry(province_admin, "people.read_national_id", "people.resident", "42", aware(datetime(2026, 3, 5, 9)))
    entry(None, "accounts.login_failed", "accounts.user", "", aware(datetime(2026, 3, 9)))


def actions(response) -> list[str]:
    return [item.action for item in response.context["page"].object_list]


def test_province_admin_sees_every_entry_newest_first(client: Client, province_admin, log) -> None:
    client.force_login(province_admin)

    response = client.get("/nhat-ky/")

    assert response.status_code == 200
    assert actions(response) == ["accounts.login_failed", "people.read_national_id", "territory.import_villages"]
    assert response.context["page"].paginator.count == 3


def test_filters_by_actor_action_object_and_dates(client: Client, province_admin, commune_officer, log) -> None:
    client.force_login(province_admin)

    assert actions(client.get("/nhat-ky/", {"actor": commune_officer.username})) == ["territory.import_villages"]
    assert actions(client.get("/nhat-ky/", {"action": "people.read_national_id"})) == ["people.read_national_id"]
    assert actions(client.get("/nhat-ky/", {"object_type": "people.resident", "object_id": "42"})) == [
        "people.read_national_id"
    ]
    assert actions(client.get("/nhat-ky/", {"since": "2026-03-03", "until": "2026-03-08"})) == [
        "people.read_national_id"
    ]
    assert actions(client.get("/nhat-ky/", {"since": "2026-03-09"})) == ["accounts.login_failed"]


def test_action_choices_come_from_the_log(client: Client, province_admin, log) -> None:
    client.force_login(province_admin)

    form = client.get("/nhat-ky/").context["form"]

    assert [value for value, _ in form.fields["action"].choices] == [
        "",
        "accounts.login_failed",
        "people.read_national_id",
        "territory.import_villages",
    ]


def test_reversed_dates_are_reported_and_ignored(client: Client, province_admin, log) -> None:
    client.force_login(province_admin)

    response = client.get("/nhat-ky/", {"since": "2026-03-09", "until": "2026-03-01"})

    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.content.decode()
    assert actions(response) == ["accounts.login_failed"]


def test_pages_of_fifty_keep_the_filters(client: Client, province_admin) -> None:
    AuditEntry.objects.bulk_create(
        [AuditEntry(action="test.bulk", actor_label="bot", object_id=str(number)) for number in range(120)]
    )
    client.force_login(province_admin)

    first = client.get("/nhat-ky/", {"action": "test.bulk"})
    last = client.get("/nhat-ky/", {"action": "test.bulk", "page": "99"})

    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 3
    assert '<a href="?action=test.bulk&amp;page=2" rel="next">' in first.content.decode()
    assert last.context["page"].number == 3
    assert len(last.context["page"].object_list) == 20


def test_audit_page_query_count_is_fixed(client: Client, province_admin, django_assert_num_queries) -> None:
    AuditEntry.objects.bulk_create(
        [AuditEntry(action=f"test.action{number % 7}", actor_label="bot") for number in range(80)]
    )
    client.force_login(province_admin)

    # session, user, the session's second-factor device, role assignments, action choices, count, page
    with django_assert_num_queries(7):
        client.get("/nhat-ky/", {"actor": "bot"})


def test_only_province_admins_open_the_log(client: Client, territory, make_user, log) -> None:
    for role, unit in [(Role.COMMUNE_OFFICER, territory.commune), (Role.TEAM_LEADER, territory.commune)]:
        client.force_login(make_user(role, unit))
        assert client.get("/nhat-ky/").status_code == 404
    client.force_login(make_user(Role.LEARNER))
    assert client.get("/nhat-ky/").status_code == 404
    client.logout()
    assert client.get("/nhat-ky/")["Location"] == "/tai-khoan/dang-nhap/?next=/nhat-ky/"
