"""The header row's indexed columns are written only when they change (issue 16).

An event rewrites the header's body and version; ``account_id``, ``created_at``
and ``finalized_at`` are indexed, and rewriting an unchanged indexed column
dirties that index's pages on every commit.  The update leaves out the ones
that still hold what the unit of work read, and writes the ones that changed.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.storage import AnyStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.events import Actor
from tnorder.domain.machine import Trigger
from tnorder.domain.order import NewItem, Order
from tnorder.domain.statuses import ItemStatus, OrderKind, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")


def _add(storage: AnyStorage, items: int = 2) -> None:
    order = Order.place(
        "O-1", "acct-1", [NewItem(OrderKind.NEW_NUMBER)] * items, actor=MANAGER, at=T0
    )
    order.pull_events()
    with storage.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()


def _cancel(storage: AnyStorage, item_id: str, at: datetime) -> None:
    with storage.unit_of_work() as uow:
        order = uow.orders.get("O-1", items=[item_id])
        order.fire(item_id, Trigger.CANCEL, actor=MANAGER, at=at)
        uow.orders.save(order)
        uow.commit()


def test_finalizing_the_last_item_writes_finalized_at_and_the_listing_sees_it(
    storage: AnyStorage,
) -> None:
    """Cancelling one of two items leaves the order open (listed whatever the
    cut-off); cancelling the second writes its finalized time, which the account
    listing filters on."""
    _add(storage)
    _cancel(storage, "O-1-1", T0 + timedelta(hours=1))
    with storage.unit_of_work() as uow:
        assert uow.orders.get("O-1").finalized_at is None
        open_ones = uow.orders.for_account("acct-1", finalized_since=T0 + timedelta(days=1))
        assert ["O-1"] == [o.order_id for o in open_ones]
    _cancel(storage, "O-1-2", T0 + timedelta(hours=2))
    with storage.unit_of_work() as uow:
        assert T0 + timedelta(hours=2) == uow.orders.get("O-1").finalized_at
        assert [] == uow.orders.for_account("acct-1", finalized_since=T0 + timedelta(hours=3))
        found = uow.orders.for_account("acct-1", finalized_since=T0 + timedelta(hours=1))
        assert ["O-1"] == [o.order_id for o in found]
        assert ItemStatus.CANCELLED == found[0].item("O-1-2").status


def test_a_changed_account_id_is_written_to_its_column(storage: AnyStorage) -> None:
    """A host that moves a loaded order to another account finds it listed there."""
    _add(storage)
    with storage.unit_of_work() as uow:
        order = uow.orders.get("O-1")
        order.account_id = "acct-2"
        uow.orders.save(order)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert [] == uow.orders.for_account("acct-1")
        assert ["O-1"] == [o.order_id for o in uow.orders.for_account("acct-2")]


def test_an_event_leaves_unchanged_indexed_columns_out_of_the_update(tmp_path: Path) -> None:
    """On SQLite the header update of an ordinary event sets only version and body;
    the one that finalizes the order sets ``finalized_at`` too."""
    storage = SqliteStorage(tmp_path / "orders.sqlite3")
    try:
        _add(storage)
        seen: list[str] = []
        conn: sqlite3.Connection = storage._connection()  # the one this thread uses
        conn.set_trace_callback(seen.append)
        _cancel(storage, "O-1-1", T0 + timedelta(hours=1))
        _cancel(storage, "O-1-2", T0 + timedelta(hours=2))
    finally:
        storage.close()
    # The statements as run, values inlined: "name = value" marks a column set.
    updates = [s.split(" WHERE ")[0] for s in seen if s.startswith("UPDATE tnorder_orders")]
    assert 2 == len(updates)
    first, second = updates
    for column in ("account_id", "created_at", "finalized_at"):
        assert f"{column} = " not in first
    assert "finalized_at = " in second
    assert "account_id = " not in second
    upserts = [s for s in seen if s.startswith("INSERT INTO tnorder_order_items")]
    assert upserts
    assert all("position = excluded.position" not in s for s in upserts)
