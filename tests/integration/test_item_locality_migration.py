"""Migration 9 keeps an account's item rows in listing order, and loses none of them.

A database at schema 8 keys the read model's item rows by (account, order,
position): order ids say nothing of when an order was placed, so one page's
item rows lie wherever their order ids sort.  Opening it with this release
copies every row into a table keyed by the order's place in the listing
(account, created_at, seq) and position.  The rows read back equal, each
carries its order's place, every page still equals the full view, and a page
reads its item rows by one seek per order into that key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg

from tnorder.adapters import _sql
from tnorder.adapters._views_sql import VIEW_ITEMS, VIEW_ORDERS
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage

from .test_view_pages_migration import _migrated_on_open, _recorded

_COLUMNS = (
    "account_id, order_id, position, item_id, number, kind, number_type, status,"
    " delivery_kind, delivery_text, delivery_date, latest_note"
)
_SHOWN = (
    "order_id, item_id, number, kind, number_type, status, delivery_kind, delivery_text,"
    " delivery_date, latest_note"
)
# A page's item query for two orders, as ``SqlViewQueries.summary_page`` sends it.
_PAGE = (
    "SELECT i.order_id FROM (VALUES ({0}, {0}), ({0}, {0})) AS p CROSS JOIN"
    f" {VIEW_ITEMS} i WHERE i.account_id = {{0}} AND i.created_at = p.column1"
    " AND i.seq = p.column2 ORDER BY i.created_at, i.seq, i.position"
)


def _rows(query: Callable[[str], list[Any]]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in query(f"SELECT {_COLUMNS} FROM {VIEW_ITEMS} ORDER BY 1, 2, 3")]


def _back_to_schema_8(execute: Callable[[str], Any], *, postgres: bool) -> None:
    """Put the table back in its schema-8 shape (migration 7's), holding the same rows."""
    text = 'TEXT COLLATE "C"' if postgres else "TEXT"
    key = (
        f" PRIMARY KEY (account_id, order_id, position) INCLUDE ({_SHOWN[len('order_id, ') :]}))"
        if postgres
        else " PRIMARY KEY (account_id, order_id, position)) WITHOUT ROWID"
    )
    execute(f"ALTER TABLE {VIEW_ITEMS} RENAME TO keep_items")
    execute(
        f"CREATE TABLE {VIEW_ITEMS} (account_id {text} NOT NULL, order_id {text} NOT NULL,"
        " position INTEGER NOT NULL, item_id TEXT NOT NULL, number TEXT, kind TEXT NOT NULL,"
        " number_type TEXT NOT NULL, status TEXT NOT NULL, delivery_kind TEXT,"
        " delivery_text TEXT, delivery_date TEXT, latest_note TEXT," + key
    )
    # The opposite of the new key's order, so the copy has to sort.
    execute(
        f"INSERT INTO {VIEW_ITEMS} SELECT {_COLUMNS} FROM keep_items"
        " ORDER BY created_at DESC, seq DESC, position DESC"
    )
    execute("DROP TABLE keep_items")
    execute(f"DELETE FROM {_sql.MIGRATIONS_TABLE} WHERE version = 9")


def _has_placement(conn: Any) -> bool:
    found = conn.execute(f"SELECT * FROM {VIEW_ITEMS} WHERE 1 = 0")
    return "created_at" in [d[0] for d in found.description]


def _placed_as_their_orders(conn: Any) -> None:
    """Migration 9 is recorded, and every item row carries its order's place."""
    assert _recorded(conn, 9)
    mismatched = conn.execute(
        f"SELECT COUNT(*) FROM {VIEW_ITEMS} i JOIN {VIEW_ORDERS} o ON o.order_id = i.order_id"
        " WHERE o.created_at <> i.created_at OR o.seq <> i.seq OR o.account_id <> i.account_id"
    )
    assert (0,) == tuple(mismatched.fetchone())
    total = conn.execute(f"SELECT COUNT(*) FROM {VIEW_ITEMS}").fetchone()
    joined = conn.execute(
        f"SELECT COUNT(*) FROM {VIEW_ITEMS} i JOIN {VIEW_ORDERS} o ON o.order_id = i.order_id"
    ).fetchone()
    assert tuple(total) == tuple(joined)


def _old_shape(conn: Any, before: Any) -> None:
    assert 5 <= len(before)
    assert not _has_placement(conn)


def test_a_schema_8_sqlite_file_keeps_every_item_row(tmp_path: Path) -> None:
    """SQLite: the rows are copied into a table clustered by the listing's key, equal,
    and a page seeks each of its orders' rows by that key."""
    path = tmp_path / "v8.sqlite3"

    def clustered(conn: sqlite3.Connection) -> None:
        _placed_as_their_orders(conn)
        row = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (VIEW_ITEMS,))
        assert str(row.fetchone()[0]).rstrip().endswith("WITHOUT ROWID")
        plan = " ".join(
            str(r[3])
            for r in conn.execute("EXPLAIN QUERY PLAN " + _PAGE.format("?"), (1, 2, 3, 4, "a"))
        )
        assert "USING PRIMARY KEY (account_id=? AND created_at=? AND seq=?)" in plan

    _migrated_on_open(
        lambda: SqliteStorage(path),
        lambda: closing(sqlite3.connect(path, isolation_level=None)),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_8(conn.execute, postgres=False),
        at_old=_old_shape,
        at_new=clustered,
    )


def test_a_schema_8_postgres_database_keeps_every_item_row(empty_database: str) -> None:
    """PostgreSQL: the rows are copied, equal, into a table whose key is the listing's
    and carries what a page shows; once vacuumed a page reads the key's pages alone."""

    def covering(conn: psycopg.Connection[Any]) -> None:
        _placed_as_their_orders(conn)
        (definition,) = [
            str(d)
            for (d,) in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s", (VIEW_ITEMS,)
            ).fetchall()
        ]
        assert f"(account_id, created_at, seq, \"position\") INCLUDE ({_SHOWN})" in definition
        conn.execute(f"VACUUM ANALYZE {VIEW_ITEMS}")
        conn.execute("SET enable_seqscan = off")  # a handful of rows: force the index
        created, seq = conn.execute(
            f"SELECT created_at, seq FROM {VIEW_ORDERS} WHERE account_id = 'acct-m' LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        plan = " ".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN " + _PAGE.format("%s"), (created, seq, created, seq, "acct-m")
            )
        )
        assert "Index Only Scan" in plan

    _migrated_on_open(
        lambda: PostgresStorage(empty_database),
        lambda: psycopg.connect(empty_database, autocommit=True),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_8(conn.execute, postgres=True),
        at_old=_old_shape,
        at_new=covering,
    )
