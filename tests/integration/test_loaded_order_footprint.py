"""A loaded order kept after its unit of work does not keep the unit of work alive
(issue 16, row 5a): its late reads hold the session alone, and still work."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, datetime

from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.events import Actor
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem, Order
from tnorder.domain.statuses import ItemStatus, OrderKind, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Actor(Role.STAFF, "s-1")


def test_a_kept_order_frees_its_unit_of_work_and_reads_items_late(
    sql_storage: SqliteStorage | PostgresStorage,
) -> None:
    """After the unit of work ends and is dropped, nothing the order holds refers to
    it; the order's untouched items and history still read back as stored."""
    order = Order.place("O-1", "acct", [NewItem(OrderKind.PORT_IN)] * 3, actor=STAFF, at=T0)
    order.fire("O-1-2", Trigger.SUBMIT_TO_CARRIER, actor=STAFF, at=T0)
    order.pull_events()
    with sql_storage.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    with sql_storage.unit_of_work() as uow:
        loaded = uow.orders.get("O-1")
        gone = weakref.ref(uow)
        repository = weakref.ref(uow.orders)
    del uow
    gc.collect()
    assert gone() is None
    assert repository() is None
    assert ItemStatus.ORDER_SUBMITTED == loaded.item("O-1-1").status
    second = loaded.item("O-1-2")
    assert ItemStatus.SUBMITTED_TO_CARRIER == second.status
    assert [Trigger.SUBMIT_TO_CARRIER] == [e.trigger for e in second.history][1:]
    assert ["O-1-1", "O-1-2", "O-1-3"] == [i.item_id for i in loaded.items]
