"""Shared fixtures: a small territory (two provinces, communes, villages) and users holding each role.

The database is the one DATABASE_URL names: PostgreSQL in CI, SQLite in memory by default.
"""

import os
from collections.abc import Callable, Generator
from typing import Any

import pytest

from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from hocvuso.accounts.tests.sessions import SignInClient
from hocvuso.indicators.models import Indicator, RankingWeight, Target
from hocvuso.indicators.plan_data import apply_plan_indicators
from hocvuso.territory.models import AdministrativeUnit
from hocvuso.territory.tests import factories as units

# Where every part a test needs is present (CI: .ci/run), a skipped test is a test that did not run: fail it.
FORBID_SKIPS = os.environ.get("HOCVUSO_FORBID_SKIPS", "") == "1"


def _forbid(report: Any) -> None:
    if FORBID_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped where nothing may be skipped (HOCVUSO_FORBID_SKIPS=1): {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    _forbid(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    _forbid(outcome.get_result())


@pytest.fixture(autouse=True)
def plan_indicators(request: pytest.FixtureRequest) -> None:
    """The plan's indicators, targets and weights (applied from hocvuso/indicators/data/plan_indicators.yaml by
    migration 0002, as on every real database), put back for every database test when a transactional test of the
    session (or of a previous session, with --reuse-db) flushed them away."""
    if "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    if not Indicator.objects.exists():
        apply_plan_indicators(indicators=Indicator, targets=Target, weights=RankingWeight)


class Territory:
    """Province P with communes C1 (villages V1a, V1b) and C2 (village V2a); province Q with commune D1."""

    def __init__(self) -> None:
        self.province = units.province(code="68", name="Lâm Đồng")
        self.commune = units.commune(self.province, code="24631", name="Xã Quảng Khê")
        self.village = units.village(self.commune, code="24631.001", name="Thôn 1")
        self.village_b = units.village(self.commune, code="24631.002", name="Bon Bu Đăng")
        self.other_commune = units.commune(self.province, code="24751", name="Xã Nhân Cơ")
        self.other_village = units.village(self.other_commune, code="24751.001", name="Thôn 3")
        self.other_province = units.province(code="01", name="Thành phố Hà Nội", kind="thành phố trung ương")
        self.far_commune = units.commune(self.other_province, code="00004", name="Phường Ba Đình", kind="phường")


@pytest.fixture
def client() -> SignInClient:
    """The test client; `force_login` signs staff in as the sign-in does, with their verified second factor
    (`force_login(user, second_factor=False)` for a session that never passed it)."""
    return SignInClient()


@pytest.fixture
def territory(db: None) -> Territory:
    return Territory()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """Make a user holding `role` over `unit` or `organisation` (no role: a plain account)."""

    def make(
        role: str | None = None,
        unit: AdministrativeUnit | None = None,
        organisation: object = None,
        **kwargs: object,
    ) -> User:
        user = UserFactory(**kwargs)
        if role is not None:
            RoleAssignmentFactory(user=user, role=role, unit=unit, organisation=organisation)
        return user

    return make


@pytest.fixture
def province_admin(territory: Territory, make_user: Callable[..., User]) -> User:
    return make_user(Role.PROVINCE_ADMIN, territory.province)


@pytest.fixture
def commune_officer(territory: Territory, make_user: Callable[..., User]) -> User:
    return make_user(Role.COMMUNE_OFFICER, territory.commune)


@pytest.fixture(scope="session", autouse=True)
def pdf_converter() -> Generator[None, None, None]:
    """The PDF converter a test's first PDF starts (hocvuso/reporting/documents/pdf.py) is kept for the session's
    other PDFs and stopped, with its LibreOffice, when the session ends."""
    from hocvuso.reporting.documents.pdf import stop_converter

    yield
    stop_converter()
