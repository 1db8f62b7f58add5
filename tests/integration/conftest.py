"""Storage fixtures: a real SQLite file, a real PostgreSQL database, and memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
