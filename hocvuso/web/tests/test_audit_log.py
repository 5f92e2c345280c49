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
    return [line.entry.action for line in response.context["page"].object_list]


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


def test_action_choices_come_from_the_log_in_vietnamese(client: Client, province_admin, log) -> None:
    client.force_login(province_admin)

    form = client.get("/nhat-ky/").context["form"]

    assert dict(form.fields["action"].choices) == {
        "": "Tất cả",
        "accounts.login_failed": "Đăng nhập không thành công",
        "people.read_national_id": "Thao tác khác",
        "territory.import_villages": "Nhập danh sách thôn, tổ dân phố",
    }


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


def test_the_page_speaks_vietnamese_links_objects_and_keeps_codes_for_the_export(
    client: Client, province_admin, commune_officer, territory
) -> None:
    from hocvuso.people.tests.factories import register_dao

    dao = register_dao(territory.village)
    record_audit(actor=commune_officer, action="people.reveal_national_id", target=dao, details={"second_factor": True})
    client.force_login(province_admin)

    html = client.get("/nhat-ky/").content.decode()
    page = html[html.index("<table") : html.index("</table>")]  # what is read (the filter's option values are codes)

    assert "Xem đầy đủ số định danh" in page
    assert f'<a href="/nguoi-dan/{dao.pk}/">' in page
    assert "xác thực hai bước: có" in page
    for code in ("people.reveal_national_id", "people.resident", "second_factor"):
        assert code not in page
    export = client.get("/nhat-ky/xuat.csv", {"action": "people.reveal_national_id"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = [line.split(",") for line in text.strip().splitlines()]
    assert rows[0][:6] == ["at", "actor", "action", "action_label", "object_type", "object_id"]
    assert rows[1][2:6] == ["people.reveal_national_id", "Xem đầy đủ số định danh", "people.resident", str(dao.pk)]
    assert len(rows) == 2
    assert AuditEntry.objects.filter(action="audit.export", actor=province_admin).exists()


def test_filters_by_the_unit_of_the_people_who_acted(
    client: Client, province_admin, commune_officer, territory, make_user, log
) -> None:
    client.force_login(province_admin)

    commune = client.get("/nhat-ky/", {"unit": territory.commune.code})
    province = client.get("/nhat-ky/", {"unit": territory.province.code})
    unknown = client.get("/nhat-ky/", {"unit": "khong-co"})

    assert actions(commune) == ["territory.import_villages"]
    assert actions(province) == ["people.read_national_id", "territory.import_villages"]
    assert "Không có đơn vị mã “khong-co”." in unknown.content.decode()
    assert len(actions(unknown)) == 3  # an unknown unit filters nothing, and says so


def test_the_export_is_for_province_admins_only_and_neutralises_formulas(
    client: Client, territory, make_user, province_admin
) -> None:
    record_audit(actor=None, action="accounts.login_failed", object_label="=HYPERLINK(1)")
    for role, unit in [(Role.COMMUNE_OFFICER, territory.commune), (Role.LEARNER, None)]:
        client.force_login(make_user(role, unit) if unit else make_user(role))
        assert client.get("/nhat-ky/xuat.csv").status_code == 404
    client.force_login(province_admin)
    assert client.post("/nhat-ky/xuat.csv").status_code == 405
    text = b"".join(client.get("/nhat-ky/xuat.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_every_action_the_code_records_has_a_vietnamese_label() -> None:
    import re
    from pathlib import Path

    from hocvuso.web.audit import ACTION_LABELS, OTHER_ACTION, action_label

    root = Path(__file__).resolve().parents[2]
    # the literal part of each action: the whole code, or the family before an f-string's {…} or a "…" + suffix
    action = re.compile(r'action=f?"([a-z_]+\.[a-z_.]+)[{"]')
    recorded = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        recorded |= set(action.findall(path.read_text(encoding="utf-8")))
    assert len(recorded) > 60
    unlabelled = sorted(code for code in recorded if action_label(code) == OTHER_ACTION)
    assert unlabelled == []
    assert action_label("learning.course_published") != OTHER_ACTION
    assert set(ACTION_LABELS) >= {"accounts.login", "people.import_roster.imported"}
