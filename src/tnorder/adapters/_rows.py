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

import copy
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, SupportsIndex, TypeVar, overload

import attrs

from ..domain.events import Event
from ..domain.inputs import check_text
from ..domain.order import HistoryEntry, LineItem, Order
from ..domain.statuses import ItemStatus
from ..errors import ConcurrencyConflict, NotFound, SerializationError, ValidationError
from ..ports import OutboxEntry
from ..records import RecordSpec
from ..serialization import dump_event, dumps, from_json, load_event, loads, to_json

__all__ = [
    "HistoryLoader",
    "ItemFetcher",
    "ItemRow",
    "ItemsFetcher",
    "LazyHistory",
    "LazyItems",
    "OrderHeader",
    "OrderRows",
    "RawItem",
    "assemble_order",
    "body_digest",
    "check_find_fields",
    "check_key_page",
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
    "order_header",
    "order_rows",
    "page_history",
    "partial_order",
    "record_not_found",
    "require_text",
    "rows_of_new_order",
    "summarize_rows",
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
    """The order header row's body: the order without its line items.

    ``statuses`` (item status value -> number of items in it) and
    ``final_at`` (the latest time an item became final) are what order-level
    rules read without the items (``Order.status``, ``is_final``,
    ``finalized_at``); kept exact by every save since schema 5.  None in a
    header written before: such an order reads all its items when asked.
    """

    order_id: str
    account_id: str
    created_at: datetime
    event_seq: int = 0
    reference: str | None = None
    statuses: dict[str, int] | None = None
    final_at: datetime | None = None


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
    # The order version whose commit wrote this row (0: before schema 5).  Set
    # by storage at commit; a reader holding an older version must not use it.
    written: int = 0


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


def body_digest(body: str | bytes) -> str:
    """What change tracking keeps of a stored item row's body: its 128-bit BLAKE2b
    digest in hex (the body itself would double the memory of a loaded order;
    text, so an order's private fields stay JSON-ready for ``tnorder.web``)."""
    data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _new_entries(history: list[HistoryEntry], stored: int) -> list[HistoryEntry]:
    if isinstance(history, LazyHistory):
        return history.appended_since(stored)
    return history[stored:]


def _summary_of(items: Iterable[LineItem]) -> tuple[dict[str, int], datetime | None]:
    counts: dict[str, int] = {}
    final_at: datetime | None = None
    for item in items:
        status = item.status
        counts[status.value] = counts.get(status.value, 0) + 1
        if status.is_final:
            at = item.finalized_at
            if at is not None and (final_at is None or at > final_at):
                final_at = at
    return counts, final_at


def summarize_rows(
    key: str, rows: Sequence[tuple[Any, Any]]
) -> tuple[dict[str, int], datetime | None] | None:
    """The item summary of a header from its item rows ``(status, last_entry)``;
    None if there are none.  For the schema 5 migration.

    Raises:
        SerializationError: a status or latest entry cannot be read (names the order).
    """
    if not rows:
        return None
    counts: dict[str, int] = {}
    final_at: datetime | None = None
    record = f"order {key!r}"
    for value, last in rows:
        try:
            status = ItemStatus(value)
        except ValueError:
            raise SerializationError(f"unknown item status {value!r}", record=record) from None
        counts[status.value] = counts.get(status.value, 0) + 1
        if status.is_final and last is not None:
            at = decode_entry(last, record).at
            if final_at is None or at > final_at:
                final_at = at
    return counts, final_at


def _partial_items(order: Order) -> LazyItems | None:
    items = order.items
    return items if isinstance(items, LazyItems) and items is order._partial else None


def order_header(order: Order) -> OrderHeader:
    """The header row of ``order``, with its item summary.

    For an order whose items were read in part, the summary is the stored one
    moved by the items read (no other item can have changed); otherwise it is
    counted from every item.
    """
    partial = _partial_items(order)
    if partial is not None and not partial.loaded:
        statuses, final_at = partial.stored_summary()
    else:
        statuses, final_at = _summary_of(order.items)
    return OrderHeader(
        order.order_id,
        order.account_id,
        order.created_at,
        order.event_seq,
        order.reference,
        statuses,
        final_at,
    )


def order_rows(order: Order, header: OrderHeader | None = None) -> OrderRows:
    """The rows saving ``order`` writes: the header, items changed since it was loaded
    (or all, for an order never stored) and the history entries appended since.

    Only the items an order read from storage can have changed: an order read
    in part (:class:`LazyItems`) looks at those alone.  After encoding, the
    order's change tracking is reset to what the rows hold, so saving it again
    in the same unit of work writes only later changes.
    """
    stored: dict[str, tuple[int, str | None, str | None]] = order._stored or {}
    header_body = dumps(header or order_header(order))
    items: list[ItemRow] = []
    history: list[tuple[str, int, str]] = []
    after: dict[str, tuple[int, str | None, str | None]] = dict(stored)
    partial = _partial_items(order)
    # A bulk carrier report moves many items by the same steps, by the same
    # actor, at the same moment: their new entries hold the very same objects
    # and so encode to the same text, encoded once here (issue 17).  Keyed by
    # the identities of the entry's parts; the entry is kept with its text, so
    # none of those identities is reused meanwhile.
    encoded: dict[tuple[int, ...], tuple[HistoryEntry, str]] = {}
    candidates: Iterable[tuple[int, LineItem]]
    if partial is not None and not partial.loaded:
        candidates = partial.read_items()
    else:
        candidates = enumerate(order.items)
    for position, item in candidates:
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
        # A row written now for the first time keeps no digest (a 10,000-item
        # order hashed 10,000 bodies for nothing): only a later save of this
        # same object could compare with it, and it then writes the row again.
        digest = None if before is None else body_digest(body)
        if before is not None and count == before[0] and digest == before[1]:
            object.__setattr__(item, "_changed", False)
            continue
        check_text(item_id, "item_id")
        start = 0 if before is None else before[0]
        last = None if before is None else before[2]
        for offset, entry in enumerate(_new_entries(item.history, start)):
            parts = tuple(map(id, entry))
            known = encoded.get(parts)
            if known is None:
                last = encode_entry(entry)
                encoded[parts] = (entry, last)
            else:
                last = known[1]
            history.append((item_id, start + offset, last))
        items.append(ItemRow(item_id, position, _VALUE_OF_STATUS[item.status], count, body, last))
        after[item_id] = (count, digest, last)
        object.__setattr__(item, "_changed", False)
        if isinstance(item.history, LazyHistory):
            item.history.mark_stored()
    order._stored = after
    if partial is not None:
        partial.mark_stored()
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
    stored: dict[str, tuple[int, str | None, str | None]] = {}
    for count, body, last in item_rows:
        item = decode_item(key, count, body, last)
        # Set past the change hook: loading is not a change.
        object.__setattr__(
            item, "history", LazyHistory(item.item_id, count, last, load_history, key)
        )
        object.__setattr__(item, "_changed", False)
        items.append(item)
        stored[item.item_id] = (count, body_digest(body), last)
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


RawItem = tuple[Any, Any, Any, Any, Any]
"""A stored item row as read: ``(position, history_len, body, last_entry, written)``."""
ItemFetcher = Callable[[str], "RawItem | None"]
"""``item_id -> that item's stored row, or None`` (one indexed read)."""
ItemsFetcher = Callable[[], list[tuple[Any, Any, Any, Any, Any, Any]]]
"""``() -> every stored item row as (item_id, *RawItem)``, in position order."""


def _decode_stored_item(
    key: str, raw: RawItem, load_history: HistoryLoader
) -> tuple[int, LineItem, tuple[int, str, str | None]]:
    position, count, body, last, _ = raw
    item = decode_item(key, count, body, last)
    # Set past the change hook: loading is not a change.
    object.__setattr__(item, "history", LazyHistory(item.item_id, count, last, load_history, key))
    object.__setattr__(item, "_changed", False)
    if type(position) is not int:
        raise SerializationError(f"item {item.item_id!r}: bad position", record=f"order {key!r}")
    return position, item, (count, body_digest(body), last)


def partial_order(
    key: str,
    version: Any,
    header_body: Any,
    fetch_item: ItemFetcher,
    fetch_items: ItemsFetcher,
    load_history: HistoryLoader,
    prefetched: dict[str, RawItem] | None = None,
    *,
    complete: bool = False,
) -> Order:
    """An order from its header row alone: its items are read when touched.

    ``Order.item(item_id)`` reads that one row through ``fetch_item`` (or
    decodes it from ``prefetched``, rows the storage read with the header);
    iterating, ``len`` aside, reads every row once through ``fetch_items``
    (or takes them from ``prefetched`` when ``complete`` says it holds them all).
    The order's status, ``is_final`` and ``finalized_at`` come from the
    header's item summary, moved by the items read.

    Raises:
        SerializationError: the header cannot be read (names the order); an
            item row that cannot be read raises when it is touched.
    """
    checked, header = decode_header(key, version, header_body)
    if header.statuses is not None and (
        any(type(n) is not int or n < 0 for n in header.statuses.values())
        or not sum(header.statuses.values())
    ):
        raise SerializationError("bad item summary", record=f"order {key!r}")
    order = Order(
        order_id=header.order_id,
        account_id=header.account_id,
        items=[],
        created_at=header.created_at,
        version=checked,
        event_seq=header.event_seq,
        reference=header.reference,
    )
    items = LazyItems(
        order,
        header.statuses,
        header.final_at,
        fetch_item,
        fetch_items,
        load_history,
        prefetched,
        complete=complete,
    )
    order.items = items
    order._partial = items
    order._stored = {}
    return order


# A dict lookup instead of ``ItemStatus(value)`` (an enum call costs ~1 us).
_STATUS_BY_VALUE = {s.value: s for s in ItemStatus}
# And the other way: an enum's ``.value`` is a Python-level property, read
# 20,000 times per pass over a bulk batch's items.
_VALUE_OF_STATUS = {s: s.value for s in ItemStatus}


class _NoSummary:
    """Equal to nothing: a stored value that is not known."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


_NO_SUMMARY = _NoSummary()


_T = TypeVar("_T")


class _LoadOnTouch(list[_T]):
    """A list whose stored contents load on first touch (``_load``), once.

    The list methods that read or change the whole list load first; copies and
    pickles are plain lists (they outlive the storage connection).  Subclasses
    answer what they can without loading (a length, the latest entry) by
    overriding those methods.
    """

    __slots__ = ()

    def _load(self) -> None:
        raise NotImplementedError

    def __iter__(self) -> Iterator[_T]:
        self._load()
        return list.__iter__(self)

    def __eq__(self, other: object) -> bool:
        self._load()
        if isinstance(other, _LoadOnTouch):
            other._load()
        return list.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        self._load()
        return list.__repr__(self)

    def __add__(self, other: Any) -> list[_T]:  # type: ignore[override]
        self._load()
        return list(list.__iter__(self)) + list(other)

    def __mul__(self, n: SupportsIndex) -> list[_T]:
        self._load()
        return list(list.__iter__(self)) * n

    __rmul__ = __mul__

    def __reduce__(self) -> tuple[Any, ...]:
        self._load()
        return (list, (list(list.__iter__(self)),))

    def __copy__(self) -> list[_T]:
        self._load()
        return list(list.__iter__(self))

    def __deepcopy__(self, memo: dict[int, Any]) -> list[_T]:
        self._load()
        return copy.deepcopy(list(list.__iter__(self)), memo)

    def copy(self) -> list[_T]:
        return self.__copy__()


def _loading(name: str) -> Callable[..., Any]:
    method = getattr(list, name)

    def call(self: _LoadOnTouch[Any], *args: Any, **kwargs: Any) -> Any:
        self._load()
        return method(self, *args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


# Every other list method reads (or changes) the whole list: it loads first.
for _name in (
    "__contains__",
    "__reversed__",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "reverse",
    "sort",
    "index",
    "count",
):
    setattr(_LoadOnTouch, _name, _loading(_name))
del _name


class LazyItems(_LoadOnTouch[LineItem]):
    """A stored order's line items: a list whose rows are read when touched.

    ``find(item_id)`` (what ``Order.item`` and so ``Order.fire`` use) reads
    and decodes that item alone; ``len`` answers from the header; any other
    read loads every item once, keeping the objects already handed out.  It
    compares equal to a plain list of the same items.
    """

    __slots__ = (
        "_all",
        "_fetch_item",
        "_fetch_items",
        "_final_at",
        "_found",
        "_load_history",
        "_loaded",
        "_order",
        "_prefetched",
        "_statuses",
        "_version",
    )

    def __init__(
        self,
        order: Order,
        statuses: dict[str, int] | None,
        final_at: datetime | None,
        fetch_item: ItemFetcher,
        fetch_items: ItemsFetcher,
        load_history: HistoryLoader,
        prefetched: dict[str, RawItem] | None = None,
        *,
        complete: bool = False,
    ) -> None:
        super().__init__()
        self._order = order
        self._statuses = statuses
        self._final_at = final_at
        self._fetch_item = fetch_item
        self._fetch_items = fetch_items
        self._load_history = load_history
        self._prefetched = prefetched or {}
        # Every item row, when the storage read them all with the header.
        self._all = (
            sorted(((k, *raw) for k, raw in self._prefetched.items()), key=lambda r: r[1])
            if complete
            else None
        )
        # The order version the header was read at: item rows must not be newer.
        self._version = order.version
        # item id -> (position, the item, its status as stored)
        self._found: dict[str, tuple[int, LineItem, ItemStatus]] = {}
        self._loaded = False

    @property
    def loaded(self) -> bool:
        """Whether every item has been read."""
        return self._loaded

    def _remember(self, key: str, raw: RawItem) -> tuple[int, LineItem, ItemStatus]:
        written = raw[4]
        if type(written) is int and written > self._version:
            # Rows are read after the header (reads take no locks): a row a later
            # commit rewrote is not the row of the version held, and that
            # version's row is gone.  The same answer as a lost save race.
            raise ConcurrencyConflict(key, expected_version=self._version, actual_version=written)
        position, item, stored = _decode_stored_item(key, raw, self._load_history)
        found = (position, item, item.status)
        self._found[item.item_id] = found
        order_stored = self._order._stored
        if order_stored is None:
            order_stored = self._order._stored = {}
        order_stored[item.item_id] = stored
        return found

    def find(self, item_id: str) -> LineItem | None:
        """The item ``item_id`` (read now if it was not), or None if the order has none."""
        if not isinstance(item_id, str):
            return None  # never stored; ``Order.item`` names it in ``ItemNotFound``
        found = self._found.get(item_id)
        if found is not None:
            return found[1]
        if self._loaded:
            return next((i for i in list.__iter__(self) if i.item_id == item_id), None)
        raw = self._prefetched.pop(item_id, None)
        if raw is None:
            raw = self._fetch_item(item_id)
            if raw is None:
                return None
        return self._remember(self._order.order_id, raw)[1]

    def read_items(self) -> list[tuple[int, LineItem]]:
        """``(position, item)`` of every item read so far."""
        return [(position, item) for position, item, _ in self._found.values()]

    def summary(self) -> tuple[list[ItemStatus], datetime | None] | None:
        """The items' statuses (one each, any order) and the latest time one became
        final, without reading the others; None if the header has no summary."""
        if self._statuses is None:
            return None
        counts, final_at = self.stored_summary()
        try:
            return [_STATUS_BY_VALUE[v] for v, n in counts.items() if n], final_at
        except KeyError as exc:
            raise SerializationError(
                f"unknown item status {exc.args[0]!r} in the item summary",
                record=f"order {self._order.order_id!r}",
            ) from None

    def stored_finalized_at(self) -> Any:
        """The order's ``finalized_at`` as its stored header says, before any change
        (a sentinel that equals nothing when the header has no summary)."""
        if self._statuses is None:
            return _NO_SUMMARY
        try:
            final = all(_STATUS_BY_VALUE[v].is_final for v, n in self._statuses.items() if n)
        except KeyError:
            return _NO_SUMMARY
        return self._final_at if final else None

    def stored_summary(self) -> tuple[dict[str, int], datetime | None]:
        """The header's summary (status value -> count, latest final time) moved by the
        items read; counted from every item if the header had none."""
        if self._statuses is None:
            return _summary_of(self)
        counts = dict(self._statuses)
        final_at = self._final_at
        value_of = _VALUE_OF_STATUS
        for _, item, was in self._found.values():
            now = item.status
            if now is not was:
                before, after = value_of[was], value_of[now]
                counts[before] = counts.get(before, 0) - 1
                counts[after] = counts.get(after, 0) + 1
            if now.is_final:
                at = item.finalized_at
                if at is not None and (final_at is None or at > final_at):
                    final_at = at
        return {v: n for v, n in counts.items() if n}, final_at

    def mark_stored(self) -> None:
        """The items read are now stored as they are (called by storage after encoding)."""
        if self._loaded:
            return
        self._statuses, self._final_at = self.stored_summary()
        for item_id, (position, item, _) in list(self._found.items()):
            self._found[item_id] = (position, item, item.status)

    def _load(self) -> None:
        if self._loaded:
            return
        key = self._order.order_id
        items: list[LineItem] = []
        for item_id, *raw in self._all if self._all is not None else self._fetch_items():
            found = self._found.get(item_id)
            if found is None:
                found = self._remember(key, tuple(raw))
            items.append(found[1])
        if not items:
            raise SerializationError("order has no line items", record=f"order {key!r}")
        list.extend(self, items)
        self._prefetched = {}
        self._all = None
        self._loaded = True

    # -- what never loads ------------------------------------------------------

    def __len__(self) -> int:
        if self._loaded or self._statuses is None:
            self._load()
            return list.__len__(self)
        return sum(self._statuses.values())

    def __bool__(self) -> bool:
        return True if not self._loaded else list.__len__(self) > 0

    # -- what loads ------------------------------------------------------------

    @overload
    def __getitem__(self, index: SupportsIndex) -> LineItem: ...

    @overload
    def __getitem__(self, index: slice) -> list[LineItem]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> LineItem | list[LineItem]:
        self._load()
        return list.__getitem__(self, index)


class LazyHistory(_LoadOnTouch[HistoryEntry]):
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

    def extend(self, values: Iterable[HistoryEntry]) -> None:
        for value in values:
            self.append(value)

    def __iadd__(self, values: Iterable[HistoryEntry]) -> LazyHistory:  # type: ignore[override,misc]
        self.extend(values)
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> list[HistoryEntry]:
        return self.__copy__()  # entries are frozen: sharing them is a deep copy


def check_page(start: Any, limit: Any) -> None:
    """``ValidationError`` unless ``start`` and ``limit`` are non-negative integers."""
    for name, value in (("start", start), ("limit", limit)):
        if type(value) is not int or value < 0:
            raise ValidationError(f"{name} must be a non-negative integer", field=name)


def check_key_page(after: Any, limit: Any) -> None:
    """``ValidationError`` unless ``after`` is None or a string and ``limit`` a positive integer
    (the arguments of a record repository's ``find_page``)."""
    if after is not None and not isinstance(after, str):
        raise ValidationError("after must be None or a record key (a string)", field="after")
    if type(limit) is not int or limit < 1:
        raise ValidationError("limit must be a positive integer", field="limit")


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
