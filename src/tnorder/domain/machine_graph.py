"""The line-item machine as a graph: which statuses a kind of item can reach, and how far.

Pure domain rules.  Nothing here reads the clock or touches storage.  The graph
is read from ``tnorder.domain.machine`` (the table is the single source of
truth); guards are answered for a kind of item, roles are not considered.
Answers are cached per kind: the table is fixed at import.

Strategies use it to walk an item to a wanted status by real triggers, and
tests use it to say which statuses a kind can show at all.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .machine import Trigger, allowed_triggers, resolve
from .statuses import ItemStatus, OrderKind

__all__ = ["distances_to", "edges", "reachable_statuses"]


@attrs.frozen
class _Probe:
    """Stands in for a line item of ``kind`` when asking the machine about a status."""

    kind: OrderKind


@functools.cache
def edges(kind: OrderKind) -> Mapping[ItemStatus, tuple[tuple[Trigger, ItemStatus], ...]]:
    """``status -> ((trigger, status afterwards), ...)`` for an item of ``kind``, in table order."""
    probe = _Probe(OrderKind(kind))
    out: dict[ItemStatus, tuple[tuple[Trigger, ItemStatus], ...]] = {}
    for status in ItemStatus:
        steps = []
        for trigger in allowed_triggers(probe, status):
            dest = resolve(probe, status, trigger)
            if dest is not None:
                steps.append((trigger, dest))
        out[status] = tuple(steps)
    return MappingProxyType(out)


@functools.cache
def reachable_statuses(kind: OrderKind) -> frozenset[ItemStatus]:
    """Statuses a line item of ``kind`` can reach from Order Submitted."""
    graph = edges(kind)
    seen = {ItemStatus.ORDER_SUBMITTED}
    queue = deque(seen)
    while queue:
        for _, dest in graph[queue.popleft()]:
            if dest not in seen:
                seen.add(dest)
                queue.append(dest)
    return frozenset(seen)


@functools.cache
def distances_to(kind: OrderKind, target: ItemStatus) -> Mapping[ItemStatus, int]:
    """Fewest triggers from each status to ``target`` (statuses that cannot reach it are absent)."""
    reverse: dict[ItemStatus, list[ItemStatus]] = {s: [] for s in ItemStatus}
    for source, steps in edges(kind).items():
        for _, dest in steps:
            reverse[dest].append(source)
    dist = {target: 0}
    queue = deque([target])
    while queue:
        current = queue.popleft()
        for source in reverse[current]:
            if source not in dist:
                dist[source] = dist[current] + 1
                queue.append(source)
    return MappingProxyType(dist)
