"""PostgresStorage for many hosts: a psycopg_pool connection pool and a read replica.

The "replica" is a second schema of the same database that the test copies
rows into when it wants the replica to catch up (there is no replication
here): reads that go to it see only what was copied, which proves where they
went, and shows the staleness a real replica brings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from tests.support.actors import STAFF
from tests.support.clock import T0
from tests.support.storage import TABLES
from tnorder import NewItem, OrderKind, OrderNotFound, OrderService, StorageError, ValidationError
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.ports import ReadReplicaStorage

ITEMS = [NewItem(OrderKind.PORT_IN, number="+14045550123")]


def _schema(postgres_dsn: str) -> Iterator[str]:
    name = f"s_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    yield name
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def primary(postgres_dsn: str) -> Iterator[str]:
    """A conninfo on a new, empty schema: the primary."""
    for name in _schema(postgres_dsn):
        yield psycopg.conninfo.make_conninfo(
            postgres_dsn, options=f"-csearch_path={name}", application_name="tnorder-primary"
        )


@pytest.fixture
def replica(postgres_dsn: str) -> Iterator[str]:
    """A conninfo on another new schema, migrated: the read replica."""
    for name in _schema(postgres_dsn):
        conninfo = psycopg.conninfo.make_conninfo(
            postgres_dsn, options=f"-csearch_path={name}", application_name="tnorder-replica"
        )
        PostgresStorage(conninfo).close()
        yield conninfo


def _schema_of(conninfo: str) -> str:
    options = psycopg.conninfo.conninfo_to_dict(conninfo)["options"]
    assert isinstance(options, str)
    return options.removeprefix("-csearch_path=")


def _catch_up(primary: str, replica: str) -> None:
    """What replication would do: the replica's tables become the primary's."""
    source, target = _schema_of(primary), _schema_of(replica)
    with psycopg.connect(primary, autocommit=True) as conn, conn.transaction():
        for table in TABLES:
            conn.execute(f"DELETE FROM {target}.{table}")
            conn.execute(
                f"INSERT INTO {target}.{table} OVERRIDING SYSTEM VALUE"
                f" SELECT * FROM {source}.{table}"
            )


def _service(storage: PostgresStorage) -> OrderService:
    return OrderService(storage, clock=FixedClock(T0))


@pytest.fixture
def pool(primary: str) -> Iterator[ConnectionPool]:
    """A small pool on the primary (two connections at most)."""
    with ConnectionPool(primary, min_size=1, max_size=2, timeout=5, open=True) as opened:
        yield opened


def test_units_of_work_borrow_pooled_connections(pool: ConnectionPool) -> None:
    """With a pool, every unit of work and outbox block borrows a connection and gives it back."""
    storage = PostgresStorage.from_pool(pool)
    service = _service(storage)
    before = pool.get_stats().get("requests_num", 0)
    order = service.place_order("ACC-1", ITEMS, actor=STAFF, order_id="ORD-1")
    assert order.order_id == service.get_order("ORD-1").order_id
    with storage.outbox() as outbox:
        claimed = outbox.claim(10)
    assert ["ORD-1"] == sorted({e.event.stream for e in claimed})
    stats = pool.get_stats()
    assert 3 <= stats["requests_num"] - before  # place, read, outbox
    assert stats["pool_available"] == stats["pool_size"]  # every connection came back
    storage.close()


def test_an_exhausted_pool_is_a_storage_error_and_writes_nothing(primary: str) -> None:
    """No free connection within the timeout: StorageError naming the pool size; nothing
    is stored, and the same call succeeds once a connection is back."""
    with ConnectionPool(primary, min_size=1, max_size=1, timeout=5, open=True) as pool:
        storage = PostgresStorage.from_pool(pool, pool_timeout=0.2)
        service = _service(storage)
        held = pool.getconn()
        try:
            with pytest.raises(StorageError, match=r"no connection free .*max_size=1"):
                service.place_order("ACC-1", ITEMS, actor=STAFF, order_id="ORD-1")
        finally:
            pool.putconn(held)
        with pytest.raises(OrderNotFound):
            service.get_order("ORD-1")
        service.place_order("ACC-1", ITEMS, actor=STAFF, order_id="ORD-1")
        assert "ORD-1" == service.get_order("ORD-1").order_id
        storage.close()


def test_reads_go_to_the_replica_and_lag_until_it_catches_up(primary: str, replica: str) -> None:
    """get_order and the dashboards read the replica: a fresh write is not there until the
    replica catches up; writes still go to the primary."""
    storage = PostgresStorage(primary, read_conninfo=replica)
    service = _service(storage)
    service.place_order("ACC-1", ITEMS, actor=STAFF, order_id="ORD-1")
    with pytest.raises(OrderNotFound):
        service.get_order("ORD-1")
    assert [] == service.orders_tab("ACC-1")
    with storage.unit_of_work() as uow:  # the primary has it
        assert "ORD-1" == uow.orders.get("ORD-1").order_id
    _catch_up(primary, replica)
    assert "ORD-1" == service.get_order("ORD-1").order_id
    assert ["ORD-1"] == [s.order_id for s in service.orders_tab("ACC-1")]
    storage.close()


def test_the_read_connection_refuses_writes(primary: str, replica: str) -> None:
    """A commit through read_unit_of_work fails with StorageError and stores nothing."""
    storage = PostgresStorage(primary, read_conninfo=replica)
    service = _service(storage)
    order = service.place_order("ACC-1", ITEMS, actor=STAFF, order_id="ORD-1")
    with storage.read_unit_of_work() as uow:
        order.order_id = "ORD-2"
        uow.orders.add(order)
        with pytest.raises(StorageError, match="read-only"):
            uow.commit()
    with storage.read_unit_of_work() as uow, pytest.raises(OrderNotFound):
        uow.orders.get("ORD-2")
    with (
        psycopg.connect(replica) as conn,
        conn.execute("SELECT count(*) FROM tnorder_orders") as cur,
    ):
        assert (0,) == cur.fetchone()
    storage.close()


def test_a_read_pool_serves_the_reads(primary: str, replica: str) -> None:
    """With read_pool, reads borrow from it (and see what the replica holds)."""
    with ConnectionPool(replica, min_size=1, max_size=2, open=True) as reads:
        storage = PostgresStorage(primary, read_pool=reads)
        service = _service(storage)
        service.place_order("ACC-1", ITEMS, actor=STAFF, order_id="ORD-1")
        before = reads.get_stats().get("requests_num", 0)
        with pytest.raises(OrderNotFound):
            service.get_order("ORD-1")
        _catch_up(primary, replica)
        assert "ORD-1" == service.get_order("ORD-1").order_id
        assert 2 == reads.get_stats()["requests_num"] - before
        storage.close()


def test_without_a_replica_reads_use_the_primary(primary: str, tmp_path: Path) -> None:
    """A storage without a replica reads its own writes at once; SQLite has no replica."""
    storage = PostgresStorage(primary)
    service = _service(storage)
    service.place_order("ACC-1", ITEMS, actor=STAFF, order_id="ORD-1")
    assert "ORD-1" == service.get_order("ORD-1").order_id
    assert isinstance(storage, ReadReplicaStorage)
    storage.close()
    with SqliteStorage(tmp_path / "t.db") as sqlite:
        assert not isinstance(sqlite, ReadReplicaStorage)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"read_conninfo": 5}, "read_conninfo"),
        ({"pool_timeout": 0}, "pool_timeout"),
        ({"pool_timeout": "3"}, "pool_timeout"),
    ],
)
def test_bad_settings_are_refused(primary: str, kwargs: dict[str, object], field: str) -> None:
    """Bad replica or pool settings raise ValidationError naming the setting."""
    with pytest.raises(ValidationError) as caught:
        PostgresStorage(primary, migrate=False, **kwargs)  # type: ignore[arg-type]
    assert field == caught.value.field


def test_a_read_conninfo_and_a_read_pool_together_are_refused(primary: str) -> None:
    """Only one read side: both given raises ValidationError."""
    with (
        ConnectionPool(primary, min_size=1, max_size=1, open=True) as reads,
        pytest.raises(ValidationError, match="not both"),
    ):
        PostgresStorage(primary, read_conninfo=primary, read_pool=reads, migrate=False)
