"""Crash safety: a use case or relay that dies at any step leaves state and outbox consistent.

Real crashes: the step runs in a forked process that ends itself with
``os._exit`` at the injection point, so the database sees a client vanish
mid-way (an open transaction, a held relay lock) exactly as after a kill.
Afterwards the stored order and the outbox agree, and once a relay runs
again every event of every order has been delivered, in order per order.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import pytest

from tests.support.actors import STAFF
from tests.support.clock import T0
from tests.support.storage import AnyStorage, FileNotifier, add_order, new_order, outbox_ids
from tnorder import ItemStatus, NotificationError, Order, OrderService, StorageError, Trigger
from tnorder.adapters import _sql
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.ports import UnitOfWork
from tnorder.service.base import save_order
from tnorder.world import build_service

FORK = multiprocessing.get_context("fork")
CRASHED = 17


def _die(*_: object) -> NoReturn:
    os._exit(CRASHED)


def _in_child(target: Callable[[], object]) -> int | None:
    proc = FORK.Process(target=target)
    proc.start()
    proc.join(60)
    return proc.exitcode


def _place_two(storage: AnyStorage) -> None:
    add_order(storage, new_order("A"))
    add_order(storage, new_order("B"))


def _review_a(service: OrderService, step: str) -> Callable[[UnitOfWork, datetime], Order]:
    def use_case(uow: UnitOfWork, now: datetime) -> Order:
        order = uow.orders.get("A")
        order.fire("A-1", Trigger.REVIEW, actor=STAFF, at=now)
        if step == "before_save":
            _die()
        save_order(uow, order)
        if step == "after_save_before_commit":
            _die()
        return order

    return use_case


def _drain(storage: AnyStorage, notifier: object) -> None:
    """Relay until the outbox is empty (a dead relay's locks may take a moment to go)."""
    service = build_service(storage, clock=FixedClock(T0), notifier=notifier)  # type: ignore[arg-type]
    for _ in range(100):
        service.relay_events()
        if storage.pending_event_count() == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"outbox never drained: {outbox_ids(storage)}")


def _assert_all_delivered_in_order(storage: AnyStorage, delivered: list[str]) -> None:
    """Every event every order recorded was delivered; first deliveries in order per order."""
    expected: set[str] = set()
    with storage.unit_of_work() as uow:
        for order_id in ("A", "B"):
            seq = uow.orders.get(order_id).event_seq
            expected |= {f"{order_id}#{n}" for n in range(1, seq + 1)}
    first_seen = list(dict.fromkeys(delivered))
    assert expected == set(delivered)
    for order_id in ("A", "B"):
        seqs = [int(i.split("#")[1]) for i in first_seen if i.startswith(order_id + "#")]
        assert sorted(seqs) == seqs


@pytest.mark.parametrize(
    "step", ["before_save", "after_save_before_commit", "during_commit", "after_commit"]
)
def test_a_use_case_dying_at_any_step_leaves_state_and_outbox_consistent(
    sql_storage: SqliteStorage | PostgresStorage, step: str, tmp_path: Path
) -> None:
    """A process killed before its commit completed changed nothing; one killed after it
    left both the new state and its event.  A later relay delivers every event."""
    _place_two(sql_storage)

    def child() -> None:
        service = build_service(sql_storage, clock=FixedClock(T0))
        if step == "during_commit":
            # The header UPDATE has run inside the transaction; die before the item, history
            # and outbox rows are written.
            _sql.apply_rows = _die  # type: ignore[assignment]
        service.run(_review_a(service, step))
        _die()  # after the commit, before any relay ran

    assert CRASHED == _in_child(child)
    with sql_storage.unit_of_work() as uow:
        order = uow.orders.get("A")
    committed = step == "after_commit"
    status = ItemStatus.UNDER_REVIEW if committed else ItemStatus.ORDER_SUBMITTED
    assert (2 if committed else 1, status) == (order.version, order.items[0].status)
    assert sorted(["A#1", "B#1"] + (["A#2"] if committed else [])) == sorted(
        outbox_ids(sql_storage)
    )
    notifier = FileNotifier(tmp_path / "delivered.log")
    _drain(sql_storage, notifier)
    _assert_all_delivered_in_order(sql_storage, notifier.delivered())


def test_a_relay_dying_mid_delivery_loses_nothing(
    sql_storage: SqliteStorage | PostgresStorage, tmp_path: Path
) -> None:
    """A relay killed after publishing some events (before marking them) leaves them in the
    outbox: the next relay delivers everything, repeating only what was in flight."""
    _place_two(sql_storage)
    service = build_service(sql_storage, clock=FixedClock(T0))
    service.fire("A", "A-1", Trigger.REVIEW, actor=STAFF)
    service.fire("B", "B-1", Trigger.REVIEW, actor=STAFF)
    service.fire("A", "A-1", Trigger.BEGIN_VERIFICATION, actor=STAFF)
    log = tmp_path / "delivered.log"

    def child() -> None:
        build_service(
            sql_storage, clock=FixedClock(T0), notifier=FileNotifier(log, crash_after=2)
        ).relay_events()

    assert CRASHED == _in_child(child)
    assert ["A#1", "B#1"] == FileNotifier(log).delivered()
    assert 5 == sql_storage.pending_event_count()
    _drain(sql_storage, FileNotifier(log))
    delivered = FileNotifier(log).delivered()
    _assert_all_delivered_in_order(sql_storage, delivered)
    assert ["A#1", "B#1", "A#1", "B#1", "A#2", "B#2", "A#3"] == delivered


def _fail_commit(storage: AnyStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    if isinstance(storage, MemoryStorage):
        storage.fail_next_commit()
        return

    def broken(*_: object) -> None:
        raise StorageError("injected: disk full")

    monkeypatch.setattr(_sql, "apply_rows", broken)


def test_a_failed_commit_writes_nothing(
    storage: AnyStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the database fails during commit, the use case raises StorageError and neither
    the state change nor its event is stored; running it again succeeds."""
    _place_two(storage)
    service = build_service(storage, clock=FixedClock(T0), notifier=RecordingNotifier())
    _fail_commit(storage, monkeypatch)
    with pytest.raises(StorageError, match="injected"):
        service.fire("A", "A-1", Trigger.REVIEW, actor=STAFF)
    monkeypatch.undo()
    with storage.unit_of_work() as uow:
        assert 1 == uow.orders.get("A").version
    assert ["A#1", "B#1"] == sorted(outbox_ids(storage))
    service.fire("A", "A-1", Trigger.REVIEW, actor=STAFF)
    assert 3 == service.relay_events()


def test_an_error_inside_the_use_case_writes_nothing(storage: AnyStorage) -> None:
    """An exception raised by a use case after it staged writes propagates, and nothing
    it staged is stored."""
    _place_two(storage)
    service = build_service(storage, clock=FixedClock(T0))

    def use_case(uow: UnitOfWork, now: datetime) -> None:
        order = uow.orders.get("A")
        order.fire("A-1", Trigger.REVIEW, actor=STAFF, at=now)
        save_order(uow, order)
        uow.orders.add(new_order("C"))
        raise RuntimeError("host code failed")

    with pytest.raises(RuntimeError, match="host code failed"):
        service.run(use_case)
    with storage.unit_of_work() as uow:
        assert 1 == uow.orders.get("A").version
        assert [] == [o for o in uow.orders.for_account("acct-1") if o.order_id == "C"]
    assert ["A#1", "B#1"] == sorted(outbox_ids(storage))


def test_a_notifier_failing_for_every_event_keeps_them_all(storage: AnyStorage) -> None:
    """If the notifier is down, the relay raises NotificationError and every event stays."""
    _place_two(storage)

    class Down:
        def publish(self, event: object) -> None:
            raise NotificationError("bus down")

    service = build_service(storage, clock=FixedClock(T0), notifier=Down())
    with pytest.raises(NotificationError, match="A#1, B#1"):
        service.relay_events()
    assert 2 == storage.pending_event_count()
