"""Whether the figures follow the data: the answer `/healthz` gives as its "figures" check."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from ..models import DirtyUnit, FactState

FRESH = "ok"
STALE = "stale"


def figures_health(*, now: datetime | None = None) -> str:
    """Answer "stale" when a change has waited in the dirty-unit queue longer than FIGURES_STALE_AFTER_SECONDS (no
    refresh drained it: no worker or beat, or the in-process refresher stopped), or when the facts are still
    for an earlier day that long after midnight; "ok" otherwise. Two small queries (the queue's oldest mark, the
    state row); never reads the registry."""
    now = now or timezone.now()
    budget = timedelta(seconds=settings.FIGURES_STALE_AFTER_SECONDS)
    oldest = DirtyUnit.objects.aggregate(oldest=Min("since"))["oldest"]
    if oldest is not None and now - oldest > budget:
        return STALE
    day = FactState.objects.filter(pk=1).values_list("day", flat=True).first()
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    if day is not None and day < today and now - midnight > budget:
        return STALE
    return FRESH
