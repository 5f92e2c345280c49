"""The field app's pages (/thuc-dia/): the shell holds no personal data (one page for everyone, kept by the service
worker), the manifest and its icons, the service worker's scope and list, the registration page's teams, the
vendored idb. The app's behaviour in a browser is e2e/test_field_app_journey.py."""

import datetime
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.outreach.services import add_team_member, create_team
from hocvuso.people.models import Resident
from hocvuso.people.tests.factories import ResidentFactory
from hocvuso.web.field import views

APP = "/thuc-dia/"
MANIFEST = "/thuc-dia/ung-dung.webmanifest"
WORKER = "/thuc-dia/sw.js"
REGISTER = "/thuc-dia/dang-ky/"


@pytest.fixture
def member(territory, commune_officer, make_user):
    leader = make_user(Role.TEAM_LEADER, territory.commune)
    user = make_user(Role.TEAM_MEMBER, territory.commune, full_name="Hoàng Thị Bí Mật")
    team = create_team(commune=territory.commune, name="Tổ Thôn Một", leader=leader, actor=commune_officer)
    resident = ResidentFactory(village=territory.village, full_name="Hoàng Thị Bí Mật", user=user)
    add_team_member(team=team, user=user, resident=resident, valid_from=datetime.date(2026, 1, 1), actor=leader)
    return user


def page_settings(response) -> dict:
    found = re.search(r'<script id="field-settings" type="application/json">(.*?)</script>', response.content.decode())
    assert found is not None
    return json.loads(found.group(1))


def test_the_shell_is_the_same_page_for_everyone_and_names_no_one(client, member, settings) -> None:
    anonymous = Client().get(APP)
    client.force_login(member)
    signed_in = client.get(APP)

    assert anonymous.status_code == signed_in.status_code == 200
    assert anonymous.content == signed_in.content  # nothing of the session: safe for the worker to keep
    page = signed_in.content.decode()
    assert "Hoàng Thị Bí Mật" not in page and "csrfmiddlewaretoken" not in page
    assert f'<link rel="manifest" href="{MANIFEST}">' in page
    assert "<script>" not in page and "style=" not in page  # the Content-Security-Policy allows no inline code
    app = page_settings(signed_in)
    assert app["expire_days"] == settings.OUTREACH_DEVICE_IDLE_DAYS
    assert app["api"] == {
        "worklist": "/api/v1/field/worklist/",
        "visits": "/api/v1/field/visits/",
        "devices": "/api/v1/field/devices/",
        "revoke": "/api/v1/field/devices/revoke/",
        "sessions": "/api/v1/field/sessions/",
        "attendances": "/api/v1/field/attendances/",
        "session_people": "/api/v1/field/sessions/00000000-0000-0000-0000-000000000000/people/",
    }
    # What a walk-in needs, and the learner card's prefix: no personal data
    assert app["card_prefix"] == "HVS1:" and {sex["value"] for sex in app["sexes"]} == {"M", "F"}
    assert len(app["ethnicities"]) == 54 and app["ethnicities"][0]["value"] == 1
    assert app["service_worker"] == WORKER and app["register_url"] == REGISTER
    absent = {outcome["value"] for outcome in app["absent_outcomes"]}
    # "guides the others of the household" (issue 13): the last condition of Gia đình số, recorded at a visit
    assert "guides_family" in {outcome["value"] for outcome in app["action_outcomes"]}
    assert absent == {"refused", "not_at_home", "moved_away", "deceased"}
    assert len(app["action_outcomes"]) == 11 and not absent & {o["value"] for o in app["action_outcomes"]}


def test_the_expiry_follows_the_setting(client, settings) -> None:
    settings.OUTREACH_DEVICE_IDLE_DAYS = 3

    assert page_settings(client.get(APP))["expire_days"] == 3


def test_the_manifest_installs_a_vietnamese_app_with_icons_of_its_declared_sizes(client) -> None:
    response = client.get(MANIFEST)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Học Vụ Số — Thực địa" and manifest["lang"] == "vi"
    assert manifest["start_url"] == manifest["scope"] == APP
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert isinstance(path, str), icon
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]
                sizes.add(image.width)
    assert {192, 512} <= sizes  # what a browser asks of an installable app


def test_the_service_worker_covers_the_app_and_keeps_only_the_shell(client) -> None:
    response = client.get(WORKER)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == APP
    body = response.content.decode()
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", body).group(1))
    assert shell == [APP, MANIFEST, *[f"/static/{path}" for path in views.SHELL_STATIC]]
    for path in views.SHELL_STATIC:
        assert isinstance(finders.find(path), str), path
    assert not [url for url in shell if url.startswith("/api/")]  # personal data never goes into its cache
    for path in (APP, MANIFEST):
        assert client.get(path).status_code == 200


def test_a_new_shell_gets_a_new_cache_name(client, settings) -> None:
    def cache_name() -> str:
        return re.search(r'var CACHE = CACHE_PREFIX \+ "([0-9a-f]{16})";', client.get(WORKER).content.decode()).group(1)

    first = cache_name()
    assert cache_name() == first
    settings.OUTREACH_DEVICE_IDLE_DAYS = 2  # the page changes
    assert cache_name() != first


def test_registration_needs_a_signed_in_team_member_or_instructor(client, make_user, territory) -> None:
    anonymous = Client().get(REGISTER)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/tai-khoan/dang-nhap/")
    client.force_login(make_user(Role.LEARNER))
    page = client.get(REGISTER)
    # A learner sees the page on their own phone, but no form: they can register nothing.
    assert page.status_code == 200 and 'id="register-form"' not in page.content.decode()


def test_an_instructor_of_no_team_registers_a_class_only_phone(client, make_user, territory) -> None:
    client.force_login(make_user(Role.INSTRUCTOR, territory.commune))

    page = client.get(REGISTER).content.decode()

    assert 'id="register-form"' in page
    assert '<input type="hidden" name="membership" value="class">' in page
    assert "chỉ điểm danh, không có danh sách hộ" in page


def test_a_team_member_who_also_teaches_chooses_team_or_classes(client, member, territory) -> None:
    RoleAssignmentFactory(user=member, role=Role.INSTRUCTOR, unit=territory.commune)
    client.force_login(member)

    page = client.get(REGISTER).content.decode()

    membership = member.team_memberships.get()
    assert f'<option value="{membership.pk}">' in page and '<option value="class">' in page


def test_registration_offers_the_members_own_teams_only(client, member, make_user, territory, commune_officer) -> None:
    other_leader = make_user(Role.TEAM_LEADER, territory.commune)
    other = create_team(commune=territory.commune, name="Tổ Người Khác", leader=other_leader, actor=commune_officer)
    stranger = make_user(Role.TEAM_MEMBER, territory.commune)
    resident = ResidentFactory(village=territory.village, user=stranger)
    add_team_member(
        team=other, user=stranger, resident=resident, valid_from=datetime.date(2026, 1, 1), actor=other_leader
    )
    client.force_login(member)

    page = client.get(REGISTER).content.decode()

    assert 'id="register-form"' in page and "Tổ Thôn Một" in page and "Tổ Người Khác" not in page
    membership = member.team_memberships.get()
    assert f'<input type="hidden" name="membership" value="{membership.pk}">' in page


def test_a_member_of_no_team_is_told_so(client, make_user, territory) -> None:
    client.force_login(make_user(Role.TEAM_MEMBER, territory.commune))

    page = client.get(REGISTER).content.decode()

    assert 'id="register-form"' not in page
    assert "Bạn chưa là thành viên của tổ công nghệ số nào" in page


def test_a_member_of_two_teams_chooses(client, member, make_user, territory, commune_officer) -> None:
    leader = make_user(Role.TEAM_LEADER, territory.commune)
    second = create_team(commune=territory.commune, name="Tổ Thứ Hai", leader=leader, actor=commune_officer)
    add_team_member(
        team=second,
        user=member,
        resident=Resident.objects.get(user=member),
        valid_from=datetime.date(2026, 1, 1),
        actor=leader,
    )
    client.force_login(member)

    page = client.get(REGISTER).content.decode()

    assert '<select id="membership-input" name="membership">' in page
    assert page.count("<option value=") == 2 and "Tổ Thứ Hai" in page


def test_idb_is_vendored_with_its_licence_and_source() -> None:
    umd = finders.find("vendor/idb/umd.js")
    assert isinstance(umd, str)
    folder = umd.removesuffix("umd.js")
    with open(folder + "LICENSE", encoding="utf-8") as licence:
        assert "Permission to use, copy, modify" in licence.read()
    with open(folder + "README.md", encoding="utf-8") as readme:
        assert re.search(r"`idb` \d+\.\d+\.\d+ from the npm registry", readme.read())
    with open(umd, encoding="utf-8") as script:
        assert ").idb={})" in script.read()  # the UMD build: a classic script defines window.idb


def test_the_camera_scanner_is_part_of_the_shell(client) -> None:
    """web/qrscan.js (window.HVSQrScan, the session page's scanner) reads learner cards in the app too: the page
    loads it with its decoder's address, and the worker keeps both, so the camera works with no network."""
    page = client.get(APP).content.decode()
    assert re.search(r'<script src="[^"]*web/qrscan\.js" data-jsqr="[^"]*vendor/jsqr/jsQR\.js" defer></script>', page)
    assert 'data-qr-scan="card-text"' in page and 'data-qr-video="card-camera"' in page
    kept = views.shell_urls()
    assert any(url.endswith("web/qrscan.js") for url in kept) and any(url.endswith("jsQR.js") for url in kept)
