import re

from django.test import Client

from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.people.tests.factories import OrganisationFactory


def nav_labels(body: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', body, re.S)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(0)) if nav else []


def test_public_home_has_landing_and_sign_in_but_no_navigation(client: Client, db: None) -> None:
    response = client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "web/home_public.html"
    assert '<html lang="vi">' in body
    assert 'href="/tai-khoan/dang-nhap/"' in body
    assert 'class="skip-link" href="#main"' in body
    assert '<main id="main"' in body
    assert nav_labels(body) == []


def test_learner_home_says_what_is_coming(client: Client, make_user) -> None:
    client.force_login(make_user(Role.LEARNER, full_name="K'Brơi"))

    response = client.get("/")

    body = response.content.decode()
    assert response.templates[0].name == "web/home_learner.html"
    assert "Xin chào, K&#x27;Brơi" in body
    assert body.count("Sắp có") == 0  # the courses, the self-assessment and the certificates are live
    assert 'href="/chung-nhan/"' in body
    assert nav_labels(body) == ["Trang chủ", "Khóa học", "Chứng nhận của tôi", "Dữ liệu của tôi"]


def test_province_admin_home_links_units_and_audit(client: Client, province_admin) -> None:
    client.force_login(province_admin)

    response = client.get("/")

    body = response.content.decode()
    home = response.context["home"]
    assert response.templates[0].name == "web/home_staff.html"
    assert [(line.role, line.scope) for line in home.roles] == [(Role.PROVINCE_ADMIN, "Lâm Đồng")]
    assert home.home_unit.code == "68"
    assert 'href="/nhat-ky/"' in body
    assert 'href="/don-vi/"' in body
    assert nav_labels(body) == [
        "Trang chủ",
        "Đơn vị hành chính",
        "Người dân",
        "Nhập danh sách",
        "Kiểm tra có giám sát",
        "Tổ công nghệ số",
        "Ứng dụng thực địa",
        "Nhật ký kiểm toán",
        "Tài khoản",
        "Mã kích hoạt",
        "Theo dõi chỉ tiêu",
        "Thi đua",
        "Chưa tiếp cận",
        "Báo cáo quý",
        "Kế hoạch",
        "Thông báo",
        "Đối soát VNeID",
        "Chứng nhận gửi lỗi",
        "Dữ liệu của tôi",
    ]


def test_team_leader_and_member_reach_their_team_and_the_field_app(client: Client, territory, make_user) -> None:
    client.force_login(make_user(Role.TEAM_LEADER, territory.commune))
    leader = nav_labels(client.get("/").content.decode())
    client.force_login(make_user(Role.TEAM_MEMBER, territory.commune))
    member = nav_labels(client.get("/").content.decode())

    assert {"Tổ công nghệ số", "Ứng dụng thực địa"} <= set(leader)
    assert "Ứng dụng thực địa" in member and "Tổ công nghệ số" not in member


def test_commune_officer_home_has_no_audit_link(client: Client, commune_officer) -> None:
    client.force_login(commune_officer)

    response = client.get("/")

    body = response.content.decode()
    assert response.context["home"].home_unit.code == "24631"
    assert 'href="/nhat-ky/"' not in body
    assert nav_labels(body) == [
        "Trang chủ",
        "Đơn vị hành chính",
        "Người dân",
        "Nhập danh sách",
        "Kiểm tra có giám sát",
        "Tài khoản",
        "Mã kích hoạt",
        "Theo dõi chỉ tiêu",
        "Thi đua",
        "Chưa tiếp cận",
        "Báo cáo quý",
        "Kế hoạch",
        "Thông báo",
        "Dữ liệu của tôi",
    ]


def test_agency_officer_home_names_the_organisation(client: Client, territory, make_user) -> None:
    organisation = OrganisationFactory(name="Sở Nội vụ", unit=territory.province)
    officer = make_user(Role.AGENCY_OFFICER, organisation=organisation)
    client.force_login(officer)

    response = client.get("/")

    home = response.context["home"]
    assert [(line.label, line.scope) for line in home.roles] == [("Cán bộ cơ quan, đơn vị", "Sở Nội vụ")]
    assert home.home_unit is None
    assert nav_labels(response.content.decode()) == [
        "Trang chủ",
        "Người dân",
        "Nhập danh sách",
        "Theo dõi chỉ tiêu",
        "Thi đua",
        "Chưa tiếp cận",
        "Báo cáo quý",
        "Kế hoạch",
        "Thông báo",
        "Dữ liệu của tôi",
    ]


def test_staff_with_two_roles_sees_both(client: Client, territory, make_user) -> None:
    leader = make_user(Role.TEAM_LEADER, territory.commune)
    RoleAssignmentFactory(user=leader, role=Role.INSTRUCTOR, unit=territory.other_commune)
    client.force_login(leader)

    home = client.get("/").context["home"]

    assert [(line.role, line.scope) for line in home.roles] == [
        (Role.TEAM_LEADER, "Xã Quảng Khê"),
        (Role.INSTRUCTOR, "Xã Nhân Cơ"),
    ]


def test_current_page_is_marked_in_navigation(client: Client, province_admin) -> None:
    client.force_login(province_admin)

    body = client.get("/don-vi/68/").content.decode()

    assert '<a href="/don-vi/" aria-current="page">' in body


def test_language_switch_to_english_and_back(client: Client, db: None) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Sign in" in body
    assert "Skip to main content" in body

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body


def test_language_switch_marks_the_current_language(client: Client, db: None) -> None:
    body = client.get("/").content.decode()

    assert 'value="vi" lang="vi" class="chip" aria-pressed="true">Tiếng Việt</button>' in body
    assert 'value="en" lang="en" class="chip" aria-pressed="false">English</button>' in body


def test_large_text_toggle_sets_and_clears_the_cookie(client: Client, db: None) -> None:
    response = client.post("/co-chu/", {"large_text": "1", "next": "/don-vi/"})

    assert response.status_code == 302
    assert response["Location"] == "/don-vi/"
    assert response.cookies["large_text"].value == "1"
    assert '<html lang="vi" class="large-text">' in client.get("/").content.decode()

    response = client.post("/co-chu/", {"large_text": "0", "next": "https://evil.example/"})

    assert response["Location"] == "/"
    assert response.cookies["large_text"].value == ""
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_large_text_toggle_needs_post(client: Client, db: None) -> None:
    assert client.get("/co-chu/").status_code == 405


def test_pages_load_only_local_assets(client: Client, province_admin) -> None:
    client.force_login(province_admin)

    for path in ["/", "/don-vi/68/", "/nhat-ky/", "/tai-khoan/dang-nhap/"]:
        body = client.get(path, follow=True).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', body)
        assert [source for source in sources if source.startswith(("http:", "https:", "//"))] == [], path


def test_missing_page_uses_the_site_frame(client: Client, db: None) -> None:
    response = client.get("/khong-co/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_pages_stay_vietnamese_whatever_the_browser_prefers(client: Client, db: None) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_the_language_cookie_wins_and_bad_values_fall_back_to_vietnamese(client: Client, db: None) -> None:
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get("/").content.decode()

    client.cookies["django_language"] = "xx"
    assert '<html lang="vi">' in client.get("/").content.decode()
