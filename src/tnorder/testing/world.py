"""The composition root, where the kit's other modules live: see :mod:`tnorder.world`.

The implementation is in :mod:`tnorder.world` because the demo builds its
service there too and must run without this package's test libraries.
"""

from __future__ import annotations

from ..world import (
    START,
    World,
    build_service,
    build_world,
    counter,
    open_storage,
    provisioning_for,
)

__all__ = [
    "START",
    "World",
    "build_service",
    "build_world",
    "counter",
    "open_storage",
    "provisioning_for",
]
