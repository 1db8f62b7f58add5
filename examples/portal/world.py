"""The portal's world: the demo's composition root, preloaded with the demo's six stories.

Nothing here is portal-specific business: :func:`tnorder.demo.world.build_world`
wires ``OrderService`` on a SQLite file with the simulated carriers, and the
stories of ``tnorder demo`` (:data:`tnorder.demo.scenarios.SCENARIOS`) are run
on it, silently, so the portal opens on the accounts they leave behind.  A
host replaces this module with its own composition root (see README.md).
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from tnorder.demo.checks import Checklist
from tnorder.demo.render import Screen
from tnorder.demo.scenarios import SCENARIOS
from tnorder.demo.world import World, build_world

__all__ = ["ACCOUNTS", "StoryFailed", "preload"]

# The customer accounts the six stories use, in story order.  A real host has
# a customer directory; the portal only needs to list someone to log in as.
ACCOUNTS = ("acme", "globex", "initech", "umbrella", "hooli", "wayne")


class StoryFailed(RuntimeError):
    """A demo story did not reach its expected end, so the portal would show the wrong world."""


def preload(db_path: Path) -> World:
    """Build the demo's world on a new SQLite file at ``db_path`` and tell every story on it.

    Raises:
        StoryFailed: a story's checks failed (the message names them).
    """
    world = build_world(db_path)
    screen = Screen(plain=True)
    # The stories narrate to a screen; the portal shows the result instead.
    screen.console = Console(file=io.StringIO(), width=132)
    for scenario in SCENARIOS:
        checks = Checklist(screen.check)
        scenario.run(world, screen, checks)
        if not checks.passed:
            world.close()
            failed = "; ".join(f"{c.what}: {c.detail}" for c in checks.failed)
            raise StoryFailed(f"{scenario.title}: {failed}")
    return world
