"""The clock contract, run against the reference clocks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tnorder.adapters.clocks import FixedClock, SystemClock
from tnorder.testing import ClockContract


class TestSystemClock(ClockContract):
    @pytest.fixture
    def clock(self) -> SystemClock:
        return SystemClock()


class TestFixedClock(ClockContract):
    @pytest.fixture
    def clock(self) -> FixedClock:
        # Started in another zone: the clock must still answer in UTC.
        return FixedClock(datetime(2026, 1, 5, 9, 30, tzinfo=timezone(timedelta(hours=-5))))

    @pytest.fixture
    def advance(self, clock: FixedClock) -> Callable[[timedelta], object]:
        return clock.advance


def test_fixed_clock_starts_at_the_given_instant() -> None:
    """FixedClock reports the instant it was started at, converted to UTC."""
    start = datetime(2026, 1, 5, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert datetime(2026, 1, 5, 14, 30, tzinfo=UTC) == FixedClock(start).now()
