"""Databases written by the schema-4 release (the row model) migrate on open, losing nothing.

The fixtures in ``tests/fixtures/storage`` were built by the release that wrote
schema 4 (``make_v4.py``): a SQLite file, a ``pg_dump`` of a PostgreSQL
database, and every order as that release read it back.  Migration 5 gives
each header its item summary (status counts, latest final time) and each item
row the version that wrote it; orders then load in part.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from tests.support.storage import restore_dump
from tnorder.adapters import _sql
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.events import Actor
from tnorder.domain.machine import Trigger
from tnorder.domain.order import Order
from tnorder.domain.statuses import ItemStatus, Role
from tnorder.serialization import from_json, load_record, to_json
from tnorder.world import build_service

FIXTURES = Path(__file__).parents[1] / "fixtures" / "storage"
LATER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SAVED_TWICE = {f"ORD-{n:03d}" for n in range(1, 12, 3)}


def _expected() -> dict[str, Order]:
    bodies: dict[str, Any] = from_json((FIXTURES / "v4_orders.json").read_text())
    return {
        key: load_record(Order, envelope, record=f"order {key!r}")
        for key, envelope in bodies.items()
    }


def _check_everything_kept(storage: SqliteStorage | PostgresStorage, outbox: int) -> None:
    expected = _expected()
    assert 12 == len(expected)
    assert _sql.LATEST_SCHEMA == storage.schema_version()
    for key, order in sorted(expected.items()):
        with storage.unit_of_work() as uow:
            got = uow.orders.get(key)
            # The summary answers before any item is read, and equals the full answer.
            summary = (got.status, got.is_final, got.finalized_at)
            assert (order.status, order.is_final, order.finalized_at) == summary
            assert len(order.items) == len(got.items)
            assert (2 if key in SAVED_TWICE else 1) == got.version
            order.version = got.version
            assert order == got
            assert [list(i.history) for i in order.items] == [list(i.history) for i in got.items]
    with storage.unit_of_work() as uow:
        for account in ("acct-0", "acct-1", "acct-2", "acct-3"):
            listed = uow.orders.for_account(account)
            want = sorted(
                (o for o in expected.values() if o.account_id == account),
                key=lambda o: o.created_at,
            )
            assert [o.order_id for o in want] == [o.order_id for o in listed]
            assert want == [*listed]
    assert outbox == storage.pending_event_count()


def _fire_on_a_migrated_order(storage: SqliteStorage | PostgresStorage) -> None:
    service = build_service(storage, clock=FixedClock(LATER))
    expected = _expected()["ORD-011"]
    item = next(i for i in expected.items if Trigger.CANCEL in i.allowed_triggers())
    order = service.fire(
        "ORD-011", item.item_id, Trigger.CANCEL, actor=Actor(Role.ACCOUNT_MANAGER, "am-1")
    )
    assert ItemStatus.CANCELLED == order.item(item.item_id).status
    expected.fire(item.item_id, Trigger.CANCEL, actor=Actor(Role.ACCOUNT_MANAGER, "am-1"), at=LATER)
    expected.pull_events()
    stored = service.get_order("ORD-011")
    expected.version = stored.version
    assert expected == stored
    assert expected.status == stored.status


def test_a_schema_4_sqlite_file_migrates_on_open_and_every_order_reads_back_equal(
    tmp_path: Path,
) -> None:
    """Opening a SQLite file written by schema 4 applies migration 5; every order (items,
    histories, versions, status, finalized time, listings) and the outbox read back
    equal, and a migrated order takes a new event."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "v4.sqlite3", path)
    with sqlite3.connect(path) as raw:
        assert (4,) == raw.execute(f"SELECT MAX(version) FROM {_sql.MIGRATIONS_TABLE}").fetchone()
        outbox = raw.execute(f"SELECT COUNT(*) FROM {_sql.OUTBOX}").fetchone()[0]
    assert 30 < outbox
    storage = SqliteStorage(path)
    try:
        header = from_json(
            storage._connection()
            .execute(f"SELECT body FROM {_sql.ORDERS} WHERE order_id = 'ORD-011'")
            .fetchone()[0]
        )["data"]
        assert 120 == sum(header["statuses"].values())
        _check_everything_kept(storage, outbox)
        _fire_on_a_migrated_order(storage)
    finally:
        storage.close()


def test_a_schema_4_postgres_database_migrates_on_open_and_every_order_reads_back_equal(
    empty_database: str,
) -> None:
    """A PostgreSQL database restored from a schema-4 dump migrates when a storage opens
    it; every order and the outbox read back equal, and a migrated order takes an event."""
    restore_dump(empty_database, FIXTURES / "v4_postgres.sql")
    with psycopg.connect(empty_database) as conn:
        assert 4 == conn.execute(f"SELECT MAX(version) FROM {_sql.MIGRATIONS_TABLE}").fetchone()[0]
        outbox = conn.execute(f"SELECT COUNT(*) FROM {_sql.OUTBOX}").fetchone()[0]
    storage = PostgresStorage(empty_database)
    try:
        _check_everything_kept(storage, outbox)
        _fire_on_a_migrated_order(storage)
    finally:
        storage.close()


def test_a_header_without_a_summary_still_reads_exactly(tmp_path: Path) -> None:
    """A header the migration could not summarise (as if written before schema 5) is
    read as before: the order reads all its items when its status is asked for."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "v4.sqlite3", path)
    storage = SqliteStorage(path)
    try:
        conn = storage._connection()
        body = from_json(
            conn.execute(f"SELECT body FROM {_sql.ORDERS} WHERE order_id = 'ORD-007'").fetchone()[0]
        )
        del body["data"]["statuses"], body["data"]["final_at"]
        conn.execute(
            f"UPDATE {_sql.ORDERS} SET body = ? WHERE order_id = 'ORD-007'", (to_json(body),)
        )
        expected = _expected()["ORD-007"]
        with storage.unit_of_work() as uow:
            got = uow.orders.get("ORD-007")
            assert (expected.status, expected.finalized_at) == (got.status, got.finalized_at)
            expected.version = got.version
            assert expected == got
    finally:
        storage.close()
