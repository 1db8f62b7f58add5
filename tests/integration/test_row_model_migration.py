"""Databases written by the schema-3 release migrate to the row model on open, losing nothing.

The fixtures in ``tests/fixtures/storage`` were built by the release that wrote
schema 3 (``make_v3.py``): a SQLite file, a ``pg_dump`` of a PostgreSQL
database, and every order's body as that release encoded it.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.storage import restore_dump
from tnorder.adapters import _sql
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.events import Actor
from tnorder.domain.machine import Trigger
from tnorder.domain.order import Order
from tnorder.domain.statuses import Role
from tnorder.serialization import from_json, load_record, to_json

FIXTURES = Path(__file__).parents[1] / "fixtures" / "storage"
LATER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _expected() -> dict[str, Order]:
    bodies: dict[str, Any] = from_json((FIXTURES / "v3_orders.json").read_text())
    out = {}
    for key, envelope in bodies.items():
        out[key] = load_record(Order, envelope, record=f"order {key!r}")
    return out


def _read_back(storage: SqliteStorage | PostgresStorage, keys: list[str]) -> dict[str, Order]:
    with storage.unit_of_work() as uow:
        return {key: uow.orders.get(key) for key in keys}


_OUTBOX_ROWS = f"SELECT position, stream, event_id, payload FROM {_sql.OUTBOX} ORDER BY position"


def _check_everything_kept(
    storage: SqliteStorage | PostgresStorage, outbox_before: list[tuple[Any, ...]]
) -> None:
    expected = _expected()
    assert 12 == len(expected)
    assert _sql.LATEST_SCHEMA == storage.schema_version()
    found = _read_back(storage, sorted(expected))
    for key, order in expected.items():
        got = found[key]
        # Versions are storage state, not part of the body: compared apart.
        version = 2 if key in {"ORD-000", "ORD-003", "ORD-006", "ORD-009"} else 1
        assert version == got.version
        order.version = got.version
        assert order == got
        # Histories are whole (not only the latest entry the item row holds).
        assert [list(i.history) for i in order.items] == [list(i.history) for i in got.items]
    with storage.unit_of_work() as uow:
        for account in ("acct-0", "acct-1", "acct-2", "acct-3"):
            listed = uow.orders.for_account(account)
            want = sorted(
                (o for o in expected.values() if o.account_id == account),
                key=lambda o: o.created_at,
            )
            assert [o.order_id for o in want] == [o.order_id for o in listed]
    # The outbox rows written by the old release are still there, untouched.
    assert len(outbox_before) == storage.pending_event_count()
    assert 30 < len(outbox_before)


def test_a_schema_3_sqlite_file_migrates_on_open_and_every_order_reads_back_equal(
    tmp_path: Path,
) -> None:
    """Opening a SQLite file written by schema 3 applies migration 4 and every order
    (items, full histories, versions, account listings) and the outbox read back equal."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "v3.sqlite3", path)
    with sqlite3.connect(path) as raw:
        outbox_before = raw.execute(_OUTBOX_ROWS).fetchall()
    storage = SqliteStorage(path)
    try:
        _check_everything_kept(storage, outbox_before)
        assert [tuple(r) for r in outbox_before] == [
            tuple(r) for r in storage._connection().execute(_OUTBOX_ROWS).fetchall()
        ]
    finally:
        storage.close()


def test_a_migrated_order_takes_new_events_and_writes_only_rows(tmp_path: Path) -> None:
    """After migration an old order is stored as rows: its header body holds no items,
    and one new event appends one history row and rewrites one item row."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "v3.sqlite3", path)
    storage = SqliteStorage(path)
    try:
        conn = storage._connection()
        header = conn.execute(
            f"SELECT body FROM {_sql.ORDERS} WHERE order_id = 'ORD-011'"
        ).fetchone()[0]
        assert "items" not in from_json(header)["data"]
        before = dict(
            conn.execute(
                f"SELECT item_id, body FROM {_sql.ITEMS} WHERE order_id = 'ORD-011'"
            ).fetchall()
        )
        assert 120 == len(before)
        with storage.unit_of_work() as uow:
            order = uow.orders.get("ORD-011")
            item = next(i for i in order.items if Trigger.CANCEL in i.allowed_triggers())
            entries = len(item.history)
            order.fire(
                item.item_id, Trigger.CANCEL, actor=Actor(Role.ACCOUNT_MANAGER, "am-1"), at=LATER
            )
            uow.orders.save(order)
            uow.commit()
        after = dict(
            conn.execute(
                f"SELECT item_id, body FROM {_sql.ITEMS} WHERE order_id = 'ORD-011'"
            ).fetchall()
        )
        assert [item.item_id] == [k for k in before if before[k] != after[k]]
        count = conn.execute(
            f"SELECT COUNT(*) FROM {_sql.HISTORY} WHERE order_id = 'ORD-011' AND item_id = ?",
            (item.item_id,),
        ).fetchone()[0]
        assert entries + 1 == count
    finally:
        storage.close()


def test_a_schema_3_postgres_database_migrates_on_open_and_every_order_reads_back_equal(
    empty_database: str,
) -> None:
    """A PostgreSQL database restored from a schema-3 dump migrates when a storage opens
    it, and every order and the outbox read back equal."""
    restore_dump(empty_database, FIXTURES / "v3_postgres.sql")
    with psycopg.connect(empty_database) as conn:
        assert 3 == conn.execute(f"SELECT MAX(version) FROM {_sql.MIGRATIONS_TABLE}").fetchone()[0]
        outbox_before = conn.execute(_OUTBOX_ROWS).fetchall()
    storage = PostgresStorage(empty_database)
    try:
        _check_everything_kept(storage, outbox_before)
    finally:
        storage.close()
    with psycopg.connect(empty_database) as conn:
        assert outbox_before == conn.execute(_OUTBOX_ROWS).fetchall()


def test_an_undecodable_schema_3_row_is_left_as_it_was(tmp_path: Path) -> None:
    """A whole-order body that cannot be decoded is not converted (nor lost): it stays
    byte for byte, and reading it names the order as before."""
    from tnorder.errors import SerializationError

    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / "v3.sqlite3", path)
    garbage = to_json({"schema_version": 1, "type": "Order", "data": {"order_id": 5}})
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE {_sql.ORDERS} SET body = ? WHERE order_id = 'ORD-004'", (garbage,))
    storage = SqliteStorage(path)
    try:
        body = (
            storage._connection()
            .execute(f"SELECT body FROM {_sql.ORDERS} WHERE order_id = 'ORD-004'")
            .fetchone()[0]
        )
        assert garbage == body
        with storage.unit_of_work() as uow, pytest.raises(SerializationError) as info:
            uow.orders.get("ORD-004")
        assert "ORD-004" in str(info.value)
        with storage.unit_of_work() as uow:
            assert "ORD-005" == uow.orders.get("ORD-005").order_id
    finally:
        storage.close()
