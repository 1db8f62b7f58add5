"""In-memory storage for tests and examples.

Records are kept as the same JSON text a database keeps, so a loaded object is
always a fresh copy, a stale copy cannot change stored state, and stored
garbage fails exactly as it does in SQL (``SerializationError`` naming the
record).  Orders are kept as the same rows as in SQL: a header, item rows and
appended history rows (see ``tnorder.adapters._rows``).  Writes are staged in
the unit of work and applied on ``commit`` after every version is checked
again, all under one lock: a commit is atomic.
The semantics match the SQL adapters (see ``docs/storage.md``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs

from ..domain._checks import require_aware
from ..domain.carrier_request import CarrierRequest
from ..domain.claims import NumberClaim
from ..domain.documents import Document
from ..domain.events import Event
from ..domain.inventory import InventoryNumber
from ..domain.order import HistoryEntry, Order
from ..errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    OrderNotFound,
    SerializationError,
    StorageError,
)
from ..ports import OutboxEntry
from ..records import (
    CARRIER_REQUESTS,
    DOCUMENTS,
    INVENTORY,
    NUMBER_CLAIMS,
    RECORD_SPECS,
    RecordSpec,
)
from ..relay import ParkedEvent
from ..serialization import dumps
from ._rows import (
    ItemRow,
    RawItem,
    check_find_fields,
    check_key_page,
    check_page,
    decode_event,
    decode_record,
    encode_event,
    held_version,
    history_bodies,
    index_param,
    next_version,
    order_rows,
    page_history,
    partial_order,
    record_not_found,
    require_text,
    rows_of_new_order,
)
from ._views_memory import MemoryViewIndex, MemoryViewQueries  # views
from ._views_sql import ViewStager  # views

__all__ = ["MemoryStorage"]

R = TypeVar("R")


@attrs.define
class _Row:
    """A stored row: what a SQL table would hold."""

    version: Any
    body: Any
    index: dict[str, Any]
    # The storage-assigned sequence (set on the first commit; None while staged).
    seq: int | None = None


@attrs.define
class _Write:
    expected: int | None  # the stored version to replace; None inserts
    row: _Row
    not_found: Callable[[str], NotFound]
    # An order's item rows and history entries staged by this unit of work.
    items: dict[str, ItemRow] | None = None
    history: list[tuple[str, int, str]] | None = None


class _Repository:
    def __init__(self, uow: _UnitOfWork, table: str, kind: str) -> None:
        self._uow = uow
        self._storage = uow._storage
        self._table = table
        self._kind = kind

    def _stored(self, key: str) -> _Row | None:
        with self._storage._lock:
            return self._storage._tables[self._table].get(key)

    def _row(self, key: str) -> _Row | None:
        staged = self._uow._writes.get((self._table, key))
        return staged.row if staged is not None else self._stored(key)

    def _rows(self) -> dict[str, _Row]:
        with self._storage._lock:
            rows = dict(self._storage._tables[self._table])
        for (table, key), write in self._uow._writes.items():
            if table == self._table:
                rows[key] = write.row
        return rows

    def _ordered_rows(self) -> list[tuple[str, _Row]]:
        """Committed rows by sequence, then rows this unit of work adds, by key (as in SQL)."""
        return sorted(
            self._rows().items(),
            key=lambda kv: (0, kv[1].seq, "") if kv[1].seq is not None else (1, 0, kv[0]),
        )

    def _stage_add(
        self, key: str, obj: Any, index: dict[str, Any], not_found: Callable[[str], NotFound]
    ) -> None:
        if self._row(key) is not None:
            raise AlreadyExists(key, f"{self._kind} {key!r} already exists")
        obj.version = 1
        self._uow._writes[(self._table, key)] = _Write(None, _Row(1, dumps(obj), index), not_found)

    def _stage_save(
        self, key: str, obj: Any, index: dict[str, Any], not_found: Callable[[str], NotFound]
    ) -> None:
        staged = self._uow._writes.get((self._table, key))
        if staged is not None:
            current, expected = staged.row.version, staged.expected
        else:
            row = self._stored(key)
            if row is None:
                raise not_found(key)
            current = expected = row.version
        body = next_version(self._kind, key, obj, current)
        self._uow._writes[(self._table, key)] = _Write(
            expected, _Row(current + 1, body, index), not_found
        )


class _OrderRepo(_Repository):
    def __init__(self, uow: _UnitOfWork) -> None:
        super().__init__(uow, "orders", "order")

    @staticmethod
    def _index(order: Order) -> dict[str, Any]:
        return {"account_id": order.account_id, "finalized_at": order.finalized_at}

    def _loader(self, order_id: str) -> Callable[[str, int], list[Any]]:
        storage, uow = self._storage, self._uow

        def load(item_id: str, count: int) -> list[Any]:
            with storage._lock:
                rows = dict(enumerate(storage._history.get((order_id, item_id), [])))
            staged = uow._writes.get(("orders", order_id))
            if staged is not None and staged.history:
                rows.update((pos, body) for i, pos, body in staged.history if i == item_id)
            return history_bodies(sorted(rows.items()), count)

        return load

    def _assemble(self, key: str, row: _Row, write: _Write | None) -> Order:
        # The same partial read as in SQL: the header now, each item when touched.
        storage, uow = self._storage, self._uow

        def staged() -> _Write | None:
            return uow._writes.get(("orders", key))

        def fetch_item(item_id: str) -> RawItem | None:
            write = staged()
            if write is not None and write.items and item_id in write.items:
                r = write.items[item_id]
                return (r.position, r.history_len, r.body, r.last, 0)
            if write is not None and write.expected is None:
                return None
            with storage._lock:
                found = storage._items.get(key, {}).get(item_id)
            if found is None:
                return None
            return (found.position, found.history_len, found.body, found.last, found.written)

        def fetch_items() -> list[tuple[Any, Any, Any, Any, Any, Any]]:
            write = staged()
            rows: dict[str, ItemRow] = {}
            if write is None or write.expected is not None:
                with storage._lock:
                    rows = dict(storage._items.get(key, {}))
            if write is not None:
                rows.update(write.items or {})
            ordered = sorted(rows.values(), key=lambda r: r.position)
            return [
                (r.item_id, r.position, r.history_len, r.body, r.last, r.written) for r in ordered
            ]

        return partial_order(key, row.version, row.body, fetch_item, fetch_items, self._loader(key))

    def add(self, order: Order) -> None:
        key = require_text(order.order_id, "order_id")
        if self._row(key) is not None:
            raise AlreadyExists(key, f"order {key!r} already exists")
        index = self._index(order)
        rows = rows_of_new_order(order)
        self._uow._view_staged.order(order, [r.item_id for r in rows.items])  # views
        order.version = 1
        self._uow._writes[("orders", key)] = _Write(
            None,
            _Row(1, rows.header, index),
            OrderNotFound,
            {r.item_id: r for r in rows.items},
            rows.history,
        )

    #: ``get`` takes ``items=`` (as in SQL; here nothing is gained by it).
    prefetches_items = True

    def get(self, order_id: str, *, items: Sequence[str] = (), all_items: bool = False) -> Order:
        key = require_text(order_id, "order_id")
        write = self._uow._writes.get(("orders", key))
        row = write.row if write is not None else self._stored(key)
        if row is None:
            raise OrderNotFound(key)
        return self._assemble(key, row, write)

    def save(self, order: Order) -> None:
        key = require_text(order.order_id, "order_id")
        index = self._index(order)
        staged = self._uow._writes.get(("orders", key))
        if staged is not None:
            current, expected = staged.row.version, staged.expected
        else:
            stored = self._stored(key)
            if stored is None:
                raise OrderNotFound(key)
            current = expected = stored.version
        held_version("order", key, order, current)
        snapshot = order._stored
        try:
            rows = order_rows(order)
        except Exception:
            order._stored = snapshot
            raise
        self._uow._view_staged.order(order, [r.item_id for r in rows.items])  # views
        order.version = current + 1
        items = dict(staged.items or {}) if staged is not None else {}
        items.update((r.item_id, r) for r in rows.items)
        history = [*(staged.history or [])] if staged is not None else []
        history.extend(rows.history)
        self._uow._writes[("orders", key)] = _Write(
            expected, _Row(current + 1, rows.header, index), OrderNotFound, items, history
        )

    def history(
        self, order_id: str, item_id: str, *, start: int = 0, limit: int = 100
    ) -> list[HistoryEntry]:
        """A page of one item's history, oldest first (see ``SqlOrderRepository.history``)."""
        require_text(order_id, "order_id")
        require_text(item_id, "item_id")
        check_page(start, limit)
        return page_history(self.get(order_id), item_id, start, limit)

    def for_account(
        self, account_id: str, *, finalized_since: datetime | None = None
    ) -> list[Order]:
        require_text(account_id, "account_id")
        if finalized_since is not None:
            require_aware(finalized_since, field="finalized_since")
        out = []
        for key, row in self._ordered_rows():
            if row.index["account_id"] != account_id:
                continue
            fin = row.index["finalized_at"]
            if finalized_since is not None and fin is not None and fin < finalized_since:
                continue
            out.append(self._assemble(key, row, self._uow._writes.get(("orders", key))))
        # A stable sort: equal times keep the storage's sequence.
        out.sort(key=lambda o: o.created_at)
        return out


class _RecordRepo(_Repository, Generic[R]):
    def __init__(self, uow: _UnitOfWork, spec: RecordSpec[R]) -> None:
        super().__init__(uow, spec.name, spec.name)
        self._spec = spec

    def _index(self, record: R) -> dict[str, Any]:
        return {k: index_param(v) for k, v in self._spec.index_values(record).items()}

    def _not_found(self, key: str) -> NotFound:
        return record_not_found(self._spec, key)

    def add(self, record: R) -> None:
        key = require_text(self._spec.key_of(record), self._spec.key)
        self._stage_add(key, record, self._index(record), self._not_found)
        self._uow._view_staged.record(record)  # views

    def get(self, key: str) -> R:
        require_text(key, self._spec.key)
        row = self._row(key)
        if row is None:
            raise self._not_found(key)
        return decode_record(self._spec, key, row.version, row.body)

    def save(self, record: R) -> None:
        key = require_text(self._spec.key_of(record), self._spec.key)
        self._stage_save(key, record, self._index(record), self._not_found)
        self._uow._view_staged.record(record)  # views

    def find(self, **equals: Any) -> list[R]:
        check_find_fields(self._spec, equals)
        wanted = {k: index_param(v) for k, v in equals.items()}
        return [
            decode_record(self._spec, key, row.version, row.body)
            for key, row in self._ordered_rows()
            if all(row.index.get(k) == v for k, v in wanted.items())
        ]

    def find_page(self, *, after: str | None = None, limit: int, **equals: Any) -> list[R]:
        """Up to ``limit`` records whose index fields equal ``equals``, by key, after ``after``.

        The keyset page the SQL storages serve with one query (staged writes count).
        """
        check_find_fields(self._spec, equals)
        check_key_page(after, limit)
        wanted = {k: index_param(v) for k, v in equals.items()}
        rows = self._rows()
        keys = sorted(
            key
            for key, row in rows.items()
            if (after is None or key > after)
            and all(row.index.get(k) == v for k, v in wanted.items())
        )
        return [
            decode_record(self._spec, key, rows[key].version, rows[key].body)
            for key in keys[:limit]
        ]


class _UnitOfWork:
    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage
        self._writes: dict[tuple[str, str], _Write] = {}
        self._events: list[tuple[str, str, str]] = []
        self.orders = _OrderRepo(self)
        self.documents: _RecordRepo[Document] = _RecordRepo(self, DOCUMENTS)
        self.inventory: _RecordRepo[InventoryNumber] = _RecordRepo(self, INVENTORY)
        self.carrier_requests: _RecordRepo[CarrierRequest] = _RecordRepo(self, CARRIER_REQUESTS)
        self.number_claims: _RecordRepo[NumberClaim] = _RecordRepo(self, NUMBER_CLAIMS)
        self._view_staged = ViewStager()  # views
        self.views = MemoryViewQueries(storage._views, storage._lock)  # views

    def add_events(self, events: Sequence[Event]) -> None:
        for event in events:
            self._events.append((event.stream, event.event_id, encode_event(event)))

    def commit(self) -> None:
        s = self._storage
        with s._lock:
            if s._fail_next_commit is not None:
                error, s._fail_next_commit = s._fail_next_commit, None
                raise error
            for (table, key), write in self._writes.items():
                current = s._tables[table].get(key)
                if write.expected is None:
                    if current is not None:
                        raise AlreadyExists(key, f"{key!r} already exists in {table}")
                elif current is None:
                    raise write.not_found(key)
                elif current.version != write.expected:
                    raise ConcurrencyConflict(
                        key, expected_version=write.expected, actual_version=current.version
                    )
            # Sequence numbers go out in (table, key) order, as the SQL commit applies them.
            for (table, key), write in sorted(self._writes.items()):
                if current_row := s._tables[table].get(key):
                    write.row.seq = current_row.seq
                else:
                    s._sequences[table] = write.row.seq = s._sequences.get(table, 0) + 1
                s._tables[table][key] = write.row
                if write.items is not None:
                    stored_items = s._items.setdefault(key, {})
                    if write.expected is None:
                        stored_items.clear()
                    version = write.row.version
                    stored_items.update(
                        (k, attrs.evolve(r, written=version)) for k, r in write.items.items()
                    )
                for item_id, pos, body in write.history or ():
                    entries = s._history.setdefault((key, item_id), [])
                    del entries[pos:]  # a re-added order starts its history again
                    entries.append(body)
            s._views.flush(self._view_staged, s._view_seq, s._view_inventory)  # views
            for stream, event_id, payload in self._events:
                s._position += 1
                s._outbox[s._position] = (stream, event_id, payload)
        self._writes.clear()
        self._events.clear()


class _Outbox:
    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage
        self._claimed: set[int] = set()

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        s = self._storage
        out: list[OutboxEntry] = []
        blocked: set[Any] = set()
        with s._lock:
            rows = sorted(s._outbox.items())
            for position, (stream, _event_id, payload) in rows:
                if len(out) >= limit:
                    break
                # Held by another relay, or behind a parked record: this
                # stream's later entries must wait.
                if position in s._claimed or position in s._parked or stream in blocked:
                    blocked.add(stream)
                    continue
                try:
                    entry = decode_event(position, stream, payload)
                except SerializationError as exc:
                    # Parked, not raised: one bad record never stops the other streams.
                    s._parked[position] = str(exc)
                    blocked.add(stream)
                    # An operator must act (retry or drop it): its stream waits until then.
                    logging.getLogger("tnorder.relay").warning(
                        "parked outbox record %s of stream %s: %s", position, stream, exc
                    )
                    continue
                out.append(entry)
            for entry in out:
                s._claimed.add(entry.position)
                self._claimed.add(entry.position)
        return out

    def mark_delivered(self, positions: Sequence[int]) -> None:
        done = set(positions)
        with self._storage._lock:
            for position in done & self._claimed:
                self._storage._outbox.pop(position, None)

    def parked(self) -> list[ParkedEvent]:
        """Every parked record, oldest first."""
        s = self._storage
        with s._lock:
            return [
                ParkedEvent(p, str(s._outbox[p][0]), s._outbox[p][1], why, str(s._outbox[p][2]))
                for p, why in sorted(s._parked.items())
            ]

    def retry_parked(self, positions: Sequence[int]) -> int:
        """Un-park these records; return how many."""
        with self._storage._lock:
            found = set(positions) & set(self._storage._parked)
            for position in found:
                del self._storage._parked[position]
        return len(found)

    def drop_parked(self, positions: Sequence[int]) -> int:
        """Delete these parked records for good; return how many."""
        with self._storage._lock:
            found = set(positions) & set(self._storage._parked)
            for position in found:
                del self._storage._parked[position]
                del self._storage._outbox[position]
        return len(found)

    def release(self) -> None:
        with self._storage._lock:
            self._storage._claimed -= self._claimed
        self._claimed.clear()


class MemoryStorage:
    """Storage in process memory; thread-safe; lost when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tables: dict[str, dict[str, _Row]] = {"orders": {}}
        # The order rows besides the header: items by order, history by (order, item).
        self._items: dict[str, dict[str, ItemRow]] = {}
        self._history: dict[tuple[str, str], list[str]] = {}
        for spec in RECORD_SPECS:
            self._tables[spec.name] = {}
        self._outbox: dict[int, tuple[Any, str | None, Any]] = {}
        self._parked: dict[int, str] = {}
        self._claimed: set[int] = set()
        self._position = 0
        self._sequences: dict[str, int] = {}
        self._fail_next_commit: StorageError | None = None
        self._closed = False
        self._views = MemoryViewIndex()  # views: the dashboards' read model

    # views: what the read model needs of the stored rows.
    def _view_seq(self, order_id: str) -> int:
        seq = self._tables["orders"][order_id].seq
        assert seq is not None  # set by the commit that calls this
        return seq

    def _view_inventory(self, number: str) -> InventoryNumber | None:
        row = self._tables[INVENTORY.name].get(number)
        if row is None:
            return None
        try:
            return decode_record(INVENTORY, number, row.version, row.body)
        except SerializationError:
            return None  # an unreadable record decides nothing; reading it reports the row

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("this MemoryStorage is closed")

    def close(self) -> None:
        """Refuse further use (the data stays in memory until the object goes)."""
        self._closed = True

    @contextmanager
    def unit_of_work(self) -> Iterator[_UnitOfWork]:
        self._check_open()
        yield _UnitOfWork(self)

    @contextmanager
    def outbox(self) -> Iterator[_Outbox]:
        self._check_open()
        box = _Outbox(self)
        try:
            yield box
        finally:
            box.release()

    def pending_event_count(self) -> int:
        """How many events wait in the outbox."""
        with self._lock:
            return len(self._outbox)

    # -- test helpers -------------------------------------------------------------

    def fail_next_commit(self, error: StorageError | None = None) -> None:
        """Make the next ``commit`` raise ``error`` (a database failure) and write nothing."""
        self._fail_next_commit = error or StorageError("injected storage failure")

    def put_raw_event(self, stream: Any, payload: Any, *, event_id: str | None = None) -> int:
        """Append a raw outbox record as if a broken writer had (for bad-data tests).

        Returns its position.
        """
        with self._lock:
            self._position += 1
            self._outbox[self._position] = (stream, event_id, payload)
            return self._position

    def corrupt(self, table: str, key: str, *, version: Any = None, body: Any = None) -> None:
        """Overwrite a stored row's raw ``version`` and/or ``body`` (for bad-data tests).

        ``table`` is ``"orders"`` or a record kind's name.
        """
        with self._lock:
            row = self._tables[table][key]
            if version is not None:
                row.version = version
            if body is not None:
                row.body = body
