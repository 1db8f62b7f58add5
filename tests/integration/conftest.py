"""Storage fixtures: a real SQLite file, a real PostgreSQL database, and memory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.support.storage import TABLES, AnyStorage, raw_execute
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage


@pytest.fixture
def sqlite_storage(tmp_path: Path) -> Iterator[SqliteStorage]:
    """A migrated SQLite database file in the test's temporary directory."""
    storage = SqliteStorage(tmp_path / "tnorder.db")
    yield storage
    storage.close()


@pytest.fixture
def pg_storage(postgres_dsn: str) -> Iterator[PostgresStorage]:
    """A migrated PostgreSQL database with empty tnorder tables."""
    storage = PostgresStorage(postgres_dsn)
    raw_execute(storage, f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
    yield storage
    storage.close()


@pytest.fixture
def empty_database(postgres_dsn: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL database of the test module's own, with no tables (the shared
    test database already holds tnorder's): for restoring an old release's dump."""
    params = conninfo_to_dict(postgres_dsn)
    name = f"{params['dbname']}_{request.module.__name__.rsplit('.', 1)[-1][5:]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    params["dbname"] = name
    yield make_conninfo(**params)  # type: ignore[arg-type]
    # FORCE cannot end a backend of another role (an autovacuum worker that
    # happens to be on the database): wait for it to finish, then drop.
    for attempt in range(40):
        try:
            with psycopg.connect(postgres_dsn, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            break
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 39:
                raise
            time.sleep(0.25)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def storage(request: pytest.FixtureRequest) -> AnyStorage:
    """Each storage adapter in turn: the behaviour under test is the port's."""
    if request.param == "memory":
        return MemoryStorage()
    fixture = {"sqlite": "sqlite_storage", "postgres": "pg_storage"}[request.param]
    found: AnyStorage = request.getfixturevalue(fixture)
    return found


@pytest.fixture(params=["sqlite", "postgres"])
def sql_storage(request: pytest.FixtureRequest) -> SqliteStorage | PostgresStorage:
    """Each SQL adapter in turn (real file, real server)."""
    found: SqliteStorage | PostgresStorage = request.getfixturevalue(
        "sqlite_storage" if request.param == "sqlite" else "pg_storage"
    )
    return found
