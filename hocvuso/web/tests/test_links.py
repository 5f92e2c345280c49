"""The frame's links and the menu are reversed once per process, yet always give the address the URL patterns
give where the site is served (its script prefix) and under the URL configuration in use."""

from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from hocvuso.web.links import FRAME, fixed_url, frame_links


def test_each_frame_link_is_the_address_of_its_page() -> None:
    assert dict(frame_links()) == {key: reverse(name) for key, name in FRAME.items()}
    assert fixed_url("web:courses") == reverse("web:courses") == "/khoa-hoc/"


def test_a_site_served_under_a_prefix_gets_its_links_under_that_prefix() -> None:
    before = fixed_url("web:home")
    set_script_prefix("/hocvuso/")
    try:
        assert fixed_url("web:courses") == "/hocvuso/khoa-hoc/"
        assert frame_links()["account"] == reverse("accounts:account") == "/hocvuso/tai-khoan/"
    finally:
        clear_script_prefix()
    assert fixed_url("web:home") == before == "/"


@override_settings(ROOT_URLCONF="hocvuso.web.tests.urls_elsewhere")
def test_another_url_configuration_gets_its_own_addresses() -> None:
    assert fixed_url("web:courses") == "/elsewhere/khoa-hoc/"
    assert frame_links()["home"] == "/elsewhere/"
