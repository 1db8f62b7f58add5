"""No lost updates: threads and processes fire events at the same orders at once.

Afterwards every accepted event is in the order's history exactly once, every
refused one raised ``ConcurrencyConflict`` or ``InvalidTransition`` and left no
trace, each item's history is an unbroken chain, and the outbox holds exactly
the events the histories imply.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections import Counter
from itertools import pairwise

import pytest

from tests.support.actors import STAFF
from tests.support.clock import T0
from tests.support.storage import add_order, new_order
from tnorder import ConcurrencyConflict, InvalidTransition, OrderKind, Trigger
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.world import build_service

FORK = multiprocessing.get_context("fork")
ORDERS = ("L-1", "L-2")
TRIGGERS = (Trigger.REQUEST_INFORMATION, Trigger.PROVIDE_INFORMATION)
WORKERS = 4
EVENTS_PER_WORKER = 30

Outcome = tuple[str, str]


def _setup(storage: SqliteStorage | PostgresStorage) -> None:
    for order_id in ORDERS:
        order = new_order(order_id, kinds=(OrderKind.PORT_IN, OrderKind.PORT_IN))
        for item in order.items:
            order.fire(item.item_id, Trigger.REVIEW, actor=STAFF, at=T0)
        add_order(storage, order)


def _apply_events(storage: SqliteStorage | PostgresStorage, worker: int) -> list[Outcome]:
    """Fire random information requests/answers; record what became of each, by note."""
    rng = random.Random(worker)
    service = build_service(storage, clock=FixedClock(T0), max_attempts=3)
    outcomes: list[Outcome] = []
    for n in range(EVENTS_PER_WORKER):
        tag = f"w{worker}-{n}"
        order_id = rng.choice(ORDERS)
        item_id = f"{order_id}-{rng.randint(1, 2)}"
        try:
            service.fire(order_id, item_id, rng.choice(TRIGGERS), actor=STAFF, note=tag)
        except ConcurrencyConflict:
            outcomes.append((tag, "conflict"))
        except InvalidTransition:
            outcomes.append((tag, "invalid"))
        except Exception as exc:  # anything else is a failure of the test subject
            outcomes.append((tag, f"error {type(exc).__name__}: {exc}"))
        else:
            outcomes.append((tag, "accepted"))
    return outcomes


def _process_worker(
    storage: SqliteStorage | PostgresStorage, worker: int, results: multiprocessing.Queue[object]
) -> None:
    results.put(_apply_events(storage, worker))


def _check(storage: SqliteStorage | PostgresStorage, outcomes: list[Outcome]) -> None:
    kinds = Counter(result for _, result in outcomes)
    accepted = sorted(tag for tag, result in outcomes if result == "accepted")
    notes: list[str] = []
    expected_ids: list[str] = []
    with storage.unit_of_work() as uow:
        for order_id in ORDERS:
            order = uow.orders.get(order_id)
            expected_ids += [f"{order_id}#{seq}" for seq in range(1, order.event_seq + 1)]
            for item in order.items:
                chain = [(h.from_status, h.to_status) for h in item.history]
                for (_, before), (after, _) in pairwise(chain):
                    assert before == after, chain
                assert item.status == item.history[-1].to_status
                notes += [h.note for h in item.history if h.note]
    notifier = RecordingNotifier()
    service = build_service(storage, clock=FixedClock(T0), notifier=notifier)
    while service.relay_events(limit=50):
        pass
    delivered = notifier.event_ids()
    assert set() == set(kinds) - {"accepted", "conflict", "invalid"}, outcomes
    assert WORKERS * EVENTS_PER_WORKER == len(outcomes)
    assert 0 < kinds["accepted"]
    assert accepted == sorted(notes)
    assert sorted(expected_ids) == sorted(delivered)
    for order_id in ORDERS:
        seqs = [int(i.split("#")[1]) for i in delivered if i.startswith(order_id + "#")]
        assert sorted(seqs) == seqs


@pytest.mark.parametrize("how", ["threads", "processes"])
def test_concurrent_writers_lose_no_update(
    sql_storage: SqliteStorage | PostgresStorage, how: str
) -> None:
    """Concurrent writers on the same orders: accepted events are kept exactly once,
    refused ones raised ConcurrencyConflict or InvalidTransition and left nothing behind."""
    _setup(sql_storage)
    outcomes: list[Outcome] = []
    if how == "threads":
        lock = threading.Lock()

        def run(worker: int) -> None:
            result = _apply_events(sql_storage, worker)
            with lock:
                outcomes.extend(result)

        threads = [threading.Thread(target=run, args=(w,)) for w in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    else:
        results: multiprocessing.Queue[object] = FORK.Queue()
        procs = [
            FORK.Process(target=_process_worker, args=(sql_storage, w, results))
            for w in range(WORKERS)
        ]
        for proc in procs:
            proc.start()
        for _ in procs:
            outcomes.extend(results.get(timeout=120))  # type: ignore[arg-type]
        for proc in procs:
            proc.join(60)
        assert [0] * WORKERS == [p.exitcode for p in procs]
    _check(sql_storage, outcomes)
