"""``tnorder schema``: the DDL a host runs itself, on real SQLite files and PostgreSQL.

A database built from the printed script must be the database ``migrate``
builds, work with ``migrate=False``, and leave ``migrate`` nothing to do.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.actors import STAFF
from tests.support.clock import T0
from tnorder import NewItem, OrderKind, ValidationError
from tnorder.adapters import _sql
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.schema import schema_script, schema_steps
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.ports import Storage
from tnorder.world import build_service

NOW = T0


def _sqlite_schema(path: Path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return {(t, n, " ".join((s or "").split())) for t, n, s in rows}


def _works(storage: Storage) -> None:
    service = build_service(storage, clock=FixedClock(NOW))
    order = service.place_order("ACC-1", [NewItem(OrderKind.NEW_NUMBER)], actor=STAFF)
    assert order == service.get_order(order.order_id)
    assert [order.order_id] == [s.order_id for s in service.orders_tab("ACC-1")]


def test_the_cli_prints_the_script_with_each_step() -> None:
    """``tnorder schema --dialect sqlite`` prints the schema version, a comment per step
    (the migrations table, each migration, each record table) and every statement."""
    done = subprocess.run(
        [sys.executable, "-m", "tnorder", "schema", "--dialect", "sqlite"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert schema_script("sqlite") == done.stdout
    assert "" == done.stderr
    titles = [line[3:] for line in done.stdout.splitlines() if line.startswith("-- ")]
    assert [title for title, _ in schema_steps("sqlite")] == titles[2:]
    assert f"tnorder schema version {_sql.LATEST_SCHEMA} (sqlite)." == titles[0]


def test_an_unknown_dialect_is_refused() -> None:
    """Only sqlite and postgres exist: anything else is a ValidationError (exit 2 in the CLI)."""
    with pytest.raises(ValidationError, match="mysql"):
        schema_steps("mysql")  # type: ignore[arg-type]
    done = subprocess.run(
        [sys.executable, "-m", "tnorder", "schema", "--dialect", "mysql"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 2 == done.returncode
    assert "invalid choice: 'mysql'" in done.stderr


def test_the_sqlite_script_builds_what_migrate_builds(tmp_path: Path) -> None:
    """The printed SQLite script gives the same tables and indexes as ``migrate``; the
    storage then works with ``migrate=False``, and ``migrate`` finds nothing to do."""
    by_script, by_migrate = tmp_path / "script.db", tmp_path / "migrate.db"
    with sqlite3.connect(by_script) as conn:
        conn.executescript(schema_script("sqlite"))
    SqliteStorage(by_migrate).close()
    assert _sqlite_schema(by_migrate) == _sqlite_schema(by_script)
    with SqliteStorage(by_script, migrate=False) as storage:
        assert _sql.LATEST_SCHEMA == storage.schema_version()
        _works(storage)
    before = _sqlite_schema(by_script)
    with SqliteStorage(by_script) as storage:
        assert _sql.LATEST_SCHEMA == storage.migrate()
    assert before == _sqlite_schema(by_script)


@pytest.fixture
def two_schemas(postgres_dsn: str) -> Iterator[tuple[str, str, str]]:
    """The admin conninfo and two conninfos whose search_path is a new, empty schema."""
    names = [f"s_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE SCHEMA {name}")
    yield (
        postgres_dsn,
        *(
            psycopg.conninfo.make_conninfo(postgres_dsn, options=f"-csearch_path={n}")
            for n in names
        ),
    )
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def _pg_schema(conninfo: str) -> set[tuple[str, ...]]:
    with psycopg.connect(conninfo) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, "
            "coalesce(column_default, ''), is_identity FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexname, regexp_replace(indexdef, ' ON \\S+\\.', ' ON ') "
            "FROM pg_indexes WHERE schemaname = current_schema()"
        ).fetchall()
    return {tuple(map(str, row)) for row in [*columns, *indexes]}


def test_the_postgres_script_builds_what_migrate_builds(
    two_schemas: tuple[str, str, str],
) -> None:
    """On a real PostgreSQL server the printed script gives the same columns, types and
    indexes as ``migrate``; the storage works with ``migrate=False`` on it, and a later
    ``migrate`` changes nothing."""
    _, by_script, by_migrate = two_schemas
    with psycopg.connect(by_script) as conn:
        conn.execute(schema_script("postgres"))
    PostgresStorage(by_migrate).close()
    assert _pg_schema(by_migrate) == _pg_schema(by_script)
    with PostgresStorage(by_script, migrate=False) as storage:
        assert _sql.LATEST_SCHEMA == storage.schema_version()
        _works(storage)
    before = _pg_schema(by_script)
    with PostgresStorage(by_script) as storage:
        assert _sql.LATEST_SCHEMA == storage.migrate()
    assert before == _pg_schema(by_script)
