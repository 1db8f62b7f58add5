"""cProfile of the measured operation of a benchmark row, for ``docs/performance.md``.

``python -m benchmarks.profiles {apply,round_trip,orders_tab,classify,cattrs} [--lines N]``

Only the operation the row times runs under the profiler (data is made first),
so the listing shows where that time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tnorder import Order, OrderKind, OrderService, Trigger
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.visibility import active_numbers_view, split_orders
from tnorder.serialization import make_converter

from . import core, storage
from ._data import MANAGER, NOW, in_memory_orders


def _apply() -> Callable[[], object]:
    order = core._order()

    def run() -> None:
        for _ in range(50_000):
            order.fire("B-1-3", core.RI, actor=core.STAFF, at=core.T0)
            order.fire("B-1-3", core.PI, actor=core.STAFF, at=core.T0)

    return run


def _round_trip() -> Callable[[], object]:
    path = Path(tempfile.mkdtemp(prefix="tnorder-profile-")) / "rt.sqlite3"
    store = SqliteStorage(path, synchronous="NORMAL")
    orders = storage._fresh_orders("P", 200)
    store.bulk_insert_orders(orders)
    fire = OrderService(store, clock=FixedClock(NOW)).fire
    calls = [(o.order_id, f"{o.order_id}-{k}") for k in range(1, 11) for o in orders]

    def run() -> None:
        for order_id, item_id in calls:
            fire(order_id, item_id, Trigger.REQUEST_INFORMATION, actor=MANAGER)

    return run


def _orders_tab() -> Callable[[], object]:
    path, _, _ = storage._sqlite_data(1_000_000)
    service = OrderService(SqliteStorage(path), clock=FixedClock(NOW))
    accounts = storage._sample_accounts(1_000_000, 100)
    for account in accounts:
        service.orders_tab(account)

    def run() -> None:
        for _ in range(5):
            for account in accounts:
                service.orders_tab(account)

    return run


def _classify() -> Callable[[], object]:
    orders = in_memory_orders(20_000)

    def run() -> None:
        split_orders(orders, NOW)
        active_numbers_view(orders, NOW)

    return run


def _cattrs() -> Callable[[], object]:
    conv = make_converter()
    order = core._order(10, OrderKind.PORT_IN)
    for item in order.items:
        order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=core.STAFF, at=core.T0)
    order.pull_events()

    def run() -> None:
        for _ in range(3_000):
            conv.structure(conv.unstructure(order), Order)

    return run


PROFILES = {
    "apply": _apply,
    "round_trip": _round_trip,
    "orders_tab": _orders_tab,
    "classify": _classify,
    "cattrs": _cattrs,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.profiles")
    parser.add_argument("case", choices=sorted(PROFILES))
    parser.add_argument("--lines", type=int, default=15, help="how many functions to list")
    args = parser.parse_args(argv)
    run = PROFILES[args.case]()
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("tottime").print_stats(args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
