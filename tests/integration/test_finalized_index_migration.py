"""Migration 10 finds the finished orders still on the Orders tab in one index.

An Orders tab page asks for the orders finished within their grace period
(``item_count = 1 AND finalized_at > ?`` by default).  At schema 9 the index
on ``(account_id, finalized_at)`` found them and every row it matched was read
from the table to test ``item_count``.  Opening such a database with this
release replaces the index with one that carries what that part of the query
reads and tests: the rows stay equal, every page still equals the full view,
and the query is answered from the index alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg

from tnorder.adapters import _sql
from tnorder.adapters._views_sql import VIEW_ORDERS
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage

from .test_view_pages_migration import _migrated_on_open, _recorded

_INDEX = f"{VIEW_ORDERS}_finalized"
_COLUMNS = "order_id, account_id, created_at, seq, status, item_count, finalized_at, reference"
# The Orders tab's branch for finished single-item orders, as ``SqlViewQueries``
# sends it under the default visibility policy.
_BRANCH = (
    f"SELECT {_COLUMNS} FROM {VIEW_ORDERS} o WHERE account_id = {{0}}"
    " AND (item_count = 1 AND finalized_at > {0})"
)


def _rows(query: Callable[[str], list[Any]]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in query(f"SELECT {_COLUMNS} FROM {VIEW_ORDERS} ORDER BY order_id")]


def _back_to_schema_9(execute: Callable[[str], Any]) -> None:
    """Put the index back in its schema-9 shape (migration 7's)."""
    execute(f"DROP INDEX {_INDEX}")
    execute(f"CREATE INDEX {_INDEX} ON {VIEW_ORDERS} (account_id, finalized_at)")
    execute(f"DELETE FROM {_sql.MIGRATIONS_TABLE} WHERE version = 10")


def _sqlite_plan(conn: sqlite3.Connection) -> str:
    rows = conn.execute("EXPLAIN QUERY PLAN " + _BRANCH.format("?"), ("acct-m", 0))
    return " ".join(str(r[3]) for r in rows)


def test_a_schema_9_sqlite_file_answers_the_tab_from_the_index(tmp_path: Path) -> None:
    """SQLite: the finished orders on the tab are read from a covering index."""
    path = tmp_path / "v9.sqlite3"

    def old(conn: sqlite3.Connection, before: Any) -> None:
        assert 3 <= len(before)
        assert f"USING INDEX {_INDEX}" in _sqlite_plan(conn)

    def covering(conn: sqlite3.Connection) -> None:
        assert f"USING COVERING INDEX {_INDEX}" in _sqlite_plan(conn)
        assert _recorded(conn, 10)

    _migrated_on_open(
        lambda: SqliteStorage(path),
        lambda: closing(sqlite3.connect(path, isolation_level=None)),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_9(conn.execute),
        at_old=old,
        at_new=covering,
    )


def test_a_schema_9_postgres_database_answers_the_tab_from_the_index(
    empty_database: str,
) -> None:
    """PostgreSQL: the index carries what the branch reads; once vacuumed the branch
    reads the index's pages alone."""

    def definition(conn: psycopg.Connection[Any]) -> str:
        row = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (_INDEX,))
        return str(row.fetchone()[0])  # type: ignore[index]

    def old(conn: psycopg.Connection[Any], before: Any) -> None:
        assert 3 <= len(before)
        assert "INCLUDE" not in definition(conn)

    def covering(conn: psycopg.Connection[Any]) -> None:
        assert definition(conn).endswith(
            "(account_id, finalized_at) INCLUDE (order_id, created_at, seq, status,"
            " item_count, reference)"
        )
        conn.execute(f"VACUUM ANALYZE {VIEW_ORDERS}")
        # A handful of rows: force an index, and let the planner pick which.
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        plan = " ".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN " + _BRANCH.format("%s"), ("acct-m", "1970-01-02T00:00:00+00:00")
            )
        )
        assert f"Index Only Scan using {_INDEX}" in plan
        assert _recorded(conn, 10)

    _migrated_on_open(
        lambda: PostgresStorage(empty_database),
        lambda: psycopg.connect(empty_database, autocommit=True),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_9(conn.execute),
        at_old=old,
        at_new=covering,
    )
