"""Dashboard classification of many in-memory orders (row 4)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

from tnorder import Order
from tnorder.domain.statuses import ItemStatus
from tnorder.domain.visibility import activation_stages, active_numbers_view, split_orders

from ._data import NOW, in_memory_orders
from ._harness import Row, Sample, fmt_sample, ratio

T = TypeVar("T")


_FINAL = frozenset(s for s in ItemStatus if s.is_final)


def _floor(orders: list[Order]) -> tuple[list[Order], list[Order], dict[str, ItemStatus]]:
    """The least any classification does: read every item's status and number once."""
    tab: list[Order] = []
    history: list[Order] = []
    numbers: dict[str, ItemStatus] = {}
    final = _FINAL
    for order in orders:
        open_ = False
        for item in order.items:
            status = item.status
            if status not in final:
                open_ = True
            if item.number is not None:
                numbers[item.number] = status
        (tab if open_ else history).append(order)
    return tab, history, numbers


def _time(fn: Callable[[list[Order]], T], orders: list[Order], repeats: int) -> tuple[Sample, T]:
    values = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn(orders)
        values.append(time.perf_counter() - start)
    return Sample(values), result


def bench_classify(quick: bool) -> list[Row]:
    count = 10_000 if quick else 100_000
    repeats = 3
    orders = in_memory_orders(count)
    items = sum(len(o.items) for o in orders)
    split, (tab, history) = _time(lambda o: split_orders(o, NOW), orders, repeats)
    active, numbers = _time(lambda o: activation_stages(o, NOW), orders, repeats)
    views, _ = _time(lambda o: active_numbers_view(o, NOW), orders, repeats)
    # Both views classify every order; the total of each repeat is what a caller pays.
    ours = Sample([a + b for a, b in zip(split.values, active.values, strict=True)])
    floor, _ = _time(_floor, orders, repeats)
    # The target is for 100,000 orders; a quick run scales its figure up to compare.
    scaled = ours.median * 100_000 / count
    return [
        Row(
            f"4 classify {count:,} orders ({items:,} items): tab/history + stages",
            fmt_sample(ours),
            fmt_sample(floor),
            f"{ratio(ours, floor):.1f}x floor",
            "<= 0.3 s per 100,000",
            scaled <= 0.3,
        ),
        Row(
            "4a  split_orders (Orders tab / Order History)",
            fmt_sample(split),
            f"{len(tab):,} tab / {len(history):,} history",
            "-",
            "(info)",
            None,
        ),
        Row(
            "4b  activation_stages (Active Numbers stages)",
            fmt_sample(active),
            f"{len(numbers):,} numbers",
            "-",
            "(info)",
            None,
        ),
        Row(
            "4c  active_numbers_view (full dashboard rows)",
            fmt_sample(views),
            f"{len(numbers):,} rows",
            "-",
            "(info)",
            None,
        ),
    ]


CASES = [bench_classify]
