"""Row 6 through ``OrderService``: cost per event as an order grows, on real databases.

One event (``OrderService.fire``: load, apply, save with its outbox row) is
timed on orders of 1 and many items, and on an item whose history holds 1
and many entries.  The rows say how much more an event costs on the big
order than on the small one; the target is "flat" (at most 1.5x).
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tnorder import NewItem, Order, OrderKind, OrderService, Trigger
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.sqlite import SqliteStorage

from . import _postgres
from ._data import MANAGER, NOW
from ._harness import Row, Sample, fmt_time, ratio

RI, PI = Trigger.REQUEST_INFORMATION, Trigger.PROVIDE_INFORMATION


def _order(order_id: str, items: int, history: int) -> Order:
    """An order of ``items`` items whose last item has ``history`` entries."""
    order = Order.place(
        order_id, "acct-growth", [NewItem(OrderKind.NEW_NUMBER)] * items, actor=MANAGER, at=NOW
    )
    item_id = order.items[-1].item_id
    for n in range(history - 1):
        order.fire(item_id, RI if n % 2 == 0 else PI, actor=MANAGER, at=NOW)
    order.pull_events()
    return order


def _seed(storage: Any, order: Order) -> None:
    storage.bulk_insert_orders([order], batch_size=1)


#: Seconds one repeat may take on a big order: where an event costs a second,
#: fewer events per repeat keep the full run within minutes (the median per
#: event is what is compared, so the count does not bias it).
BUDGET = 1.0


def _per_event(storage: Any, order: Order, events: int, repeats: int) -> Sample:
    """Seconds per ``OrderService.fire`` on ``order``'s last item (history kept odd/even).

    Each repeat fires ``events`` events, or at least 2 and as many as fit in
    ``BUDGET`` seconds.
    """
    fire = OrderService(storage, clock=FixedClock(NOW)).fire
    item_id = order.items[-1].item_id
    # Request then provide information: the item walks a two-state loop, so
    # the next trigger depends on how many events the item has seen.
    fired = len(order.items[-1].history) - 1
    values = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        n = 0
        while n < events and (n < 2 or time.perf_counter() - start < BUDGET):
            fire(order.order_id, item_id, RI if fired % 2 == 0 else PI, actor=MANAGER)
            fired += 1
            n += 1
        values.append((time.perf_counter() - start) / n)
    return Sample(values)


def _growth_rows(
    db: str, make: Callable[[], Any], sizes: tuple[int, ...], lengths: tuple[int, ...], quick: bool
) -> list[Row]:
    events, repeats = (20, 3) if quick else (100, 5)
    storage = make()
    try:
        items = {}
        for size in sizes:
            order = _order(f"GI-{size}", size, 1)
            _seed(storage, order)
            items[size] = _per_event(storage, order, events, repeats)
        history = {}
        for length in lengths:
            order = _order(f"GH-{length}", 1, length)
            _seed(storage, order)
            history[length] = _per_event(storage, order, events, repeats)
    finally:
        storage.close()
    rows = []
    for label, samples, keys in (
        ("items per order", items, sizes),
        ("history length", history, lengths),
    ):
        first, last = samples[keys[0]], samples[keys[-1]]
        growth = ratio(last, first)
        rows.append(
            Row(
                f"6 OrderService.fire, {db}, {label} {keys[0]:,} -> {keys[-1]:,}",
                " / ".join(fmt_time(samples[k].median) for k in keys),
                f"at {keys[0]:,}: {fmt_time(first.median)}",
                f"{growth:.2f}x",
                "flat (<= 1.5x)",
                growth <= 1.5,
            )
        )
    return rows


def bench_service_growth(quick: bool) -> list[Row]:
    sizes = (1, 100, 1_000) if quick else (1, 100, 1_000, 10_000)
    lengths = (1, 1_000, 10_000) if quick else (1, 1_000, 10_000, 100_000)
    tmp = Path(tempfile.mkdtemp(prefix="tnorder-growth-"))
    rows = _growth_rows(
        "SQLite",
        lambda: SqliteStorage(tmp / "growth.sqlite3", synchronous="NORMAL"),
        sizes,
        lengths,
        quick,
    )
    reason = _postgres.unavailable()
    if reason is not None:
        rows.append(
            Row("6 OrderService.fire, PostgreSQL", f"not measured: {reason}", "-", "-", "-", None)
        )
        return rows
    from tnorder.adapters.postgres import PostgresStorage

    with _postgres.throwaway_database(f"tnorder_bench_growth_{os.getpid()}") as conninfo:
        rows += _growth_rows("PostgreSQL", lambda: PostgresStorage(conninfo), sizes, lengths, quick)
    return rows
