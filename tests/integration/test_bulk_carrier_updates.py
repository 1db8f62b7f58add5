"""``apply_carrier_updates`` on a real SQLite file: batches commit whole or not at all.

Failures are injected the way a host's world fails: the database refuses a
commit (``StorageError``), a bug or an interrupt escapes half-way through a
batch, a carrier sends a report that cannot apply.  Committed batches stay,
the failing batch leaves nothing half-written, the result names what did not
apply, and running the whole call again finishes the job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.bulk import ORDER_ID, port_world, state, timeline
from tests.support.clock import T0
from tnorder import (
    CarrierProtocolError,
    CarrierUpdate,
    NumberNotFound,
    NumberState,
    OrderKind,
    RequestNotFound,
    StorageError,
    UnknownCarrierStatus,
    ValidationError,
)
from tnorder.adapters.sqlite import SqliteStorage


class FlakyStorage:
    """A SqliteStorage whose commits fail when told to, or whose inventory crashes.

    Attributes:
        fail_commits: the commit numbers (1-based) that raise ``StorageError``
            without writing, like a database that ran out of disk.
        crash_on_number: a number whose delivery to inventory raises
            ``RuntimeError`` (a bug), half-way through a batch.
    """

    def __init__(self, path: Path) -> None:
        self.inner = SqliteStorage(path)
        self.commits = 0
        self.fail_commits: set[int] = set()
        self.crash_on_number: str | None = None

    @contextmanager
    def unit_of_work(self) -> Iterator[Any]:
        with self.inner.unit_of_work() as uow:
            yield _FlakyUnitOfWork(uow, self)

    def outbox(self) -> Any:
        return self.inner.outbox()

    def pending_event_count(self) -> int:
        return self.inner.pending_event_count()

    def close(self) -> None:
        self.inner.close()


class _FlakyInventory:
    def __init__(self, inner: Any, storage: FlakyStorage) -> None:
        self._inner, self._storage = inner, storage

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def add(self, record: Any) -> None:
        if record.number == self._storage.crash_on_number:
            raise RuntimeError(f"host bug while stocking {record.number}")
        self._inner.add(record)


class _FlakyUnitOfWork:
    def __init__(self, inner: Any, storage: FlakyStorage) -> None:
        self._inner, self._storage = inner, storage
        self.inventory = _FlakyInventory(inner.inventory, storage)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def commit(self) -> None:
        self._storage.commits += 1
        if self._storage.commits in self._storage.fail_commits:
            raise StorageError("disk I/O error (injected)")
        self._inner.commit()


def _numbers_done(world: Any) -> dict[str, NumberState]:
    return {
        e.number: e.state for r in world.service.list_carrier_requests("sim") for e in r.numbers
    }


def test_a_failed_commit_loses_nothing_and_a_rerun_finishes(tmp_path: Path) -> None:
    """The second batch's commit fails: batches one and three are stored, the second
    is reported with every position and is stored nowhere; a rerun gives the
    one-by-one state."""
    flaky = FlakyStorage(tmp_path / "flaky.db")
    world = port_world(flaky, count=6, per_request=2)  # type: ignore[arg-type]
    reports = timeline(world)  # 5 reports per request, 15 in all
    before = _numbers_done(world)
    flaky.fail_commits = {flaky.commits + 2}  # StorageError is not retried by the runner

    result = world.service.apply_carrier_updates(reports, batch_size=5)

    assert not result.ok
    assert 10 == result.applied
    assert 2 == result.batches
    assert [tuple(range(5, 10))] == [f.indexes for f in result.failed]
    assert isinstance(result.failed[0].error, StorageError)
    assert tuple(range(5, 10)) == result.not_applied
    done = _numbers_done(world)
    second = [e.number for e in world.service.list_carrier_requests("sim")[1].numbers]
    assert [before[n] for n in second] == [done[n] for n in second]  # nothing half-written
    assert all(done[n] is not before[n] for n in done if n not in second)

    flaky.fail_commits = set()
    again = world.service.apply_carrier_updates(reports, batch_size=5)
    assert again.ok
    expected = port_world(SqliteStorage(tmp_path / "expected.db"), count=6, per_request=2)
    for update in reports:
        expected.service.apply_carrier_update(update)
    # The same state; the order stream got the third batch's events before the second's.
    assert state(expected, events=[]) == state(world, events=[])
    assert len(expected.relay()) == len(world.relay())


def test_a_crash_mid_batch_keeps_the_committed_batches_only(tmp_path: Path) -> None:
    """A bug raised while the second batch is half applied propagates; the first batch
    is stored, nothing of the second is (no number, no stock, no event)."""
    flaky = FlakyStorage(tmp_path / "flaky.db")
    world = port_world(flaky, count=6, per_request=2)  # type: ignore[arg-type]
    reports = timeline(world)
    second = world.service.list_carrier_requests("sim")[1]
    flaky.crash_on_number = second.numbers[0].number
    before = _numbers_done(world)
    pending = flaky.pending_event_count()

    with pytest.raises(RuntimeError, match="host bug"):
        world.service.apply_carrier_updates(reports, batch_size=5)

    done = _numbers_done(world)
    first = world.service.list_carrier_requests("sim")[0]
    assert all(e.state is not NumberState.PENDING for e in first.numbers)
    assert [before[e.number] for e in second.numbers] == [done[e.number] for e in second.numbers]
    with flaky.unit_of_work() as uow:
        stocked = [e.number for e in first.numbers if e.state is NumberState.COMPLETED]
        assert stocked == [uow.inventory.get(n).number for n in stocked]
        for entry in second.numbers:
            with pytest.raises(NumberNotFound):
                uow.inventory.get(entry.number)
    first_batch_events = flaky.pending_event_count() - pending
    assert 0 < first_batch_events

    flaky.crash_on_number = None
    assert world.service.apply_carrier_updates(reports, batch_size=5).ok
    expected = port_world(SqliteStorage(tmp_path / "expected.db"), count=6, per_request=2)
    for update in reports:
        expected.service.apply_carrier_update(update)
    assert state(expected) == state(world)


def test_bad_reports_are_rejected_one_by_one_and_the_rest_applies(tmp_path: Path) -> None:
    """An unknown status word, an unknown carrier reference, a FOC without its date and
    a non-update are each reported with their position and error; the rest of their
    batch is committed."""
    world = port_world(SqliteStorage(tmp_path / "t.db"), count=4, per_request=2)
    reports = timeline(world)
    ref = reports[0].carrier_ref
    later = T0 + timedelta(days=1)
    bad: list[Any] = [
        CarrierUpdate("sim", ref, OrderKind.PORT_IN, "TELEPORTED", later),
        CarrierUpdate("sim", "PRT-NOPE", OrderKind.PORT_IN, "SUBMITTED", later),
        CarrierUpdate("sim", ref, OrderKind.PORT_IN, "FOC", later),
        "COMPLETE",
    ]
    stream = [reports[0], *bad, *reports[1:]]

    result = world.service.apply_carrier_updates(stream, batch_size=4)

    assert [1, 2, 3, 4] == [r.index for r in result.rejected]
    kinds = [type(r.error) for r in result.rejected]
    assert [UnknownCarrierStatus, RequestNotFound, CarrierProtocolError, ValidationError] == kinds
    assert len(reports) == result.applied
    assert () == result.failed
    expected = port_world(SqliteStorage(tmp_path / "expected.db"), count=4, per_request=2)
    for update in reports:
        expected.service.apply_carrier_update(update)
    assert state(expected) == state(world)
    assert ORDER_ID == world.service.get_order(ORDER_ID).order_id


@pytest.mark.parametrize("bad", [0, -1, 10_001, 2.5, True, "5"])
def test_a_bad_batch_size_is_refused_before_anything_applies(tmp_path: Path, bad: Any) -> None:
    """batch_size outside 1..10,000 (or not an int) raises ValidationError naming it."""
    world = port_world(SqliteStorage(tmp_path / "t.db"), count=2, per_request=2)
    with pytest.raises(ValidationError) as caught:
        world.service.apply_carrier_updates(timeline(world), batch_size=bad)
    assert "batch_size" == caught.value.field


@pytest.mark.parametrize("bad", ["COMPLETE", b"x", 5, None])
def test_updates_that_are_not_a_collection_are_refused(tmp_path: Path, bad: Any) -> None:
    """A string, bytes, a number or None instead of updates raises ValidationError."""
    world = port_world(SqliteStorage(tmp_path / "t.db"), count=2, per_request=2)
    with pytest.raises(ValidationError) as caught:
        world.service.apply_carrier_updates(bad)
    assert "updates" == caught.value.field
