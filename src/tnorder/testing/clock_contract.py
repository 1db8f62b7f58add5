"""The conformance suite for ``Clock`` adapters: subclass :class:`ClockContract`.

Everything in tnorder gets the current time from a ``Clock``; the domain
refuses naive datetimes, and timestamps are compared across processes.  The
suite checks that ``now()`` is an aware datetime in UTC and never goes
backwards, and, for a clock a test can drive, that it moves exactly as told.

Fixtures an implementer overrides:

* ``clock`` (required): the clock under test.
* ``advance`` (default None): for a clock that moves only when told to, a
  function ``(timedelta) -> None`` that moves it forward.  Without it the
  clock is taken to be a real one, which must move on its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..ports import Clock
from ._support import run_property

__all__ = ["ClockContract"]

MAX_EXAMPLES = 50


class ClockContract:
    """Behaviour every ``Clock`` adapter must have.  Subclass it as ``Test...``."""

    hypothesis_settings: ClassVar[settings | None] = None

    @pytest.fixture
    def clock(self) -> Clock:
        """The clock under test (override this)."""
        raise NotImplementedError("override the `clock` fixture in your ClockContract subclass")

    @pytest.fixture
    def advance(self) -> Callable[[timedelta], object] | None:
        """A function moving a test-driven clock forward, or None for a real clock."""
        return None

    def _run(self, test: Callable[[], None]) -> None:
        """Run a ``@given`` test (see ``hypothesis_settings``)."""
        run_property(test, self.hypothesis_settings, MAX_EXAMPLES)

    def test_now_is_an_aware_utc_datetime(self, clock: Clock) -> None:
        """now() returns a datetime with a UTC offset of zero."""
        now = clock.now()
        assert isinstance(now, datetime)
        assert now.tzinfo is not None
        assert timedelta(0) == now.utcoffset()

    def test_now_never_goes_backwards(self, clock: Clock) -> None:
        """Successive reads, from one thread or several, never go backwards."""
        readings = [clock.now() for _ in range(200)]
        assert sorted(readings) == readings
        errors: list[str] = []

        def read() -> None:
            last = clock.now()
            for _ in range(200):
                current = clock.now()
                if current < last:
                    errors.append(f"{current.isoformat()} after {last.isoformat()}")
                last = current

        pool = [threading.Thread(target=read) for _ in range(4)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        assert [] == errors

    def test_the_clock_moves_forward(
        self, clock: Clock, advance: Callable[[timedelta], object] | None
    ) -> None:
        """A real clock is later after a pause; a clock with ``advance`` stands still
        between moves and moves by exactly the given amount, to the microsecond."""
        if advance is None:
            before = clock.now()
            time.sleep(0.002)  # far above the microsecond resolution of datetimes
            assert before < clock.now()
            return

        @given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))))
        def check(steps: list[timedelta]) -> None:
            for step in steps:
                before = clock.now()
                assert before == clock.now()
                advance(step)
                after = clock.now()
                assert before + step == after
                assert timedelta(0) == after.utcoffset()

        self._run(check)
