"""`make run` loads the demo: each demo account sees exactly its role's scope."""

import re
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from hocvuso.accounts.access import units_visible_to
from hocvuso.accounts.models import User
from hocvuso.core.models import AuditEntry
from hocvuso.credentials.models import Certificate
from hocvuso.demo.classes import DEMO_CLASS_SIZE
from hocvuso.demo.services import DEMO_RESIDENTS, load_demo
from hocvuso.indicators.models import IndicatorFact, IndicatorKind, VneidCertification
from hocvuso.indicators.selectors import TREND_WEEKS, Quarter, Status, emulation_ranking, unit_dashboard
from hocvuso.indicators.services import refresh_facts
from hocvuso.learning.models import Enrolment, LessonCompletion, LiteracyStatus, SupervisedSession
from hocvuso.outreach.models import ClassAttendance, CommunityClass, Event, HouseholdAssignment, Team, Visit, WalkIn
from hocvuso.outreach.rules import rules
from hocvuso.outreach.tests.rule_count import digital_family_households
from hocvuso.outreach.visits import record_visit
from hocvuso.people.models import Household, Membership, MembershipKind, Organisation, Resident
from hocvuso.reporting.models import Report, ReportStatus
from hocvuso.reporting.selectors import recent_quarters, reporting_rate
from hocvuso.territory.models import AdministrativeUnit

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_first_day() -> dict[str, list[str]]:
    """The README's "A first day, role by role": each demo user it names, with the addresses given for them."""
    section = README.read_text(encoding="utf-8").split("### A first day, role by role", 1)[1].split("\n## ", 1)[0]
    pages: dict[str, list[str]] = {}
    for item in section.split("\n- ")[1:]:
        username = re.match(r"\*\*([a-z.]+)\*\*", item)
        assert username, item
        pages[username.group(1)] = ["/", *re.findall(r"`(/[^`<>\s]*)`", item)]
    return pages


def test_the_readme_names_each_demo_account_and_its_pages():
    pages = readme_first_day()
    assert set(pages) == {
        "admin.tinh",
        "canbo.xa",
        "canbo.noivu",
        "totruong",
        "tinhnguyenvien",
        "giangvien",
        "nguoihoc",
    }
    assert all(len(paths) > 1 for paths in pages.values()), pages


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
    # the demo teams' members (demo/outreach.py): accounts without a password until their leader gives them one
    field = User.objects.filter(username__regex=r"^(tnv|totruong)\.")
    assert field.count() == field.filter(password__startswith="!").count() == 14
    # the movement's learners (accounts nobody signs in with, each linked to its own record) and the 7 demo accounts
    # the other communes' class instructors: those of the community classes, and of the communes whose replayed
    # class-assessed learners sat their final assessment supervised (demo/history.py); nobody signs in with them
    teachers = User.objects.filter(username__startswith="giangvien.")
    assert teachers.count() == teachers.filter(password__startswith="!").count() > 3
    supervisors = set(SupervisedSession.objects.values_list("instructor", flat=True))
    assert supervisors <= {*teachers.values_list("pk", flat=True), User.objects.get(username="giangvien").pk}
    assert not LiteracyStatus.objects.filter(resident__user__username__startswith="demo.hocvien.", attempt=None)
    others = User.objects.exclude(username__startswith="demo.hocvien.").exclude(pk__in=field).exclude(pk__in=teachers)
    assert others.count() == 7 + DEMO_CLASS_SIZE
    # weekly community classes (demo/community_classes.py): months of attended sessions, two walk-ins to confirm,
    # the classes counted by the dashboard's facts; one commune's class has ended (flagged this week)
    assert CommunityClass.objects.count() == 4 and ClassAttendance.objects.count() > 400
    assert WalkIn.objects.filter(status="pending", attendance__commune__code="24631").count() == 2
    held = IndicatorFact.objects.get(unit__code="68", day=timezone.localdate(), indicator__code="weekly-classes-held")
    assert 0 < held.numerator <= 3 < held.denominator
    # the demo teams: months of visits, counted by the dashboard's facts like any other change
    assert Team.objects.count() == 4 and Visit.objects.count() > 400
    visits = IndicatorFact.objects.get(unit__code="68", day=timezone.localdate(), indicator__code="households-visited")
    assert 0 < visits.numerator < visits.denominator
    # the visits dated in the replayed past weeks are in those weeks' facts: the trends of visits are not flat at 0
    dashboard = unit_dashboard(
        user=User.objects.get(username="admin.tinh"), unit=AdministrativeUnit.objects.get(code="68")
    )
    for code in ("household-visits", "households-visited", "active-digital-teams"):
        figure = dashboard.unit.figure(code)
        assert figure is not None, code
        past = [point.value for point in figure.trend[:-1]]
        assert len(past) == TREND_WEEKS - 1 and all(value for value in past), (code, past)
    reached = [point.value for point in dashboard.unit.figure("households-visited").trend]
    assert reached == sorted(reached) and reached[0] < reached[-1]  # households reached only grow
    # classes, events and traders are made before the replay too: their trends have past points, not 0 then a jump
    for code in ("weekly-classes-held", "class-attendance", "learning-events", "traders-trained"):
        past = [point.value for point in dashboard.unit.figure(code).trend[:-1]]
        assert len([value for value in past if value]) >= len(past) // 2, (code, past)
    # the activities (demo/activities.py): recognised digital families, markets with traders, two festivals
    today = timezone.localdate()
    families = IndicatorFact.objects.get(unit__code="24631", day=today, indicator__code="digital-families")
    assert 0 < families.numerator < families.denominator
    # the history's guiding visits (demo/history.py): the families' trend rises through the past weeks, and the rule's
    # facts equal a plain recount of the rows (outreach/tests/rule_count.py), also once refreshed incrementally
    trend = [point.value for point in dashboard.unit.figure("digital-families").trend]
    assert trend == sorted(trend) and 0 < trend[len(trend) // 2] < trend[-2], trend
    _assert_families_recounted(today)
    looked_after = HouseholdAssignment.objects.filter(household__village__parent__code="24631", valid_to__isnull=True)
    resident = (
        Resident.objects.filter(
            pk__in=LiteracyStatus.objects.values("resident_id"), household__in=looked_after.values("household_id")
        )
        .exclude(household__in=digital_family_households(rules().digital_family))
        .order_by("pk")
        .first()
    )
    assert resident is not None
    member = looked_after.select_related("membership__user").get(household=resident.household_id).membership.user
    record_visit(
        visit_id=uuid.uuid4(),
        form_version=1,
        household=resident.household,
        visited_at=timezone.now(),
        actor=member,
        outcomes=[(resident.pk, "guides_family"), (resident.pk, "installed_vneid")],
    )
    assert refresh_facts().kind == "incremental"
    _assert_families_recounted(today, expected=families.numerator + 1)
    markets = IndicatorFact.objects.get(unit__code="24631", day=today, indicator__code="digital-markets")
    traders = IndicatorFact.objects.get(unit__code="24631", day=today, indicator__code="traders-trained")
    assert (markets.numerator, markets.denominator) == (1, 3) and 0 < traders.numerator < traders.denominator == 24
    assert Event.objects.filter(kind="festival").count() == 2 and Event.objects.count() == 4
    # the instructor's class: accounts they made for residents of the demo commune, enrolled, some part-way through
    instructor = User.objects.get(username="giangvien")
    made = AuditEntry.objects.get(action="accounts.make_class_accounts", actor=instructor)
    students = Resident.objects.filter(pk__in=made.details["residents"])
    assert students.count() == DEMO_CLASS_SIZE and {r.village.parent.code for r in students} == {"24631"}
    enrolments = Enrolment.objects.filter(resident__in=students)
    assert enrolments.count() == DEMO_CLASS_SIZE and enrolments.filter(completed_at__isnull=False).exists()
    assert LessonCompletion.objects.filter(user__resident__in=students).count() > DEMO_CLASS_SIZE
    assert SupervisedSession.objects.filter(instructor=instructor).exists()
    learners = User.objects.filter(username__startswith="demo.hocvien.")
    assert learners.count() > 1000 and not learners.exclude(password__startswith="!").exists()
    # certificates: the demo commune's first confirmations (at most 120) and the demo learner's
    issued = Certificate.objects.exclude(user__username="nguoihoc").count()
    assert 0 < issued <= 120 and Certificate.objects.filter(user__username="nguoihoc").count() == 1
    assert Certificate.objects.filter(status="revoked").count() == 4
    assert Certificate.objects.filter(status="suspended").count() == 2
    certified = IndicatorFact.objects.get(
        unit__code="68", day=timezone.localdate(), indicator__code="adults-certified-vneid"
    )
    assert 0 < certified.numerator <= VneidCertification.objects.count()
    # the learner's account is their own record's: the greeting and "Dữ liệu của tôi" show the same person
    learner = User.objects.get(username="nguoihoc")
    own = Resident.objects.get(user=learner)
    assert learner.full_name == own.full_name == next(a.full_name for a in accounts if a.username == "nguoihoc")
    client.force_login(learner)
    mine = client.get("/du-lieu-cua-toi/").content.decode()
    assert own.full_name in mine and learner.full_name in client.get("/").content.decode()
    client.logout()
    _assert_the_story(accounts)
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

    # a newcomer following the README's "A first day, role by role" reaches each page it names as that user
    for username, paths in readme_first_day().items():
        client.force_login(User.objects.get(username=username))
        for path in paths:
            response = client.get(path, follow=True)
            reached = [url for url, _status in response.redirect_chain]
            assert response.status_code == 200 and not any("dang-nhap" in url for url in reached), (username, path)
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


def _assert_families_recounted(today, expected=None):
    """The digital-family facts of today (province and the demo commune) equal the rule counted in plain Python."""
    recount = digital_family_households(rules().digital_family)
    province = IndicatorFact.objects.get(unit__code="68", day=today, indicator__code="digital-families")
    commune = IndicatorFact.objects.get(unit__code="24631", day=today, indicator__code="digital-families")
    in_commune = Household.objects.filter(pk__in=recount, village__parent__code="24631").count()
    assert province.numerator == len(recount) and commune.numerator == in_commune > 0
    assert expected is None or commune.numerator == expected


def _assert_the_story(accounts):
    """Issue 11: the province dashboard tells the movement's story — every plan target above 0, a trend of 13
    weekly points, places ahead of and behind target, an emulation ranking with distinct scores; the agency has its
    staff roster, the commune's school its students and an enterprise its workers."""
    admin = User.objects.get(username="admin.tinh")
    province = AdministrativeUnit.objects.get(code="68", level="province")
    dashboard = unit_dashboard(user=admin, unit=province)
    outcomes = [figure for figure in dashboard.unit.figures if figure.indicator.kind == IndicatorKind.OUTCOME]
    assert len(outcomes) == 7
    for figure in outcomes:
        assert figure.value is not None and figure.value > 0, figure.indicator.code
        assert len([point for point in figure.trend if point.value is not None]) == TREND_WEEKS >= 9
        values = [point.value for point in figure.trend]
        assert values[-1] > values[0] and figure.pace is not None and figure.pace > 0, figure.indicator.code
    # activity indicators whose source is not built say so, never 0
    assert all(f.status == Status.NO_SOURCE for f in dashboard.unit.figures if not f.indicator.computable)
    adults = [row.figure("adults-digital-skills") for row in dashboard.children]
    statuses = Counter(figure.status for figure in adults if figure is not None)
    ahead, behind = (
        statuses[Status.MET] + statuses[Status.ON_TRACK],
        statuses[Status.AT_RISK] + statuses[Status.OFF_TRACK],
    )
    assert ahead > 5 and behind > 5, statuses
    ranking = emulation_ranking(user=admin, level="commune", quarter=Quarter.of(timezone.localdate()))
    scores = [entry.score for entry in ranking.entries if entry.score is not None]
    assert len(scores) > 100 and len(set(scores)) > len(scores) // 2 and max(scores) > min(scores) + 20
    assert len({entry.rank for entry in ranking.entries}) > 50
    organisations = emulation_ranking(user=admin, level="organisation", quarter=Quarter.of(timezone.localdate()))
    assert len({entry.score for entry in organisations.entries if entry.score is not None}) > 20
    agency = Organisation.objects.get(code="SNV-68")
    assert Membership.objects.filter(organisation=agency, kind=MembershipKind.STAFF).count() == 40
    commune = Organisation.objects.filter(unit__code="24631")
    assert Membership.objects.filter(organisation__in=commune.filter(kind="school"), kind="student").exists()
    assert Membership.objects.filter(organisation__in=commune.filter(kind="enterprise"), kind="worker").exists()
