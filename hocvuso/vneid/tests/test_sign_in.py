"""Sign-in with VNeID through a real OpenID Connect provider (oidc-provider): whose account it is, the registry,
the second factor, linking, logout, and the attacks on the flow (state, code reuse, open redirect, takeover)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.sessions import SIGN_IN_METHOD, session_passed_second_factor
from hocvuso.accounts.tests.sessions import SignInClient
from hocvuso.core.crypto import lookup_hash
from hocvuso.core.models import AuditEntry
from hocvuso.people.models import DigitalIdentity, EvidenceSource, Resident
from hocvuso.people.services import record_digital_identity, register_resident
from hocvuso.vneid.models import PendingRegistration, ProviderIdentity, RegistrationStatus

from .conftest import CALLBACK
from .provider import ACCOUNTS, sign_in_at_provider

pytestmark = pytest.mark.django_db


def start(client: Client, next_url: str = "/") -> str:
    response = client.post(reverse("accounts:vneid_start"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:")
    return response["Location"]


def at_provider(location: str, login: str, acr: str = "1") -> str:
    """The callback path (with code, state and iss) the provider sends the browser back to."""
    callback = sign_in_at_provider(location, login=login, acr=acr, stop_at=CALLBACK)
    return callback.removeprefix("http://testserver")


def sign_in(client: Client, login: str, *, acr: str = "1", next_url: str = "/"):
    return client.get(at_provider(start(client, next_url), login, acr))


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def register(territory, login: str, **extra) -> Resident:
    claims = ACCOUNTS[login]
    day, month, year = (int(part) for part in claims["NgayThangNamSinh"].split("/"))
    national_id = claims["SoDinhDanh"]
    return register_resident(
        full_name=claims["HoVaTen"],
        birth_date=datetime.date(year, month, day),
        sex="F" if int(national_id[3]) % 2 else "M",
        ethnicity=1,
        village=territory.village,
        national_id=national_id,
        actor=None,
        **extra,
    )


def test_the_sign_in_page_shows_the_button_only_when_configured(client, settings, oidc_settings):
    assert "Đăng nhập bằng VNeID" in client.get(reverse("accounts:login")).content.decode()
    settings.OIDC_ISSUER = ""

    assert "Đăng nhập bằng VNeID" not in client.get(reverse("accounts:login")).content.decode()
    response = client.post(reverse("accounts:vneid_start"), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_the_authorization_request_uses_pkce_state_and_nonce(client, oidc_settings):
    query = parse_qs(urlsplit(start(client)).query)

    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["state"] != query["nonce"]
    assert query["redirect_uri"] == [CALLBACK]
    flow = client.session["oidc_flow"]
    assert flow["state"] == query["state"][0] and flow["nonce"] == query["nonce"][0]
    assert query["code_challenge"] != [flow["verifier"]]


def test_a_registry_resident_without_an_account_gets_a_learner_account_linked_to_them(client, territory, oidc_settings):
    resident = register(territory, "an")

    response = sign_in(client, "an", acr="2")

    user = signed_in_user(client)
    resident.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == "/"
    assert user is not None and resident.user_id == user.pk
    assert user.full_name == "Nguyễn Văn An" and not user.has_usable_password()
    assert user.role_assignments.get().role == Role.LEARNER
    assert ProviderIdentity.objects.get(user=user).issuer == oidc_settings.issuer
    identity = DigitalIdentity.objects.get(resident=resident)
    assert (identity.vneid_level, identity.vneid_source) == (2, EvidenceSource.VNEID)
    assert client.session[SIGN_IN_METHOD] == "vneid"
    assert AuditEntry.objects.filter(action="accounts.login", actor=user, details__method="vneid").count() == 1
    assert not PendingRegistration.objects.exists()

    # the next sign-in lands in the same account, and a lower level asserted does not undo the recorded one
    other = Client()
    sign_in(other, "an", acr="1")
    assert signed_in_user(other) == user
    assert User.objects.count() == 1
    assert DigitalIdentity.objects.get(resident=resident).vneid_level == 2


def test_a_resident_with_an_account_signs_in_to_it(client, territory, make_user, oidc_settings):
    learner = make_user(Role.LEARNER, username="an.local")
    resident = register(territory, "an")
    resident.user = learner
    resident.save()

    sign_in(client, "an")

    assert signed_in_user(client) == learner
    assert User.objects.count() == 1


def test_someone_not_in_the_registry_gets_a_learner_account_and_a_registration_the_commune_confirms(
    client, territory, commune_officer, oidc_settings
):
    response = sign_in(client, "binh", acr="2")

    user = signed_in_user(client)
    assert user is not None and response["Location"] == reverse("accounts:account")
    registration = PendingRegistration.objects.get(user=user)
    assert registration.national_id_hash == lookup_hash("068301234567")
    assert (registration.full_name, registration.birth_date, registration.sex) == (
        "K'Brơi Thị Bình",
        datetime.date(2001, 11, 2),
        "F",
    )
    assert registration.commune is None and registration.status == RegistrationStatus.PENDING
    assert b"068301234567" not in bytes(registration.national_id_ciphertext)
    assert not Resident.objects.exists()

    # the learner says where they live: it goes to that commune's queue, and to no other
    page = client.post(reverse("accounts:account"), {"commune": territory.commune.pk})
    assert page.status_code == 302
    officer = SignInClient()
    officer.force_login(commune_officer)
    queue = officer.get(reverse("web:vneid_registrations")).content.decode()
    assert "K&#x27;Brơi Thị Bình" in queue and "*********567" in queue and "068301234567" not in queue
    elsewhere = SignInClient()
    elsewhere.force_login(User.objects.get(pk=_officer_of(territory.other_commune).pk))
    assert "Brơi" not in elsewhere.get(reverse("web:vneid_registrations")).content.decode()
    detail = reverse("web:vneid_registration", args=[registration.pk])
    assert elsewhere.get(detail).status_code == 404
    assert elsewhere.post(detail, {"action": "reject", "reason": "Không ở đây"}).status_code == 404

    # a village of another commune is refused; then the officer confirms
    wrong = officer.post(detail, {"action": "confirm", "village": territory.other_village.pk, "ethnicity": "1"})
    assert wrong.status_code == 200 and not Resident.objects.exists()
    confirmed = officer.post(detail, {"action": "confirm", "village": territory.village_b.pk, "ethnicity": "3"})

    resident = Resident.objects.get()
    assert confirmed.status_code == 302
    assert (resident.user_id, resident.village_id, resident.ethnicity) == (user.pk, territory.village_b.pk, 3)
    assert resident.national_id_hash == lookup_hash("068301234567")
    assert DigitalIdentity.objects.get(resident=resident).vneid_source == EvidenceSource.VNEID
    registration.refresh_from_db()
    assert (registration.status, registration.resident_id) == (RegistrationStatus.CONFIRMED, resident.pk)
    assert officer.post(detail, {"action": "reject", "reason": "x"}).status_code == 200  # decided: nothing happens
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def _officer_of(commune):
    from hocvuso.accounts.services import assign_role, create_user

    user = create_user(username=f"officer-{commune.code}", password=None)
    assign_role(user=user, role=Role.COMMUNE_OFFICER, unit=commune, assigned_by=None)
    return user


def test_a_rejected_registration_says_why_and_may_go_to_another_commune(
    client, territory, commune_officer, oidc_settings
):
    sign_in(client, "binh")
    client.post(reverse("accounts:account"), {"commune": territory.commune.pk})
    registration = PendingRegistration.objects.get()
    officer = SignInClient()
    officer.force_login(commune_officer)
    detail = reverse("web:vneid_registration", args=[registration.pk])

    assert officer.post(detail, {"action": "reject", "reason": ""}).status_code == 200
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    officer.post(detail, {"action": "reject", "reason": "Không có tên ở thôn nào của xã."})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    assert "Không có tên ở thôn nào của xã." in client.get(reverse("accounts:account")).content.decode()

    client.post(reverse("accounts:account"), {"commune": territory.other_commune.pk})
    registration.refresh_from_db()
    assert (registration.status, registration.commune_id) == (RegistrationStatus.PENDING, territory.other_commune.pk)


def test_a_commune_outside_the_province_is_refused(client, territory, oidc_settings):
    sign_in(client, "binh")

    response = client.post(reverse("accounts:account"), {"commune": territory.far_commune.pk})

    assert response.status_code == 200
    assert PendingRegistration.objects.get().commune is None


def test_staff_still_need_their_second_factor(client, territory, make_user, oidc_settings):
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="canbo.vneid")
    resident = register(territory, "cuong")
    resident.user = officer
    resident.save()

    response = sign_in(client, "cuong", acr="2")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:second_factor")
    assert signed_in_user(client) is None
    assert client.session["pending_sign_in"]["method"] == "vneid"


def test_staff_pass_with_a_level_the_settings_accept(client, settings, territory, make_user, oidc_settings):
    settings.OIDC_SECOND_FACTOR_ACR_VALUES = ["2"]
    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="canbo.vneid")
    resident = register(territory, "cuong")
    resident.user = officer
    resident.save()

    sign_in(client, "cuong", acr="1")
    assert signed_in_user(client) is None  # level 1 is not accepted

    sign_in(client, "cuong", acr="2")
    assert signed_in_user(client) == officer
    assert session_passed_second_factor(client.session, officer)
    assert client.get(reverse("web:vneid_registrations")).status_code == 200


def test_an_inconsistent_national_id_claim_is_refused_and_nothing_is_written(client, oidc_settings):
    response = sign_in(client, "broken")

    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None
    assert not User.objects.exists() and not PendingRegistration.objects.exists()
    assert not ProviderIdentity.objects.exists()


# --- attacks on the flow -----------------------------------------------------------------------------------------


def test_a_callback_with_another_state_is_refused(client, oidc_settings):
    callback = at_provider(start(client), "an")
    forged = callback.replace("state=", "state=x")

    response = client.get(forged)

    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None and not User.objects.exists()
    # the flow was used up by the forged callback: the genuine one cannot follow
    client.get(callback)
    assert signed_in_user(client) is None


def test_a_callback_in_a_browser_that_did_not_start_the_flow_is_refused(client, oidc_settings):
    """Login CSRF: the attacker's own code and state, sent to the victim's browser."""
    attacker = Client()
    callback = at_provider(start(attacker), "an")

    client.get(callback)

    assert signed_in_user(client) is None and not User.objects.exists()


def test_a_code_is_used_once(client, territory, oidc_settings):
    register(territory, "an")
    location = start(client)
    flow = dict(client.session["oidc_flow"])
    callback = at_provider(location, "an")
    client.get(callback)
    user = signed_in_user(client)
    assert user is not None

    # the same code again, even with the flow put back into a fresh session: the provider refuses the code
    replay = Client()
    session = replay.session
    session["oidc_flow"] = flow
    session.save()
    response = replay.get(callback)

    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(replay) is None


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_cannot_send_the_browser_elsewhere(client, territory, next_url, oidc_settings):
    register(territory, "an")

    response = sign_in(client, "an", next_url=next_url)

    assert signed_in_user(client) is not None
    assert response["Location"] == "/"


def test_next_on_this_site_is_followed(client, territory, oidc_settings):
    register(territory, "an")

    assert sign_in(client, "an", next_url="/khoa-hoc/")["Location"] == "/khoa-hoc/"


def test_a_response_naming_another_issuer_is_refused(client, territory, oidc_settings):
    register(territory, "an")
    callback = at_provider(start(client), "an")

    client.get(callback.replace("iss=http", "iss=https"))

    assert signed_in_user(client) is None


# --- linking from one's account -----------------------------------------------------------------------------------


def link(client: Client, login: str):
    response = client.post(reverse("accounts:vneid_link"))
    assert response.status_code == 302
    return client.get(at_provider(response["Location"], login))


def test_a_learner_links_vneid_to_their_local_account(client, make_user, oidc_settings):
    learner = make_user(Role.LEARNER, username="dung.local")
    client.force_login(learner)
    assert "Liên kết VNeID" in client.get(reverse("accounts:account")).content.decode()

    link(client, "dung")

    assert ProviderIdentity.objects.get().user == learner
    assert PendingRegistration.objects.get().user == learner
    other = Client()
    sign_in(other, "dung")
    assert signed_in_user(other) == learner


def test_linking_a_vneid_whose_national_id_belongs_to_another_account_is_refused(
    client, territory, make_user, oidc_settings, caplog
):
    owner = make_user(Role.LEARNER, username="an.owner")
    resident = register(territory, "an")
    resident.user = owner
    resident.save()
    attacker = make_user(Role.LEARNER, username="attacker")
    client.force_login(attacker)

    response = link(client, "an")

    assert response["Location"] == reverse("accounts:account")
    assert not ProviderIdentity.objects.exists()
    resident.refresh_from_db()
    assert resident.user == owner
    assert not PendingRegistration.objects.exists()
    assert signed_in_user(client) == attacker
    assert [record.getMessage() for record in caplog.records if record.name == "hocvuso.vneid"] == [
        "VNeID link refused: national_id_taken"
    ]


def test_linking_a_vneid_whose_registration_belongs_to_another_account_is_refused(client, make_user, oidc_settings):
    first = Client()
    sign_in(first, "binh")  # a new learner with a pending registration
    attacker = make_user(Role.LEARNER, username="attacker")
    client.force_login(attacker)

    link(client, "binh")

    assert ProviderIdentity.objects.filter(user=attacker).count() == 0
    assert PendingRegistration.objects.filter(user=attacker).count() == 0


def test_linking_a_vneid_with_another_id_than_the_registry_holds_for_the_account_is_refused(
    client, territory, make_user, oidc_settings
):
    learner = make_user(Role.LEARNER, username="an.local")
    resident = register(territory, "an")
    resident.user = learner
    resident.save()
    client.force_login(learner)

    link(client, "dung")

    assert not ProviderIdentity.objects.exists() and not PendingRegistration.objects.exists()


def test_a_link_started_by_one_account_cannot_finish_in_another(client, make_user, oidc_settings):
    first = make_user(Role.LEARNER, username="first")
    second = make_user(Role.LEARNER, username="second")
    client.force_login(first)
    location = client.post(reverse("accounts:vneid_link"))["Location"]
    callback = at_provider(location, "dung")
    flow = client.session["oidc_flow"]
    client.force_login(second)  # a new session: put the first account's flow into it
    session = client.session
    session["oidc_flow"] = flow
    session.save()

    client.get(callback)

    assert not ProviderIdentity.objects.exists()


def test_an_identity_level_recorded_from_elsewhere_is_kept_when_vneid_asserts_less(client, territory, oidc_settings):
    resident = register(territory, "an")
    record_digital_identity(
        resident=resident,
        vneid_level=2,
        has_bank_account=None,
        source=EvidenceSource.VISIT,
        on=datetime.date(2026, 1, 5),
        actor=None,
    )

    sign_in(client, "an", acr="1")

    identity = DigitalIdentity.objects.get(resident=resident)
    assert (identity.vneid_level, identity.vneid_source) == (2, EvidenceSource.VISIT)


# --- logout ------------------------------------------------------------------------------------------------------


def test_signing_out_of_a_vneid_session_ends_it_at_the_provider_too(client, territory, oidc_settings):
    register(territory, "an")
    sign_in(client, "an")

    response = client.post(reverse("accounts:logout"))

    assert signed_in_user(client) is None
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{oidc_settings.issuer}/session/end"
    assert parse_qs(target.query) == {
        "client_id": ["hocvuso-tests"],
        "post_logout_redirect_uri": ["http://testserver/"],
    }


def test_signing_out_of_a_password_session_stays_here(client, make_user, oidc_settings):
    client.force_login(make_user(Role.LEARNER))

    assert client.post(reverse("accounts:logout"))["Location"] == reverse("web:home")


def test_staff_complete_a_vneid_sign_in_with_their_authenticator(client, territory, make_user, oidc_settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    officer = make_user(Role.COMMUNE_OFFICER, territory.commune, username="canbo.vneid")
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    resident = register(territory, "cuong")
    resident.user = officer
    resident.save()
    sign_in(client, "cuong", next_url="/nguoi-dan/")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    response = client.post(reverse("accounts:second_factor"), {"token": code})

    assert response["Location"] == "/nguoi-dan/"
    assert signed_in_user(client) == officer
    assert client.session[SIGN_IN_METHOD] == "vneid+totp"
    assert session_passed_second_factor(client.session, officer)


def test_an_inactive_account_is_not_signed_in(client, territory, make_user, oidc_settings):
    learner = make_user(Role.LEARNER, username="an.local")
    resident = register(territory, "an")
    resident.user = learner
    resident.save()
    User.objects.filter(pk=learner.pk).update(is_active=False)

    response = sign_in(client, "an")

    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None
