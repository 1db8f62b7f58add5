"""The storage contract, run against the in-memory reference storage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tnorder.adapters.memory import MemoryStorage
from tnorder.records import RecordSpec
from tnorder.testing import StorageContract


class TestMemoryStorage(StorageContract):
    @pytest.fixture
    def storage(self) -> MemoryStorage:
        return MemoryStorage()

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
    def supports_parallel_relays(self) -> bool:
        return True

    @pytest.fixture
    def corrupt_order(self, storage: MemoryStorage) -> Callable[[str], None]:
        return lambda order_id: storage.corrupt("orders", order_id, body='{"schema_version": 1')

    @pytest.fixture
    def corrupt_record(self, storage: MemoryStorage) -> Callable[[RecordSpec[Any], str], None]:
        return lambda spec, key: storage.corrupt(spec.name, key, body="[]")

    @pytest.fixture
    def fail_next_commit(self, storage: MemoryStorage) -> Callable[[], None]:
        return storage.fail_next_commit

    @pytest.fixture
    def write_raw_event(self, storage: MemoryStorage) -> Callable[[str, str, str], None]:
        def write(stream: str, event_id: str, payload: str) -> None:
            storage.put_raw_event(stream, payload, event_id=event_id)

        return write
