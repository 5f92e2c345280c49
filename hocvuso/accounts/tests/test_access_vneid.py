"""Who decides a VNeID registration (access.py, kind "vneid.pendingregistration"): MANAGE_PEOPLE over the commune
the person chose — for one registration (`can`) and for the queue (`scope`) alike; none chosen yet, nobody."""

import datetime

import pytest

from hocvuso.accounts.access import can, scope
from hocvuso.accounts.roles import Permission, Role
from hocvuso.core.crypto import encrypt
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.vneid.models import PendingRegistration


def registration(make_user, commune, number: int) -> PendingRegistration:
    return PendingRegistration.objects.create(
        user=make_user(Role.LEARNER),
        full_name="Lê Thị Dung",
        birth_date=datetime.date(1992, 1, 1),
        sex="F",
        national_id_ciphertext=encrypt("068192000222"),
        national_id_hash=f"hash-{number}",
        national_id_last4="0222",
        vneid_level=1,
        commune=commune,
    )


@pytest.mark.parametrize(
    "role, where, decides",
    [
        (Role.COMMUNE_OFFICER, "commune", True),
        (Role.COMMUNE_OFFICER, "other_commune", False),
        (Role.PROVINCE_ADMIN, "province", True),
        (Role.PROVINCE_ADMIN, "other_province", False),
        (Role.TEAM_LEADER, "commune", False),  # inside, without MANAGE_PEOPLE
        (Role.TEAM_MEMBER, "village", False),
        (Role.INSTRUCTOR, "commune", False),
        (Role.LEARNER, None, False),
        (Role.AGENCY_OFFICER, "organisation", False),  # MANAGE_PEOPLE over a school of the commune is not the commune
    ],
)
def test_the_communes_officers_decide_its_registrations(territory, make_user, role, where, decides):
    if where == "organisation":
        user = make_user(role, None, OrganisationFactory(unit=territory.commune))
    else:
        user = make_user(role, getattr(territory, where) if where else None)
    in_commune = registration(make_user, territory.commune, 1)
    elsewhere = registration(make_user, territory.other_commune, 2)
    unchosen = registration(make_user, None, 3)

    assert can(user, Permission.MANAGE_PEOPLE, in_commune) is decides
    assert not can(user, Permission.MANAGE_PEOPLE, unchosen)
    visible = set(PendingRegistration.objects.filter(scope(user, Permission.MANAGE_PEOPLE, PendingRegistration)))
    assert visible == {
        candidate for candidate in (in_commune, elsewhere, unchosen) if can(user, Permission.MANAGE_PEOPLE, candidate)
    }
    assert (in_commune in visible) is decides
    # the other commune's registration: its own officers and the province's
    assert (elsewhere in visible) is (
        (role == Role.PROVINCE_ADMIN and where == "province")
        or (role == Role.COMMUNE_OFFICER and where == "other_commune")
    )
