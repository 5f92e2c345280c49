"""The demo's events: the two learning festivals are on their days as last held, never on a day to come."""

import datetime
from typing import Any

import pytest

from hocvuso.demo import activities
from hocvuso.outreach.models import Event


@pytest.mark.parametrize(
    ("today", "festivals"),
    [
        (datetime.date(2026, 12, 7), [datetime.date(2026, 10, 10), datetime.date(2026, 11, 1)]),
        (datetime.date(2026, 10, 20), [datetime.date(2025, 11, 1), datetime.date(2026, 10, 10)]),
        (datetime.date(2026, 3, 1), [datetime.date(2025, 10, 10), datetime.date(2025, 11, 1)]),
    ],
)
def test_the_demo_has_two_festivals_on_their_days_already_held(
    territory: Any, monkeypatch: Any, today: datetime.date, festivals: list[datetime.date]
) -> None:
    monkeypatch.setattr(activities.timezone, "localdate", lambda: today)

    assert activities._events(territory.commune) == 4
    assert activities._events(territory.commune) == 0  # made once

    held = sorted(Event.objects.filter(kind="festival").values_list("starts_on", flat=True))
    assert held == festivals
    assert Event.objects.filter(starts_on__gt=today).count() == 0
