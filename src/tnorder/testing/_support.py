"""Helpers shared by the contract mixins.  Private."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, settings

__all__ = ["run_property"]


def run_property(test: Callable[[], None], chosen: settings | None, cap: int) -> None:
    """Run a ``@given`` test under ``chosen``, or else under the active profile with:

    - at most ``cap`` examples: each one does real I/O, and the cap keeps suites quick;
    - no deadline: a database or a disk is allowed a slow moment;
    - no ``too_slow`` health check, for the same reason.
    """
    if chosen is None:
        active = settings()  # a fresh settings object reads the active profile now
        chosen = settings(
            active,
            max_examples=min(active.max_examples, cap),
            deadline=None,
            suppress_health_check=[*active.suppress_health_check, HealthCheck.too_slow],
        )
    chosen(test)()
