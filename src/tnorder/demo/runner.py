"""``run_demo``: tell every scenario on a fresh SQLite file and report whether each ended right."""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from .._version import __version__
from ..errors import TnorderError, ValidationError
from .checks import Checklist
from .render import Screen
from .scenarios import SCENARIOS, Scenario
from .world import START, World, build_world

__all__ = ["CARRIERS", "run_demo"]

CARRIERS = ("simulated", "telnyx-fake")
"""What ``tnorder demo --carrier`` accepts."""


def run_demo(
    db_path: str | os.PathLike[str] | None = None,
    plain: bool = False,
    carrier: str = "simulated",
) -> int:
    """Run the demo; return 0 only when every scenario reached its expected end.

    Args:
        db_path: keep the SQLite database at this path (it must not exist yet);
            by default a temporary file is used and deleted afterwards.
        plain: print without colour or styling (for logs).
        carrier: ``"simulated"`` (every scenario, simulated carriers) or
            ``"telnyx-fake"`` (one story through the Telnyx adapter against a
            loopback fake Telnyx; needs ``tnorder[telnyx]``).

    Raises:
        ValidationError: ``db_path`` already exists (the demo never writes
            over a file it did not create).
        StorageError: the database cannot be created there.
    """
    if carrier not in CARRIERS:
        raise ValidationError(
            f"unknown demo carrier {carrier!r}; one of {', '.join(CARRIERS)}", field="carrier"
        )
    screen = Screen(plain=plain)
    run = _run if carrier == "simulated" else _run_telnyx
    if db_path is not None:
        path = Path(db_path)
        try:
            taken = path.exists()
        except (OSError, ValueError) as exc:
            # e.g. a name longer than the filesystem allows: say so, typed.
            raise ValidationError(
                f"cannot use {str(path)[:80]!r} as the demo database: "
                f"{getattr(exc, 'strerror', None) or exc}",
                field="db_path",
            ) from exc
        if taken:
            raise ValidationError(
                f"{str(path)!r} already exists; the demo needs a new database file: "
                "remove it or pass another --db path",
                field="db_path",
            )
        return run(path, screen, kept=str(path))
    with tempfile.TemporaryDirectory(prefix="tnorder-demo-") as folder:
        return run(Path(folder) / "demo.db", screen, kept=None)


def _run(path: Path, screen: Screen, *, kept: str | None) -> int:
    world = build_world(path)
    rows: list[tuple[int, str, int, int]] = []
    try:
        where = kept or "a temporary file"
        screen.banner(
            f"tnorder {__version__} demo: SQLite at {where}, simulated carriers, "
            f"clock from {START:%a %Y-%m-%d %H:%M} UTC"
        )
        for number, scenario in enumerate(SCENARIOS, start=1):
            checks = _tell(number, scenario, world, screen)
            rows.append(
                (
                    number,
                    scenario.title,
                    len(checks.checks) - len(checks.failed),
                    len(checks.checks),
                )
            )
    finally:
        world.close()
    screen.summary(rows, kept=kept)
    return 0 if all(made and passed == made for _, _, passed, made in rows) else 1


def _run_telnyx(path: Path, screen: Screen, *, kept: str | None) -> int:
    # Imported here: the Telnyx story needs the telnyx extra, the default demo does not.
    from .telnyx_story import build_telnyx_world, telnyx_scenario

    with ExitStack() as stack:
        world = build_telnyx_world(path, stack)
        screen.banner(
            f"tnorder {__version__} demo: SQLite at {kept or 'a temporary file'}, Telnyx adapter "
            f"over HTTP to a loopback fake Telnyx, clock from {START:%a %Y-%m-%d %H:%M} UTC"
        )
        checks = _tell(1, telnyx_scenario, world, screen)
    made = len(checks.checks)
    passed = made - len(checks.failed)
    screen.summary([(1, telnyx_scenario.title, passed, made)], kept=kept)
    return 0 if made and passed == made else 1


def _tell(number: int, scenario: Scenario, world: World, screen: Screen) -> Checklist:
    """Run one scenario; a tnorder error it did not expect fails it, and the demo goes on."""
    screen.scenario(number, scenario.title, scenario.story)
    checks = Checklist(screen.check)
    try:
        scenario.run(world, screen, checks)
    except TnorderError as exc:
        # Scenarios use separate accounts, so the next one can still be told.
        screen.refusal(exc)
        checks.expect_true("the scenario ran to its end", False, f"{type(exc).__name__}: {exc}")
    return checks
