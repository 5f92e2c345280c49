"""Pinned query counts: a list costs the same number of queries for 1 row or 50.

With a token: 1 token (+ user) + 1 role assignments + 1 count + 1 page. A session costs 2 more (session, user)
and 1 for the verified second-factor device.
"""

import pytest
from django.urls import reverse

from hocvuso.accounts.roles import Role
from hocvuso.core.services import record_audit
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.territory.tests import factories as units


@pytest.fixture
def many_rows(territory):
    for number in range(50):
        units.village(territory.commune, code=f"24631.{100 + number}", name=f"Thôn {number}")
        OrganisationFactory(unit=territory.village)
        record_audit(actor=None, action="test.row", details={"number": number})


@pytest.fixture
def admin_token(token_for, province_admin, territory):
    OrganisationFactory(unit=territory.village)  # every list has at least one row (an empty one skips its page query)
    client = token_for(province_admin)  # (its issue is an audit entry, and a token to list)
    client.get(reverse("api:me"))  # the first use records last_used_at; later ones within a minute do not
    return client


@pytest.mark.parametrize("with_rows", [False, True])
@pytest.mark.parametrize(
    ("name", "kwargs", "queries"),
    [
        ("api:me", {}, 2),
        ("api:unit-list", {}, 4),
        ("api:unit-detail", {"code": "24631"}, 3),
        ("api:unit-children", {"code": "24631"}, 5),
        ("api:organisation-list", {}, 4),
        ("api:audit-entry-list", {}, 4),
        ("api:token-list", {}, 3),
    ],
)
def test_queries_with_a_token(request, admin_token, django_assert_num_queries, name, kwargs, queries, with_rows):
    if with_rows:
        request.getfixturevalue("many_rows")

    with django_assert_num_queries(queries):
        response = admin_token.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200


@pytest.mark.parametrize("with_rows", [False, True])
def test_queries_with_a_verified_session(request, session_for, province_admin, django_assert_num_queries, with_rows):
    if with_rows:
        request.getfixturevalue("many_rows")
    client = session_for(province_admin)

    with django_assert_num_queries(6):
        response = client.get(reverse("api:unit-list"))

    assert response.status_code == 200


def test_me_with_an_organisation_role_costs_one_more_query(token_for, make_user, django_assert_num_queries, territory):
    organisation = OrganisationFactory(unit=territory.commune)
    client = token_for(make_user(Role.AGENCY_OFFICER, organisation=organisation))
    client.get(reverse("api:me"))

    with django_assert_num_queries(3):
        response = client.get(reverse("api:me"))

    assert response.json()["roles"][0]["organisation"]["code"] == organisation.code
