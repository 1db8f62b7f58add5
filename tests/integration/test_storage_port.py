"""The storage port's behaviour, the same on every adapter (memory, SQLite file, PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.support.actors import MANAGER, STAFF
from tests.support.clock import T0
from tests.support.storage import AnyStorage, add_order, new_number, new_order
from tnorder import (
    AlreadyExists,
    ConcurrencyConflict,
    ItemStatus,
    NewItem,
    NotificationError,
    NumberNotFound,
    OrderKind,
    OrderNotFound,
    OrderService,
    Trigger,
    ValidationError,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.domain.events import Event
from tnorder.domain.inventory import InventoryStatus
from tnorder.relay import relay_outbox


def test_added_order_reads_back_equal_at_version_1(storage: AnyStorage) -> None:
    """An added order is stored at version 1 and reads back equal, as a fresh copy."""
    order = add_order(storage, new_order("O-1"))
    with storage.unit_of_work() as uow:
        first = uow.orders.get("O-1")
        second = uow.orders.get("O-1")
    assert 1 == order.version
    assert order == first
    first.items[0].carrier_ref = "changed"
    assert None is second.items[0].carrier_ref


def test_save_bumps_the_version(storage: AnyStorage) -> None:
    """Each committed save raises the stored version by one."""
    add_order(storage, new_order("O-1"))
    with storage.unit_of_work() as uow:
        order = uow.orders.get("O-1")
        order.fire("O-1-1", Trigger.REVIEW, actor=STAFF, at=T0)
        uow.orders.save(order)
        uow.commit()
    with storage.unit_of_work() as uow:
        stored = uow.orders.get("O-1")
    assert (2, 2) == (order.version, stored.version)
    assert ItemStatus.UNDER_REVIEW == stored.items[0].status


def test_saving_a_stale_copy_raises_and_writes_nothing(storage: AnyStorage) -> None:
    """Saving over a newer version raises ConcurrencyConflict at once; the stored order is kept."""
    add_order(storage, new_order("O-1"))
    with storage.unit_of_work() as uow:
        stale = uow.orders.get("O-1")
    with storage.unit_of_work() as uow:
        fresh = uow.orders.get("O-1")
        fresh.fire("O-1-1", Trigger.REVIEW, actor=STAFF, at=T0)
        uow.orders.save(fresh)
        uow.commit()
    stale.fire("O-1-1", Trigger.REJECT, actor=STAFF, at=T0)
    with storage.unit_of_work() as uow:
        with pytest.raises(ConcurrencyConflict) as caught:
            uow.orders.save(stale)
        uow.commit()
    with storage.unit_of_work() as uow:
        stored = uow.orders.get("O-1")
    assert ("O-1", 1, 2) == (
        caught.value.key,
        caught.value.expected_version,
        caught.value.actual_version,
    )
    assert ItemStatus.UNDER_REVIEW == stored.items[0].status


def test_conflict_found_at_commit_rolls_back_the_whole_unit(storage: AnyStorage) -> None:
    """When another writer commits first, commit raises and none of the unit's writes or
    events are stored."""
    add_order(storage, new_order("O-1"))
    with storage.unit_of_work() as loser, storage.unit_of_work() as winner:
        mine = loser.orders.get("O-1")
        theirs = winner.orders.get("O-1")
        mine.fire("O-1-1", Trigger.REVIEW, actor=STAFF, at=T0)
        loser.orders.save(mine)
        extra = new_order("O-2")
        loser.orders.add(extra)
        loser.add_events(mine.pull_events() + extra.pull_events())
        theirs.fire("O-1-1", Trigger.BEGIN_VERIFICATION, actor=STAFF, at=T0)
        winner.orders.save(theirs)
        winner.add_events(theirs.pull_events())
        winner.commit()
        with pytest.raises(ConcurrencyConflict) as conflict:
            loser.commit()
        assert "O-1" == conflict.value.key
    with storage.unit_of_work() as uow:
        stored = uow.orders.get("O-1")
        with pytest.raises(OrderNotFound) as missing:
            uow.orders.get("O-2")
        assert "O-2" == missing.value.key
    notifier = RecordingNotifier()
    OrderService(storage, clock=FixedClock(T0), notifier=notifier).relay_events()
    assert ItemStatus.VERIFICATION_PENDING == stored.items[0].status
    assert ["O-1#1", "O-1#2"] == notifier.event_ids()


def test_adding_a_taken_id_raises_already_exists(storage: AnyStorage) -> None:
    """An id can be added once: at once if stored, at commit if another unit won the race."""
    add_order(storage, new_order("O-1"))
    with storage.unit_of_work() as uow, pytest.raises(AlreadyExists) as taken:
        uow.orders.add(new_order("O-1"))
    assert "O-1" == taken.value.key
    with storage.unit_of_work() as first, storage.unit_of_work() as second:
        first.orders.add(new_order("O-2", "acct-1"))
        second.orders.add(new_order("O-2", "acct-2"))
        first.commit()
        with pytest.raises(AlreadyExists) as raced:
            second.commit()
        assert "O-2" == raced.value.key
    with storage.unit_of_work() as uow:
        assert "acct-1" == uow.orders.get("O-2").account_id


def test_unknown_orders_are_not_found(storage: AnyStorage) -> None:
    """Reading or saving an order that was never added raises OrderNotFound."""
    with storage.unit_of_work() as uow:
        with pytest.raises(OrderNotFound) as read:
            uow.orders.get("nope")
        with pytest.raises(OrderNotFound) as saved:
            uow.orders.save(new_order("nope"))
    assert ("nope", "nope") == (read.value.key, saved.value.key)


def test_leaving_without_commit_discards_everything(storage: AnyStorage) -> None:
    """A unit of work left without commit() writes neither records nor events."""
    with storage.unit_of_work() as uow:
        order = new_order("O-1")
        uow.orders.add(order)
        uow.add_events(order.pull_events())
    with storage.unit_of_work() as uow, pytest.raises(OrderNotFound) as missing:
        uow.orders.get("O-1")
    assert "O-1" == missing.value.key
    assert 0 == storage.pending_event_count()


def test_a_unit_reads_its_own_staged_writes(storage: AnyStorage) -> None:
    """Inside a unit of work, gets and queries see what it staged, before commit."""
    add_order(storage, new_order("O-0"))
    with storage.unit_of_work() as uow:
        uow.orders.add(new_order("O-1", at=T0 + timedelta(minutes=1)))
        gone = uow.orders.get("O-0")
        gone.cancel(actor=MANAGER, at=T0)
        uow.orders.save(gone)
        again = uow.orders.get("O-0")
        listed = uow.orders.for_account("acct-1", finalized_since=T0 + timedelta(seconds=1))
    assert ItemStatus.CANCELLED == again.items[0].status
    assert 2 == again.version
    assert ["O-1"] == [o.order_id for o in listed]


def test_saving_twice_in_one_unit_commits(storage: AnyStorage) -> None:
    """A unit may save the same order twice; the commit checks the version it loaded."""
    add_order(storage, new_order("O-1"))
    with storage.unit_of_work() as uow:
        order = uow.orders.get("O-1")
        order.fire("O-1-1", Trigger.REVIEW, actor=STAFF, at=T0)
        uow.orders.save(order)
        order.fire("O-1-1", Trigger.BEGIN_VERIFICATION, actor=STAFF, at=T0)
        uow.orders.save(order)
        uow.commit()
    with storage.unit_of_work() as uow:
        stored = uow.orders.get("O-1")
    assert (3, ItemStatus.VERIFICATION_PENDING) == (stored.version, stored.items[0].status)


def test_for_account_returns_open_and_recently_finalized_orders(storage: AnyStorage) -> None:
    """The Orders-tab query: open orders plus those finalized at or after the cut-off,
    oldest first, for one account only."""
    for n in range(5):
        add_order(storage, new_order(f"O-{n}", at=T0 + timedelta(hours=5 - n)))
    add_order(storage, new_order("X-1", "acct-2"))
    for n, at in ((1, T0), (2, T0 + timedelta(days=10)), (3, T0 + timedelta(days=20))):
        with storage.unit_of_work() as uow:
            order = uow.orders.get(f"O-{n}")
            order.cancel(actor=MANAGER, at=at)
            uow.orders.save(order)
            uow.commit()
    with storage.unit_of_work() as uow:
        everything = uow.orders.for_account("acct-1")
        tab = uow.orders.for_account("acct-1", finalized_since=T0 + timedelta(days=10))
        nobody = uow.orders.for_account("acct-404")
    assert ["O-4", "O-3", "O-2", "O-1", "O-0"] == [o.order_id for o in everything]
    assert ["O-4", "O-3", "O-2", "O-0"] == [o.order_id for o in tab]
    assert [] == nobody


def test_for_account_refuses_a_naive_cutoff(storage: AnyStorage) -> None:
    """A cut-off without a UTC offset is refused with ValidationError."""
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as naive:
        uow.orders.for_account("acct-1", finalized_since=T0.replace(tzinfo=None))
    assert "finalized_since" == naive.value.field


def test_records_are_versioned_and_found_by_their_indexes(storage: AnyStorage) -> None:
    """Record kinds get the same versioning, and find() matches index fields
    (enums by value, None as missing)."""
    with storage.unit_of_work() as uow:
        uow.inventory.add(new_number("+14045550100"))
        uow.inventory.add(new_number("+14045550101", account_id="acct-1"))
        uow.inventory.add(new_number("+14045550102", account_id="acct-2"))
        uow.commit()
    with storage.unit_of_work() as uow:
        number = uow.inventory.get("+14045550100")
        number.account_id = "acct-1"
        number.status = InventoryStatus.ASSIGNED
        uow.inventory.save(number)
        uow.commit()
    with storage.unit_of_work() as uow:
        assigned = uow.inventory.find(account_id="acct-1", status=InventoryStatus.ASSIGNED)
        available = uow.inventory.find(account_id=None)
        by_value = uow.inventory.find(status="assigned", inventory_type="bw-main")
        with pytest.raises(NumberNotFound) as missing:
            uow.inventory.get("+10000000000")
        assert "+10000000000" == missing.value.key
        with pytest.raises(ValidationError, match="carrier_ref"):
            uow.inventory.find(carrier_ref="x")
        stale = uow.inventory.get("+14045550101")
    stale.version = 0
    with storage.unit_of_work() as uow, pytest.raises(ConcurrencyConflict) as conflict:
        uow.inventory.save(stale)
    assert ("+14045550101", 0) == (conflict.value.key, conflict.value.expected_version)
    assert ["+14045550100", "+14045550101"] == [n.number for n in assigned]
    assert 2 == assigned[0].version
    assert [] == available
    assert 3 == len(by_value)


def test_relay_delivers_each_event_once_in_order(storage: AnyStorage) -> None:
    """Events reach the notifier oldest first with their stable ids, and only once."""
    notifier = RecordingNotifier()
    service = OrderService(storage, clock=FixedClock(T0), notifier=notifier)
    item = NewItem(OrderKind.NEW_NUMBER)
    service.place_order("acct-1", [item], actor=STAFF, order_id="A")
    service.place_order("acct-1", [item], actor=STAFF, order_id="B")
    service.fire("A", "A-1", Trigger.REVIEW, actor=STAFF)
    service.cancel_order("B", actor=MANAGER)
    assert 4 == service.relay_events()
    assert 0 == service.relay_events()
    assert ["A#1", "B#1", "A#2", "B#2"] == notifier.event_ids()
    assert 0 == storage.pending_event_count()


def test_a_failing_event_holds_back_only_its_own_stream(storage: AnyStorage) -> None:
    """When publish fails for one event, later events of that order wait, other orders
    are delivered, NotificationError is raised, and the next run delivers the rest in order."""
    for order_id in ("A", "B"):
        add_order(storage, new_order(order_id))
    service = OrderService(storage, clock=FixedClock(T0), notifier=RecordingNotifier())
    service.fire("A", "A-1", Trigger.REVIEW, actor=STAFF)
    service.fire("B", "B-1", Trigger.REVIEW, actor=STAFF)
    flaky = _FailOnce("A#1")
    service.notifier = flaky
    with pytest.raises(NotificationError, match="A#1"):
        service.relay_events()
    assert ["B#1", "B#2"] == flaky.ids
    assert 2 == service.relay_events()
    assert ["B#1", "B#2", "A#1", "A#2"] == flaky.ids


def test_an_open_claim_keeps_its_stream_from_other_relays(storage: AnyStorage) -> None:
    """While one relay holds a stream's events, another relay gets none of that stream."""
    for order_id in ("A", "B"):
        add_order(storage, new_order(order_id))
    service = OrderService(storage, clock=FixedClock(T0), notifier=RecordingNotifier())
    service.fire("A", "A-1", Trigger.REVIEW, actor=STAFF)
    with storage.outbox() as first:
        held = first.claim(limit=1)
        with storage.outbox() as second:
            other = second.claim()
        first.mark_delivered([e.position for e in held])
    with storage.outbox() as third:
        rest = third.claim()
    assert ["A#1"] == [e.event.event_id for e in held]
    assert set() == {e.event.stream for e in other} & {"A"}
    assert ["B#1", "A#2"] == [e.event.event_id for e in rest]


class _FailOnce:
    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        self.failed = False
        self.ids: list[str] = []

    def publish(self, event: Event) -> None:
        if event.event_id == self.event_id and not self.failed:
            self.failed = True
            raise ConnectionError("bus down")
        self.ids.append(event.event_id)


class _SlowRecorder(RecordingNotifier):
    def publish(self, event: Event) -> None:
        time.sleep(0.001)  # let the relays interleave
        super().publish(event)


def test_relays_side_by_side_deliver_each_event_once_in_order(storage: AnyStorage) -> None:
    """Three relays draining one outbox at once deliver every event exactly once, and
    each order's events in the order they happened."""
    service = OrderService(storage, clock=FixedClock(T0))
    for n in range(10):
        add_order(storage, new_order(f"R-{n}"))
        service.fire(f"R-{n}", f"R-{n}-1", Trigger.REVIEW, actor=STAFF)
        service.fire(f"R-{n}", f"R-{n}-1", Trigger.BEGIN_VERIFICATION, actor=STAFF)
    notifier = _SlowRecorder()
    start = threading.Barrier(3)

    def relay() -> None:
        start.wait()
        while relay_outbox(storage, notifier, limit=4):
            pass

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    while relay_outbox(storage, notifier):  # whatever a relay that gave up early left
        pass
    delivered = notifier.event_ids()
    assert sorted(f"R-{n}#{s}" for n in range(10) for s in (1, 2, 3)) == sorted(delivered)
    for n in range(10):
        seqs = [int(i.split("#")[1]) for i in delivered if i.startswith(f"R-{n}#")]
        assert [1, 2, 3] == seqs
