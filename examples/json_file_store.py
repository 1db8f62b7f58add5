"""A storage adapter written the way a host application would: one JSON file per record.

tnorder's ``Storage`` port is a ``typing.Protocol``: nothing here inherits
from tnorder.  ``tests/examples/test_json_file_store.py`` proves the adapter
right by running the conformance kit against it::

    class TestJsonFileStorage(StorageContract):
        @pytest.fixture
        def storage(self, tmp_path):
            return JsonFileStorage(tmp_path)

Layout under the root directory::

    orders/<sha256 of the id>.json      {"key", "version", "index", "record"}
    documents/, inventory/, ...         the same, one directory per record kind
    outbox/<position>.json              {"position", "stream", "event"}
    parked/<position>.json              {"stream", "event_id", "reason", "payload"}
    meta.json                           {"next_position", "next_seq"}
    journal.json                        a commit being applied (see below)

File names are hashes, so any id is safe (``../x``, ``a/b``, emoji).  Records
are stored with tnorder's own envelope (``tnorder.serialization``), so schema
versions and unreadable data are handled the same way as everywhere else.

Atomicity: a commit checks every version, then writes everything it will
change into ``journal.json`` (written to a temporary file, flushed, and
renamed, so it is either whole or absent), then writes each file the same
way, then deletes the journal.  If the process dies half way, the next
storage opened on the directory finishes the journal first.  A failure
before the journal is in place leaves nothing written.

An outbox entry that cannot be decoded is parked (a marker in ``parked/``)
like the shipped adapters do: its stream waits, the others are delivered,
and ``tnorder.relay.parked_events/retry_parked_events/drop_parked_events``
list, retry or drop it.

Concurrency: one process.  Within it, units of work stage their writes and
commit under a lock shared by every storage on the same directory.  Several
processes on one directory need a real database (``tnorder.adapters.sqlite``).

Run it for a short demonstration: ``python examples/json_file_store.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from tnorder import (
    AlreadyExists,
    ConcurrencyConflict,
    HistoryEntry,
    NotFound,
    Order,
    OrderNotFound,
    SerializationError,
    StorageError,
    ValidationError,
)
from tnorder.domain.events import Event
from tnorder.ports import OutboxEntry
from tnorder.records import (
    CARRIER_REQUESTS,
    DOCUMENTS,
    INVENTORY,
    NUMBER_CLAIMS,
    RECORD_SPECS,
    RecordSpec,
)
from tnorder.relay import ParkedEvent
from tnorder.serialization import dump_event, dump_record, load_event, load_record

R = TypeVar("R")

_LOCKS: dict[Path, threading.RLock] = {}
_CLAIMS: dict[Path, set[int]] = {}
_REGISTRY_LOCK = threading.Lock()

# A staged write: (expected stored version or None to insert, file contents).
_Write = tuple[int | None, dict[str, Any]]


def _file_name(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest() + ".json"


class _Repository:
    """What orders and records share: files of ``{key, version, index, record}``."""

    def __init__(self, uow: _UnitOfWork, table: str) -> None:
        self._uow = uow
        self._table = table

    def _stored(self, key: str) -> dict[str, Any] | None:
        path = self._uow.storage.record_path(self._table, key)
        return self._uow.storage._read(path, f"{self._table} {key!r}")

    def _current(self, key: str) -> dict[str, Any] | None:
        staged = self._uow.writes.get((self._table, key))
        return staged[1] if staged is not None else self._stored(key)

    def _all(self) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        folder = self._uow.storage.root / self._table
        for path in sorted(folder.glob("*.json")):
            row = self._uow.storage._read(path, f"{self._table} file {path.name}")
            if row is not None:
                rows[row["key"]] = row
        for (table, key), (_, row) in self._uow.writes.items():
            if table == self._table:
                rows[key] = row
        # The storage's sequence (first commit order); rows not yet committed last, by key.
        ordered = sorted(
            rows.items(), key=lambda kv: (kv[1].get("seq") is None, kv[1].get("seq") or 0, kv[0])
        )
        return dict(ordered)

    def _add(self, key: str, obj: Any, index: dict[str, Any]) -> None:
        if self._current(key) is not None:
            raise AlreadyExists(key, f"{self._table} {key!r} already exists")
        obj.version = 1
        self._uow.writes[(self._table, key)] = (None, _row(key, obj, index))

    def _save(self, key: str, obj: Any, index: dict[str, Any], missing: NotFound) -> None:
        staged = self._uow.writes.get((self._table, key))
        if staged is not None:
            expected, current = staged[0], staged[1]["version"]
        else:
            row = self._stored(key)
            if row is None:
                raise missing
            expected = current = row["version"]
        if obj.version != current:
            raise ConcurrencyConflict(key, expected_version=obj.version, actual_version=current)
        obj.version = current + 1
        self._uow.writes[(self._table, key)] = (expected, _row(key, obj, index))


def _row(key: str, obj: Any, index: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "version": obj.version, "index": index, "record": dump_record(obj)}


def _load(cls: type[R], row: dict[str, Any], record: str) -> R:
    obj = load_record(cls, row.get("record"), record=record)
    version = row.get("version")
    if type(version) is not int:
        raise SerializationError(f"version {version!r} is not an integer", record=record)
    obj.version = version  # type: ignore[attr-defined]
    return obj


class _Orders(_Repository):
    def __init__(self, uow: _UnitOfWork) -> None:
        super().__init__(uow, "orders")

    @staticmethod
    def _index(order: Order) -> dict[str, Any]:
        finalized = order.finalized_at
        return {
            "account_id": order.account_id,
            "finalized_at": None if finalized is None else finalized.isoformat(),
        }

    def add(self, order: Order) -> None:
        self._add(order.order_id, order, self._index(order))

    def get(self, order_id: str) -> Order:
        row = self._current(order_id)
        if row is None:
            raise OrderNotFound(order_id)
        return _load(Order, row, f"order {order_id!r}")

    def save(self, order: Order) -> None:
        key = order.order_id
        self._save(key, order, self._index(order), OrderNotFound(key))

    def history(
        self, order_id: str, item_id: str, *, start: int = 0, limit: int = 100
    ) -> list[HistoryEntry]:
        # A JSON file holds the whole order anyway: the page is a slice of it.
        for name, value in (("start", start), ("limit", limit)):
            if type(value) is not int or value < 0:
                raise ValidationError(f"{name} must be a non-negative integer", field=name)
        return list(self.get(order_id).item(item_id).history[start : start + limit])

    def for_account(
        self, account_id: str, *, finalized_since: datetime | None = None
    ) -> list[Order]:
        if finalized_since is not None and finalized_since.utcoffset() is None:
            raise ValidationError(
                "finalized_since must be a timezone-aware datetime", field="finalized_since"
            )
        found = []
        for key, row in self._all().items():
            index = row.get("index") or {}
            if index.get("account_id") != account_id:
                continue
            finalized = index.get("finalized_at")
            if (
                finalized_since is not None
                and finalized is not None
                and datetime.fromisoformat(finalized) < finalized_since
            ):
                continue
            found.append(_load(Order, row, f"order {key!r}"))
        return sorted(found, key=lambda o: o.created_at)  # stable: ties keep the sequence


class _Records(_Repository, Generic[R]):
    def __init__(self, uow: _UnitOfWork, spec: RecordSpec[R]) -> None:
        super().__init__(uow, spec.name)
        self._spec = spec

    def _missing(self, key: str) -> NotFound:
        return self._spec.not_found(key, f"{self._spec.name} {key!r} not found")

    def add(self, record: R) -> None:
        self._add(self._spec.key_of(record), record, self._spec.index_values(record))

    def get(self, key: str) -> R:
        row = self._current(key)
        if row is None:
            raise self._missing(key)
        return _load(self._spec.cls, row, f"{self._spec.name} {key!r}")

    def save(self, record: R) -> None:
        key = self._spec.key_of(record)
        self._save(key, record, self._spec.index_values(record), self._missing(key))

    def find(self, **equals: Any) -> list[R]:
        unknown = sorted(set(equals) - set(self._spec.indexes))
        if unknown:
            raise ValidationError(
                f"{self._spec.name} cannot be found by {', '.join(unknown)}", field=unknown[0]
            )
        wanted = {name: getattr(value, "value", value) for name, value in equals.items()}
        return [
            _load(self._spec.cls, row, f"{self._spec.name} {key!r}")
            for key, row in self._all().items()
            if all((row.get("index") or {}).get(k) == v for k, v in wanted.items())
        ]

    def find_page(self, *, after: str | None = None, limit: int, **equals: Any) -> list[R]:
        """The optional keyset page: ``find``'s records by key, after ``after``, at most ``limit``.

        Files are read whole here; a database would answer with one range query.
        """
        if after is not None and not isinstance(after, str):
            raise ValidationError("after must be None or a record key", field="after")
        if type(limit) is not int or limit < 1:
            raise ValidationError("limit must be a positive integer", field="limit")
        found = sorted(
            (r for r in self.find(**equals) if after is None or self._spec.key_of(r) > after),
            key=self._spec.key_of,
        )
        return found[:limit]


class _UnitOfWork:
    def __init__(self, storage: JsonFileStorage) -> None:
        self.storage = storage
        self.writes: dict[tuple[str, str], _Write] = {}
        self.events: list[Event] = []
        self.orders = _Orders(self)
        self.documents = _Records(self, DOCUMENTS)
        self.inventory = _Records(self, INVENTORY)
        self.carrier_requests = _Records(self, CARRIER_REQUESTS)
        self.number_claims = _Records(self, NUMBER_CLAIMS)

    def add_events(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    def commit(self) -> None:
        storage = self.storage
        with storage._lock:
            changes: dict[str, dict[str, Any] | None] = {}
            meta = storage._read(storage.root / "meta.json", "counters") or {}
            seq = int(meta.get("next_seq", 1))
            for (table, key), (expected, row) in sorted(self.writes.items()):
                path = storage.record_path(table, key)
                stored = storage._read(path, f"{table} {key!r}")
                if expected is None and stored is not None:
                    raise AlreadyExists(key, f"{table} {key!r} already exists")
                if expected is not None and (stored is None or stored["version"] != expected):
                    actual = None if stored is None else stored["version"]
                    raise ConcurrencyConflict(key, expected_version=expected, actual_version=actual)
                if stored is None:
                    row = {**row, "seq": seq}
                    seq += 1
                else:
                    row = {**row, "seq": stored.get("seq")}
                changes[str(path.relative_to(storage.root))] = row
            position = storage._next_position()
            for event in self.events:
                entry = {"position": position, "stream": event.stream}
                entry["event"] = dump_event(event)
                changes[f"outbox/{position:020d}.json"] = entry
                position += 1
            if self.events or self.writes:
                changes["meta.json"] = {"next_position": position, "next_seq": seq}
            if changes:
                storage._apply(changes)
        self.writes.clear()
        self.events.clear()


class _Outbox:
    def __init__(self, storage: JsonFileStorage) -> None:
        self._storage = storage
        self._mine: set[int] = set()

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        storage = self._storage
        out: list[OutboxEntry] = []
        blocked: set[str] = set()
        with storage._lock:
            parked = {p.position: p.stream for p in storage._parked()}
            for path in sorted((storage.root / "outbox").glob("*.json")):
                if len(out) >= limit:
                    break
                position = int(path.stem)
                if position in parked:
                    blocked.add(parked[position])
                    continue
                try:
                    row = storage._read(path, f"outbox entry {path.stem}")
                    if row is None:
                        continue
                    stream = row.get("stream")
                    if not isinstance(stream, str):
                        raise SerializationError(
                            f"stream {stream!r} is not text", record=f"outbox entry {path.stem}"
                        )
                    # A stream with an entry held by another relay waits its turn.
                    if position in storage._claims or stream in blocked:
                        blocked.add(stream)
                        continue
                    event = load_event(row.get("event"))
                except SerializationError as exc:
                    # One undecodable entry must not stop the other streams: park it
                    # with the reason; its own stream waits behind it.
                    blocked.add(storage._park(path, position, str(exc)))
                    continue
                out.append(OutboxEntry(position, event))
            for entry in out:
                storage._claims.add(entry.position)
                self._mine.add(entry.position)
        return out

    def parked(self) -> list[ParkedEvent]:
        with self._storage._lock:
            return self._storage._parked()

    def retry_parked(self, positions: Sequence[int]) -> int:
        return self._storage._unpark(positions, drop=False)

    def drop_parked(self, positions: Sequence[int]) -> int:
        return self._storage._unpark(positions, drop=True)

    def mark_delivered(self, positions: Sequence[int]) -> None:
        storage = self._storage
        with storage._lock:
            for position in set(positions) & self._mine:
                try:
                    (storage.root / "outbox" / f"{position:020d}.json").unlink(missing_ok=True)
                except OSError as exc:  # the relay must see a tnorder error, not the OS's
                    raise StorageError(f"cannot remove outbox entry {position}: {exc}") from exc

    def release(self) -> None:
        with self._storage._lock:
            self._storage._claims.difference_update(self._mine)
        self._mine.clear()


class JsonFileStorage:
    """tnorder storage in a directory of JSON files (one process at a time).

    Args:
        root: the directory; created if missing.
        durable: flush every file to disk before going on (``fsync``), so a
            commit survives a power cut; tests may turn it off for speed.
    """

    def __init__(self, root: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.root = Path(root).resolve()
        self.durable = durable
        with _REGISTRY_LOCK:
            # Every storage on one directory shares one lock and one claim set.
            self._lock = _LOCKS.setdefault(self.root, threading.RLock())
            self._claims = _CLAIMS.setdefault(self.root, set())
        try:
            for folder in ("orders", "outbox", "parked", *(spec.name for spec in RECORD_SPECS)):
                (self.root / folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # callers catch tnorder errors, not the OS's
            raise StorageError(f"cannot use {self.root} for storage: {exc}") from exc
        with self._lock:
            self._recover()
        self._closed = False

    def close(self) -> None:
        """Refuse further use; the files stay.  (Nothing is held open between calls.)"""
        self._closed = True

    def _open_check(self) -> None:
        if self._closed:
            raise StorageError(f"the storage in {self.root} is closed")

    @contextmanager
    def unit_of_work(self) -> Iterator[_UnitOfWork]:
        self._open_check()
        with self._lock:
            self._recover()
        yield _UnitOfWork(self)

    @contextmanager
    def outbox(self) -> Iterator[_Outbox]:
        self._open_check()
        with self._lock:
            self._recover()
        box = _Outbox(self)
        try:
            yield box
        finally:
            box.release()

    def record_path(self, table: str, key: str) -> Path:
        """The file holding record ``key`` of ``table`` (``"orders"`` or a kind's name)."""
        return self.root / table / _file_name(key)

    # -- files ----------------------------------------------------------------------

    def _read(self, path: Path, record: str) -> dict[str, Any] | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:  # callers catch tnorder errors, not the OS's
            raise StorageError(f"cannot read {path}: {exc}") from exc
        try:
            row = json.loads(text)
        except ValueError as exc:  # a damaged file is unreadable data, named as such
            raise SerializationError(f"not valid JSON: {exc}", record=record) from exc
        if not isinstance(row, dict) or not isinstance(row.get("key", ""), str):
            raise SerializationError(f"{path.name} is not a stored record", record=record)
        return row

    def _write_file(self, path: Path, text: str) -> None:
        """Write ``text`` to ``path`` so that it is either whole or unchanged."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                if self.durable:
                    file.flush()
                    os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # -- parked outbox entries (a marker file per entry in parked/) -------------------

    def _park(self, path: Path, position: int, reason: str) -> str:
        """Mark an undecodable outbox entry parked; return the stream it holds back."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:  # callers catch tnorder errors, not the OS's
            raise StorageError(f"cannot read {path}: {exc}") from exc
        stream, event_id, payload = f"unreadable:{position}", None, text
        try:
            row = json.loads(text)
        except ValueError:
            row = None
        if isinstance(row, dict):
            if isinstance(row.get("stream"), str):
                stream = row["stream"]
            event = row.get("event")
            payload = event if isinstance(event, str) else json.dumps(event)
            found = row.get("event_id", event.get("event_id") if isinstance(event, dict) else None)
            event_id = found if isinstance(found, str) else None
        marker = {"stream": stream, "event_id": event_id, "reason": reason, "payload": payload}
        self._write_file(self.root / "parked" / path.name, json.dumps(marker))
        return stream

    def _parked(self) -> list[ParkedEvent]:
        out = []
        for path in sorted((self.root / "parked").glob("*.json")):
            try:
                marker = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:  # we wrote it whole; anything else is damage
                raise StorageError(f"cannot read parking marker {path}: {exc}") from exc
            out.append(ParkedEvent(int(path.stem), **marker))
        return out

    def _unpark(self, positions: Sequence[int], *, drop: bool) -> int:
        count = 0
        with self._lock:
            for position in set(positions):
                name = f"{position:020d}.json"
                marker = self.root / "parked" / name
                if not marker.exists():
                    continue
                try:
                    if drop:
                        (self.root / "outbox" / name).unlink(missing_ok=True)
                    marker.unlink()
                except OSError as exc:  # callers catch tnorder errors, not the OS's
                    raise StorageError(f"cannot un-park outbox entry {position}: {exc}") from exc
                count += 1
        return count

    def _next_position(self) -> int:
        meta = self._read(self.root / "meta.json", "outbox counter")
        return 1 if meta is None else int(meta["next_position"])

    def _apply(self, changes: dict[str, dict[str, Any] | None]) -> None:
        journal = self.root / "journal.json"
        try:
            self._write_file(journal, json.dumps(changes))
        except OSError as exc:  # nothing was written: the journal is the commit point
            raise StorageError(f"commit failed, nothing was written: {exc}") from exc
        try:
            self._replay(changes)
        except OSError as exc:  # the journal is whole, so the next open finishes the commit
            raise StorageError(f"commit recorded but not yet applied: {exc}") from exc

    def _replay(self, changes: dict[str, dict[str, Any] | None]) -> None:
        for relative, content in changes.items():
            target = self.root / relative
            if content is None:
                target.unlink(missing_ok=True)
            else:
                self._write_file(target, json.dumps(content, sort_keys=True))
        (self.root / "journal.json").unlink()

    def _recover(self) -> None:
        """Finish a commit that a crash interrupted after its journal was written."""
        journal = self.root / "journal.json"
        try:
            text = journal.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:  # callers catch tnorder errors, not the OS's
            raise StorageError(f"cannot read {journal}: {exc}") from exc
        self._replay(json.loads(text))


def main() -> None:
    """Place an order, move it along, and relay its events, all in a scratch directory."""
    from datetime import UTC

    from tnorder import Actor, NewItem, OrderKind, OrderService, Role, Trigger
    from tnorder.adapters.clocks import FixedClock
    from tnorder.adapters.notifiers import RecordingNotifier

    with tempfile.TemporaryDirectory() as folder:
        notifier = RecordingNotifier()
        service = OrderService(
            JsonFileStorage(folder),
            clock=FixedClock(datetime(2026, 1, 5, 9, 30, tzinfo=UTC)),
            notifier=notifier,
        )
        staff = Actor(Role.STAFF, "ops")
        order = service.place_order(
            "acct-42", [NewItem(OrderKind.PORT_IN, "+14045550100")], actor=staff
        )
        item = order.items[0].item_id
        service.fire(order.order_id, item, Trigger.SUBMIT_TO_CARRIER, actor=staff)
        # A second storage on the same directory sees what the first one committed.
        again = OrderService(JsonFileStorage(folder), clock=service.clock)
        print(f"{order.order_id}: {again.get_order(order.order_id).items[0].status.label}")
        service.relay_events()
        print("events:", ", ".join(e.type_name for e in notifier.events))


if __name__ == "__main__":
    main()
