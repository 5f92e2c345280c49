"""Writes of the core app: the audit log."""

from typing import Any

from django.db import models

from .context import current_request_context
from .models import AuditEntry

SYSTEM_ACTOR = "system"  # the actor label of an entry no signed-in user made


def audit_entry(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: object = "",
    object_label: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry `record_audit` appends, not saved yet (`record_audits` saves many at once)."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
        object_label = object_label or str(target)[:200]
    context = current_request_context()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else SYSTEM_ACTOR)[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label,
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        request_id=context.request_id,
        details=details or {},
    )


def record_audit(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: object = "",
    object_label: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log and return it.

    `actor` is the user (or None for the system); `target` a model instance, or give `object_type` and
    `object_id` for something that is not one row. The client address comes from the current request.
    Callers put no personal number in `details`: the log is read by administrators.
    """
    entry = audit_entry(
        actor=actor,
        action=action,
        target=target,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        details=details,
    )
    entry.save()
    return entry


def record_audits(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Append entries made by `audit_entry` in one statement (a batch of visits); returns them."""
    return AuditEntry.objects.bulk_create(entries)
