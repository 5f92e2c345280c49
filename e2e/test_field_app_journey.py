"""The field app (/thuc-dia/) on a phone: a team member registers the phone, downloads the worklist, loses the
network, reloads the app (served by its service worker), records three visits, gets the network back, and the
visits reach the server once each, with their effect in the registry. A revoked device wipes what it holds at its
next contact; signing out wipes it too."""

import datetime
import uuid

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hocvuso.accounts.roles import Role
from hocvuso.outreach.models import FieldDevice, RegistryChangeReport, Visit
from hocvuso.outreach.services import add_team_member, assign_households, create_team, revoke_device
from hocvuso.outreach.visits import record_visit
from hocvuso.people.models import DigitalIdentity, EvidenceSource
from hocvuso.people.tests.factories import HouseholdFactory, ResidentFactory

from .browser import assert_accessible, screenshot, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAS_STORE = "async () => (await indexedDB.databases()).some((database) => database.name === 'hocvuso-field')"


@pytest.fixture
def team(territory, commune_officer, make_user):
    """A team of commune C1 with one member (her phone's authenticator too) and three households of village V1a."""
    leader = make_user(Role.TEAM_LEADER, territory.commune, username="to.truong")
    member = make_user(Role.TEAM_MEMBER, territory.commune, username="thanh.vien", full_name="Lò Thị Mai")
    authenticator = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    team = create_team(commune=territory.commune, name="Tổ Bản Lầu", leader=leader, actor=commune_officer)
    resident = ResidentFactory(village=territory.village, full_name="Lò Thị Mai", user=member)
    membership = add_team_member(
        team=team, user=member, resident=resident, valid_from=datetime.date(2026, 1, 1), actor=leader
    )
    people = {}
    for number, (head, young) in enumerate([("Hà Văn Sình", "Hà Thị Pằng"), ("Vàng A Dơ", "Vàng Thị Mỷ")], start=1):
        household = HouseholdFactory(village=territory.village, code=f"0{number}")
        people[head] = ResidentFactory(household=household, full_name=head, birth_date=datetime.date(1948, 3, 1))
        people[young] = ResidentFactory(household=household, full_name=young, birth_date=datetime.date(1999, 7, 7))
    household = HouseholdFactory(village=territory.village, code="03")
    people["Lường Văn Ót"] = ResidentFactory(
        household=household, full_name="Lường Văn Ót", birth_date=datetime.date(1960, 2, 2)
    )
    assign_households(team=team, village=territory.village, on=datetime.date(2026, 1, 1), actor=leader)
    return {"member": member, "authenticator": authenticator, "membership": membership, "people": people}


def register_phone(page, live_server, team) -> None:
    """Sign in, register the phone for the field app, and wait for the worklist it downloads."""
    page.goto(live_server.url + "/thuc-dia/")
    expect(page.get_by_role("heading", name="Thiết bị này chưa được đăng ký")).to_be_visible()
    assert_accessible(page, "field app, not registered")
    sign_in_staff(page, live_server, "thanh.vien", team["authenticator"])
    page.goto(live_server.url + "/thuc-dia/dang-ky/")
    assert_accessible(page, "field registration")
    page.get_by_label("Tên gợi nhớ của điện thoại").fill("Điện thoại của Mai")
    page.get_by_role("button", name="Đăng ký và mở ứng dụng thực địa").click()
    page.wait_for_url(live_server.url + "/thuc-dia/")
    expect(page.get_by_role("heading", name="Danh sách hộ của tôi")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Đã tải danh sách: 3 hộ.")
    expect(page.locator(".household")).to_have_count(3)


def household(page, head: str):
    return page.locator(".household").filter(has_text=head)


def person(page, name: str):
    return page.locator("fieldset.person").filter(has=page.locator("legend", has_text=name))


def test_visits_recorded_offline_reach_the_server_once_and_the_registry(page, live_server, team) -> None:
    register_phone(page, live_server, team)
    assert_accessible(page, "field worklist")
    assert "Số định danh" not in page.content() and "1948-03-01" not in page.content()  # birth year only
    page.wait_for_function("navigator.serviceWorker.controller !== null")  # the shell is kept

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Danh sách hộ của tôi")).to_be_visible()  # from the worker's cache
    expect(page.locator("#connection")).to_contain_text("Không có mạng")
    expect(page.locator(".household")).to_have_count(3)  # from IndexedDB

    # 1: the elder installs VNeID and reaches level 2, the young one is guided on online public services.
    household(page, "Hà Văn Sình").get_by_role("button", name="Ghi buổi hỗ trợ").click()
    expect(page.get_by_role("heading", name="Ghi buổi hỗ trợ")).to_be_focused()
    assert_accessible(page, "field visit form")
    person(page, "Hà Văn Sình").get_by_label("Đã cài đặt VNeID").check()
    person(page, "Hà Văn Sình").get_by_label("Đã nâng lên VNeID mức 2").check()
    person(page, "Hà Thị Pằng").get_by_label("Hướng dẫn dịch vụ công trực tuyến").check()
    page.get_by_label("Ghi chú").fill("Cụ đã tự đăng nhập VNeID được.")
    page.get_by_role("button", name="Lưu buổi hỗ trợ").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu buổi hỗ trợ trên máy.")
    # 2: nobody home but the young one, who refuses.
    household(page, "Vàng A Dơ").get_by_role("button", name="Ghi buổi hỗ trợ").click()
    person(page, "Vàng A Dơ").get_by_label("Tình trạng").select_option("not_at_home")
    person(page, "Vàng Thị Mỷ").get_by_label("Tình trạng").select_option("refused")
    page.get_by_role("button", name="Lưu buổi hỗ trợ").click()
    # 3: a visit with only a note, by keyboard.
    household(page, "Lường Văn Ót").get_by_role("button", name="Ghi buổi hỗ trợ").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Ghi chú").fill("Hẹn tuần sau quay lại.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Lưu buổi hỗ trợ"
    expect(page.locator("#outbox-count")).to_have_text("Chờ gửi: 3 buổi.")
    screenshot(page, "field-offline-three-visits")
    assert Visit.objects.count() == 0

    page.context.set_offline(False)  # the app sends on its own when the network returns
    expect(page.locator("#outbox-count")).to_have_text("Chờ gửi: 0 buổi.")
    expect(page.locator("#problems")).to_be_hidden()
    assert Visit.objects.count() == 3
    assert sorted(Visit.objects.values_list("note", flat=True)) == [
        "",
        "Cụ đã tự đăng nhập VNeID được.",
        "Hẹn tuần sau quay lại.",
    ]
    assert set(Visit.objects.values_list("device__name", flat=True)) == {"Điện thoại của Mai"}
    elder = DigitalIdentity.objects.get(resident=team["people"]["Hà Văn Sình"])
    assert (elder.vneid_level, elder.vneid_source) == (2, EvidenceSource.VISIT)
    assert not DigitalIdentity.objects.filter(resident=team["people"]["Vàng A Dơ"]).exists()
    assert RegistryChangeReport.objects.count() == 0

    # Back online the app sends, then downloads the changed worklist; wait for that to end before tapping.
    expect(page.get_by_role("status")).to_have_text("Đã tải danh sách: 3 hộ.")
    # Sending again (a lost answer, a second tap) changes nothing.
    page.get_by_role("button", name="Gửi các buổi hỗ trợ").click()
    expect(page.get_by_role("status")).to_have_text("Không còn buổi nào chờ gửi.")
    assert Visit.objects.count() == 3


def test_a_conflicting_resend_is_shown_and_kept_apart(page, live_server, team) -> None:
    register_phone(page, live_server, team)
    page.context.set_offline(True)
    household(page, "Lường Văn Ót").get_by_role("button", name="Ghi buổi hỗ trợ").click()
    page.get_by_label("Ghi chú").fill("Lần đầu.")
    page.get_by_role("button", name="Lưu buổi hỗ trợ").click()
    expect(page.locator("#outbox-count")).to_have_text("Chờ gửi: 1 buổi.")
    # The server already holds this UUID with other content (say, a visit edited after a lost answer).
    visit_id = page.evaluate(
        """async () => {
             const db = await idb.openDB('hocvuso-field');
             const [item] = await db.getAll('outbox');
             db.close();
             return item.id;
           }"""
    )
    record_visit(
        visit_id=uuid.UUID(visit_id),
        form_version=1,
        household=team["people"]["Lường Văn Ót"].household,
        visited_at=datetime.datetime.now(datetime.UTC).replace(microsecond=0),
        note="Nội dung khác.",
        outcomes=[],
        actor=team["member"],
    )
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Buổi hỗ trợ cần xem lại")).to_be_visible()
    expect(page.locator("#problem-list")).to_contain_text("Trùng mã")
    expect(page.locator("#problem-list")).to_contain_text("đã được ghi với nội dung khác")
    expect(page.locator("#outbox-count")).to_have_text("Chờ gửi: 0 buổi.")
    assert list(Visit.objects.values_list("note", flat=True)) == ["Nội dung khác."]
    assert_accessible(page, "field conflict shown")
    page.get_by_role("button", name="Bỏ buổi này").click()
    expect(page.locator("#problems")).to_be_hidden()


def test_a_revoked_device_wipes_its_data_at_its_next_contact(page, live_server, team) -> None:
    register_phone(page, live_server, team)
    page.context.set_offline(True)
    household(page, "Lường Văn Ót").get_by_role("button", name="Ghi buổi hỗ trợ").click()
    page.get_by_role("button", name="Lưu buổi hỗ trợ").click()
    expect(page.locator("#outbox-count")).to_have_text("Chờ gửi: 1 buổi.")
    assert page.evaluate(HAS_STORE)

    device = FieldDevice.objects.get(membership=team["membership"])
    revoke_device(device=device, actor=team["member"])  # the phone was lost
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Thiết bị này chưa được đăng ký")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Thiết bị đã bị thu hồi hoặc hết hạn: dữ liệu trên máy đã được xóa."
    )
    assert not page.evaluate(HAS_STORE)
    assert Visit.objects.count() == 0
    page.reload()
    expect(page.get_by_role("heading", name="Thiết bị này chưa được đăng ký")).to_be_visible()
    expect(page.locator(".household")).to_have_count(0)


def test_signing_out_wipes_the_phone_and_ends_its_token(page, live_server, team) -> None:
    register_phone(page, live_server, team)
    page.get_by_role("button", name="Chữ lớn").click()
    expect(page.get_by_role("button", name="Chữ lớn")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert_accessible(page, "field worklist, large text")
    assert page.evaluate(HAS_STORE)

    page.get_by_role("button", name="Đăng xuất và xóa dữ liệu trên máy").click()
    expect(page.get_by_role("status")).to_have_text("Đã đăng xuất: dữ liệu trên máy đã được xóa.")
    assert not page.evaluate(HAS_STORE)
    assert FieldDevice.objects.get(membership=team["membership"]).revoked_at is not None
    page.reload()
    expect(page.get_by_role("heading", name="Thiết bị này chưa được đăng ký")).to_be_visible()
    expect(page.get_by_role("button", name="Chữ lớn")).to_have_attribute("aria-pressed", "true")  # kept


def test_data_expires_after_the_set_days_without_contact(page, live_server, team, settings) -> None:
    register_phone(page, live_server, team)
    page.context.set_offline(True)
    # The last contact with the server: one day more than OUTREACH_DEVICE_IDLE_DAYS ago.
    page.evaluate(
        """async (days) => {
             const db = await idb.openDB('hocvuso-field');
             await db.put('meta', Date.now() - (days + 1) * 24 * 3600 * 1000, 'last_contact');
             db.close();
           }""",
        settings.OUTREACH_DEVICE_IDLE_DAYS,
    )
    page.reload()
    expect(page.get_by_role("status")).to_have_text(
        f"Đã quá {settings.OUTREACH_DEVICE_IDLE_DAYS} ngày không liên lạc với máy chủ: dữ liệu trên máy đã được xóa."
    )
    expect(page.get_by_role("heading", name="Thiết bị này chưa được đăng ký")).to_be_visible()
    assert not page.evaluate(HAS_STORE)


def test_a_lost_answer_is_retried_and_duplicates_nothing(page, live_server, team) -> None:
    """The server stores the batch but its answer never reaches the phone (the connection drops): the phone keeps
    the visits, says it will try again, resends them after its backoff, and the server still holds each once."""
    register_phone(page, live_server, team)
    page.context.set_offline(True)
    for head in ("Hà Văn Sình", "Vàng A Dơ"):
        household(page, head).get_by_role("button", name="Ghi buổi hỗ trợ").click()
        page.get_by_role("button", name="Lưu buổi hỗ trợ").click()
    expect(page.locator("#outbox-count")).to_have_text("Chờ gửi: 2 buổi.")
    sent: list[int] = []
    first_answer: list[tuple[int, int]] = []

    def drop_the_first_answer(route) -> None:
        sent.append(len(route.request.post_data_json["visits"]))
        if len(sent) == 1:
            answer = route.fetch()  # the server receives and stores the batch…
            first_answer.append((answer.status, Visit.objects.count()))
            route.abort("connectionreset")  # …and its answer is lost
        else:
            route.fallback()

    # The app sends no cookie (only its device token); Playwright's route.fetch would send the context's session.
    page.context.clear_cookies()
    page.route("**/api/v1/field/visits/", drop_the_first_answer)
    page.locator("#status").evaluate(  # every message the status line shows, however briefly
        """(node) => {
             window.__said = [];
             new MutationObserver(() => window.__said.push(node.textContent))
               .observe(node, {childList: true, characterData: true, subtree: true});
           }"""
    )
    page.context.set_offline(False)
    expect(page.locator("#outbox-count")).to_have_text("Chờ gửi: 0 buổi.", timeout=15_000)  # after the retry
    said = page.evaluate("window.__said")
    assert any(text.startswith("Gửi chưa được. Sẽ thử lại sau") for text in said), said
    assert first_answer == [(200, 2)]  # the first batch was stored, its answer lost
    assert sent == [2, 2]
    assert Visit.objects.count() == 2
