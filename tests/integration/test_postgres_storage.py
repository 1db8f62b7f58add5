"""PostgresStorage on a real server: migrations, many processes, lost connections, text rules."""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.storage import add_order, new_order, raw_execute
from tnorder import OrderNotFound, StorageError, ValidationError
from tnorder.adapters import _sql
from tnorder.adapters.postgres import PostgresStorage

FORK = multiprocessing.get_context("fork")


@pytest.fixture
def fresh_schema(postgres_dsn: str) -> Iterator[str]:
    """A conninfo whose search_path is a new, empty schema (dropped afterwards)."""
    name = f"s_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    yield psycopg.conninfo.make_conninfo(postgres_dsn, options=f"-csearch_path={name}")
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def test_migrations_are_tracked_and_applied_once(fresh_schema: str) -> None:
    """The schema table records each migration once, in the host's chosen schema."""
    PostgresStorage(fresh_schema).close()
    with PostgresStorage(fresh_schema) as storage:
        rows = raw_execute(storage, "SELECT version, name FROM tnorder_schema_migrations")
        assert [
            (1, "orders and outbox"),
            (2, "storage-assigned sequence"),
            (3, "outbox parking of undecodable events"),
            (4, "orders as header, item and history rows"),
            (5, "order headers summarise their items"),
            (6, "dashboard read model"),
            (7, "dashboard rows kept together per account"),
            (8, "Active Numbers rows kept together per account"),
            (9, "item rows kept in listing order"),
            (10, "finished orders on the tab found in one index"),
        ] == rows
        assert 10 == storage.schema_version()


def test_a_database_from_a_newer_tnorder_is_refused(fresh_schema: str) -> None:
    """A schema migrated past what this version knows raises StorageError on open."""
    with PostgresStorage(fresh_schema) as storage:
        raw_execute(
            storage, "INSERT INTO tnorder_schema_migrations (version, name) VALUES (99, 'x')"
        )
    with pytest.raises(StorageError, match="newer"):
        PostgresStorage(fresh_schema)


def _open_and_add(conninfo: str, n: int) -> None:
    add_order(PostgresStorage(conninfo), new_order(f"P-{n}"))


def test_several_processes_can_migrate_at_once(fresh_schema: str) -> None:
    """Processes starting together on an empty schema all succeed; migrations run once."""
    procs = [FORK.Process(target=_open_and_add, args=(fresh_schema, n)) for n in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    with PostgresStorage(fresh_schema) as storage:
        assert [0, 0, 0, 0] == [p.exitcode for p in procs]
        assert [(len(_sql.MIGRATIONS),)] == raw_execute(
            storage, "SELECT COUNT(*) FROM tnorder_schema_migrations"
        )
        with storage.unit_of_work() as uow:
            assert 4 == len(uow.orders.for_account("acct-1"))


def test_text_with_nul_is_refused_on_write_and_absent_on_read(
    pg_storage: PostgresStorage,
) -> None:
    """PostgreSQL text cannot hold NUL: writing one is a ValidationError naming the field,
    and looking one up finds nothing."""
    with pytest.raises(ValidationError) as caught:
        add_order(pg_storage, new_order("O\x00-1"))
    with pg_storage.unit_of_work() as uow:
        with pytest.raises(OrderNotFound) as missing:
            uow.orders.get("O\x00-1")
        assert "O\x00-1" == missing.value.key
        assert [] == uow.orders.for_account("acct\x00")
        assert [] == uow.inventory.find(account_id="a\x00")
    assert "order_id" == caught.value.field


def test_a_lost_connection_is_replaced(pg_storage: PostgresStorage) -> None:
    """When the server drops this thread's connection, that call raises StorageError and
    the next unit of work reconnects."""
    add_order(pg_storage, new_order("O-1"))
    with pg_storage.unit_of_work() as uow:
        pid = uow._session._conn.info.backend_pid  # type: ignore[attr-defined]
    raw_execute(pg_storage, "SELECT pg_terminate_backend(?)", (pid,))
    with (
        pytest.raises(StorageError, match="PostgreSQL query failed: terminating connection"),
        pg_storage.unit_of_work() as uow,
    ):
        uow.orders.get("O-1")
    with pg_storage.unit_of_work() as uow:
        assert 1 == uow.orders.get("O-1").version
