"""Fill a PostgreSQL data set from the SQLite one with ``COPY`` (rows 3 and 4).

Generating a million orders through the API and ``bulk_insert_orders`` costs
most of an hour per database on the 2-core machine; the SQLite data set holds
exactly the rows the SQL adapters write (the same bodies, the same sequence
numbers, the same read-model rows), so the PostgreSQL data set is loaded from
it instead: each tnorder table is copied row by row with ``COPY ... FROM
STDIN``, times converted from SQLite's integer microseconds to ``timestamptz``.
``tests/unit/test_bench_pg_copy.py`` checks that every order, history page and
dashboard page reads back the same from both.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import _postgres

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Not copied: each database keeps its own migration record.
_SKIPPED = {"tnorder_schema_migrations"}
#: Rows read from SQLite per batch.
_BATCH = 20_000


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tnorder%' ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows if name not in _SKIPPED]


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[list[Any]]:
    cursor = conn.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while True:
        batch = cursor.fetchmany(_BATCH)
        if not batch:
            return
        yield from (list(row) for row in batch)


def copy_sqlite_to_postgres(sqlite_path: Path, conninfo: str) -> dict[str, int]:
    """Copy every tnorder table of the SQLite file into the migrated, empty PostgreSQL
    database ``conninfo``; return the rows copied per table."""
    import psycopg

    copied: dict[str, int] = {}
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        with psycopg.connect(conninfo, autocommit=True) as target:
            for table in _tables(source):
                types = dict(
                    target.execute(
                        "SELECT column_name, data_type FROM information_schema.columns"
                        " WHERE table_schema = current_schema() AND table_name = %s",
                        (table,),
                    ).fetchall()
                )
                columns = [
                    row[1]
                    for row in source.execute(f"PRAGMA table_info({table})")
                    if row[1] in types
                ]
                times = [i for i, c in enumerate(columns) if types[c].startswith("timestamp")]
                count = 0
                with target.transaction():
                    target.execute(f"DELETE FROM {table}")  # the migration's seed rows
                    with target.cursor().copy(
                        f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                    ) as copy:
                        for row in _rows(source, table, columns):
                            for i in times:
                                if row[i] is not None:
                                    row[i] = _EPOCH + timedelta(microseconds=row[i])
                            copy.write_row(row)
                            count += 1
                copied[table] = count
            target.execute(
                "SELECT setval(pg_get_serial_sequence('tnorder_outbox', 'position'),"
                " GREATEST((SELECT MAX(position) FROM tnorder_outbox), 1))"
            )
            target.execute("VACUUM ANALYZE")
    finally:
        source.close()
    return copied


def cached_copy(
    dbname: str, tag: str, meta_table: str, source: Callable[[], Path]
) -> tuple[str, float, bool]:
    """The PostgreSQL data set ``dbname``: (conninfo, seconds to copy, copied now?).

    A database whose ``meta_table`` names ``tag`` is reused; otherwise the SQLite
    file ``source()`` (built if need be) is copied into a database of its own
    (migrated first), renamed to ``dbname`` when complete, so an interrupted or
    concurrent run never leaves a half-filled database under that name.
    """
    import psycopg
    from psycopg import sql

    from tnorder.adapters.postgres import PostgresStorage

    if _postgres.database_exists(dbname):
        with psycopg.connect(_postgres.conninfo_for(dbname), autocommit=True) as conn:
            try:
                row = conn.execute(f"SELECT tag, seconds FROM {meta_table}").fetchone()
            except psycopg.Error:
                row = None
        if row is not None and row[0] == tag:
            return _postgres.conninfo_for(dbname), float(row[1]), False
    path = source()
    building = f"{dbname}_building_{os.getpid()}"
    conninfo = _postgres.create_database(building)
    try:
        PostgresStorage(conninfo).close()  # migrate once, then fill
        started = time.perf_counter()
        copy_sqlite_to_postgres(path, conninfo)
        seconds = time.perf_counter() - started
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"CREATE TABLE {meta_table} (tag TEXT, seconds DOUBLE PRECISION)")
            conn.execute(f"INSERT INTO {meta_table} VALUES (%s, %s)", (tag, seconds))
        _postgres.drop_database(dbname)
        _postgres.admin(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(building), sql.Identifier(dbname)
            )
        )
    finally:
        _postgres.drop_database(building)
    return _postgres.conninfo_for(dbname), seconds, True
