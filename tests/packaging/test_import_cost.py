"""`import tnorder` stays cheap: the heavy libraries load on first use, not at import.

Measured on the session's loaded machine (median CPU of ``python -c "import
tnorder"``, see docs/decisions.md): ``phonenumbers`` and its metadata and the
OpenTelemetry API were about a sixth of it.  No timing is asserted here (a timed
assertion fails on a busy machine); what is asserted is the mechanism that keeps
the time down: which modules a fresh interpreter has loaded.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.split()


def test_import_loads_neither_phonenumbers_nor_opentelemetry() -> None:
    """After `import tnorder` no phonenumbers module and no OpenTelemetry API module
    (beyond its namespace package) is loaded; checking a number then loads phonenumbers."""
    out = _run(
        """
        import sys
        import tnorder
        def loaded(prefix):
            return any(m == prefix or m.startswith(prefix + ".") for m in sys.modules)
        print(loaded("phonenumbers"), loaded("opentelemetry.trace"),
              loaded("opentelemetry.metrics"))
        print(tnorder.normalize_number("(404) 555-0100"), loaded("phonenumbers"))
        """
    )
    assert ["False", "False", "False", "+14045550100", "True"] == out


def test_telemetry_is_enabled_without_importing_the_api() -> None:
    """With the otel extra installed, instrumentation is on at import, and the API is
    imported when the first service is made (the host's start, not its first request)."""
    out = _run(
        """
        import sys
        from datetime import UTC, datetime
        from tnorder import Actor, NewItem, OrderKind, OrderService, Role, _telemetry
        from tnorder.adapters.clocks import FixedClock
        from tnorder.adapters.memory import MemoryStorage
        print(_telemetry.ENABLED, hasattr(OrderService.place_order, "__wrapped__"),
              "opentelemetry.trace" in sys.modules)
        service = OrderService(MemoryStorage(), clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
        print("opentelemetry.trace" in sys.modules, "opentelemetry.metrics" in sys.modules)
        service.place_order("A", [NewItem(OrderKind.NEW_NUMBER)], actor=Actor(Role.STAFF, "s"))
        print("opentelemetry.trace" in sys.modules)
        """
    )
    assert ["True", "True", "False", "True", "True", "True"] == out


def test_a_half_installed_api_counts_as_absent() -> None:
    """If the API's modules cannot be found, telemetry is off rather than failing later."""
    out = _run(
        """
        import sys
        sys.modules["opentelemetry.trace"] = None  # as if that part were missing
        from tnorder import _telemetry
        print(_telemetry.ENABLED)
        """
    )
    assert ["False"] == out
