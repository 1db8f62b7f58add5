"""examples/json_file_store.py: the conformance kit run against a host-written storage."""

from __future__ import annotations

import errno
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.support.examples import load_example
from tnorder.records import RecordSpec
from tnorder.testing import OrderLifecycle, StorageContract

example = load_example("json_file_store")
EXAMPLE = Path(example.__file__)
JsonFileStorage = example.JsonFileStorage


class TestJsonFileStorage(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> Any:
        # fsync is about power cuts, which no test can cause; without it files are
        # written the same way, only faster.
        return JsonFileStorage(tmp_path / "store", durable=False)

    @pytest.fixture
    def supports_concurrent_writers(self) -> bool:
        return True

    @pytest.fixture
    def supports_interleaved_units_of_work(self) -> bool:
        return True

    @pytest.fixture
    def corrupt_order(self, storage: Any) -> Callable[[str], None]:
        def corrupt(order_id: str) -> None:
            storage.record_path("orders", order_id).write_text('{"key": "half a rec')

        return corrupt

    @pytest.fixture
    def corrupt_record(self, storage: Any) -> Callable[[RecordSpec[Any], str], None]:
        def corrupt(spec: RecordSpec[Any], key: str) -> None:
            path = storage.record_path(spec.name, key)
            path.write_text(path.read_text().replace('"schema_version": 1', '"schema_version": 7'))

        return corrupt

    @pytest.fixture
    def write_raw_event(self, storage: Any) -> Callable[[str, str, str], None]:
        def write(stream: str, event_id: str, payload: str) -> None:
            import json

            position = storage._next_position()
            try:
                event: Any = json.loads(payload)
            except ValueError:
                event = payload
            row = {"position": position, "stream": stream, "event_id": event_id, "event": event}
            storage._apply(
                {
                    f"outbox/{position:020d}.json": row,
                    "meta.json": {
                        **(storage._read(storage.root / "meta.json", "counters") or {}),
                        "next_position": position + 1,
                    },
                }
            )

        return write

    @pytest.fixture
    def fail_next_commit(self, storage: Any) -> Callable[[], None]:
        def fail_next() -> None:
            write = storage._write_file

            def disk_full(path: Path, text: str) -> None:
                storage._write_file = write
                raise OSError(errno.ENOSPC, "No space left on device", str(path))

            storage._write_file = disk_full

        return fail_next


class JsonFileLifecycle(OrderLifecycle):
    def make_storage(self) -> Any:
        import tempfile

        self.folder = tempfile.TemporaryDirectory()
        return JsonFileStorage(self.folder.name, durable=False)

    def dispose_storage(self, storage: Any) -> None:
        self.folder.cleanup()


TestJsonFileLifecycle = JsonFileLifecycle.TestCase
# Every step reads and writes real files; fewer, shorter runs keep the suite quick.
TestJsonFileLifecycle.settings = settings(max_examples=25, stateful_step_count=20)


def test_an_interrupted_commit_is_finished_on_the_next_open(tmp_path: Path) -> None:
    """A commit whose journal was written but not applied is completed by the next
    storage opened on the directory, so it is all there or not at all."""
    from datetime import UTC, datetime

    from tnorder import Actor, NewItem, Order, OrderKind, Role

    storage = JsonFileStorage(tmp_path)
    order = Order.place(
        "A-1",
        "acct",
        [NewItem(OrderKind.NEW_NUMBER)],
        actor=Actor(Role.STAFF, "s"),
        at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    applied: list[Path] = []
    write = storage._write_file

    def crash_after_journal(path: Path, text: str) -> None:
        if applied:
            raise SystemExit("power cut")
        write(path, text)
        applied.append(path)

    storage._write_file = crash_after_journal
    with storage.unit_of_work() as uow:
        uow.orders.add(order)
        uow.add_events(order.pull_events())
        with pytest.raises(SystemExit, match=r"power cut"):
            uow.commit()
    assert [tmp_path / "journal.json"] == applied

    reopened = JsonFileStorage(tmp_path)
    assert not (tmp_path / "journal.json").exists()
    with reopened.unit_of_work() as uow:
        assert order == uow.orders.get("A-1")
    with reopened.outbox() as box:
        assert ["A-1#1"] == [entry.event.event_id for entry in box.claim()]


def test_the_example_runs_as_a_script() -> None:
    """python examples/json_file_store.py places an order and relays its events."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=False
    )
    assert 0 == done.returncode, done.stderr
    assert "Submitted to Carrier" in done.stdout
    assert "events: OrderPlaced, ItemStatusChanged" in done.stdout
