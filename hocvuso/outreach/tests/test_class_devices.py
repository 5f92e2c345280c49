"""An instructor's phone outside any team (a class-only device): issued from a full browser sign-in to an instructor
(RUN_CLASS) of no team, it reaches the community-class endpoints only — sessions, the people search, attendance —
never the worklist or visits; its authority is checked at every request (the role ended: wiped like an ended
membership), it is revoked and expires like a team member's phone, and its issue and revocation are audited."""

import datetime
import uuid
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hocvuso.accounts.models import RoleAssignment
from hocvuso.accounts.roles import Role
from hocvuso.accounts.tests.factories import RoleAssignmentFactory
from hocvuso.api.tests.conftest import sign_in
from hocvuso.core.errors import NotFound
from hocvuso.core.models import AuditEntry
from hocvuso.outreach.models import ClassAttendance, FieldDevice, Visit
from hocvuso.outreach.services import add_team_member, create_team, issue_class_device, revoke_device
from hocvuso.people.tests.factories import ResidentFactory

from .class_fixtures import weekly_class

DEVICES = reverse("api:field-device-list")
REVOKE = reverse("api:field-device-revoke")
SESSIONS = reverse("api:field-sessions")
ATTENDANCES = reverse("api:field-attendances")
WORKLIST = reverse("api:field-worklist")
VISITS = reverse("api:field-visits")


def _phone(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client


def _attendance(session: Any, resident: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "session": str(session.pk),
        "recorded_at": timezone.now().isoformat(),
        "method": "registry",
        "resident": resident.pk,
    }


def test_an_instructor_of_no_team_registers_a_phone_and_takes_attendance(setup):
    browser = sign_in(APIClient(), setup.instructor)
    issued = browser.post(DEVICES, {"name": "Máy lớp học", "kind": "class"}, format="json")
    assert issued.status_code == 201, issued.content
    body = issued.json()
    assert body["kind"] == "class" and body["team"] is None and body["member"] == setup.instructor.pk
    device = FieldDevice.objects.get(pk=body["id"])
    assert device.membership_id is None and device.user_id == setup.instructor.pk
    phone = _phone(body["token"])

    sessions = phone.get(SESSIONS)
    assert sessions.status_code == 200
    assert sessions.json()["sessions"][0]["id"] == str(setup.today_session.pk)
    assert phone.get(f"/api/v1/field/sessions/{setup.today_session.pk}/people/", {"q": "Cao"}).status_code == 200
    sent = phone.post(ATTENDANCES, {"attendances": [_attendance(setup.today_session, setup.elder)]}, format="json")
    assert sent.status_code == 200 and sent.json()["results"][0]["status"] == 201
    assert ClassAttendance.objects.get(session=setup.today_session).device_id == device.pk
    # Its own listing (the app's sign-out revokes it through the device itself).
    assert [d["id"] for d in phone.get(DEVICES).json()["results"]] == [device.pk]


def test_a_class_device_never_reaches_the_worklist_or_visits(setup, territory):
    # Even an instructor who may record visits (a team member elsewhere) gets nothing there through it.
    RoleAssignmentFactory(user=setup.instructor, role=Role.TEAM_MEMBER, unit=territory.commune)
    _device, token = issue_class_device(user=setup.instructor, name="Máy lớp", actor=setup.instructor)
    phone = _phone(token)
    assert phone.get(WORKLIST).status_code == 404
    visit = {"id": str(uuid.uuid4()), "form_version": 1, "household": 1, "visited_at": timezone.now().isoformat()}
    assert phone.post(VISITS, {"visits": [visit]}, format="json").status_code == 404
    assert Visit.objects.count() == 0
    # Issuing another device from the device itself is refused, as for a team phone.
    assert phone.post(DEVICES, {"name": "Máy khác", "kind": "class"}, format="json").status_code == 403


def test_only_an_instructor_registers_a_class_device_for_themself(setup, territory, make_user):
    learner = sign_in(APIClient(), make_user(Role.LEARNER, territory.commune))
    assert learner.post(DEVICES, {"name": "Máy", "kind": "class"}, format="json").status_code == 404
    member = sign_in(APIClient(), make_user(Role.TEAM_MEMBER, territory.commune))  # no RUN_CLASS
    assert member.post(DEVICES, {"name": "Máy", "kind": "class"}, format="json").status_code == 404
    instructor = sign_in(APIClient(), setup.instructor)
    # Never for a membership, and never with a blank name.
    assert instructor.post(DEVICES, {"name": "Máy", "kind": "class", "membership": 1}, format="json").status_code == 400
    assert instructor.post(DEVICES, {"name": "   ", "kind": "class"}, format="json").status_code == 400
    assert instructor.post(DEVICES, {"name": "Máy", "kind": "phone"}, format="json").status_code == 400
    # A bearer token cannot issue one (a full browser sign-in only); nor another user for the instructor.
    with pytest.raises(NotFound):
        issue_class_device(user=setup.instructor, name="Máy", actor=setup.officer)
    assert FieldDevice.objects.count() == 0


def test_the_device_stops_when_the_instructor_role_ends(setup):
    _device, token = issue_class_device(user=setup.instructor, name="Máy lớp", actor=setup.instructor)
    phone = _phone(token)
    assert phone.get(SESSIONS).status_code == 200
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    RoleAssignment.objects.filter(user=setup.instructor).update(
        valid_from=datetime.date(2026, 1, 1), valid_to=yesterday
    )
    gone = phone.get(SESSIONS)
    assert gone.status_code == 401 and gone.json()["wipe"] is True
    sent = phone.post(ATTENDANCES, {"attendances": [_attendance(setup.today_session, setup.elder)]}, format="json")
    assert sent.status_code == 401 and ClassAttendance.objects.count() == 0


def test_a_deactivated_or_idle_or_revoked_class_device_is_told_to_wipe(setup, settings, make_user, territory):
    device, token = issue_class_device(user=setup.instructor, name="Máy lớp", actor=setup.instructor)
    phone = _phone(token)
    FieldDevice.objects.filter(pk=device.pk).update(
        last_contact_at=timezone.now() - datetime.timedelta(days=settings.OUTREACH_DEVICE_IDLE_DAYS + 1)
    )
    assert phone.get(SESSIONS).json()["wipe"] is True

    second, token = issue_class_device(user=setup.instructor, name="Máy mới", actor=setup.instructor)
    phone = _phone(token)
    # Another instructor cannot revoke it (404, nothing changes), the instructor can; both audited as team phones.
    other = sign_in(APIClient(), make_user(Role.INSTRUCTOR, territory.commune))
    assert other.post(REVOKE, {"device": second.pk}, format="json").status_code == 404
    assert phone.get(SESSIONS).status_code == 200
    assert phone.post(REVOKE, {"device": second.pk}, format="json").status_code == 200  # the app's sign-out
    assert phone.get(SESSIONS).json()["wipe"] is True
    revoke_device(device=FieldDevice.objects.get(pk=second.pk), actor=setup.instructor)  # twice: nothing new
    actions = list(
        AuditEntry.objects.for_object("outreach.fielddevice", second.pk)
        .order_by("pk")
        .values_list("action", "actor_id", "details")
    )
    assert [(action, actor) for action, actor, _details in actions] == [
        ("outreach.issue_device", setup.instructor.pk),
        ("outreach.revoke_device", setup.instructor.pk),
    ]
    assert actions[0][2]["kind"] == "class"

    _third, token = issue_class_device(user=setup.instructor, name="Máy thứ ba", actor=setup.instructor)
    setup.instructor.is_active = False
    setup.instructor.save(update_fields=["is_active"])
    assert _phone(token).get(SESSIONS).json()["wipe"] is True


def test_a_class_device_cannot_take_attendance_at_another_instructors_session(setup, territory, make_user):
    other = make_user(Role.INSTRUCTOR, territory.commune)
    others = weekly_class(type("S", (), {"instructor": other, "course": setup.course}), territory, setup.officer)
    their_session = others.sessions.get(day=timezone.localdate())
    _device, token = issue_class_device(user=setup.instructor, name="Máy lớp", actor=setup.instructor)
    phone = _phone(token)
    assert str(their_session.pk) not in {s["id"] for s in phone.get(SESSIONS).json()["sessions"]}
    assert phone.get(f"/api/v1/field/sessions/{their_session.pk}/people/", {"q": "Cao"}).status_code == 404
    sent = phone.post(ATTENDANCES, {"attendances": [_attendance(their_session, setup.elder)]}, format="json")
    assert sent.status_code == 200 and sent.json()["results"][0]["status"] == 404
    assert ClassAttendance.objects.count() == 0


def test_a_device_has_exactly_one_owner_shape(setup, territory, make_user):
    with transaction.atomic(), pytest.raises(IntegrityError):
        FieldDevice.objects.create(name="Không chủ", prefix="0000aaaa", secret_hash="0" * 64)
    membership_owner = make_user(Role.TEAM_MEMBER, territory.commune)

    team = create_team(commune=territory.commune, name="Tổ Một", leader=setup.officer, actor=None)
    membership = add_team_member(
        team=team,
        user=membership_owner,
        resident=ResidentFactory(village=territory.village),
        valid_from=datetime.date(2026, 1, 1),
        actor=None,
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        FieldDevice.objects.create(
            name="Hai chủ", prefix="0000bbbb", secret_hash="0" * 64, membership=membership, user=membership_owner
        )
