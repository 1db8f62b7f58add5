"""The storage contract on the SQL adapters: a SQLite file and a real PostgreSQL server.

PostgreSQL comes from the ``postgres_dsn`` fixture (``tests/conftest.py``): a
throwaway database, skipped with the reason when no server can be reached,
and a failure when ``CI`` is set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import settings

from tnorder.adapters import _sql
from tnorder.errors import StorageError
from tnorder.records import RECORD_SPECS, RecordSpec
from tnorder.testing import StorageContract

HALF_A_RECORD = '{"schema_version": 1'


class _SqlFixtures:
    """Capabilities and fault injection shared by both SQL adapters."""

    # Each example does real commits; tests/integration goes further per adapter.
    hypothesis_settings: ClassVar[settings | None] = settings(max_examples=20, deadline=None)

    def raw(self, sql: str, params: tuple[Any, ...]) -> None:
        """Run SQL on a connection of its own, behind the storage's back."""
        raise NotImplementedError

    @pytest.fixture
    def supports_concurrent_writers(self) -> bool:
        return True

    @pytest.fixture
    def supports_interleaved_units_of_work(self) -> bool:
        return True

    @pytest.fixture
    def reads_items_when_touched(self) -> bool:
        return True

    @pytest.fixture
    def corrupt_order(self, storage: Any) -> Callable[[str], None]:
        def corrupt(order_id: str) -> None:
            self.raw(
                f"UPDATE {_sql.ORDERS} SET body = ? WHERE order_id = ?", (HALF_A_RECORD, order_id)
            )

        return corrupt

    @pytest.fixture
    def corrupt_record(self, storage: Any) -> Callable[[RecordSpec[Any], str], None]:
        def corrupt(spec: RecordSpec[Any], key: str) -> None:
            self.raw(f"UPDATE {_sql.record_table(spec)} SET body = '[]' WHERE key = ?", (key,))

        return corrupt

    @pytest.fixture
    def write_raw_event(self, storage: Any) -> Callable[[str, str, str], None]:
        def write(stream: str, event_id: str, payload: str) -> None:
            self.raw(
                f"INSERT INTO {_sql.OUTBOX} (stream, event_id, payload) VALUES (?, ?, ?)",
                (stream, event_id, payload),
            )

        return write

    @pytest.fixture
    def fail_next_commit(self, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
        def arm() -> None:
            real = _sql.apply_rows

            def fail_once(*args: Any) -> None:
                monkeypatch.setattr(_sql, "apply_rows", real)
                raise StorageError("injected: the database went away")

            # Fails inside the commit's transaction, after the checked rows were written.
            monkeypatch.setattr(_sql, "apply_rows", fail_once)

        return arm


class TestSqliteStorage(_SqlFixtures, StorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> Iterator[Any]:
        from tnorder.adapters.sqlite import SqliteStorage

        self.path = tmp_path / "tnorder.db"
        storage = SqliteStorage(self.path)
        yield storage
        storage.close()

    @pytest.fixture
    def supports_parallel_relays(self) -> bool:
        # One relay at a time per database file, by design (an OS file lock).
        return False

    def raw(self, sql: str, params: tuple[Any, ...]) -> None:
        conn = sqlite3.connect(self.path, timeout=10)
        try:
            with conn:
                conn.execute(sql, params)
        finally:
            conn.close()


class TestPostgresStorage(_SqlFixtures, StorageContract):
    @pytest.fixture
    def storage(self, postgres_dsn: str) -> Iterator[Any]:
        from tnorder.adapters.postgres import PostgresStorage

        self.dsn = postgres_dsn
        storage = PostgresStorage(postgres_dsn)
        tables = [_sql.ORDERS, _sql.ITEMS, _sql.HISTORY, _sql.OUTBOX]
        tables += [_sql.record_table(s) for s in RECORD_SPECS]
        self.raw(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY", ())
        yield storage
        storage.close()

    @pytest.fixture
    def supports_parallel_relays(self) -> bool:
        return True

    def raw(self, sql: str, params: tuple[Any, ...]) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(sql.replace("?", "%s"), params or None)  # type: ignore[arg-type]
