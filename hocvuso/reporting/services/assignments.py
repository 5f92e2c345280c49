"""Who must report: effective-dated assignments of communes' People's Committees and lead agencies."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.people.models import Organisation
from hocvuso.territory.models import AdministrativeUnit, Level

from ..models import ReportingAssignment

PROFILE_FIELDS = ("governing_body", "issuer", "symbol", "authority", "signer_title", "place_name")


def sync_reporting_assignments(
    *,
    province: AdministrativeUnit,
    agencies: Iterable[Organisation],
    on: date,
    actor: Any,
    profiles: Mapping[int, Mapping[str, str]] | None = None,
) -> tuple[int, int]:
    """Make the assignments follow the territory and the plan: every commune of the province in force gets an
    open assignment (from `on`, or from the day the commune came into force if later), and every agency given;
    an open assignment of a commune that has ended (a merger) ends the day the commune ended. Agencies' signing
    profiles (`profiles`: organisation id → fields) are updated. Idempotent. Returns (created, ended); audited
    when it changes anything ("reporting.sync_assignments")."""
    created = ended = 0
    with transaction.atomic():
        communes = AdministrativeUnit.objects.filter(parent=province, level=Level.COMMUNE)
        open_units = dict(
            ReportingAssignment.objects.filter(valid_to__isnull=True, unit__in=communes).values_list("unit_id", "pk")
        )
        for commune in communes:
            if commune.valid_to is not None:
                if commune.pk in open_units:
                    assignment = ReportingAssignment.objects.get(pk=open_units[commune.pk])
                    assignment.valid_to = max(commune.valid_to, assignment.valid_from)
                    assignment.save(update_fields=["valid_to", "updated_at"])
                    ended += 1
                continue
            if commune.pk not in open_units:
                ReportingAssignment.objects.create(unit=commune, valid_from=max(on, commune.valid_from))
                created += 1
        for organisation in agencies:
            found = ReportingAssignment.objects.filter(organisation=organisation, valid_to__isnull=True).first()
            if found is None:
                found = ReportingAssignment.objects.create(organisation=organisation, valid_from=on)
                created += 1
            assignment = found
            profile = (profiles or {}).get(organisation.pk)
            if profile and any(getattr(assignment, field) != profile.get(field, "") for field in PROFILE_FIELDS):
                for field in PROFILE_FIELDS:
                    setattr(assignment, field, profile.get(field, ""))
                assignment.save()
        if created or ended:
            record_audit(
                actor=actor,
                action="reporting.sync_assignments",
                target=province,
                details={"created": created, "ended": ended, "from": on.isoformat()},
            )
    return created, ended


def end_reporting_assignment(*, assignment: ReportingAssignment, valid_to: date, actor: Any) -> ReportingAssignment:
    """End an assignment on `valid_to` (inclusive): the unit or agency no longer reports from the day after.
    Raises DomainError for a day before it started. Audited."""
    if valid_to < assignment.valid_from:
        raise DomainError(_("Ngày kết thúc trước ngày bắt đầu."), field="valid_to", code="assignment_dates")
    with transaction.atomic():
        assignment.valid_to = valid_to
        assignment.save(update_fields=["valid_to", "updated_at"])
        record_audit(
            actor=actor,
            action="reporting.end_assignment",
            target=assignment,
            details={"valid_to": valid_to.isoformat()},
        )
    return assignment
