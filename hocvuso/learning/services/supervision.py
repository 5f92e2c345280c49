"""Supervised mode: an instructor at a community class opens a session with a 6-digit PIN; learners without
their own phone take the final assessment on the class device once the instructor enters the PIN."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import units_visible_to
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.services import record_audit

from ..models import Assessment, SupervisedSession

MAX_VALID_HOURS = 8
MAX_FAILED_PINS = 10


@dataclass(frozen=True)
class OpenedSession:
    """A new supervised session and its PIN — shown once to the instructor, stored only as a keyed hash."""

    session: SupervisedSession
    pin: str


def _pin_hash(session_id: Any, pin: str) -> str:
    message = f"learning.supervised-session:{session_id}:{pin}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def open_supervised_session(
    *,
    instructor: Any,
    unit_code: str,
    assessment: Assessment | None = None,
    class_session: str = "",
    valid_hours: int = 3,
) -> OpenedSession:
    """Open a supervised session for a unit the instructor may run classes in (Permission.RUN_CLASS in that
    unit's subtree), optionally for one final assessment and tied to a community class session (a reference
    kept as text until outreach classes exist). Returns the session and its fresh 6-digit PIN, valid for
    ``valid_hours`` (1–8). Raises NotFound for a unit outside the instructor's scope (or missing), DomainError
    for a bad duration or a practice quiz."""
    unit = units_visible_to(instructor, Permission.RUN_CLASS).filter(code=unit_code).first()
    if unit is None:
        raise NotFound(_("Không tìm thấy địa bàn."))
    if not 1 <= valid_hours <= MAX_VALID_HOURS:
        raise DomainError(
            _("Thời hạn mã PIN phải từ 1 đến %(max)s giờ.") % {"max": MAX_VALID_HOURS}, field="valid_hours"
        )
    if assessment is not None and not assessment.is_final:
        raise DomainError(_("Chỉ bài đánh giá cuối khóa mới làm có giám sát."), field="assessment")
    pin = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    session = SupervisedSession(
        instructor=instructor,
        unit=unit,
        assessment=assessment,
        class_session=str(class_session)[:64],
        opened_at=now,
        expires_at=now + timedelta(hours=valid_hours),
    )
    session.pin_hash = _pin_hash(session.pk, pin)
    session.save()
    record_audit(
        actor=instructor,
        action="learning.supervised_session_opened",
        target=session,
        details={"unit": unit.code, "hours": valid_hours},
    )
    return OpenedSession(session=session, pin=pin)


@transaction.atomic
def close_supervised_session(*, instructor: Any, session_id: Any) -> SupervisedSession:
    """Close a supervised session early (its PIN stops working). The instructor who opened it, or anyone who
    may run classes in its unit, may close it. Raises NotFound otherwise or when it does not exist."""
    session = _visible_session(instructor, session_id)
    if session.closed_at is None:
        session.closed_at = timezone.now()
        session.save(update_fields=["closed_at"])
        record_audit(actor=instructor, action="learning.supervised_session_closed", target=session)
    return session


def _session(session_id: Any) -> SupervisedSession | None:
    try:
        key = session_id if isinstance(session_id, uuid.UUID) else uuid.UUID(str(session_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return SupervisedSession.objects.select_related("instructor", "unit").filter(pk=key).first()


def _visible_session(user: Any, session_id: Any) -> SupervisedSession:
    session = _session(session_id)
    if session is None:
        raise NotFound(_("Không tìm thấy buổi kiểm tra."))
    if session.instructor_id == user.pk:
        return session
    if units_visible_to(user, Permission.RUN_CLASS).filter(pk=session.unit_id).exists():
        return session
    raise NotFound(_("Không tìm thấy buổi kiểm tra."))


def verify_supervision(*, session_id: Any, pin: Any, assessment: Assessment, learner: Any) -> SupervisedSession:
    """The open supervised session whose PIN this is, for this assessment. A wrong PIN is counted (in its own
    transaction, so the count stays when the caller's work is refused) and after MAX_FAILED_PINS the session is
    locked. Raises DomainError with a clear message: unknown session, expired or closed, locked, for another
    assessment, wrong PIN, or an instructor who may no longer run classes in the unit."""
    session = _session(session_id)
    if session is None or not isinstance(pin, str) or not pin:
        raise DomainError(_("Cần mã PIN của người giám sát để làm bài tại lớp."), code="pin_required")
    now = timezone.now()
    if not session.is_open_at(now):
        raise DomainError(_("Mã PIN đã hết hạn hoặc buổi kiểm tra đã đóng. Hãy nhờ người giám sát mở buổi mới."),
                          code="pin_expired")  # fmt: skip
    if session.failed_pins >= MAX_FAILED_PINS:
        raise DomainError(_("Buổi kiểm tra đã bị khóa vì nhập sai mã PIN quá nhiều lần."), code="pin_locked")
    if not hmac.compare_digest(session.pin_hash, _pin_hash(session.pk, pin.strip())):
        with transaction.atomic():
            SupervisedSession.objects.filter(pk=session.pk).update(failed_pins=F("failed_pins") + 1)
            record_audit(actor=learner, action="learning.supervised_pin_wrong", target=session)
        raise DomainError(_("Mã PIN không đúng."), code="pin_wrong")
    if session.assessment_id is not None and session.assessment_id != assessment.pk:
        raise DomainError(_("Buổi kiểm tra này dành cho một bài đánh giá khác."), code="pin_other_assessment")
    if not units_visible_to(session.instructor, Permission.RUN_CLASS).filter(pk=session.unit_id).exists():
        raise DomainError(_("Người giám sát không còn phụ trách lớp ở địa bàn này."), code="pin_expired")
    return session
