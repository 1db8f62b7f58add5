"""SqliteStorage on a real database file: WAL, busy timeout, migrations, indexes, bulk load."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.actors import MANAGER
from tests.support.clock import T0
from tests.support.storage import add_order, new_number, new_order, raw_execute
from tnorder import StorageError, ValidationError
from tnorder.adapters import _sql
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.inventory import InventoryStatus

FORK = multiprocessing.get_context("fork")


def test_database_runs_in_wal_mode_with_tracked_migrations(sqlite_storage: SqliteStorage) -> None:
    """The file is in WAL mode and the schema table records each migration once."""
    SqliteStorage(sqlite_storage.path).close()  # opening again applies nothing twice
    assert [("wal",)] == raw_execute(sqlite_storage, "PRAGMA journal_mode")
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
    ] == raw_execute(sqlite_storage, "SELECT version, name FROM tnorder_schema_migrations")
    assert 10 == sqlite_storage.schema_version()


def test_a_database_from_a_newer_tnorder_is_refused(tmp_path: Path) -> None:
    """Opening a database migrated past what this version knows raises StorageError."""
    SqliteStorage(tmp_path / "db").close()
    conn = sqlite3.connect(tmp_path / "db")
    conn.execute("INSERT INTO tnorder_schema_migrations (version, name) VALUES (99, 'future')")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        SqliteStorage(tmp_path / "db")


@pytest.mark.parametrize("path", [":memory:", "", "file::memory:?cache=shared"])
def test_in_memory_databases_are_refused(path: str) -> None:
    """Per-connection memory databases cannot be shared by units of work, so they are refused."""
    with pytest.raises(ValidationError, match="needs a database file path") as info:
        SqliteStorage(path)
    assert "path" == info.value.field


def test_each_connection_gets_the_page_cache_asked_for(tmp_path: Path) -> None:
    """64 MiB by default (SQLite's own 2 MiB spills a bulk call's pages); ``cache_mib``
    sets it, on every connection the storage opens (one per thread)."""

    def cache_size(storage: SqliteStorage) -> object:
        return storage._connection().execute("PRAGMA cache_size").fetchone()[0]

    default = SqliteStorage(tmp_path / "default.sqlite3")
    small = SqliteStorage(tmp_path / "small.sqlite3", cache_mib=8)
    try:
        assert -64 * 1024 == cache_size(default)
        assert -8 * 1024 == cache_size(small)
        other: list[object] = []
        thread = threading.Thread(target=lambda: other.append(cache_size(small)))
        thread.start()
        thread.join()
        assert [-8 * 1024] == other
    finally:
        default.close()
        small.close()


def test_the_log_is_copied_into_the_file_past_the_size_asked_for(tmp_path: Path) -> None:
    """64 MiB of write-ahead log by default (SQLite's own 4 MiB is less than one bulk
    commit); ``checkpoint_mib`` sets it, in pages, on every connection."""

    def pages(storage: SqliteStorage) -> object:
        return storage._connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0]

    default = SqliteStorage(tmp_path / "default.sqlite3")
    small = SqliteStorage(tmp_path / "small.sqlite3", checkpoint_mib=2)
    try:
        assert 64 * 256 == pages(default)  # 4 KiB pages
        assert 2 * 256 == pages(small)
        other: list[object] = []
        thread = threading.Thread(target=lambda: other.append(pages(small)))
        thread.start()
        thread.join()
        assert [2 * 256] == other
    finally:
        default.close()
        small.close()


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        *(("cache_mib", v) for v in (0, -1, 65_537, True, 2.5, "64", None)),
        *(("checkpoint_mib", v) for v in (0, -1, 1025, True, 2.5, "64", None)),
    ],
)
def test_a_bad_size_setting_is_refused_naming_it(
    tmp_path: Path, setting: str, value: object
) -> None:
    """``cache_mib`` outside 1..65536 or ``checkpoint_mib`` outside 1..1024, or either
    not an int, is a ValidationError naming it; no file is made."""
    path = tmp_path / "never.sqlite3"
    with pytest.raises(ValidationError, match=f"{setting} must be a whole number") as info:
        SqliteStorage(path, **{setting: value})  # type: ignore[arg-type]
    assert setting == info.value.field
    assert not path.exists()


def test_a_writer_waits_for_the_lock_up_to_the_busy_timeout(sqlite_storage: SqliteStorage) -> None:
    """A commit waits while another connection holds the write lock, then succeeds."""
    holder = sqlite3.connect(sqlite_storage.path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        add_order(sqlite_storage, new_order("O-1"))
    finally:
        release.join()
        holder.close()
    with sqlite_storage.unit_of_work() as uow:
        assert 1 == uow.orders.get("O-1").version


def test_a_writer_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    """With no time left to wait, a locked database is a StorageError and nothing is written."""
    storage = SqliteStorage(tmp_path / "db", timeout=0)
    holder = sqlite3.connect(storage.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="locked"):
            add_order(storage, new_order("O-1"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [(0,)] == raw_execute(storage, "SELECT COUNT(*) FROM tnorder_orders")
    storage.close()


def test_orders_tab_query_uses_the_account_index(sqlite_storage: SqliteStorage) -> None:
    """Both for_account queries search the (account_id, finalized_at) index, never
    scanning the orders table, and return the right orders among many accounts."""
    orders = [new_order(f"O-{n}", f"acct-{n % 200}") for n in range(4000)]
    for n, order in enumerate(orders[:600]):  # finalized 0, 1 or 2 days after T0
        order.cancel(actor=MANAGER, at=T0 + timedelta(days=n % 3))
    assert 4000 == sqlite_storage.bulk_insert_orders(orders, batch_size=1500)
    statements: list[str] = []
    with sqlite_storage.unit_of_work() as uow:
        uow._session._conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
        tab = uow.orders.for_account("acct-7", finalized_since=T0 + timedelta(days=1))
        every = uow.orders.for_account("acct-7")
        uow._session._conn.set_trace_callback(None)  # type: ignore[attr-defined]
    conn = sqlite3.connect(sqlite_storage.path)
    plans = [
        " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        for sql in statements
        if "FROM tnorder_orders" in sql
    ]
    conn.close()
    expected_tab = sorted(
        o.order_id
        for o in orders
        if o.account_id == "acct-7"
        and (o.finalized_at is None or o.finalized_at >= T0 + timedelta(days=1))
    )
    assert 19 == len(expected_tab)  # one of the account's orders was finalized too early
    assert 2 == len(plans)
    assert all("tnorder_orders_account_finalized" in plan for plan in plans), plans
    assert not any("SCAN tnorder_orders" in plan for plan in plans), plans
    assert expected_tab == sorted(o.order_id for o in tab)
    assert 20 == len(every)


def test_bulk_insert_stores_version_1_without_events(sqlite_storage: SqliteStorage) -> None:
    """bulk_insert_orders stores orders at version 1, writes no outbox events, and a
    duplicate id fails its whole batch."""
    assert 3 == sqlite_storage.bulk_insert_orders(
        (new_order(f"O-{n}") for n in range(3)), batch_size=2
    )
    with pytest.raises(StorageError, match=r"UNIQUE constraint failed: tnorder_orders\.order_id"):
        sqlite_storage.bulk_insert_orders([new_order("O-9"), new_order("O-0")])
    with sqlite_storage.unit_of_work() as uow:
        stored = uow.orders.for_account("acct-1")
    assert [("O-0", 1), ("O-1", 1), ("O-2", 1)] == [(o.order_id, o.version) for o in stored]
    assert 0 == sqlite_storage.pending_event_count()


def test_a_new_index_field_gets_a_filled_column(sqlite_storage: SqliteStorage) -> None:
    """Opening a database whose record table lacks an index column adds the column and
    fills it from the stored records."""
    with sqlite_storage.unit_of_work() as uow:
        uow.inventory.add(new_number("+14045550100", account_id="acct-1"))
        uow.commit()
    sqlite_storage.close()
    raw_execute(sqlite_storage, "DROP INDEX tnorder_inventory_idx_status")
    raw_execute(sqlite_storage, "ALTER TABLE tnorder_inventory DROP COLUMN idx_status")
    with SqliteStorage(sqlite_storage.path) as reopened, reopened.unit_of_work() as uow:
        found = uow.inventory.find(status=InventoryStatus.ASSIGNED)
    assert ["+14045550100"] == [n.number for n in found]


def _open_and_add(path: Path, n: int) -> None:
    storage = SqliteStorage(path)
    add_order(storage, new_order(f"P-{n}"))


def test_several_processes_can_create_the_database_at_once(tmp_path: Path) -> None:
    """Processes opening a new database together all succeed; migrations run once."""
    procs = [FORK.Process(target=_open_and_add, args=(tmp_path / "db", n)) for n in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    with SqliteStorage(tmp_path / "db") as storage:
        assert [0, 0, 0, 0] == [p.exitcode for p in procs]
        assert [(len(_sql.MIGRATIONS),)] == raw_execute(
            storage, "SELECT COUNT(*) FROM tnorder_schema_migrations"
        )
        with storage.unit_of_work() as uow:
            assert 4 == len(uow.orders.for_account("acct-1"))


def test_a_closed_storage_refuses_work(sqlite_storage: SqliteStorage) -> None:
    """After close(), opening a unit of work raises StorageError."""
    sqlite_storage.close()
    with (
        pytest.raises(StorageError, match="this SqliteStorage is closed"),
        sqlite_storage.unit_of_work(),
    ):
        pass


def test_a_database_written_by_0_1_gets_the_sequence_on_open(tmp_path: Path) -> None:
    """A 0.1 database (schema 1, no sequence) upgrades when opened: its orders keep the
    order 0.1 showed (created_at, then id), and orders added later come after them."""
    from tnorder.adapters._sql import _v1
    from tnorder.adapters.sqlite import _DIALECT as SQLITE
    from tnorder.serialization import dumps

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE tnorder_schema_migrations (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    for statement in _v1(SQLITE):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO tnorder_schema_migrations (version, name) VALUES (1, 'orders and outbox')"
    )
    for order_id in ("B", "A"):  # same instant: 0.1 showed A before B
        order = new_order(order_id, at=T0)
        order.version = 1
        conn.execute(
            "INSERT INTO tnorder_orders (order_id, version, account_id, created_at, body)"
            " VALUES (?, 1, ?, ?, ?)",
            (order_id, order.account_id, SQLITE.to_db_time(T0), dumps(order)),
        )
    conn.commit()
    conn.close()
    with SqliteStorage(path) as storage:
        assert _sql.LATEST_SCHEMA == storage.schema_version()
        add_order(storage, new_order("0", at=T0))
        with storage.unit_of_work() as uow:
            listed = [o.order_id for o in uow.orders.for_account("acct-1")]
    assert ["A", "B", "0"] == listed


def test_none_binds_as_null_and_a_hosts_own_none_adapter_is_kept(tmp_path: Path) -> None:
    """Opening a storage binds None as NULL (its identity adapter), and leaves an
    adapter for None the host registered first in place."""
    key = (type(None), sqlite3.PrepareProtocol)
    before = sqlite3.adapters.pop(key, None)
    try:
        sqlite3.register_adapter(type(None), lambda _: "host's")
        SqliteStorage(tmp_path / "host.sqlite3").close()
        assert "host's" == sqlite3.adapters[key](None)
        del sqlite3.adapters[key]
        storage = SqliteStorage(tmp_path / "ours.sqlite3")
        try:
            conn = storage._connection()
            assert [(None, "null")] == conn.execute("SELECT ?, typeof(?)", (None, None)).fetchall()
            assert None is sqlite3.adapters[key](None)
        finally:
            storage.close()
    finally:
        sqlite3.adapters.pop(key, None)
        if before is not None:
            sqlite3.adapters[key] = before
