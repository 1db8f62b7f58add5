"""Migration 8 keeps an account's Active Numbers rows together, and loses none of them.

A database at schema 7 holds the Active Numbers rows in a table written in
any order (SQLite: a rowid table with its key as a separate index; PostgreSQL:
a heap with a key that names no other column).  Opening it with this release
copies every row into a table clustered by (account, number) on SQLite and
into one whose key and stage index carry what a page shows on PostgreSQL.
The rows read back equal, every page still equals the full view, and a page
reads the account's rows through the key alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg

from tnorder.adapters import _sql
from tnorder.adapters._views_sql import ACTIVE
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage

from .test_view_pages_migration import _migrated_on_open, _recorded

_COLUMNS = (
    "account_id, number, stage, locked_reason, order_id, item_id, status, kind, number_type,"
    " activated_at"
)
# The page's query, as ``SqlViewQueries.active_page`` sends it for page 1.
_PAGE = (
    f"SELECT number, stage, locked_reason, order_id, item_id, status, kind, number_type,"
    f" activated_at FROM {ACTIVE} WHERE account_id >= {{0}} AND account_id <= {{0}}"
    " ORDER BY account_id, number LIMIT 51"
)


def _rows(query: Callable[[str], list[Any]]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in query(f"SELECT {_COLUMNS} FROM {ACTIVE} ORDER BY 1, 2")]


def _back_to_schema_7(execute: Callable[[str], Any], *, postgres: bool) -> None:
    """Put the table back in its schema-7 shape (migration 6's), holding the same rows."""
    ts = "TIMESTAMPTZ" if postgres else "INTEGER"
    text = 'TEXT COLLATE "C"' if postgres else "TEXT"
    execute(f"ALTER TABLE {ACTIVE} RENAME TO keep_active")
    for index in ("number", "stage"):
        execute(f"DROP INDEX {ACTIVE}_{index}")
    execute(
        f"CREATE TABLE {ACTIVE} (account_id {text} NOT NULL, number {text} NOT NULL,"
        f" stage TEXT NOT NULL, locked_reason TEXT, order_id {text}, item_id {text},"
        f" status TEXT, kind TEXT, number_type TEXT, activated_at {ts},"
        " PRIMARY KEY (account_id, number))"
    )
    execute(f"CREATE INDEX {ACTIVE}_number ON {ACTIVE} (number)")
    execute(f"CREATE INDEX {ACTIVE}_stage ON {ACTIVE} (account_id, stage, number)")
    # Newest first: the old table's rows in the opposite of key order.
    execute(f"INSERT INTO {ACTIVE} SELECT {_COLUMNS} FROM keep_active ORDER BY 1 DESC, 2 DESC")
    execute("DROP TABLE keep_active")
    execute(f"DELETE FROM {_sql.MIGRATIONS_TABLE} WHERE version = 8")


def _without_rowid(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (ACTIVE,)).fetchone()
    return str(row[0]).rstrip().endswith("WITHOUT ROWID")


def test_a_schema_7_sqlite_file_keeps_every_active_numbers_row(tmp_path: Path) -> None:
    """SQLite: the rows are copied into a table clustered by account, equal, and a page
    reads them by the table's own key."""
    path = tmp_path / "v7.sqlite3"

    def clustered(conn: sqlite3.Connection) -> None:
        assert _recorded(conn, 8)
        assert _without_rowid(conn)
        plan = " ".join(
            str(r[3])
            for r in conn.execute("EXPLAIN QUERY PLAN " + _PAGE.format("?"), ("acct-m", "acct-m"))
        )
        assert "USING PRIMARY KEY (account_id>? AND account_id<?)" in plan

    def not_clustered(conn: sqlite3.Connection, before: Any) -> None:
        assert 2 <= len(before)
        assert not _without_rowid(conn)

    _migrated_on_open(
        lambda: SqliteStorage(path),
        lambda: closing(sqlite3.connect(path, isolation_level=None)),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_7(conn.execute, postgres=False),
        at_old=not_clustered,
        at_new=clustered,
    )


def test_a_schema_7_postgres_database_keeps_every_active_numbers_row(
    empty_database: str,
) -> None:
    """PostgreSQL: the rows are copied, equal, and once vacuumed a page is answered from
    the key's index pages alone."""
    shown = "locked_reason, order_id, item_id, status, kind, number_type, activated_at"

    def indexes(conn: psycopg.Connection[Any]) -> dict[str, str]:
        rows = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", (ACTIVE,)
        )
        return {str(name): str(definition) for name, definition in rows.fetchall()}

    def covering(conn: psycopg.Connection[Any]) -> None:
        assert _recorded(conn, 8)
        found = indexes(conn)
        (key,) = [d for d in found.values() if "(account_id, number)" in d]
        assert f"INCLUDE (stage, {shown})" in key
        assert f"INCLUDE ({shown})" in found[f"{ACTIVE}_stage"]
        conn.execute(f"VACUUM ANALYZE {ACTIVE}")
        conn.execute("SET enable_seqscan = off")  # a handful of rows: force the index
        plan = " ".join(
            r[0] for r in conn.execute("EXPLAIN " + _PAGE.format("%s"), ("acct-m", "acct-m"))
        )
        assert "Index Only Scan" in plan

    def not_covering(conn: psycopg.Connection[Any], before: Any) -> None:
        assert 2 <= len(before)
        assert [] == [d for d in indexes(conn).values() if "INCLUDE" in d]

    _migrated_on_open(
        lambda: PostgresStorage(empty_database),
        lambda: psycopg.connect(empty_database, autocommit=True),
        rows=lambda conn: _rows(lambda sql: conn.execute(sql).fetchall()),
        back=lambda conn: _back_to_schema_7(conn.execute, postgres=True),
        at_old=not_covering,
        at_new=covering,
    )
