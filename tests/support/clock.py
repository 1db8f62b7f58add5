"""The suites' reference instant, and stand-ins for the passing of time."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["T0", "MovableClock", "SleepRecorder"]

# A Monday, 09:00 UTC: business-day arithmetic starts on a working day.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class MovableClock:
    """A clock the test moves by hand; call it for the current instant.

    Shared by a loopback fake and tnorder when both must agree on the time.
    """

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class SleepRecorder:
    """Stands in for time.sleep between retries: records the waits, does not wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
