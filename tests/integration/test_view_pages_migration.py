"""Databases written before the read model get it on open (migration 6), backfilled.

Two kinds of old database: the schema-3 release's own files
(``tests/fixtures/storage``: a SQLite file and a ``pg_dump``), and a database
as the release before this one leaves it (schema 4: the read-model tables and
migration row removed after orders, disconnects and inventory were written).
After opening, every page of every dashboard equals the full view.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from tests.support.storage import restore_dump
from tnorder import Actor, NewItem, OrderKind, OrderService, Role
from tnorder.adapters import _sql
from tnorder.adapters._views_sql import ACTIVE, SOURCES, VIEW_ITEMS, VIEW_ORDERS
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.inventory import InventoryNumber

FIXTURES = Path(__file__).parents[1] / "fixtures" / "storage"
LATER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SYSTEM = Actor.system()
MANAGER = Actor(Role.ACCOUNT_MANAGER, "am-1")


def _all_pages(fetch):  # type: ignore[no-untyped-def]
    rows, cursor = [], None
    while True:
        page = fetch(cursor)
        rows.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return rows


def _check_pages(service: OrderService, accounts: list[str]) -> int:
    """Every dashboard's pages equal its full view; return how many rows were compared."""
    seen = 0
    for account in accounts:
        for full, paged in (
            (service.orders_tab, service.orders_tab_page),
            (service.order_history, service.order_history_page),
            (service.active_numbers, service.active_numbers_page),
        ):
            expected = full(account)
            assert expected == _all_pages(
                lambda c: paged(account, cursor=c, limit=2)  # noqa: B023
            )
            seen += len(expected)
    return seen


def _drop_read_model(conn: sqlite3.Connection | psycopg.Connection[tuple[object, ...]]) -> None:
    """Leave the database as the schema-4 release left it."""
    for table in (VIEW_ORDERS, VIEW_ITEMS, SOURCES, ACTIVE):
        conn.execute(f"DROP TABLE {table}")
    conn.execute(f"DELETE FROM {_sql.MIGRATIONS_TABLE} WHERE version >= 6")


def test_a_schema_3_sqlite_file_gets_the_read_model_and_pages_equal_full_views(
    tmp_path: Path,
) -> None:
    """The schema-3 release's SQLite file migrates on open; every page equals the full view."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "v3.sqlite3", path)
    storage = SqliteStorage(path)
    try:
        service = OrderService(storage, clock=FixedClock(LATER))
        assert 12 <= _check_pages(service, ["acct-0", "acct-1", "acct-2", "acct-3"])
    finally:
        storage.close()


def _write_an_account(service: OrderService, storage: SqliteStorage | PostgresStorage) -> None:
    """Orders through the service (one completed, one cancelled, one disconnect) and an
    inventory number assigned to the account."""
    port = service.place_order(
        "acct-m", [NewItem(OrderKind.PORT_IN, number="+14045550100")], actor=SYSTEM
    )
    for trigger in ("submit_to_carrier", "approve_port", "start_configuration", "complete"):
        item = service.get_order(port.order_id).items[0]
        if trigger in {t.value for t in item.allowed_triggers()}:
            service.fire(port.order_id, item.item_id, trigger, actor=SYSTEM)
    many = service.place_order(
        "acct-m",
        [NewItem(OrderKind.PORT_IN, number=f"+1404555011{n}") for n in range(3)],
        actor=SYSTEM,
    )
    service.cancel_order(many.order_id, actor=MANAGER)
    service.place_order(
        "acct-m", [NewItem(OrderKind.DISCONNECT, number="+14045550100")], actor=SYSTEM
    )
    with storage.unit_of_work() as uow:
        uow.inventory.add(
            InventoryNumber.deliver(
                "+14045550199",
                "bandwidth",
                "bw-main",
                account_id="acct-m",
                service_line="line-1",
                carrier_ref=None,
                at=LATER,
            )
        )
        uow.commit()


def _recorded(conn: Any, version: int) -> bool:
    """Migration ``version`` is in the schema table, once."""
    found = conn.execute(f"SELECT version FROM {_sql.MIGRATIONS_TABLE} WHERE version = {version}")
    return [(version,)] == [tuple(r) for r in found.fetchall()]


def _migrated_on_open(
    make: Callable[[], SqliteStorage | PostgresStorage],
    connect: Callable[[], AbstractContextManager[Any]],
    *,
    rows: Callable[[Any], object],
    back: Callable[[Any], None],
    at_old: Callable[[Any, Any], None],
    at_new: Callable[[Any], None],
) -> None:
    """Write an account, take the schema back with ``back`` (``at_old`` checks the
    old shape and the rows kept), reopen: the schema is the latest, ``rows`` reads
    back equal, ``at_new`` checks the new shape, and a day later every page equals
    the full view."""
    clock = FixedClock(LATER)
    storage = make()
    _write_an_account(OrderService(storage, clock=clock), storage)
    storage.close()
    with connect() as conn:
        before = rows(conn)
        back(conn)
        at_old(conn, before)
    storage = make()
    try:
        assert _sql.LATEST_SCHEMA == storage.schema_version()
        with connect() as conn:
            assert before == rows(conn)
            at_new(conn)
        clock.advance(days=1)
        assert 3 <= _check_pages(OrderService(storage, clock=clock), ["acct-m"])
    finally:
        storage.close()


def test_a_schema_4_sqlite_file_gets_the_read_model_backfilled(tmp_path: Path) -> None:
    """A SQLite file of the schema-4 release (no read model) is backfilled on open: the
    pages of its orders, disconnects and inventory numbers equal the full views."""
    path = tmp_path / "v4.sqlite3"
    clock = FixedClock(LATER)
    storage = SqliteStorage(path)
    _write_an_account(OrderService(storage, clock=clock), storage)
    storage.close()
    with sqlite3.connect(path) as conn:
        _drop_read_model(conn)
    storage = SqliteStorage(path)
    try:
        assert _sql.LATEST_SCHEMA == storage.schema_version()
        clock.advance(days=1)
        service = OrderService(storage, clock=clock)
        assert 3 <= _check_pages(service, ["acct-m"])
        # Cancelled port-ins never show; a disconnect in progress leaves its number.
        assert ["+14045550100", "+14045550199"] == [
            n.number for n in service.active_numbers("acct-m")
        ]
    finally:
        storage.close()


def test_a_schema_3_postgres_database_gets_the_read_model(empty_database: str) -> None:
    """A PostgreSQL database restored from the schema-3 dump migrates on open, and every
    page equals the full view."""
    restore_dump(empty_database, FIXTURES / "v3_postgres.sql")
    storage = PostgresStorage(empty_database)
    try:
        service = OrderService(storage, clock=FixedClock(LATER + timedelta(days=30)))
        assert 12 <= _check_pages(service, ["acct-0", "acct-1", "acct-2", "acct-3"])
    finally:
        storage.close()


def test_a_schema_4_postgres_database_gets_the_read_model_backfilled(empty_database: str) -> None:
    """A PostgreSQL database of the schema-4 release is backfilled on open."""
    clock = FixedClock(LATER)
    storage = PostgresStorage(empty_database)
    _write_an_account(OrderService(storage, clock=clock), storage)
    storage.close()
    with psycopg.connect(empty_database, autocommit=True) as conn:
        _drop_read_model(conn)
    storage = PostgresStorage(empty_database)
    try:
        clock.advance(days=1)
        assert 3 <= _check_pages(OrderService(storage, clock=clock), ["acct-m"])
    finally:
        storage.close()
