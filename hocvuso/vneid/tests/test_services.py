"""The services behind sign-in with VNeID, where the pages cannot easily reach: a registration whose ID came into
the registry meanwhile, an ID taken by another account, and the same new person signing in several times at once."""

import datetime
import threading

import pytest
from django.db import connection

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.core.errors import DomainError
from hocvuso.people.models import Resident
from hocvuso.people.services import register_resident
from hocvuso.vneid.claims import AssertedIdentity
from hocvuso.vneid.models import PendingRegistration, ProviderIdentity, RegistrationStatus
from hocvuso.vneid.services import choose_commune, confirm_registration, sign_in_with_provider

BINH = AssertedIdentity(
    issuer="https://vneid.example",
    subject="binh-subject",
    full_name="K'Brơi Thị Bình",
    national_id="068301234567",
    birth_date=datetime.date(2001, 11, 2),
    sex="F",
    vneid_level=2,
    acr="2",
)


def pending_in(commune) -> PendingRegistration:
    outcome = sign_in_with_provider(asserted=BINH)
    assert outcome.registration is not None
    return choose_commune(registration=outcome.registration, commune=commune, user=outcome.user)


def register_binh(village, **extra) -> Resident:
    return register_resident(
        full_name="K'Brơi Thị Bình",
        birth_date=datetime.date(2001, 11, 2),
        sex="F",
        ethnicity=16,
        village=village,
        national_id="068301234567",
        actor=None,
        **extra,
    )


@pytest.mark.django_db
def test_confirming_a_registration_whose_id_came_into_the_registry_links_that_resident(territory, commune_officer):
    registration = pending_in(territory.commune)
    imported = register_binh(territory.village)  # a roster import, meanwhile

    resident = confirm_registration(
        registration=registration, village=territory.village_b, ethnicity=1, actor=commune_officer
    )

    assert resident == imported and Resident.objects.count() == 1
    imported.refresh_from_db()
    assert (imported.user_id, imported.village_id, imported.ethnicity) == (
        registration.user_id,
        territory.village.pk,
        16,
    )


@pytest.mark.django_db
def test_confirming_a_registration_whose_id_belongs_to_another_account_is_refused(
    territory, commune_officer, make_user
):
    registration = pending_in(territory.commune)
    other = make_user(Role.LEARNER, username="other")
    Resident.objects.filter(pk=register_binh(territory.village).pk).update(user=other)

    with pytest.raises(DomainError):
        confirm_registration(registration=registration, village=territory.village, ethnicity=1, actor=commune_officer)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    assert Resident.objects.get().user == other


@pytest.mark.django_db
def test_a_second_provider_account_of_a_registered_person_signs_in_to_the_same_account(territory):
    first = sign_in_with_provider(asserted=BINH)
    again = sign_in_with_provider(
        asserted=AssertedIdentity(**{**BINH.__dict__, "issuer": "https://id.lamdong.example"})
    )

    assert again.user == first.user
    assert PendingRegistration.objects.count() == 1 and ProviderIdentity.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_new_person_signing_in_at_once_gets_one_account(territory):
    if connection.vendor != "postgresql":
        pytest.skip("Runs on PostgreSQL (DATABASE_URL): SQLite takes the write lock at BEGIN and serialises them.")
    barrier = threading.Barrier(6)
    outcomes: list[object] = []

    def attempt() -> None:
        try:
            barrier.wait()
            outcomes.append(sign_in_with_provider(asserted=BINH).user.pk)
        except DomainError as error:
            outcomes.append(error.code)
        except Exception as error:  # anything else is a failure of the test
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    user = User.objects.get()
    assert PendingRegistration.objects.get().user == user
    assert ProviderIdentity.objects.get().user == user
    assert set(outcomes) <= {user.pk, "national_id_taken", "subject_taken"}, outcomes
    assert user.pk in outcomes


@pytest.mark.django_db
def test_the_operator_unlinks_a_vneid_account(territory):
    from io import StringIO

    from django.core.management import call_command

    from hocvuso.core.models import AuditEntry

    user = sign_in_with_provider(asserted=BINH).user
    output = StringIO()

    call_command("unlink_vneid", user.username, stdout=output)

    assert output.getvalue().strip() == f"1 link(s) removed from {user.username}."
    assert not ProviderIdentity.objects.exists()
    assert AuditEntry.objects.filter(action="vneid.unlinked", object_id=str(user.pk)).count() == 1
    assert sign_in_with_provider(asserted=BINH).user == user  # the pending registration still says whose it is
