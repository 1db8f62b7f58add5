"""In-memory storage for tests and examples.

Records are kept serialised, exactly as a database would keep them, so a
loaded object is always a fresh copy and a stale copy cannot change stored
state.  Writes are staged in the unit of work and applied on ``commit`` after
every version is checked again, all under one lock: a commit is atomic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar

from ..domain.events import Event
from ..domain.order import Order
from ..errors import AlreadyExists, ConcurrencyConflict, NotFound, OrderNotFound
from ..ports import OutboxEntry
from ..records import CARRIER_REQUESTS, DOCUMENTS, INVENTORY, RecordSpec
from ..serialization import dump_event, dump_record, load_event, load_record

__all__ = ["MemoryStorage"]

R = TypeVar("R")


class _Table:
    """Committed rows of one kind: key -> (version, envelope, index values)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, dict[str, Any], dict[str, Any]]] = {}


class _Staged:
    def __init__(self) -> None:
        # key -> (expected stored version or None for insert, new version, envelope, index)
        self.writes: dict[tuple[str, str], tuple[int | None, int, dict[str, Any], dict[str, Any]]] = {}
        self.events: list[Event] = []


class _OrderRepo:
    def __init__(self, storage: MemoryStorage, staged: _Staged) -> None:
        self._s = storage
        self._staged = staged

    def _row(self, order_id: str) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
        staged = self._staged.writes.get(("orders", order_id))
        if staged is not None:
            return staged[1], staged[2], staged[3]
        with self._s._lock:
            return self._s._tables["orders"].rows.get(order_id)

    def add(self, order: Order) -> None:
        if self._row(order.order_id) is not None:
            raise AlreadyExists(order.order_id, f"order {order.order_id!r} already exists")
        order.version = 1
        self._stage(order, None)

    def get(self, order_id: str) -> Order:
        row = self._row(order_id)
        if row is None:
            raise OrderNotFound(order_id)
        return self._load(order_id, row)

    @staticmethod
    def _load(order_id: str, row: tuple[int, dict[str, Any], dict[str, Any]]) -> Order:
        order = load_record(Order, row[1], record=f"order {order_id!r}")
        order.version = row[0]
        return order

    def save(self, order: Order) -> None:
        row = self._row(order.order_id)
        if row is None:
            raise OrderNotFound(order.order_id)
        if row[0] != order.version:
            raise ConcurrencyConflict(
                order.order_id, expected_version=order.version, actual_version=row[0]
            )
        expected = order.version
        order.version += 1
        self._stage(order, expected)

    def _stage(self, order: Order, expected: int | None) -> None:
        finalized = order.finalized_at
        self._staged.writes[("orders", order.order_id)] = (
            expected,
            order.version,
            dump_record(order),
            {"account_id": order.account_id, "finalized_at": finalized},
        )

    def for_account(
        self, account_id: str, *, finalized_since: datetime | None = None
    ) -> list[Order]:
        with self._s._lock:
            rows = dict(self._s._tables["orders"].rows)
        for (table, key), staged in self._staged.writes.items():
            if table == "orders":
                rows[key] = (staged[1], staged[2], staged[3])
        out = []
        for key, row in rows.items():
            index = row[2]
            if index["account_id"] != account_id:
                continue
            fin = index["finalized_at"]
            if finalized_since is not None and fin is not None and fin < finalized_since:
                continue
            out.append(self._load(key, row))
        out.sort(key=lambda o: (o.created_at, o.order_id))
        return out


class _RecordRepo(Generic[R]):
    def __init__(self, storage: MemoryStorage, staged: _Staged, spec: RecordSpec[R]) -> None:
        self._s = storage
        self._staged = staged
        self._spec = spec

    def _row(self, key: str) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
        staged = self._staged.writes.get((self._spec.name, key))
        if staged is not None:
            return staged[1], staged[2], staged[3]
        with self._s._lock:
            return self._s._tables[self._spec.name].rows.get(key)

    def _load(self, key: str, row: tuple[int, dict[str, Any], dict[str, Any]]) -> R:
        record = load_record(self._spec.cls, row[1], record=f"{self._spec.name} {key!r}")
        record.version = row[0]  # type: ignore[attr-defined]
        return record

    def add(self, record: R) -> None:
        key = self._spec.key_of(record)
        if self._row(key) is not None:
            raise AlreadyExists(key, f"{self._spec.name} {key!r} already exists")
        record.version = 1  # type: ignore[attr-defined]
        self._stage(key, record, None)

    def get(self, key: str) -> R:
        row = self._row(key)
        if row is None:
            raise NotFound(key, f"{self._spec.name} {key!r} not found")
        return self._load(key, row)

    def save(self, record: R) -> None:
        key = self._spec.key_of(record)
        row = self._row(key)
        version: int = record.version  # type: ignore[attr-defined]
        if row is None:
            raise NotFound(key, f"{self._spec.name} {key!r} not found")
        if row[0] != version:
            raise ConcurrencyConflict(key, expected_version=version, actual_version=row[0])
        record.version = version + 1  # type: ignore[attr-defined]
        self._stage(key, record, version)

    def _stage(self, key: str, record: R, expected: int | None) -> None:
        self._staged.writes[(self._spec.name, key)] = (
            expected,
            record.version,  # type: ignore[attr-defined]
            dump_record(record),
            self._spec.index_values(record),
        )

    def find(self, **equals: Any) -> list[R]:
        wanted = {k: getattr(v, "value", v) for k, v in equals.items()}
        unknown = set(wanted) - set(self._spec.indexes)
        if unknown:
            raise ValueError(f"{self._spec.name} has no index on {sorted(unknown)}")
        with self._s._lock:
            rows = dict(self._s._tables[self._spec.name].rows)
        for (table, key), staged in self._staged.writes.items():
            if table == self._spec.name:
                rows[key] = (staged[1], staged[2], staged[3])
        return [
            self._load(key, row)
            for key, row in sorted(rows.items())
            if all(row[2].get(k) == v for k, v in wanted.items())
        ]


class _UnitOfWork:
    def __init__(self, storage: MemoryStorage) -> None:
        self._s = storage
        self._staged = _Staged()
        self.orders = _OrderRepo(storage, self._staged)
        self.documents = _RecordRepo(storage, self._staged, DOCUMENTS)
        self.inventory = _RecordRepo(storage, self._staged, INVENTORY)
        self.carrier_requests = _RecordRepo(storage, self._staged, CARRIER_REQUESTS)
        self.committed = False

    def add_events(self, events: Sequence[Event]) -> None:
        self._staged.events.extend(events)

    def commit(self) -> None:
        s = self._s
        with s._lock:
            for (table, key), (expected, _new, _env, _idx) in self._staged.writes.items():
                current = s._tables[table].rows.get(key)
                found = None if current is None else current[0]
                if expected is None and current is not None:
                    raise AlreadyExists(key, f"{table} {key!r} already exists")
                if expected is not None and found != expected:
                    raise ConcurrencyConflict(key, expected_version=expected, actual_version=found)
            for (table, key), (_exp, new, env, idx) in self._staged.writes.items():
                s._tables[table].rows[key] = (new, env, idx)
            for event in self._staged.events:
                s._position += 1
                s._outbox.append((s._position, event.stream, dump_event(event)))
        self._staged.writes.clear()
        self._staged.events.clear()
        self.committed = True


class _Outbox:
    def __init__(self, storage: MemoryStorage) -> None:
        self._s = storage
        self.claimed: list[int] = []

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        s = self._s
        out: list[OutboxEntry] = []
        blocked: set[str] = set()
        with s._lock:
            for position, stream, payload in s._outbox:
                if len(out) >= limit:
                    break
                if position in s._claimed or stream in blocked:
                    blocked.add(stream)
                    continue
                s._claimed.add(position)
                self.claimed.append(position)
                out.append(OutboxEntry(position, load_event(payload)))
        return out

    def mark_delivered(self, positions: Sequence[int]) -> None:
        done = set(positions)
        with self._s._lock:
            self._s._outbox = [row for row in self._s._outbox if row[0] not in done]
            self._s._claimed -= done

    def release(self) -> None:
        with self._s._lock:
            self._s._claimed -= set(self.claimed)


class MemoryStorage:
    """Storage in process memory; thread-safe; lost when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tables: dict[str, _Table] = {
            name: _Table() for name in ("orders", "documents", "inventory", "carrier_requests")
        }
        self._outbox: list[tuple[int, str, dict[str, Any]]] = []
        self._claimed: set[int] = set()
        self._position = 0

    @contextmanager
    def unit_of_work(self) -> Iterator[_UnitOfWork]:
        yield _UnitOfWork(self)

    @contextmanager
    def outbox(self) -> Iterator[_Outbox]:
        box = _Outbox(self)
        try:
            yield box
        finally:
            box.release()

    def pending_event_count(self) -> int:
        with self._lock:
            return len(self._outbox)
