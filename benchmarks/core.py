"""Core benchmarks: applying one event, memory per order, cattrs round trip, growth."""

from __future__ import annotations

import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import cattrs
from transitions import Machine

from tnorder import Actor, NewItem, Order, OrderKind, Role, Trigger
from tnorder.adapters.sqlite import SqliteStorage
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


# -- the naive alternative: transitions.Machine doing the same work --------------

# Built once, as a transitions user would keep them at module level.
_TRANSITIONS = machine_transitions()
_UNDER_REVIEW = ItemStatus.UNDER_REVIEW.value
_ITEM_IDS = [f"B-1-{k}" for k in range(1, 11)]
_ITEM = "B-1-3"


class NaiveItem:
    """What a transitions user writes: the item is the Machine's model, and a
    callback after each state change does what ``Order.fire`` does besides the
    state: it appends a history entry and records the event for the outbox."""

    def __init__(self, item_id: str, history: list[tuple[Any, ...]], events: list[Any]) -> None:
        self.item_id = item_id
        self.is_port_in = False
        self.is_disconnect = False
        self.history = history
        self.events = events

    def record(self, event: Any) -> None:
        entry = (
            event.transition.source,
            event.transition.dest,
            event.event.name,
            event.kwargs["actor"],
            event.kwargs["at"],
        )
        self.history.append(entry)
        self.events.append((self.item_id, entry))


#: The same callbacks on every naive machine: the event data goes to ``record``.
_NAIVE_OPTIONS: dict[str, Any] = {"send_event": True, "after_state_change": "record"}


def _naive_machine(item: NaiveItem, initial: str = _UNDER_REVIEW) -> Machine:
    # Exactly ``Machine(model=item, states=..., transitions=..., ...)``.
    return build_machine(model=item, transitions=_TRANSITIONS, initial=initial, **_NAIVE_OPTIONS)


def _naive_order() -> tuple[dict[str, NaiveItem], list[Any]]:
    events: list[Any] = []
    return {i: NaiveItem(i, [], events) for i in _ITEM_IDS}, events


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
            fire(_ITEM, RI, actor=STAFF, at=T0)
            fire(_ITEM, PI, actor=STAFF, at=T0)
    return time.perf_counter() - start


@_no_gc
def run_ours_drained(n: int) -> float:
    orders = _loaded_orders(n)
    pairs = EVENTS_PER_ORDER // 2
    start = time.perf_counter()
    for order in orders:
        fire = order.fire
        for _ in range(pairs):
            fire(_ITEM, RI, actor=STAFF, at=T0)
            fire(_ITEM, PI, actor=STAFF, at=T0)
            order.pull_events()
    return time.perf_counter() - start


@_no_gc
def run_naive_attached(n: int) -> float:
    """A Machine attached to every item of the order once, then kept."""
    orders = []
    for _ in range(max(1, n // EVENTS_PER_ORDER)):
        items, _events = _naive_order()
        for item in items.values():
            _naive_machine(item)
        orders.append(items)
    pairs = EVENTS_PER_ORDER // 2
    start = time.perf_counter()
    for items in orders:
        for _ in range(pairs):
            items[_ITEM].request_information(actor=STAFF, at=T0)  # type: ignore[attr-defined]
            items[_ITEM].provide_information(actor=STAFF, at=T0)  # type: ignore[attr-defined]
    return time.perf_counter() - start


@_no_gc
def run_naive_per_request(n: int) -> float:
    """A Machine built for the item each request touches, from its stored status."""
    items, events = _naive_order()
    stored = {i: [_UNDER_REVIEW, item.history] for i, item in items.items()}
    triggers = ("request_information", "provide_information")
    start = time.perf_counter()
    for k in range(n):
        state, history = stored[_ITEM]
        item = NaiveItem(_ITEM, history, events)
        _naive_machine(item, state)
        getattr(item, triggers[k & 1])(actor=STAFF, at=T0)
        stored[_ITEM][0] = item.state  # type: ignore[attr-defined]
    return time.perf_counter() - start


#: One Machine for the whole process, as the ``transitions`` docs suggest for
#: many models; each request adds its item and removes it afterwards.
_SHARED = build_machine(transitions=_TRANSITIONS, **_NAIVE_OPTIONS)


@_no_gc
def run_naive_shared(n: int) -> float:
    """The shared Machine with ``add_model`` / ``remove_model`` per request."""
    items, events = _naive_order()
    stored = {i: [_UNDER_REVIEW, item.history] for i, item in items.items()}
    triggers = ("request_information", "provide_information")
    add, remove = _SHARED.add_model, _SHARED.remove_model
    start = time.perf_counter()
    for k in range(n):
        state, history = stored[_ITEM]
        item = NaiveItem(_ITEM, history, events)
        add(item, initial=state)
        getattr(item, triggers[k & 1])(actor=STAFF, at=T0)
        remove(item)
        stored[_ITEM][0] = item.state  # type: ignore[attr-defined]
    return time.perf_counter() - start


class _Slot:
    __slots__ = ("history", "status")

    def __init__(self) -> None:
        self.status = ItemStatus.UNDER_REVIEW
        self.history: list[tuple[Any, ...]] = []


@_no_gc
def run_floor(n: int) -> float:
    """The same work in the cheapest Python: find the item, look the move up,
    append the history entry, record the event."""
    table = {
        (ItemStatus.UNDER_REVIEW, RI): ItemStatus.INFORMATION_REQUIRED,
        (ItemStatus.INFORMATION_REQUIRED, PI): ItemStatus.UNDER_REVIEW,
    }
    items = {i: _Slot() for i in _ITEM_IDS}
    events: list[Any] = []
    record = events.append
    start = time.perf_counter()
    for _ in range(n // 2):
        for trigger in (RI, PI):
            item = items[_ITEM]
            source = item.status
            dest = table[source, trigger]
            entry = (source, dest, trigger, STAFF, T0)
            item.status = dest
            item.history.append(entry)
            record((_ITEM, entry))
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
            "shared": (run_naive_shared, max(number // 20, 200)),
            "floor": (run_floor, number),
        },
        repeats,
    )
    ours, drained, floor = samples["ours"], samples["drained"], samples["floor"]
    attached, per_request, shared = samples["attached"], samples["per_request"], samples["shared"]
    vs_attached = ratio(attached, ours)
    vs_request = ratio(per_request, ours)
    vs_shared = ratio(shared, ours)
    vs_floor = ratio(ours, floor)
    return [
        Row(
            "1a apply event vs Machine attached per item (same work)",
            fmt_sample(ours),
            fmt_sample(attached),
            f"{vs_attached:.1f}x faster",
            ">= 10x faster",
            vs_attached >= 10,
        ),
        Row(
            "1b apply event vs Machine built per request (same work)",
            fmt_sample(ours),
            fmt_sample(per_request),
            f"{vs_request:.0f}x faster",
            ">= 100x faster",
            vs_request >= 100,
        ),
        Row(
            "1e apply event vs shared Machine, add_model/remove_model per request",
            fmt_sample(ours),
            fmt_sample(shared),
            f"{vs_shared:.1f}x faster",
            "(info)",
            None,
        ),
        Row(
            "1c apply event vs floor (item lookup, history entry, event record)",
            fmt_sample(ours),
            fmt_sample(floor),
            f"{vs_floor:.1f}x floor",
            "<= 3x floor",
            vs_floor <= 3,
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


def _port_in_order(n: int) -> Order:
    """A 3-item port-in whose 12 history entries each have their own time, as a
    real clock gives them (a shared datetime would be counted once)."""
    at = T0 + timedelta(seconds=n)
    order = Order.place(f"M-{n}", "acct", [NewItem(OrderKind.PORT_IN)] * 3, actor=STAFF, at=at)
    for k, item in enumerate(order.items):
        step = timedelta(minutes=1 + k, microseconds=n + 1)
        order.fire(item.item_id, Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=at + step)
        order.fire(item.item_id, Trigger.APPROVE_PORT, actor=STAFF, at=at + 2 * step)
        order.fire(
            item.item_id,
            Trigger.RECEIVE_PORT_DATE,
            actor=STAFF,
            at=at + 3 * step,
            committed_date=date(2026, 3, 9),
        )
    order.pull_events()
    return order


def _loaded_bytes(
    storage: SqliteStorage, ids: list[str], read_history: bool, read_items: bool = True
) -> float:
    """Bytes per order held after loading ``ids`` back, each in its own unit of work,
    with every item read (orders load in part: untouched items cost nothing)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = []
    for order_id in ids:
        with storage.unit_of_work() as uow:
            order = uow.orders.get(order_id)
            if read_items:
                list(order.items)
            if read_history:
                for item in order.items:
                    list(item.history)
        kept.append(order)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    used = sum(s.size_diff for s in after.compare_to(before, "filename"))
    del kept
    return used / len(ids)


def bench_memory(quick: bool) -> list[Row]:
    count = 2_000 if quick else 20_000
    with tempfile.TemporaryDirectory(prefix="tnorder-mem-") as tmp:
        storage = SqliteStorage(Path(tmp) / "memory.sqlite3")
        try:
            orders = [_port_in_order(n) for n in range(count)]
            storage.bulk_insert_orders(orders)
            ids = [o.order_id for o in orders]
            del orders
            header_only = _loaded_bytes(storage, ids, read_history=False, read_items=False)
            as_loaded = _loaded_bytes(storage, ids, read_history=False)
            with_history = _loaded_bytes(storage, ids, read_history=True)
        finally:
            storage.close()
    return [
        Row(
            "5a memory per order loaded from SQLite, items read (3 items x 4 history entries)",
            f"{as_loaded:,.0f} B",
            "-",
            "-",
            "<= 5,000 B",
            as_loaded <= 5_000,
        ),
        Row(
            "5a  the same, no item touched (the header only)",
            f"{header_only:,.0f} B",
            f"items read: {as_loaded:,.0f} B",
            f"{header_only / as_loaded:.2f}x",
            "(info)",
            None,
        ),
        Row(
            "5a  the same with every item's history read",
            f"{with_history:,.0f} B",
            f"as loaded: {as_loaded:,.0f} B",
            f"{with_history / as_loaded:.2f}x",
            "(info)",
            None,
        ),
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
