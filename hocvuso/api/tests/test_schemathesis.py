"""The API against its own OpenAPI document, with Schemathesis: every operation, inputs the schema allows and
inputs it forbids, every check Schemathesis has (no server error, status codes, content types, headers and bodies
as documented, forbidden input refused, allowed input accepted, unsupported methods, authentication enforced…),
for three callers — anonymous, a commune officer and the province administrator (each with an API token) —
against the live test server (pytest-django's `live_server`), so the API and its schema cannot drift apart.

Kept to about a minute: HOCVUSO_SCHEMATHESIS_EXAMPLES examples per operation and caller (default 12).
"""

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from hocvuso.api.models import ApiToken
from hocvuso.api.services import issue_api_token
from hocvuso.people.tests.factories import OrganisationFactory
from hocvuso.reporting.tests.factories import make_report
from hocvuso.territory.tests import factories as units

EXAMPLES = int(os.environ.get("HOCVUSO_SCHEMATHESIS_EXAMPLES", "12"))

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())


class Callers:
    """The tokens of the three callers, each kept usable: a generated DELETE may revoke the token it was sent
    with (a token may revoke itself), which would leave the rest of the run anonymous."""

    def __init__(self) -> None:
        province = units.province(code="68", name="Lâm Đồng")
        commune = units.commune(province, code="24631", name="Xã Quảng Khê")
        units.village(commune, code="24631.001", name="Thôn 1")
        other = units.commune(province, code="24751", name="Xã Nhân Cơ")
        units.village(other, code="24751.001", name="Thôn 3")
        agency = OrganisationFactory(unit=province)
        OrganisationFactory(unit=commune)
        # a commune's report, an agency's (no unit: null) and the province's consolidated one
        make_report(unit=commune)
        make_report(organisation=agency)
        make_report(unit=province, kind="consolidated")
        self.tokens: dict[str, tuple[ApiToken, str]] = {}
        for identity, role, unit in [
            ("commune_officer", Role.COMMUNE_OFFICER, commune),
            ("province_admin", Role.PROVINCE_ADMIN, province),
        ]:
            user: User = UserFactory(username=identity.replace("_", "."))
            RoleAssignmentFactory(user=user, role=role, unit=unit)
            issue_api_token(user=user, name="Tích hợp")  # a second token, for the DELETE of another one
            issued = issue_api_token(user=user, name="Schemathesis")
            self.tokens[identity] = (issued.token, issued.plain_text)

    def headers(self, identity: str) -> dict[str, str]:
        if identity == "anonymous":
            return {}
        token, plain_text = self.tokens[identity]
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
        return {"Authorization": f"Bearer {plain_text}"}


@pytest.fixture
def callers(transactional_db: None) -> Callers:
    return Callers()


def _run_every_operation(live_server: Any, callers: Callers, identity: str) -> None:
    """Every operation of the schema the live server serves, in both generation modes, EXAMPLES cases each (fewer
    where the schema allows fewer); every failure of every operation is collected, then reported together."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and operation.definition.raw.get("x-per-item-results"):
                # A batch whose items are judged one by one (POST field/visits/): a bad item is reported in the
                # 200 answer, by design (tested in hocvuso/outreach/tests/test_api.py), not refused as a whole.
                continue

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: Any) -> None:
                case.call_and_validate(headers=callers.headers(identity), checks=ALL_CHECKS)

            try:
                check()
            except Exception as error:  # a Schemathesis failure group, or an assertion of a check
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {error}")
    assert operations >= 12, f"the schema lists only {operations} operations"
    assert not failures, f"{identity}:\n" + "\n\n".join(failures)


def test_the_api_keeps_its_schema_for_an_anonymous_caller(live_server: Any, callers: Callers) -> None:
    _run_every_operation(live_server, callers, "anonymous")


def test_the_api_keeps_its_schema_for_a_commune_officer(live_server: Any, callers: Callers) -> None:
    _run_every_operation(live_server, callers, "commune_officer")


def test_the_api_keeps_its_schema_for_the_province_administrator(live_server: Any, callers: Callers) -> None:
    _run_every_operation(live_server, callers, "province_admin")
