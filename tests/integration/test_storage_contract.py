"""The shipped storage contract (tnorder.testing.StorageContract) on the SQL adapters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from hypothesis import settings
from storage_kit import STAFF, T0, RawDb, add_order, new_order

from tnorder import StorageError, Trigger
from tnorder.adapters import _sql
from tnorder.adapters.postgres import PostgresStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.ports import Storage
from tnorder.records import RecordSpec
from tnorder.testing import StorageContract


class _SqlFixtures:
    """Capabilities and fault injection shared by both SQL adapters."""

    # Each example does real commits; the lost-update and bad-row suites go further.
    hypothesis_settings: ClassVar[settings | None] = settings(max_examples=20)

    @pytest.fixture
    def supports_concurrent_writers(self) -> bool:
        return True

    @pytest.fixture
    def supports_interleaved_units_of_work(self) -> bool:
        return True

    @pytest.fixture
    def corrupt_order(self, storage: SqliteStorage | PostgresStorage) -> Callable[[str], None]:
        def corrupt(order_id: str) -> None:
            raw = RawDb(storage)
            raw.execute(
                "UPDATE tnorder_orders SET body = '{\"schema_version\": 1' WHERE order_id = ?",
                (order_id,),
            )
            raw.close()

        return corrupt

    @pytest.fixture
    def corrupt_record(
        self, storage: SqliteStorage | PostgresStorage
    ) -> Callable[[RecordSpec[Any], str], None]:
        def corrupt(spec: RecordSpec[Any], key: str) -> None:
            raw = RawDb(storage)
            raw.execute(f"UPDATE {_sql.record_table(spec)} SET body = '[]' WHERE key = ?", (key,))
            raw.close()

        return corrupt

    @pytest.fixture
    def fail_next_commit(self, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
        def arm() -> None:
            real = _sql.insert_events

            def fail_once(*args: Any) -> None:
                monkeypatch.setattr(_sql, "insert_events", real)
                raise StorageError("injected: the database went away")

            monkeypatch.setattr(_sql, "insert_events", fail_once)

        return arm


class TestSqliteStorage(_SqlFixtures, StorageContract):
    @pytest.fixture
    def storage(self, sqlite_storage: SqliteStorage) -> SqliteStorage:
        return sqlite_storage

    def test_open_outboxes_never_share_a_stream(
        self, storage: Storage, supports_interleaved_units_of_work: bool
    ) -> None:
        """SQLite relays take turns (one relay lock per database file): while one outbox
        session is open, another claims nothing at all, so no stream is ever shared; the
        contract's version also expects the second session to get the other streams."""
        _add_two_streams(storage)
        with storage.outbox() as one:
            held = one.claim(1)
            with storage.outbox() as two:
                assert [] == two.claim(100)
            one.mark_delivered([e.position for e in held])
        with storage.outbox() as three:
            assert ["S#2", "T#1"] == sorted(e.event.event_id for e in three.claim(100))
        assert ["S#1"] == [e.event.event_id for e in held]


class TestPostgresStorage(_SqlFixtures, StorageContract):
    @pytest.fixture
    def storage(self, pg_storage: PostgresStorage) -> PostgresStorage:
        return pg_storage


def _add_two_streams(storage: Storage) -> None:
    first = new_order("S")
    first.fire("S-1", Trigger.REVIEW, actor=STAFF, at=T0)
    add_order(storage, first)
    add_order(storage, new_order("T"))
