"""Core benchmarks: applying one event, memory per order, cattrs round trip, growth."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import cattrs
from transitions import Machine

from tnorder import Actor, NewItem, Order, OrderKind, Role, Trigger
from tnorder.domain.machine import build_machine, machine_transitions
from tnorder.domain.statuses import ItemStatus
from tnorder.serialization import _configure_generic, make_converter

from ._harness import Row, fmt_sample, fmt_time, interleaved, ratio

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "bench")
RI, PI = Trigger.REQUEST_INFORMATION, Trigger.PROVIDE_INFORMATION


def _order(items: int = 10, kind: OrderKind = OrderKind.NEW_NUMBER) -> Order:
    order = Order.place("B-1", "acct", [NewItem(kind)] * items, actor=STAFF, at=T0)
    order.pull_events()
    return order


# -- the naive alternative: a transitions.Machine attached to each item ----------

# Built once, as a transitions user would keep them at module level.
_TRANSITIONS = machine_transitions()


class NaiveItem:
    """What a transitions user writes: the item is the Machine's model."""

    def __init__(self) -> None:
        self.is_port_in = False
        self.is_disconnect = False
        self.history: list[tuple[str, str]] = []


def _naive_machine(item: NaiveItem) -> Machine:
    # Exactly ``Machine(model=item, states=..., transitions=..., ...)``.
    return build_machine(
        model=item, transitions=_TRANSITIONS, initial=ItemStatus.UNDER_REVIEW.value
    )


def _no_gc(fn):  # type: ignore[no-untyped-def]
    def wrapper(n: int) -> float:
        gc.collect()
        gc.disable()
        try:
            return fn(n)  # type: ignore[no-any-return]
        finally:
            gc.enable()

    return wrapper


#: Events per order in the "apply" runs: the item keeps a realistic history
#: (tens of entries) instead of growing to hundreds of thousands.
EVENTS_PER_ORDER = 100


def _loaded_orders(n: int) -> list[Order]:
    return [_order() for _ in range(max(1, n // EVENTS_PER_ORDER))]


@_no_gc
def run_ours(n: int) -> float:
    orders = _loaded_orders(n)
    pairs = EVENTS_PER_ORDER // 2
    start = time.perf_counter()
    for order in orders:
        fire = order.fire
        for _ in range(pairs):
            fire("B-1-3", RI, actor=STAFF, at=T0)
            fire("B-1-3", PI, actor=STAFF, at=T0)
    return time.perf_counter() - start


@_no_gc
def run_ours_drained(n: int) -> float:
    orders = _loaded_orders(n)
    pairs = EVENTS_PER_ORDER // 2
    start = time.perf_counter()
    for order in orders:
        fire = order.fire
        for _ in range(pairs):
            fire("B-1-3", RI, actor=STAFF, at=T0)
            fire("B-1-3", PI, actor=STAFF, at=T0)
            order.pull_events()
    return time.perf_counter() - start


@_no_gc
def run_naive_attached(n: int) -> float:
    item = NaiveItem()
    _naive_machine(item)
    half = n // 2
    start = time.perf_counter()
    for _ in range(half):
        item.request_information()  # type: ignore[attr-defined]
        item.provide_information()  # type: ignore[attr-defined]
    return time.perf_counter() - start


@_no_gc
def run_naive_per_request(n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        item = NaiveItem()
        _naive_machine(item)
        item.request_information()  # type: ignore[attr-defined]
    return time.perf_counter() - start


class _Slot:
    __slots__ = ("status",)


@_no_gc
def run_floor(n: int) -> float:
    table = {(ItemStatus.UNDER_REVIEW, RI): ItemStatus.INFORMATION_REQUIRED}
    obj = _Slot()
    key = (ItemStatus.UNDER_REVIEW, RI)
    start = time.perf_counter()
    for _ in range(n):
        obj.status = table[key]
    return time.perf_counter() - start


def bench_apply(quick: bool) -> list[Row]:
    number, repeats = (20_000, 3) if quick else (200_000, 7)
    samples = interleaved(
        {
            "ours": (run_ours, number),
            "drained": (run_ours_drained, number),
            # The naive cases cost 10-500 times more per event: fewer events
            # give them a similar time on the clock.
            "attached": (run_naive_attached, number // 10),
            "per_request": (run_naive_per_request, max(number // 100, 200)),
            "floor": (run_floor, number),
        },
        repeats,
    )
    ours, drained, floor = samples["ours"], samples["drained"], samples["floor"]
    attached, per_request = samples["attached"], samples["per_request"]
    vs_attached = ratio(attached, ours)
    vs_request = ratio(per_request, ours)
    vs_floor = ratio(ours, floor)
    return [
        Row(
            "1a apply event vs Machine attached per item",
            fmt_sample(ours),
            fmt_sample(attached),
            f"{vs_attached:.1f}x faster",
            ">= 10x faster",
            vs_attached >= 10,
        ),
        Row(
            "1b apply event vs Machine built per request",
            fmt_sample(ours),
            fmt_sample(per_request),
            f"{vs_request:.0f}x faster",
            ">= 100x faster",
            vs_request >= 100,
        ),
        Row(
            "1c apply event vs floor (dict lookup + setattr)",
            fmt_sample(ours),
            fmt_sample(floor),
            f"{vs_floor:.1f}x floor",
            "<= 10x floor",
            vs_floor <= 10,
        ),
        Row(
            "1d apply event + build its event object",
            fmt_sample(drained),
            fmt_sample(ours),
            f"{ratio(drained, ours):.1f}x apply",
            "(info)",
            None,
        ),
    ]


def bench_memory(quick: bool) -> list[Row]:
    count = 2_000 if quick else 20_000
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    orders = []
    for n in range(count):
        order = Order.place(f"M-{n}", "acct", [NewItem(OrderKind.PORT_IN)] * 3, actor=STAFF, at=T0)
        for item in order.items:
            order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
            order.fire(item.item_id, Trigger.APPROVE_PORT, actor=STAFF, at=T0)
            order.fire(
                item.item_id,
                Trigger.RECEIVE_PORT_DATE,
                actor=STAFF,
                at=T0,
                committed_date=date(2026, 3, 9),
            )
        order.pull_events()
        orders.append(order)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    used = sum(s.size_diff for s in after.compare_to(before, "filename"))
    per_order = used / count
    return [
        Row(
            "5a memory per order (3 items x 4 history entries)",
            f"{per_order:,.0f} B",
            "-",
            "-",
            "<= 5,000 B",
            per_order <= 5_000,
        )
    ]


def bench_cattrs(quick: bool) -> list[Row]:
    conv = make_converter()
    generic = cattrs.Converter(forbid_extra_keys=True)
    _configure_generic(generic)
    order = _order(10, OrderKind.PORT_IN)
    for n, item in enumerate(order.items):
        # Distinct times with microseconds, as a real clock gives them.
        at = T0 + timedelta(minutes=n, microseconds=123_457 * (n + 1))
        order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=at)
    order.pull_events()

    def round_trips(converter: cattrs.Converter) -> Callable[[int], float]:
        def run(n: int) -> float:
            start = time.perf_counter()
            for _ in range(n):
                converter.structure(converter.unstructure(order), Order)
            return time.perf_counter() - start

        return run

    number = 200 if quick else 2_000
    samples = interleaved(
        {"ours": (round_trips(conv), number), "generic": (round_trips(generic), number // 4)},
        3 if quick else 7,
    )
    ours, plain = samples["ours"], samples["generic"]
    return [
        Row(
            "5b cattrs round trip, 10-item order vs cattrs' generic hooks",
            fmt_sample(ours),
            fmt_sample(plain),
            f"{ratio(plain, ours):.1f}x faster",
            "<= 50 us",
            ours.median <= 50e-6,
        )
    ]


def _items_run(size: int) -> Callable[[int], float]:
    """Events sent to the last item of one order of ``size`` items."""
    order = _order(size)
    item_id = f"B-1-{size}"

    @_no_gc
    def run(n: int) -> float:
        fire = order.fire
        start = time.perf_counter()
        for _ in range(n // 2):
            fire(item_id, RI, actor=STAFF, at=T0)
            fire(item_id, PI, actor=STAFF, at=T0)
        elapsed = time.perf_counter() - start
        order.pull_events()
        return elapsed

    return run


def _with_history(length: int) -> Order:
    order = _order(1)
    for _ in range((length - 1) // 2):
        order.fire("B-1-1", RI, actor=STAFF, at=T0)
        order.fire("B-1-1", PI, actor=STAFF, at=T0)
    order.pull_events()
    return order


def _history_run(length: int, orders: int) -> Callable[[int], float]:
    """``n`` events spread over ``orders`` fresh one-item orders whose item has
    ``length`` history entries, so the history is that long while measured."""

    @_no_gc
    def run(n: int) -> float:
        built = [_with_history(length) for _ in range(orders)]
        per_order = n // orders // 2
        start = time.perf_counter()
        for order in built:
            fire = order.fire
            for _ in range(per_order):
                fire("B-1-1", RI, actor=STAFF, at=T0)
                fire("B-1-1", PI, actor=STAFF, at=T0)
        return time.perf_counter() - start

    return run


def bench_growth(quick: bool) -> list[Row]:
    number, orders, repeats = (2_000, 50, 3) if quick else (20_000, 200, 5)
    sizes = (1, 10, 100, 1_000)
    runs: dict[str, tuple[Callable[[int], float], int]] = {}
    for size in sizes:
        runs[f"items {size}"] = (_items_run(size), number)
        runs[f"history {size}"] = (_history_run(size, orders), number)
    samples = interleaved(runs, repeats)
    rows = []
    for label, key in (("items per order", "items"), ("history length", "history")):
        first, last = samples[f"{key} 1"], samples[f"{key} 1000"]
        growth = ratio(last, first)
        rows.append(
            Row(
                f"6 apply event, {label} 1 -> 1,000",
                " / ".join(fmt_time(samples[f"{key} {n}"].median) for n in sizes),
                f"at 1: {fmt_time(first.median)}",
                f"{growth:.2f}x",
                "flat (<= 1.5x)",
                growth <= 1.5,
            )
        )
    return rows


CASES = [bench_apply, bench_memory, bench_cattrs, bench_growth]
