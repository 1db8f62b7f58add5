"""Helpers shared by the storage tests.

Builders for orders and records, raw access to the rows under a storage (to
plant garbage or read what is really stored), and a notifier that appends to
a file so deliveries made in another process can be checked.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from tests.support.actors import CUSTOMER
from tests.support.clock import T0
from tnorder import NewItem, Order, OrderKind
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.events import Event
from tnorder.domain.inventory import InventoryNumber, InventoryStatus
from tnorder.ports import Storage

AnyStorage = MemoryStorage | SqliteStorage | PostgresStorage

TABLES = (
    "tnorder_orders",
    "tnorder_order_items",
    "tnorder_order_history",
    "tnorder_outbox",
    "tnorder_documents",
    "tnorder_inventory",
    "tnorder_carrier_requests",
    "tnorder_number_claims",
    # The dashboards' read model (migration 6).
    "tnorder_view_orders",
    "tnorder_view_items",
    "tnorder_view_sources",
    "tnorder_active_numbers",
)


def new_order(
    order_id: str,
    account_id: str = "acct-1",
    *,
    kinds: Sequence[OrderKind] = (OrderKind.NEW_NUMBER,),
    at: datetime = T0,
) -> Order:
    """A freshly placed order (its OrderPlaced event still pending)."""
    return Order.place(order_id, account_id, [NewItem(k) for k in kinds], actor=CUSTOMER, at=at)


def add_order(storage: Storage, order: Order) -> Order:
    """Store a new order with its events, as ``place_order`` does."""
    with storage.unit_of_work() as uow:
        uow.orders.add(order)
        uow.add_events(order.pull_events())
        uow.commit()
    return order


def new_number(number: str, *, account_id: str | None = None) -> InventoryNumber:
    status = InventoryStatus.ASSIGNED if account_id else InventoryStatus.AVAILABLE
    return InventoryNumber(
        number=number,
        carrier_id="bandwidth",
        inventory_type="bw-main",
        status=status,
        added_at=T0,
        account_id=account_id,
    )


def raw_execute(storage: AnyStorage, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Run SQL on a separate connection to the storage's database and commit."""
    if isinstance(storage, SqliteStorage):
        conn = sqlite3.connect(storage.path, timeout=10)
        try:
            rows = conn.execute(sql, params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    assert isinstance(storage, PostgresStorage)
    with psycopg.connect(storage.conninfo, autocommit=True) as pg:
        cur = pg.execute(sql.replace("?", "%s"), params or None)
        return cur.fetchall() if cur.description is not None else []


def outbox_ids(storage: AnyStorage) -> list[str]:
    """Event ids waiting in the outbox, oldest first."""
    if isinstance(storage, MemoryStorage):
        with storage.outbox() as box:
            return [e.event.event_id for e in box.claim(1_000_000)]
    return [r[0] for r in raw_execute(storage, "SELECT event_id FROM tnorder_outbox ORDER BY 1")]


class FileNotifier:
    """Appends ``event_id`` lines to a file, flushed before ``publish`` returns.

    ``crash_after`` makes the process die (``os._exit``) right after that
    many publishes, before the relay can mark them delivered.
    """

    def __init__(self, path: Path, *, crash_after: int | None = None) -> None:
        self.path = path
        self.crash_after = crash_after
        self.count = 0

    def publish(self, event: Event) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(event.event_id + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.count += 1
        if self.crash_after is not None and self.count >= self.crash_after:
            os._exit(17)

    def delivered(self) -> list[str]:
        if not self.path.exists():
            return []
        return self.path.read_text(encoding="utf-8").split()


class RawDb:
    """A plain autocommit connection to a SQL storage's database, for planting rows."""

    def __init__(self, storage: SqliteStorage | PostgresStorage) -> None:
        self.sqlite = isinstance(storage, SqliteStorage)
        if isinstance(storage, SqliteStorage):
            self._lite = sqlite3.connect(storage.path, isolation_level=None, timeout=10)
        else:
            self._pg = psycopg.connect(storage.conninfo, autocommit=True)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self.sqlite:
            return self._lite.execute(sql, params).fetchall()
        cur = self._pg.execute(sql.replace("?", "%s"), params or None)
        return cur.fetchall() if cur.description is not None else []

    def close(self) -> None:
        if self.sqlite:
            self._lite.close()
        else:
            self._pg.close()


def restore_dump(conninfo: str, dump: Path) -> None:
    """Load a plain-SQL ``pg_dump`` (an old release's database) into ``conninfo`` with psql."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("psql") is None:
        pytest.fail(f"psql is needed to restore {dump.name}")
    restored = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", conninfo, "-f", "-"],
        input=dump.read_text(),
        capture_output=True,
        text=True,
    )
    assert 0 == restored.returncode, restored.stderr
