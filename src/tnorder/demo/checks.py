"""Checks: each scenario proves it reached its expected end by reading state back.

A check compares what the scenario expects with what the service (or a
carrier) reports now; it never re-states what the scenario just printed.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

__all__ = ["Check", "Checklist"]


@attrs.frozen
class Check:
    """One expectation and whether the real state met it."""

    what: str
    passed: bool
    detail: str = ""


@attrs.define
class Checklist:
    """The checks of one scenario, reported as they are made.

    Args:
        report: called with each check as soon as it is made (the screen).
    """

    report: Callable[[Check], None]
    checks: list[Check] = attrs.Factory(list)

    def expect(self, what: str, expected: object, actual: object) -> bool:
        """Record that ``what`` holds when ``expected == actual``."""
        passed = expected == actual
        detail = "" if passed else f"expected {expected!r}, got {actual!r}"
        return self._add(Check(what, passed, detail))

    def expect_true(self, what: str, condition: bool, detail: str = "") -> bool:
        """Record that ``what`` holds when ``condition`` is true (``detail`` says why not)."""
        return self._add(Check(what, bool(condition), "" if condition else detail))

    def _add(self, check: Check) -> bool:
        self.checks.append(check)
        self.report(check)
        return check.passed

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]
