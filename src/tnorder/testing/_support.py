"""Helpers shared by the contract mixins.  Private."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import settings

__all__ = ["run_property"]


def run_property(test: Callable[[], None], chosen: settings | None, cap: int) -> None:
    """Run a ``@given`` test under ``chosen``, or else under the active profile with at
    most ``cap`` examples (contract examples do real I/O, so the cap keeps suites quick)."""
    if chosen is None:
        active = settings()  # a fresh settings object reads the active profile now
        chosen = settings(active, max_examples=min(active.max_examples, cap))
    chosen(test)()
