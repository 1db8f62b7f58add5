"""Migration 7 keeps an account's dashboard rows together, and loses none of them.

A database at schema 6 holds read-model rows in the old shape (item rows without
``account_id``, orders in write order).  Opening it with this release reshapes
the tables, copying every row: the rows read back equal (the item rows with
their order's account added), every page still equals the full view, and the
page queries read the account's rows through the new keys.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from tnorder import OrderService
from tnorder.adapters import _sql
from tnorder.adapters._views_sql import VIEW_ITEMS, VIEW_ORDERS, v6_statements
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import _DIALECT as SQLITE_DIALECT
from tnorder.adapters.sqlite import SqliteStorage

from .test_view_pages_migration import _migrated_on_open, _write_an_account

LATER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
_ORDER_COLUMNS = (
    "order_id, account_id, created_at, seq, status, item_count, is_open, finalized_at, reference"
)
_ITEM_COLUMNS = (
    "order_id, position, item_id, number, kind, number_type, status, delivery_kind,"
    " delivery_text, delivery_date, latest_note"
)


def _rows(query: Callable[[str], list[Any]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    orders = query(f"SELECT {_ORDER_COLUMNS} FROM {VIEW_ORDERS} ORDER BY order_id")
    items = query(
        f"SELECT account_id, {_ITEM_COLUMNS} FROM {VIEW_ITEMS} ORDER BY order_id, position"
    )
    return [tuple(r) for r in orders], [tuple(r) for r in items]


def _back_to_schema_6(execute: Callable[[str], Any], dialect: Any) -> None:
    """Put the two tables back in their schema-6 shape, holding the same rows."""
    execute(f"ALTER TABLE {VIEW_ORDERS} RENAME TO keep_orders")
    execute(f"ALTER TABLE {VIEW_ITEMS} RENAME TO keep_items")
    for index in ("finalized", "listing", "id"):
        execute(f"DROP INDEX IF EXISTS {VIEW_ORDERS}_{index}")
    for statement in v6_statements(dialect)[:4]:  # the two tables and their indexes
        execute(statement)
    execute(f"INSERT INTO {VIEW_ORDERS} SELECT {_ORDER_COLUMNS} FROM keep_orders")
    execute(f"INSERT INTO {VIEW_ITEMS} SELECT {_ITEM_COLUMNS} FROM keep_items")
    execute("DROP TABLE keep_orders")
    execute("DROP TABLE keep_items")
    # Everything after schema 6 runs again on open, as it would for a schema-6 file.
    execute(f"DELETE FROM {_sql.MIGRATIONS_TABLE} WHERE version >= 7")


def test_a_schema_6_sqlite_file_keeps_every_read_model_row(tmp_path: Path) -> None:
    """SQLite: the rows are copied into tables clustered by account, equal, and pages
    read them by the account's key."""
    path = tmp_path / "v6.sqlite3"

    def without_account(conn: sqlite3.Connection, before: Any) -> None:
        assert (3, 5) <= (len(before[0]), len(before[1]))
        assert (
            []
            == conn.execute(
                f"SELECT 1 FROM pragma_table_info('{VIEW_ITEMS}') WHERE name = 'account_id'"
            ).fetchall()
        )

    def clustered(conn: sqlite3.Connection) -> None:
        # Clustered: the tables have no rowid, and a page walks the account's key.
        for table in (VIEW_ORDERS, VIEW_ITEMS):
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[
                0
            ]
            assert sql.rstrip().endswith("WITHOUT ROWID")
        plan = " ".join(
            str(r[3])
            for r in conn.execute(
                f"EXPLAIN QUERY PLAN SELECT order_id FROM {VIEW_ORDERS} WHERE account_id = ?"
                " AND is_open = 0 ORDER BY created_at, seq LIMIT 51",
                ("acct-m",),
            )
        )
        assert "PRIMARY KEY (account_id=? AND is_open=?)" in plan

    _migrated_on_open(
        lambda: SqliteStorage(path),
        lambda: closing(sqlite3.connect(path, isolation_level=None)),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_6(conn.execute, SQLITE_DIALECT),
        at_old=without_account,
        at_new=clustered,
    )


def test_a_schema_6_postgres_database_keeps_every_read_model_row(empty_database: str) -> None:
    """PostgreSQL: the rows are copied, equal, into tables whose keys carry what a page
    shows, and every page equals the full view."""

    def covering(conn: psycopg.Connection[Any]) -> None:
        listing = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            (f"{VIEW_ORDERS}_listing",),
        ).fetchone()
        assert listing is not None
        assert "INCLUDE (order_id, status, item_count, finalized_at, reference)" in listing[0]

    _migrated_on_open(
        lambda: PostgresStorage(empty_database),
        lambda: psycopg.connect(empty_database, autocommit=True),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_6(conn.execute, _sql.POSTGRES_DIALECT),
        at_old=lambda conn, before: None,
        at_new=covering,
    )


def test_a_pages_queries_are_planned_for_its_account_each_time(
    pg_storage: PostgresStorage,
) -> None:
    """PostgreSQL: a page's two queries are never cached (prepared) statements.

    A plan cached for any account assumes a few rows per account: for an
    account with 100,000 items the item query walked the account's whole key
    range (half a second a page), and the Orders tab's order query took 3.2 ms
    against 0.9 ms planned afresh.  Asked for many times, the page still sends
    both unprepared, while statements that are the same for every account
    (the writes) are cached.
    """
    clock = FixedClock(LATER)
    service = OrderService(pg_storage, clock=clock)
    _write_an_account(service, pg_storage)
    for _ in range(12):  # psycopg prepares a statement on its sixth execution
        assert service.order_history_page("acct-m", limit=2).items is not None
        assert service.orders_tab_page("acct-m", limit=2).items is not None
    prepared = [
        str(sql)
        for (sql,) in pg_storage._connection().execute(
            "SELECT statement FROM pg_prepared_statements"
        )
    ]
    assert any(f"INSERT INTO {VIEW_ORDERS}" in sql for sql in prepared)
    assert [] == [
        sql for sql in prepared if f"FROM {VIEW_ITEMS}" in sql or f"FROM {VIEW_ORDERS}" in sql
    ]
