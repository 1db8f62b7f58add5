"""The benchmarks' PostgreSQL data sets are copied from their SQLite twins
(``benchmarks/_pg_copy.py``): the copy must read back as the same data set."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from benchmarks._data import NOW, stored_orders
from benchmarks._pg_copy import copy_sqlite_to_postgres

from tests.support.storage import raw_execute
from tnorder import OrderService
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.serialization import dumps

ACCOUNTS = 6


def _pages(service: OrderService, account: str) -> list[object]:
    """Every page of the three dashboards, 3 rows at a time."""
    seen: list[object] = []
    for page_of in (
        service.orders_tab_page,
        service.order_history_page,
        service.active_numbers_page,
    ):
        cursor = None
        while True:
            page = page_of(account, cursor=cursor, limit=3)
            seen.append(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
    return seen


def test_a_copied_data_set_reads_back_as_its_sqlite_source(
    tmp_path: Path, empty_database: str
) -> None:
    """Every order (header, items, histories), every dashboard page and the next
    order sequence read the same from the PostgreSQL copy as from the SQLite file."""
    source = tmp_path / "source.sqlite3"
    orders = list(stored_orders(0, 120, accounts=ACCOUNTS))
    sqlite = SqliteStorage(source)
    sqlite.bulk_insert_orders(orders)
    sqlite.close()
    PostgresStorage(empty_database).close()
    copied = copy_sqlite_to_postgres(source, empty_database)
    assert 120 == copied["tnorder_orders"]
    assert sum(len(o.items) for o in orders) == copied["tnorder_order_items"]

    sqlite, postgres = SqliteStorage(source), PostgresStorage(empty_database)
    try:
        for order in orders:
            with sqlite.unit_of_work() as a, postgres.unit_of_work() as b:
                assert dumps(a.orders.get(order.order_id, all_items=True)) == dumps(
                    b.orders.get(order.order_id, all_items=True)
                )
        clock = FixedClock(NOW + timedelta(hours=1))
        ours, theirs = OrderService(sqlite, clock=clock), OrderService(postgres, clock=clock)
        for account in sorted({o.account_id for o in orders}):
            assert _pages(ours, account) == _pages(theirs, account)
        # The storage-assigned sequences go on from the same values.
        assert sorted(raw_execute(sqlite, "SELECT name, value FROM tnorder_sequences")) == sorted(
            raw_execute(postgres, "SELECT name, value FROM tnorder_sequences")
        )
    finally:
        sqlite.close()
        postgres.close()
