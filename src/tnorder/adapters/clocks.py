"""Clocks: the only module in tnorder that reads the real time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from ..errors import ValidationError

__all__ = ["FixedClock", "SystemClock"]


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, demos, replays).

    Args:
        start: an aware datetime; stored in UTC.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValidationError("FixedClock needs an aware datetime", field="start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` (or ``timedelta(**kwargs)``); never backwards."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValidationError("a clock does not go backwards", field="delta")
        with self._lock:
            self._now += step
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (not earlier than now)."""
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValidationError("FixedClock needs an aware datetime", field="when")
        with self._lock:
            if when < self._now:
                raise ValidationError("a clock does not go backwards", field="when")
            self._now = when.astimezone(UTC)
