"""The pages' Content-Security-Policy lets forms lead to the provider (the sign-in button's POST and sign-out are
answered with a redirect there, which form-action governs), and only when sign-in with it is on."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from hocvuso.vneid import provider

pytestmark = pytest.mark.django_db


def form_action(response) -> str:
    return next(part for part in response["Content-Security-Policy"].split("; ") if part.startswith("form-action"))


def test_forms_lead_only_here_when_sign_in_with_a_provider_is_off(client, settings):
    settings.OIDC_ISSUER = ""

    assert form_action(client.get(reverse("accounts:login"))) == "form-action 'self'"


def test_the_sign_in_page_lets_its_form_lead_to_the_providers_endpoints(client, oidc_settings):
    response = client.get(reverse("accounts:login"))

    assert form_action(response) == f"form-action 'self' {oidc_settings.issuer}"


def test_endpoints_on_other_hosts_are_read_from_the_shared_cache(client, settings):
    settings.OIDC_ISSUER = "https://sso.vneid.example"
    settings.OIDC_CLIENT_ID = "hocvuso"
    provider._endpoint_origins.clear()
    provider._cache_looked_at.clear()
    cache.set(
        "hocvuso.vneid.metadata:https://sso.vneid.example",
        {
            "issuer": "https://sso.vneid.example",
            "authorization_endpoint": "https://login.vneid.example/authorize",
            "end_session_endpoint": "https://logout.vneid.example/end",
        },
    )

    try:
        policy = form_action(client.get(reverse("web:home")))
    finally:
        cache.clear()
        provider._endpoint_origins.clear()

    assert policy == (
        "form-action 'self' https://login.vneid.example https://logout.vneid.example https://sso.vneid.example"
    )


def test_a_provider_out_of_reach_does_not_hold_up_the_sign_in_page(client, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_CLIENT_ID = "hocvuso"
    settings.OIDC_ALLOW_HTTP = True
    cache.clear()

    first = client.get(reverse("accounts:login"))

    assert first.status_code == 200 and "Đăng nhập bằng VNeID" in first.content.decode()
    assert cache.get("hocvuso.vneid.unreachable:http://127.0.0.1:9") is True
    cache.clear()


def test_without_an_end_session_endpoint_signing_out_stays_here(settings):
    settings.OIDC_ISSUER = "https://id.lamdong.example"
    settings.OIDC_CLIENT_ID = "hocvuso"
    cache.set(
        "hocvuso.vneid.metadata:https://id.lamdong.example",
        {"issuer": "https://id.lamdong.example", "authorization_endpoint": "https://id.lamdong.example/auth"},
    )
    try:
        assert provider.end_session_url(post_logout_redirect_uri="https://hocvuso.example/") is None
        cache.set(
            "hocvuso.vneid.metadata:https://id.lamdong.example",
            {"issuer": "https://id.lamdong.example", "end_session_endpoint": "https://id.lamdong.example/logout?x=1"},
        )
        assert provider.end_session_url(post_logout_redirect_uri="https://hocvuso.example/") == (
            "https://id.lamdong.example/logout?x=1&client_id=hocvuso&post_logout_redirect_uri=https%3A%2F%2Fhocvuso.example%2F"
        )
    finally:
        cache.clear()
