"""The stored row codec shared by every storage adapter.  Private.

An order is stored as rows (see ``docs/storage.md``): one header row (the
order without its items), one row per line item (the item with only its
latest history entry), and one row per history entry, appended and never
rewritten.  cattrs stays the codec, one row type at a time.  Loading an order
reads the header and the item rows; an item's full history is read the first
time it is asked for (:class:`LazyHistory`).  Saving writes the header, the
item rows that changed and the history entries appended since the load.

Also here: the other row codecs (records, outbox events) and the entry
checks both the SQL adapters and ``MemoryStorage`` use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, SupportsIndex, TypeVar, overload

import attrs

from ..domain.events import Event
from ..domain.inputs import check_text
from ..domain.order import HistoryEntry, LineItem, Order
from ..errors import ConcurrencyConflict, NotFound, SerializationError, ValidationError
from ..ports import OutboxEntry
from ..records import RecordSpec
from ..serialization import dump_event, dumps, from_json, load_event, loads, to_json

__all__ = [
    "HistoryLoader",
    "ItemRow",
    "LazyHistory",
    "OrderHeader",
    "OrderRows",
    "assemble_order",
    "check_find_fields",
    "check_page",
    "check_version",
    "decode_entry",
    "decode_event",
    "decode_header",
    "decode_item",
    "decode_order",
    "decode_record",
    "encode_entry",
    "encode_event",
    "held_version",
    "history_bodies",
    "index_param",
    "next_version",
    "order_rows",
    "page_history",
    "record_not_found",
    "require_text",
    "rows_of_new_order",
]

T = TypeVar("T")
R = TypeVar("R")

HistoryLoader = Callable[[str, int], list[Any]]
"""``(item_id, count) -> the first count stored history bodies of that item``."""


# -- entry checks -----------------------------------------------------------------


def require_text(value: object, field: str) -> str:
    """``value`` if it is a string a database can store, else ``ValidationError`` naming
    ``field`` (a lone surrogate cannot be encoded for any driver)."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string, got {type(value).__name__}", field=field)
    check_text(value, field)
    return value


def index_param(value: Any) -> str | None:
    """An index field's value as stored in its text column (enums by value)."""
    value = getattr(value, "value", value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_find_fields(spec: RecordSpec[Any], equals: dict[str, Any]) -> None:
    """``ValidationError`` unless every field of a ``find`` is one of the spec's indexes."""
    unknown = sorted(set(equals) - set(spec.indexes))
    if unknown:
        raise ValidationError(
            f"{spec.name} cannot be found by {', '.join(unknown)}; "
            f"indexes: {', '.join(spec.indexes) or 'none'}",
            field=unknown[0],
        )


def record_not_found(spec: RecordSpec[Any], key: str) -> NotFound:
    """The spec's ``NotFound`` subclass for a missing record ``key``."""
    return spec.not_found(key, f"{spec.name} {key!r} not found")


def next_version(kind: str, key: str, obj: Any, current: int) -> str:
    """Move ``obj`` from the stored version ``current`` to the next; return its body.

    Raises:
        ValidationError: ``obj`` has no integer version.
        ConcurrencyConflict: ``obj`` was loaded at another version than ``current``.

    On any error (encoding included) ``obj`` keeps its version.
    """
    held = held_version(kind, key, obj, current)
    obj.version = current + 1
    try:
        return dumps(obj)
    except Exception:
        obj.version = held  # leave the caller's object as it was
        raise


def held_version(kind: str, key: str, obj: Any, current: int) -> int:
    """``obj``'s version, checked to be the integer ``current`` it must be saved over.

    Raises:
        ValidationError: ``obj`` has no integer version.
        ConcurrencyConflict: ``obj`` was loaded at another version than ``current``.
    """
    held = obj.version
    if type(held) is not int:
        raise ValidationError(f"{kind} {key!r} has no integer version", field="version")
    if held != current:
        raise ConcurrencyConflict(key, expected_version=held, actual_version=current)
    return held


# -- decoding stored rows -------------------------------------------------------


def _safe_loads(cls: type[T], body: Any, record: str) -> T:
    try:
        return loads(cls, body, record=record)
    except SerializationError:
        raise
    except Exception as exc:  # e.g. RecursionError on absurdly nested JSON: still just a bad row.
        raise SerializationError(f"{type(exc).__name__}: {exc}", record=record) from exc


def check_version(version: Any, record: str) -> int:
    """``version`` if it is a positive integer, else ``SerializationError`` naming the row."""
    if type(version) is not int or version < 1:
        raise SerializationError(
            f"stored version {version!r} is not a positive integer", record=record
        )
    return version


def decode_order(key: str, version: Any, body: Any) -> Order:
    """A whole order stored as one document (schema 3 and before), or ``SerializationError``."""
    record = f"order {key!r}"
    checked = check_version(version, record)
    order = _safe_loads(Order, body, record)
    if order.order_id != key:
        raise SerializationError(f"row holds order {order.order_id!r}", record=record)
    if not order.items:
        raise SerializationError("order has no line items", record=record)
    order.version = checked
    return order


def decode_record(spec: RecordSpec[R], key: str, version: Any, body: Any) -> R:
    """The record of kind ``spec`` stored in a row, or ``SerializationError`` naming it."""
    record = f"{spec.name} {key!r}"
    checked = check_version(version, record)
    obj = _safe_loads(spec.cls, body, record)
    try:
        found = spec.key_of(obj)
    except Exception as exc:  # a spec naming a missing attribute is a bug, reported on the row.
        raise SerializationError(f"cannot read key: {exc}", record=record) from exc
    if found != key:
        raise SerializationError(f"row holds {spec.name} {found!r}", record=record)
    obj.version = checked  # type: ignore[attr-defined]
    return obj


def encode_event(event: Event) -> str:
    """The outbox payload of ``event``: compact JSON, the same in every storage."""
    return to_json(dump_event(event))


def decode_event(position: Any, stream: Any, payload: Any) -> OutboxEntry:
    """An outbox row as an entry, or ``SerializationError`` naming it."""
    record = f"outbox entry {position!r}"
    if type(position) is not int:
        raise SerializationError("position is not an integer", record=record)
    try:
        data = from_json(payload)
        event = load_event(data)
    except SerializationError as exc:
        raise SerializationError(str(exc), record=record) from exc
    except Exception as exc:  # json / cattrs failures on garbage: a bad row, named.
        raise SerializationError(f"{type(exc).__name__}: {exc}", record=record) from exc
    if event.stream != stream:
        raise SerializationError(f"event belongs to stream {event.stream!r}", record=record)
    return OutboxEntry(position, event)


# -- the order's rows -------------------------------------------------------------


@attrs.define
class OrderHeader:
    """The order header row's body: the order without its line items."""

    order_id: str
    account_id: str
    created_at: datetime
    event_seq: int = 0
    reference: str | None = None


@attrs.frozen
class ItemRow:
    """One line item row: ``body`` holds the item without its history, ``last`` its
    latest history entry (None when it has none).

    ``history_len`` counts the item's history entries; ``status`` is the
    item's status value, stored in a column for views that need no body.  The
    latest entry has a column of its own so that loading an order decodes it
    only for the items whose latest entry is read (final items, notes).
    """

    item_id: str
    position: int
    status: str
    history_len: int
    body: str
    last: str | None


@attrs.frozen
class OrderRows:
    """What saving an order writes: the header, changed item rows, appended entries.

    ``history`` holds ``(item_id, position in the item's history, body)``.
    """

    header: str
    items: list[ItemRow]
    history: list[tuple[str, int, str]]


def encode_entry(entry: HistoryEntry) -> str:
    """A history entry row's body."""
    return dumps(entry)


def decode_entry(body: Any, record: str) -> HistoryEntry:
    """A history entry row, or ``SerializationError`` naming ``record``."""
    entry = _safe_loads(HistoryEntry, body, record)
    if not isinstance(entry, HistoryEntry):  # pragma: no cover - the codec builds the class
        raise SerializationError("not a history entry", record=record)
    return entry


def _item_body(item: LineItem) -> str:
    history = item.history
    # The row holds no history; the history is in its own rows.  Swapped in
    # place (bypassing the change hook) rather than copied: an item copy would
    # cost as much as the encoding.
    object.__setattr__(item, "history", [])
    try:
        return dumps(item)
    finally:
        object.__setattr__(item, "history", history)


def _new_entries(history: list[HistoryEntry], stored: int) -> list[HistoryEntry]:
    if isinstance(history, LazyHistory):
        return history.appended_since(stored)
    return history[stored:]


def order_rows(order: Order, header: OrderHeader | None = None) -> OrderRows:
    """The rows saving ``order`` writes: the header, items changed since it was loaded
    (or all, for an order never stored) and the history entries appended since.

    After encoding, the order's change tracking is reset to what the rows hold,
    so saving it again in the same unit of work writes only later changes.
    """
    stored: dict[str, tuple[int, str, str | None]] = order._stored or {}
    header_body = dumps(
        header
        or OrderHeader(
            order.order_id, order.account_id, order.created_at, order.event_seq, order.reference
        )
    )
    items: list[ItemRow] = []
    history: list[tuple[str, int, str]] = []
    after: dict[str, tuple[int, str, str | None]] = dict(stored)
    for position, item in enumerate(order.items):
        item_id = item.item_id
        before = stored.get(item_id)
        count = len(item.history)
        # Requirements are mutated in place (no change hook sees that): items
        # holding any are compared by their encoding instead of skipped.
        if (
            before is not None
            and not item._changed
            and count == before[0]
            and not item.requirements
        ):
            continue
        body = _item_body(item)
        if before is not None and count == before[0] and body == before[1]:
            object.__setattr__(item, "_changed", False)
            continue
        check_text(item_id, "item_id")
        start = 0 if before is None else before[0]
        last = None if before is None else before[2]
        for offset, entry in enumerate(_new_entries(item.history, start)):
            last = encode_entry(entry)
            history.append((item_id, start + offset, last))
        items.append(ItemRow(item_id, position, item.status.value, count, body, last))
        after[item_id] = (count, body, last)
        object.__setattr__(item, "_changed", False)
        if isinstance(item.history, LazyHistory):
            item.history.mark_stored()
    order._stored = after
    return OrderRows(header_body, items, history)


def rows_of_new_order(order: Order) -> OrderRows:
    """Every row of an order never stored (all items, all history)."""
    order._stored = None
    return order_rows(order)


def decode_header(key: str, version: Any, body: Any) -> tuple[int, OrderHeader]:
    """The header row of order ``key``, or ``SerializationError`` naming the order."""
    record = f"order {key!r}"
    checked = check_version(version, record)
    header = _safe_loads(OrderHeader, body, record)
    if header.order_id != key:
        raise SerializationError(f"row holds order {header.order_id!r}", record=record)
    return checked, header


def decode_item(order_id: str, count: Any, body: Any, last: Any) -> LineItem:
    """One item row of ``order_id`` (its history not loaded), or ``SerializationError``."""
    record = f"order {order_id!r}"
    item = _safe_loads(LineItem, body, record)
    if item.history or type(count) is not int or count < 0 or (count > 0) != (last is not None):
        raise SerializationError(f"item {item.item_id!r}: bad history length", record=record)
    return item


def assemble_order(
    key: str,
    version: Any,
    header_body: Any,
    item_rows: Iterable[tuple[Any, Any, Any]],
    load_history: HistoryLoader,
) -> Order:
    """An order from its header row and its item rows ``(history_len, body, last)`` in
    position order; each item's history loads through ``load_history`` when first read
    (its latest entry when first read, from ``last``).

    Raises:
        SerializationError: a row cannot be read, or the order has no items (names it).
    """
    checked, header = decode_header(key, version, header_body)
    items: list[LineItem] = []
    stored: dict[str, tuple[int, str, str | None]] = {}
    for count, body, last in item_rows:
        item = decode_item(key, count, body, last)
        # Set past the change hook: loading is not a change.
        object.__setattr__(
            item, "history", LazyHistory(item.item_id, count, last, load_history, key)
        )
        object.__setattr__(item, "_changed", False)
        items.append(item)
        stored[item.item_id] = (count, body, last)
    if not items:
        raise SerializationError("order has no line items", record=f"order {key!r}")
    order = Order(
        order_id=header.order_id,
        account_id=header.account_id,
        items=items,
        created_at=header.created_at,
        version=checked,
        event_seq=header.event_seq,
        reference=header.reference,
    )
    order._stored = stored
    return order


class LazyHistory(list[HistoryEntry]):
    """A stored item's history: a list whose stored entries load on first read.

    Appending (what ``Order.fire`` does) and reading the latest entry (what
    ``finalized_at`` and ``latest_note`` do) never load; any other read loads
    the stored entries once, through the storage the order came from.  It
    compares equal to a plain list of the same entries.  History is
    append-only: replacing or removing entries is not tracked by storage.
    """

    __slots__ = ("_count", "_item_id", "_last", "_loaded", "_loader", "_order_id", "_tail")

    def __init__(
        self,
        item_id: str,
        count: int,
        last: Any,
        loader: HistoryLoader,
        order_id: str,
    ) -> None:
        super().__init__()
        self._item_id = item_id
        self._order_id = order_id
        self._count = count
        self._last = last
        self._loader = loader
        self._loaded = count == 0
        self._tail: list[HistoryEntry] = []

    def _load(self) -> None:
        if self._loaded:
            return
        record = f"order {self._order_id!r}"
        bodies = self._loader(self._item_id, self._count)
        if len(bodies) != self._count:
            raise SerializationError(
                f"item {self._item_id!r} has {len(bodies)} stored history entries, "
                f"expected {self._count}",
                record=record,
            )
        entries = [decode_entry(b, record) for b in bodies]
        list.extend(self, entries)
        list.extend(self, self._tail)
        self._tail = []
        self._loaded = True

    def appended_since(self, stored: int) -> list[HistoryEntry]:
        """The entries after the first ``stored`` (the ones storage has not written)."""
        if self._loaded:
            return list.__getitem__(self, slice(stored, None))
        return self._tail[stored - self._count :]

    def mark_stored(self) -> None:
        """Everything appended so far is now stored (called by storage after encoding)."""
        if not self._loaded:
            self._count += len(self._tail)
            if self._tail:
                self._last = self._tail[-1]
            self._tail = []

    @property
    def loaded(self) -> bool:
        """Whether the stored entries have been read."""
        return self._loaded

    # -- what never loads ------------------------------------------------------

    def append(self, entry: HistoryEntry) -> None:
        if self._loaded:
            list.append(self, entry)
        else:
            self._tail.append(entry)

    def __len__(self) -> int:
        if self._loaded:
            return list.__len__(self)
        return self._count + len(self._tail)

    @overload
    def __getitem__(self, index: SupportsIndex) -> HistoryEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[HistoryEntry]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> HistoryEntry | list[HistoryEntry]:
        if not self._loaded and not isinstance(index, slice) and int(index) == -1:
            if self._tail:
                return self._tail[-1]
            if self._last is not None:
                if not isinstance(self._last, HistoryEntry):  # the stored body, decoded once
                    self._last = decode_entry(self._last, f"order {self._order_id!r}")
                return self._last
        self._load()
        return list.__getitem__(self, index)

    # -- what loads ------------------------------------------------------------

    def __iter__(self) -> Iterator[HistoryEntry]:
        self._load()
        return list.__iter__(self)

    def __reversed__(self) -> Iterator[HistoryEntry]:
        self._load()
        return list.__reversed__(self)

    def __contains__(self, value: object) -> bool:
        self._load()
        return list.__contains__(self, value)

    def __eq__(self, other: object) -> bool:
        self._load()
        if isinstance(other, LazyHistory):
            other._load()
        return list.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        self._load()
        return list.__repr__(self)

    def __add__(self, other: Any) -> list[HistoryEntry]:  # type: ignore[override]
        self._load()
        return list(list.__iter__(self)) + list(other)

    def __reduce__(self) -> tuple[Any, ...]:
        # Copies and pickles are plain lists: they outlive the storage connection.
        self._load()
        return (list, (list(list.__iter__(self)),))

    def __copy__(self) -> list[HistoryEntry]:
        self._load()
        return list(list.__iter__(self))

    def __deepcopy__(self, memo: dict[int, Any]) -> list[HistoryEntry]:
        return self.__copy__()

    def copy(self) -> list[HistoryEntry]:
        return self.__copy__()

    def index(self, value: Any, *args: Any) -> int:
        self._load()
        return list.index(self, value, *args)

    def count(self, value: Any) -> int:
        self._load()
        return list.count(self, value)

    def extend(self, values: Iterable[HistoryEntry]) -> None:
        for value in values:
            self.append(value)

    def __iadd__(self, values: Iterable[HistoryEntry]) -> LazyHistory:  # type: ignore[override,misc]
        self.extend(values)
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        self._load()
        list.__setitem__(self, index, value)

    def __delitem__(self, index: Any) -> None:
        self._load()
        list.__delitem__(self, index)

    def insert(self, index: SupportsIndex, value: HistoryEntry) -> None:
        self._load()
        list.insert(self, index, value)

    def pop(self, index: SupportsIndex = -1) -> HistoryEntry:
        self._load()
        return list.pop(self, index)

    def remove(self, value: HistoryEntry) -> None:
        self._load()
        list.remove(self, value)

    def clear(self) -> None:
        self._load()
        list.clear(self)

    def reverse(self) -> None:
        self._load()
        list.reverse(self)

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._load()
        list.sort(self, *args, **kwargs)

    def __lt__(self, other: Any) -> bool:
        self._load()
        return list.__lt__(self, other)

    def __le__(self, other: Any) -> bool:
        self._load()
        return list.__le__(self, other)

    def __gt__(self, other: Any) -> bool:
        self._load()
        return list.__gt__(self, other)

    def __ge__(self, other: Any) -> bool:
        self._load()
        return list.__ge__(self, other)

    def __mul__(self, n: SupportsIndex) -> list[HistoryEntry]:
        self._load()
        return list(list.__iter__(self)) * n

    __rmul__ = __mul__

    def __imul__(self, n: SupportsIndex) -> LazyHistory:
        self._load()
        list.__imul__(self, n)
        return self


def check_page(start: Any, limit: Any) -> None:
    """``ValidationError`` unless ``start`` and ``limit`` are non-negative integers."""
    for name, value in (("start", start), ("limit", limit)):
        if type(value) is not int or value < 0:
            raise ValidationError(f"{name} must be a non-negative integer", field=name)


def page_history(order: Order, item_id: str, start: int, limit: int) -> list[HistoryEntry]:
    """Entries ``start``..``start + limit - 1`` of ``item_id``'s history in ``order``."""
    check_page(start, limit)
    return list(order.item(item_id).history[start : start + limit])


def history_bodies(rows: Sequence[tuple[Any, Any]], count: int) -> list[Any]:
    """Bodies of stored ``(position, body)`` rows ``0..count-1``, in order (gaps shorten it)."""
    out: list[Any] = []
    for position, body in rows:
        if position != len(out) or position >= count:
            break
        out.append(body)
    return out
