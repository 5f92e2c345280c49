"""Reads of the core app: the audit log, filtered for the administrator's browser."""

from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from .models import AuditEntry, AuditEntryQuerySet


def filter_audit_entries(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> AuditEntryQuerySet:
    """Audit entries matching every given filter, newest first; empty filters are ignored."""
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(Q(actor_label__icontains=actor))
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if since:
        entries = entries.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        entries = entries.filter(at__lte=timezone.make_aware(datetime.combine(until, time.max)))
    return entries


def audit_actions() -> list[str]:
    """The distinct action names present in the log, for the filter form."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
