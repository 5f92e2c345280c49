"""Finding a resident by their full national ID: only for staff who may see full IDs, a few times an hour, and
always in the audit log.

Why: the screen shows a masked ID and the birth date. The ID's first six digits are the province where the birth
was registered, a century-and-sex digit and the birth year (national_id.py), so whoever sees the mask already
knows most of the number. A search by full ID that anyone could repeat would complete the mask by trial (the
attack reported in issue 8: `********1993` and the birth year left at most 100 candidates). So: the mask shows
only the last three digits (`Resident.masked_national_id`: with the province guessed, 1,000 candidates; else
about 63,000); searching by a full ID needs MANAGE_PEOPLE — the permission that may reveal the ID anyway — and
finds only residents the user may reveal; each search is audited, and at most NATIONAL_ID_SEARCH_LIMIT (20) are
allowed per user in NATIONAL_ID_SEARCH_WINDOW_SECONDS (an hour).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.access import has_permission
from hocvuso.accounts.roles import Permission
from hocvuso.core.crypto import lookup_hash
from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditEntry
from hocvuso.core.services import record_audit

from .models import Resident

SEARCHED = "people.search_national_id"
REFUSED = "people.search_national_id_refused"
THROTTLED = "people.search_national_id_throttled"


def may_search_by_national_id(user: Any) -> bool:
    """True when the user may search by a full national ID: they hold MANAGE_PEOPLE (and may reveal IDs)."""
    return has_permission(user, Permission.MANAGE_PEOPLE)


def search_by_national_id(*, user: Any, national_id: str) -> QuerySet[Resident]:
    """The residents with this (normalised, 12-digit) national ID whom the user may manage — at most one.

    Every call is audited, without the number: SEARCHED when the search ran, REFUSED or THROTTLED when it did not.
    Raises DomainError (code "id_search_not_allowed") for a user without MANAGE_PEOPLE, and (code "throttled")
    when the user has used their NATIONAL_ID_SEARCH_LIMIT searches of the window: counting and recording happen
    under the user's row lock, so parallel requests cannot exceed it.
    """
    if not may_search_by_national_id(user):
        with transaction.atomic():
            record_audit(actor=user, action=REFUSED, object_type="people.resident")
        message = _(
            "Chỉ cán bộ được xem số định danh đầy đủ mới tìm được theo số định danh. Hãy tìm theo họ tên hoặc mã hộ."
        )
        raise DomainError(message, code="id_search_not_allowed")
    window = timedelta(seconds=settings.NATIONAL_ID_SEARCH_WINDOW_SECONDS)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        recent = AuditEntry.objects.filter(actor=user, action=SEARCHED, at__gte=timezone.now() - window)
        times = list(recent.order_by("at").values_list("at", flat=True)[: settings.NATIONAL_ID_SEARCH_LIMIT])
        if len(times) >= settings.NATIONAL_ID_SEARCH_LIMIT:
            record_audit(actor=user, action=THROTTLED, object_type="people.resident")
            until = timezone.localtime(times[0] + window)
            throttled = DomainError(
                _("Bạn đã tìm theo số định danh %(limit)d lần trong một giờ. Hãy thử lại sau %(time)s.")
                % {"limit": settings.NATIONAL_ID_SEARCH_LIMIT, "time": until.strftime("%H:%M")},
                code="throttled",
            )
        else:
            throttled = None
            found = Resident.objects.visible_to(user, Permission.MANAGE_PEOPLE).filter(
                national_id_hash=lookup_hash(national_id)
            )
            ids = list(found.values_list("pk", flat=True)[:1])
            record_audit(
                actor=user,
                action=SEARCHED,
                object_type="people.resident",
                object_id=ids[0] if ids else "",
                details={"found": bool(ids)},
            )
    if throttled is not None:
        raise throttled
    return Resident.objects.filter(pk__in=ids)
