"""`make run` loads the demo: each demo account sees exactly its role's scope."""

from collections import Counter

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from hocvuso.accounts.access import units_visible_to
from hocvuso.accounts.models import User
from hocvuso.credentials.models import Certificate
from hocvuso.demo.services import DEMO_RESIDENTS, load_demo
from hocvuso.indicators.models import IndicatorFact, VneidCertification
from hocvuso.outreach.models import Team, Visit
from hocvuso.people.models import Resident
from hocvuso.reporting.models import Report, ReportStatus
from hocvuso.reporting.selectors import recent_quarters, reporting_rate
from hocvuso.territory.models import AdministrativeUnit


@pytest.mark.django_db
def test_each_demo_account_sees_only_its_scope(client):
    accounts = load_demo()
    again = load_demo()  # idempotent: nothing is created twice

    assert [a.username for a in again] == [a.username for a in accounts]
    # the demo authenticators' secrets are random (never derived from the username) and kept between runs
    keys = {account.username: account.totp_key for account in accounts if account.totp_key}
    assert len(keys) == 6 and len(set(keys.values())) == 6
    assert all(key and username.encode().hex() not in key for username, key in keys.items())
    assert keys == {account.username: account.totp_key for account in again if account.totp_key}
    assert Resident.objects.count() == DEMO_RESIDENTS
    # the demo's certificates: learners of the demo commune (accounts nobody signs in with) and the demo learner
    field = User.objects.filter(username__regex=r"^(tnv|totruong)\.")  # the demo teams' members (demo/outreach.py)
    assert field.count() == field.filter(password__startswith="!").count() == 14
    assert User.objects.exclude(username__startswith="demo.hocvien.").exclude(pk__in=field).count() == 7
    # the demo teams: months of visits, counted by the dashboard's facts like any other change
    assert Team.objects.count() == 4 and Visit.objects.count() > 400
    visits = IndicatorFact.objects.get(unit__code="68", day=timezone.localdate(), indicator__code="households-visited")
    assert 0 < visits.numerator < visits.denominator
    assert User.objects.filter(username__startswith="demo.hocvien.", password__startswith="!").count() == 120
    assert Certificate.objects.count() == 121 and Certificate.objects.filter(user__username="nguoihoc").count() == 1
    assert Certificate.objects.filter(status="revoked").count() == 4
    assert Certificate.objects.filter(status="suspended").count() == 2
    assert VneidCertification.objects.count() == 76  # two in three of the 114 left valid (none of the learner)
    certified = IndicatorFact.objects.get(
        unit__code="68", day=timezone.localdate(), indicator__code="adults-certified-vneid"
    )
    assert certified.numerator == 76
    assert Resident.objects.filter(user__username="nguoihoc").count() == 1
    # the dashboards have today's figures without waiting for a worker: the province's residents are counted
    facts = IndicatorFact.objects.filter(
        unit__code="68", day=timezone.localdate(), indicator__population="residents_aged"
    )
    assert facts.exists()
    assert all(fact.denominator > 0 for fact in facts)
    province_units = AdministrativeUnit.objects.filter(path__startswith="/68/").count()
    expected = {
        # username: (units visible, a unit page it may open, a unit page it may not open)
        "admin.tinh": (province_units, "68", "01"),
        "canbo.xa": (AdministrativeUnit.objects.filter(path__startswith="/68/24631/").count(), "24631", "68"),
        "totruong": (AdministrativeUnit.objects.filter(path__startswith="/68/24631/").count(), "24631", "24751"),
        "giangvien": (AdministrativeUnit.objects.filter(path__startswith="/68/24631/").count(), "24631.002", "24670"),
        "tinhnguyenvien": (1, "24631.001", "24631.002"),
        "canbo.noivu": (0, None, "24631"),
        "nguoihoc": (0, None, "24631"),
    }
    for account in accounts:
        user = User.objects.get(username=account.username)
        visible, allowed, denied = expected[account.username]
        assert units_visible_to(user).count() == visible, account.username
        client.force_login(user)
        home = client.get("/")
        assert home.status_code == 200
        if account.scope != "—":
            assert account.scope in home.content.decode(), account.username
        if allowed:
            assert client.get(f"/don-vi/{allowed}/").status_code == 200, account.username
        assert client.get(f"/don-vi/{denied}/").status_code == 404, account.username
        client.logout()

    # quarterly reports (issue 15): three past quarters sent (some late, one returned), the current one's drafts
    province = AdministrativeUnit.objects.get(code="68", level="province")
    current, *past = recent_quarters(count=4)
    statuses = {
        str(quarter): Counter(
            Report.objects.filter(year=quarter.year, quarter=quarter.number).values_list("status", flat=True)
        )
        for quarter in (current, *past)
    }
    assert set(statuses[str(current)]) == {ReportStatus.DRAFT}, statuses
    for quarter in past:
        assert statuses[str(quarter)][ReportStatus.ACCEPTED] > 0 and not statuses[str(quarter)][ReportStatus.DRAFT]
        rate = reporting_rate(quarter, province=province)
        assert 0 < rate.on_time < rate.submitted <= rate.expected  # some late, never above 100%
    assert sum(counts[ReportStatus.RETURNED] for counts in statuses.values()) == 1
    assert Report.objects.filter(status=ReportStatus.ACCEPTED, is_late=True).exists()


@pytest.mark.django_db
def test_load_demo_refuses_settings_that_do_not_allow_demo_data(settings):
    settings.ALLOW_DEMO_DATA = False

    with pytest.raises(ImproperlyConfigured):
        load_demo()

    assert (User.objects.count(), Resident.objects.count(), AdministrativeUnit.objects.count()) == (0, 0, 0)
