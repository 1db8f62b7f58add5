"""The dashboards' read model in SQL (SQLite and PostgreSQL).  Private.

Three tables, written in the same transaction as the orders and inventory
they come from (see ``tnorder.domain.read_model`` for the rows):

* ``tnorder_view_orders``: one row per order, for the Orders tab and Order History;
* ``tnorder_view_items``: one row per line item, what an order summary shows of it;
* ``tnorder_view_sources``: one row per line item with a number;
* ``tnorder_active_numbers``: one row per (account, number) on Active Numbers.

A unit of work stages the orders it saves (:meth:`ViewStager.order`, with
only the items that changed) and the inventory records it writes; the commit
calls :func:`flush` after the order and record rows are written.  Page queries
are keyset queries (never OFFSET) that compare stored times with ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import attrs

from ..domain.delivery import DeliveryDisplay, DeliveryKind
from ..domain.inventory import InventoryNumber
from ..domain.order import Order
from ..domain.read_model import (
    ActiveRow,
    ItemFacts,
    ItemRow,
    NumberSource,
    OrderRow,
    SummaryBuilder,
    decide_active,
    grace_classes,
    project_new_order,
    project_order,
)
from ..domain.statuses import ItemStatus, NumberType, OrderKind, OrderStatus
from ..domain.visibility import ActivationStage, ActivationTag, OrderSummary, VisibilityPolicy
from ..errors import SerializationError
from ..records import INVENTORY


class Dialect(Protocol):
    """What this module needs of ``_sql.Dialect`` (declared here: ``_sql`` imports us)."""

    @property
    def name(self) -> str: ...

    @property
    def timestamp_type(self) -> str: ...

    @property
    def to_db_time(self) -> Callable[[datetime], Any]: ...


class Session(Protocol):
    """What this module needs of ``_sql.Session``."""

    @property
    def dialect(self) -> Dialect: ...

    def query(
        self, sql: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[tuple[Any, ...]]: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def table_columns(self, table: str) -> set[str]: ...


__all__ = [
    "ACTIVE",
    "SOURCES",
    "VIEW_ITEMS",
    "VIEW_ORDERS",
    "SqlViewQueries",
    "ViewStager",
    "fill_after_reshape",
    "flush",
    "rebuild",
    "v6_statements",
    "v7_statements",
    "v8_statements",
    "v9_statements",
    "v10_statements",
]

VIEW_ORDERS = "tnorder_view_orders"
VIEW_ITEMS = "tnorder_view_items"
SOURCES = "tnorder_view_sources"
ACTIVE = "tnorder_active_numbers"
_INVENTORY = "tnorder_inventory"
_ORDERS = "tnorder_orders"
_CHUNK = 200
_KINDS = {m.value: m for m in OrderKind}
_TYPES = {m.value: m for m in NumberType}
_STATUSES = {m.value: m for m in ItemStatus}
# Member -> stored value: a dict lookup costs less than an enum's ``.value``,
# which adds up over a 10,000-item order.
_KIND_VALUES = {m: m.value for m in OrderKind}
_TYPE_VALUES = {m: m.value for m in NumberType}
_STATUS_VALUES = {m: m.value for m in ItemStatus}
_STAGE_VALUES = {m: m.value for m in ActivationStage}
_DELIVERY_VALUES = {m: m.value for m in DeliveryKind}
_ORDER_STATUSES = {m.value: m for m in OrderStatus}
_STAGES = {m.value: m for m in ActivationStage}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The greatest code point: every string starting with a prefix sorts below prefix + this.
_TOP = "\U0010ffff"


_PAGE_COLUMNS = "order_id, account_id, created_at, seq, status, item_count, finalized_at, reference"
_PAGE_ITEM_COLUMNS = (
    "order_id, item_id, number, kind, number_type, status, delivery_kind, delivery_text,"
    " delivery_date, latest_note"
)
_PAGE_ITEMS = ", ".join(f"i.{column}" for column in _PAGE_ITEM_COLUMNS.split(", "))


def _order_columns(text: str, ts: str) -> str:
    """An order row's columns after ``order_id`` (migrations 6 and 7 make this table)."""
    return (
        f"account_id {text} NOT NULL, created_at {ts} NOT NULL, seq BIGINT NOT NULL,"
        " status TEXT NOT NULL, item_count INTEGER NOT NULL, is_open INTEGER NOT NULL,"
        f" finalized_at {ts}, reference TEXT"
    )


#: An item row's columns after its order's (migrations 6 and 7 make this table).
_ITEM_COLUMNS = (
    "position INTEGER NOT NULL, item_id TEXT NOT NULL, number TEXT, kind TEXT NOT NULL,"
    " number_type TEXT NOT NULL, status TEXT NOT NULL, delivery_kind TEXT,"
    " delivery_text TEXT, delivery_date TEXT, latest_note TEXT"
)


def v6_statements(d: Dialect) -> list[str]:
    """Migration 6: the read-model tables and their indexes."""
    ts, text, _ = _types(d)
    return [
        f"CREATE TABLE {VIEW_ORDERS} (order_id {text} PRIMARY KEY, {_order_columns(text, ts)})",
        # Open orders, and all finished ones, each in dashboard order.
        f"CREATE INDEX {VIEW_ORDERS}_listing ON {VIEW_ORDERS}"
        " (account_id, is_open, created_at, seq)",
        # Orders finished recently (still in their grace period).
        f"CREATE INDEX {VIEW_ORDERS}_finalized ON {VIEW_ORDERS} (account_id, finalized_at)",
        # A page's summaries read these rows, not the orders: no history is decoded.
        f"CREATE TABLE {VIEW_ITEMS} (order_id {text} NOT NULL, {_ITEM_COLUMNS},"
        " PRIMARY KEY (order_id, position))",
        f"CREATE TABLE {SOURCES} ("
        f" order_id {text} NOT NULL,"
        f" item_id {text} NOT NULL,"
        f" account_id {text} NOT NULL,"
        f" number {text} NOT NULL,"
        f" created_at {ts} NOT NULL,"
        " seq BIGINT NOT NULL,"
        " position INTEGER NOT NULL,"
        " effect TEXT NOT NULL,"
        " kind TEXT NOT NULL,"
        " number_type TEXT NOT NULL,"
        " status TEXT NOT NULL,"
        " stage TEXT NOT NULL,"
        " locked_reason TEXT,"
        f" activated_at {ts},"
        f" finalized_at {ts},"
        " PRIMARY KEY (order_id, item_id))",
        # Per number, the newest deciding item first.
        f"CREATE INDEX {SOURCES}_deciding ON {SOURCES}"
        " (account_id, number, created_at, seq, position)",
        f"CREATE TABLE {ACTIVE} ({_active_columns(text, ts)}, PRIMARY KEY (account_id, number))",
        f"CREATE INDEX {ACTIVE}_number ON {ACTIVE} (number)",
        f"CREATE INDEX {ACTIVE}_stage ON {ACTIVE} (account_id, stage, number)",
    ]


def _from_db(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return _EPOCH + timedelta(microseconds=int(value))


_V7_ORDER_COLUMNS = (
    "order_id, account_id, created_at, seq, status, item_count, is_open, finalized_at, reference"
)
_V7_ITEM_COLUMNS = (
    "account_id, order_id, position, item_id, number, kind, number_type, status,"
    " delivery_kind, delivery_text, delivery_date, latest_note"
)
#: Migration 9's item row: its order's place in the listing comes after the account.
_V9_ITEM_COLUMNS = (
    "account_id, created_at, seq, order_id, position, item_id, number, kind, number_type,"
    " status, delivery_kind, delivery_text, delivery_date, latest_note"
)


def _types(d: Dialect) -> tuple[str, str, bool]:
    """(timestamp type, text type for ids and numbers, SQLite?) of the dialect."""
    postgres = d.name == "postgresql"
    # Numbers and ids sort by code point, as Python sorts them, whatever the
    # server's locale: PostgreSQL needs the "C" collation for that.
    return d.timestamp_type, 'TEXT COLLATE "C"' if postgres else "TEXT", not postgres


def v7_statements(d: Dialect) -> list[str]:
    """Migration 7: an account's dashboard rows are kept together.

    A page of a never-asked account used to read each of its 50 order rows and
    their item rows from wherever they were written, one disk page each (about
    180 pages for one Order History page on a 1,000,000-order file).  Now the
    rows sit in page order under the account, so a page reads a few.

    SQLite clusters the two tables by account (``WITHOUT ROWID``): orders by
    (account, open or not, created_at, seq), the listing order itself, and
    items by (account, order, position).  PostgreSQL has no clustered tables,
    so its listing index and the items' key carry every column a page shows
    (``INCLUDE``) and a page is answered from index pages alone once vacuum
    has marked the heap pages visible (see ``docs/storage.md``).  The item
    rows gain ``account_id`` on both.
    """
    ts, text, sqlite = _types(d)
    orders_key = (
        " PRIMARY KEY (account_id, is_open, created_at, seq)) WITHOUT ROWID"
        if sqlite
        else " PRIMARY KEY (order_id))"
    )
    items_key = (
        " PRIMARY KEY (account_id, order_id, position)) WITHOUT ROWID"
        if sqlite
        else " PRIMARY KEY (account_id, order_id, position) INCLUDE (item_id, number, kind,"
        " number_type, status, delivery_kind, delivery_text, delivery_date, latest_note))"
    )
    listing = (
        f"CREATE INDEX {VIEW_ORDERS}_listing ON {VIEW_ORDERS}"
        " (account_id, is_open, created_at, seq)"
        " INCLUDE (order_id, status, item_count, finalized_at, reference)"
    )
    return [
        f"CREATE TABLE {VIEW_ORDERS}_v7 (order_id {text} NOT NULL,"
        f" {_order_columns(text, ts)}," + orders_key,
        f"INSERT INTO {VIEW_ORDERS}_v7 ({_V7_ORDER_COLUMNS}) SELECT {_V7_ORDER_COLUMNS}"
        f" FROM {VIEW_ORDERS} ORDER BY account_id, is_open, created_at, seq",
        f"CREATE TABLE {VIEW_ITEMS}_v7 (account_id {text} NOT NULL,"
        f" order_id {text} NOT NULL, {_ITEM_COLUMNS}," + items_key,
        f"INSERT INTO {VIEW_ITEMS}_v7 ({_V7_ITEM_COLUMNS}) SELECT o.account_id,"
        " i.order_id, i.position, i.item_id, i.number, i.kind, i.number_type, i.status,"
        " i.delivery_kind, i.delivery_text, i.delivery_date, i.latest_note"
        f" FROM {VIEW_ITEMS} i JOIN {VIEW_ORDERS} o ON o.order_id = i.order_id"
        " ORDER BY o.account_id, i.order_id, i.position",
        f"DROP TABLE {VIEW_ITEMS}",
        f"DROP TABLE {VIEW_ORDERS}",
        f"ALTER TABLE {VIEW_ORDERS}_v7 RENAME TO {VIEW_ORDERS}",
        f"ALTER TABLE {VIEW_ITEMS}_v7 RENAME TO {VIEW_ITEMS}",
        *(
            [f"CREATE UNIQUE INDEX {VIEW_ORDERS}_id ON {VIEW_ORDERS} (order_id)"]
            if sqlite
            else [listing]
        ),
        f"CREATE INDEX {VIEW_ORDERS}_finalized ON {VIEW_ORDERS} (account_id, finalized_at)",
    ]


_V8_ACTIVE_COLUMNS = (
    "account_id, number, stage, locked_reason, order_id, item_id, status, kind, number_type,"
    " activated_at"
)
_V8_ACTIVE_SHOWN = "locked_reason, order_id, item_id, status, kind, number_type, activated_at"


def _active_columns(text: str, ts: str) -> str:
    """The Active Numbers table's columns (migrations 6 and 8 make the same table)."""
    return (
        f"account_id {text} NOT NULL, number {text} NOT NULL, stage TEXT NOT NULL,"
        f" locked_reason TEXT, order_id {text}, item_id {text}, status TEXT, kind TEXT,"
        f" number_type TEXT, activated_at {ts}"
    )


def v8_statements(d: Dialect) -> list[str]:
    """Migration 8: an account's Active Numbers rows are kept together too.

    Migration 7 left this table as it was: on SQLite a rowid table whose key
    ``(account_id, number)`` is a separate index, on PostgreSQL a heap in
    write order.  A never-asked account's first page then read each of its
    50 rows from wherever it had been written (25 heap pages read from disk,
    18 ms, for one ordinary account of a 1,000,000-order PostgreSQL database).
    Now SQLite clusters the table by ``(account_id, number)`` (``WITHOUT
    ROWID``) and PostgreSQL's key and stage index carry every column a page
    shows (``INCLUDE``), with the rows copied in key order.
    """
    ts, text, sqlite = _types(d)
    key = (
        " PRIMARY KEY (account_id, number)) WITHOUT ROWID"
        if sqlite
        else f" PRIMARY KEY (account_id, number) INCLUDE (stage, {_V8_ACTIVE_SHOWN}))"
    )
    stage_include = "" if sqlite else f" INCLUDE ({_V8_ACTIVE_SHOWN})"
    return [
        f"CREATE TABLE {ACTIVE}_v8 ({_active_columns(text, ts)}," + key,
        f"INSERT INTO {ACTIVE}_v8 ({_V8_ACTIVE_COLUMNS}) SELECT {_V8_ACTIVE_COLUMNS}"
        f" FROM {ACTIVE} ORDER BY account_id, number",
        f"DROP TABLE {ACTIVE}",
        f"ALTER TABLE {ACTIVE}_v8 RENAME TO {ACTIVE}",
        f"CREATE INDEX {ACTIVE}_number ON {ACTIVE} (number)",
        f"CREATE INDEX {ACTIVE}_stage ON {ACTIVE} (account_id, stage, number){stage_include}",
    ]


def v9_statements(d: Dialect) -> list[str]:
    """Migration 9: an account's item rows are kept in listing order.

    Migration 7 keyed them by (account, order, position), and order ids say
    nothing of when an order was placed: a page's 500 item rows of an account
    holding 100,000 lay in 50 places across its item rows, and a never-asked
    page of a big account whose file was not in the operating system's cache
    took 12-33 ms on SQLite, reading each place from disk.  Keyed by the
    order's place in the listing (account, created_at, seq) and position, a
    page's item rows lie together, as its order rows do.  PostgreSQL's key
    carries every column a page shows, as before.
    """
    ts, text, sqlite = _types(d)
    key = (
        " PRIMARY KEY (account_id, created_at, seq, position)) WITHOUT ROWID"
        if sqlite
        else f" PRIMARY KEY (account_id, created_at, seq, position) INCLUDE ({_PAGE_ITEM_COLUMNS}))"
    )
    return [
        f"CREATE TABLE {VIEW_ITEMS}_v9 (account_id {text} NOT NULL, created_at {ts} NOT NULL,"
        f" seq BIGINT NOT NULL, order_id {text} NOT NULL, {_ITEM_COLUMNS}," + key,
        f"INSERT INTO {VIEW_ITEMS}_v9 ({_V9_ITEM_COLUMNS}) SELECT i.account_id, o.created_at,"
        " o.seq, i.order_id, i.position, i.item_id, i.number, i.kind, i.number_type, i.status,"
        " i.delivery_kind, i.delivery_text, i.delivery_date, i.latest_note"
        f" FROM {VIEW_ITEMS} i JOIN {VIEW_ORDERS} o ON o.order_id = i.order_id"
        " ORDER BY i.account_id, o.created_at, o.seq, i.position",
        f"DROP TABLE {VIEW_ITEMS}",
        f"ALTER TABLE {VIEW_ITEMS}_v9 RENAME TO {VIEW_ITEMS}",
    ]


#: What an Orders tab page reads of an order finished within its grace period,
#: besides the index's key (migration 10).
_FINALIZED_SHOWN = "order_id, created_at, seq, status, item_count, reference"


def v10_statements(d: Dialect) -> list[str]:
    """Migration 10: the finished orders still on the Orders tab are found in one index.

    An Orders tab page asks for the orders finished within their grace period
    (``item_count = 1 AND finalized_at > ?`` by default).  The index on
    ``(account_id, finalized_at)`` found them, but each row it matched was
    read from the table to test ``item_count``: 273 rows of the big account's
    last week, 223 pages, 14 of them from disk on a cold server (2.1 ms of
    the query's execution).  Now the index carries what the page reads and
    tests, so that part of the query is answered from a few index pages (12
    pages in all for the query, 0.9 ms, PostgreSQL cold).  SQLite's secondary
    index holds the table's key (account, open, created_at, seq) already; the
    rest joins its columns.
    """
    _, _, sqlite = _types(d)
    index = (
        f"CREATE INDEX {VIEW_ORDERS}_finalized ON {VIEW_ORDERS}"
        " (account_id, finalized_at, item_count, status, order_id, reference)"
        if sqlite
        else f"CREATE INDEX {VIEW_ORDERS}_finalized ON {VIEW_ORDERS}"
        f" (account_id, finalized_at) INCLUDE ({_FINALIZED_SHOWN})"
    )
    return [f"DROP INDEX {VIEW_ORDERS}_finalized", index]


def fill_after_reshape(session: Session) -> None:
    """Migration 9's data step: project every order when the read model is empty.

    A database at schema 6 or later had its rows copied by the statements.
    One older than 6 reaches here with empty tables (migration 6 only creates
    them), and its orders are projected now, in the rows' newest shape.
    """
    if session.query(f"SELECT 1 FROM {VIEW_ORDERS} LIMIT 1"):
        return
    if not session.query(f"SELECT 1 FROM {_ORDERS} LIMIT 1"):
        return
    rebuild(session)


# -- staging and writing ------------------------------------------------------------


@attrs.define
class ViewStager:
    """What a unit of work's commit must bring into the read model."""

    orders: dict[str, tuple[OrderRow, dict[str, NumberSource | None]]] = attrs.Factory(dict)
    items: dict[str, dict[int, ItemFacts]] = attrs.Factory(dict)
    inventory: dict[str, InventoryNumber] = attrs.Factory(dict)
    #: Orders added by this unit of work, never stored (:meth:`new_order`): their
    #: item rows as written, and their source rows short of the stored times.
    new: dict[str, tuple[OrderRow, list[tuple[Any, ...]], list[tuple[Any, ...]]]] = attrs.Factory(
        dict
    )

    def order(self, order: Order, changed_item_ids: Iterable[str]) -> None:
        """Stage ``order`` as saved, with the items this save wrote."""
        if self.new.pop(order.order_id, None) is not None:
            # Added and saved again in one unit of work: none of its rows is
            # stored yet, so every item is written, not only the changed ones.
            changed_item_ids = [item.item_id for item in order.items]
        row, sources, facts = project_order(order, changed_item_ids)
        staged = self.orders.get(row.order_id)
        merged = dict(staged[1]) if staged is not None else {}
        merged.update(sources)
        self.orders[row.order_id] = (row, merged)
        self.items.setdefault(row.order_id, {}).update((f.position, f) for f in facts)

    def new_order(self, order: Order) -> None:
        """Stage ``order`` as added: an order never stored, every item written.

        Its rows are built here as the tuples the commit writes (issue 17: a
        10,000-item order), and :func:`flush` knows no row of it is stored.
        """
        order_id = order.order_id
        if order_id in self.orders or order_id in self.new:
            self.order(order, [item.item_id for item in order.items])
            return
        row, projected = project_new_order(order)
        account = row.account_id
        kinds, types, statuses = _KIND_VALUES, _TYPE_VALUES, _STATUS_VALUES
        items: list[tuple[Any, ...]] = []
        sources: list[tuple[Any, ...]] = []
        for position, item, delivery, note, effect, stage, reason, activated in projected:
            number = item.number
            kind, number_type, status = (
                kinds[item.kind],
                types[item.number_type],
                statuses[item.status],
            )
            if delivery is None:
                shown: tuple[Any, Any, Any] = (None, None, None)
            else:
                when = delivery.date
                shown = (
                    _DELIVERY_VALUES[delivery.kind],
                    delivery.text,
                    None if when is None else when.isoformat(),
                )
            items.append(
                (
                    account,
                    order_id,
                    position,
                    item.item_id,
                    number,
                    kind,
                    number_type,
                    status,
                    *shown,
                    note,
                )
            )
            if number is not None:
                # In ``_INSERT_SOURCE``'s order, less ``created_at`` and ``seq``
                # (the flush adds them), the times still datetimes.
                sources.append(
                    (
                        order_id,
                        item.item_id,
                        account,
                        number,
                        position,
                        effect,
                        kind,
                        number_type,
                        status,
                        _STAGE_VALUES[stage],
                        reason,
                        activated,
                        item.finalized_at,
                    )
                )
        self.new[order_id] = (row, items, sources)

    def record(self, record: object) -> None:
        """Stage a record as saved: inventory records feed Active Numbers, others nothing."""
        if isinstance(record, InventoryNumber):
            self.inventory[record.number] = record

    def clear(self) -> None:
        self.orders.clear()
        self.items.clear()
        self.inventory.clear()
        self.new.clear()

    def __bool__(self) -> bool:
        return bool(self.orders or self.inventory or self.new)


# The order's storage sequence, read inside the statement: the commit assigned
# it a moment ago, and asking for it would cost a round trip.
_SEQ = f"(SELECT seq FROM {_ORDERS} WHERE order_id = ?)"


def _upsert(
    table: str,
    columns: str,
    key: tuple[str, ...],
    *,
    values: str | None = None,
    keep: tuple[str, ...] = (),
) -> str:
    """``INSERT`` of ``columns`` that updates, on a conflict over ``key``, every
    column but the key's and those in ``keep``."""
    names = columns.split(", ")
    updated = ", ".join(f"{c} = excluded.{c}" for c in names if c not in key and c not in keep)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({values or ', '.join('?' * len(names))})"
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updated}"
    )


_UPSERT_ORDER = _upsert(
    VIEW_ORDERS,
    _V7_ORDER_COLUMNS,
    ("order_id",),
    values=f"?, ?, ?, {_SEQ}, ?, ?, ?, ?, ?",
    # An order's account and place in the listing never change.
    keep=("account_id", "created_at", "seq"),
)
_ITEM_KEY = ("account_id", "created_at", "seq", "position")
# A saved order's item rows: its sequence read inside the statement, as the
# order row's is.  A new order's: the flush read its sequence already.
_UPSERT_ITEM = _upsert(
    VIEW_ITEMS, _V9_ITEM_COLUMNS, _ITEM_KEY, values=f"?, ?, {_SEQ}, {', '.join('?' * 11)}"
)
# A new order's item rows are built before its sequence is known (``new_order``,
# in migration 7's column order), and the flush appends their order's place.
_INSERT_NEW_ITEM = _upsert(VIEW_ITEMS, f"{_V7_ITEM_COLUMNS}, created_at, seq", _ITEM_KEY)
_SOURCE_COLUMNS = (
    "order_id, item_id, account_id, number, created_at, seq, position, effect, kind,"
    " number_type, status, stage, locked_reason, activated_at, finalized_at"
)
# Upserts, not a delete and an insert: a saved item's row is mostly there
# already (a bulk batch rewrites thousands), and an update in place leaves the
# key's index entry alone.
_INSERT_SOURCE = _upsert(
    SOURCES,
    _SOURCE_COLUMNS,
    ("order_id", "item_id"),
    values=f"?, ?, ?, ?, ?, {_SEQ}, {', '.join('?' * 9)}",
)
_INSERT_NEW_SOURCE = f"INSERT INTO {SOURCES} ({_SOURCE_COLUMNS}) VALUES ({', '.join('?' * 15)})"
_DELETE_SOURCE = f"DELETE FROM {SOURCES} WHERE order_id = ? AND item_id = ?"
# An upsert: a number's row is replaced in place when it is decided again.
_INSERT_ACTIVE = _upsert(ACTIVE, _V8_ACTIVE_COLUMNS, ("account_id", "number"))
_DELETE_ACTIVE = f"DELETE FROM {ACTIVE} WHERE account_id = ? AND number = ?"


def _sequences(session: Session, order_ids: Sequence[str]) -> dict[str, int]:
    """The storage sequence of each of ``order_ids`` (stored by this commit)."""
    out: dict[str, int] = {}
    for chunk in _chunks(order_ids, 500):
        for order_id, seq in session.query(
            f"SELECT order_id, seq FROM {_ORDERS} WHERE order_id IN ({_marks(len(chunk))})",
            chunk,
        ):
            out[str(order_id)] = int(seq)
    return out


def _write(session: Session, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    # executemany: psycopg pipelines the rows; SQLite sends a plain insert's rows
    # as multi-row statements (``sqlite._SqliteSession.executemany``).
    if rows:
        session.executemany(sql, rows)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def flush(session: Session, staged: ViewStager, *, fresh: bool = False) -> None:
    """Bring the read model up to date with ``staged`` (inside the commit's transaction,
    after the order and record rows are written).

    With ``fresh``, every staged order was just inserted whole: none has rows
    in the read model yet, so none of their rows are deleted first.
    """
    if not staged:
        return
    to_db = session.dialect.to_db_time

    def db(value: datetime | None) -> Any:
        return None if value is None else to_db(value)

    touched: set[tuple[str, str]] = set()
    keys = sorted([*staged.orders, *staged.new])
    order_rows: list[Sequence[Any]] = []
    item_rows: list[Sequence[Any]] = []
    new_item_rows: list[Sequence[Any]] = []
    deletes: list[Sequence[Any]] = []
    inserts: list[Sequence[Any]] = []
    # (account, number) -> the source row of a new order that decides it.  Two
    # new orders of one commit deciding one number keep one row here: the
    # probe of ``_settle_new`` finds the other's source, and the number is
    # decided as any other.
    deciding_new: dict[tuple[str, str], tuple[Any, ...]] = {}
    new_inserts: list[Sequence[Any]] = []
    # A new order's sequence is read once, not once per source row (``_SEQ``).
    seqs = _sequences(session, sorted(staged.new))
    for order_id in keys:
        new = staged.new.get(order_id)
        if new is not None:
            row, rows, sources_of_new = new
        else:
            row, sources = staged.orders[order_id]
        order_rows.append(
            (
                order_id,
                row.account_id,
                to_db(row.created_at),
                order_id,
                row.status.value,
                row.item_count,
                1 if row.finalized_at is None else 0,
                db(row.finalized_at),
                row.reference,
            )
        )
        if new is not None:
            # Never stored: no source row of it to delete first.
            created = to_db(row.created_at)
            seq = seqs[order_id]
            placed = (created, seq)
            new_item_rows.extend([item + placed for item in rows])
            for source_row in sources_of_new:
                (_, item_id, account, number, position, effect, kind, number_type, status,
                 stage, reason, activated, finalized) = source_row  # fmt: skip
                new_inserts.append(
                    (
                        order_id,
                        item_id,
                        account,
                        number,
                        created,
                        seq,
                        position,
                        effect,
                        kind,
                        number_type,
                        status,
                        stage,
                        reason,
                        db(activated),
                        db(finalized),
                    )
                )
                # An item that decides nothing (cancelled, a disconnect under way)
                # leaves its number's Active Numbers row as it is.
                if effect != "none":
                    deciding_new[(account, number)] = source_row
            continue
        created = to_db(row.created_at)
        for facts in staged.items.get(order_id, {}).values():
            delivery = facts.delivery
            item_rows.append(
                (
                    row.account_id,
                    created,
                    order_id,  # for the sequence
                    order_id,
                    facts.position,
                    facts.item_id,
                    facts.number,
                    facts.kind.value,
                    facts.number_type.value,
                    facts.status.value,
                    None if delivery is None else delivery.kind.value,
                    None if delivery is None else delivery.text,
                    None
                    if delivery is None or delivery.date is None
                    else delivery.date.isoformat(),
                    facts.latest_note,
                )
            )
        if not sources:
            continue
        # An item's number is set at placement (or assigned once to a new
        # number) and never changes, so only the numbers saved now are touched:
        # no read of what was stored before.
        for item_id in sorted(sources):
            source = sources[item_id]
            if source is None:
                deletes.append((order_id, item_id))
                continue
            touched.add((row.account_id, source.number))
            inserts.append(
                (
                    order_id,
                    item_id,
                    row.account_id,
                    source.number,
                    to_db(row.created_at),
                    order_id,
                    source.position,
                    source.effect,
                    _KIND_VALUES[source.kind],
                    _TYPE_VALUES[source.number_type],
                    _STATUS_VALUES[source.status],
                    _STAGE_VALUES[source.stage],
                    source.locked_reason,
                    db(source.activated_at),
                    db(source.finalized_at),
                )
            )
    _write(session, _UPSERT_ORDER, order_rows)
    _write(session, _UPSERT_ITEM, item_rows)
    _write(session, _INSERT_NEW_ITEM, new_item_rows)
    if not fresh:
        _write(session, _DELETE_SOURCE, deletes)
    _write(session, _INSERT_SOURCE, inserts)
    _write(session, _INSERT_NEW_SOURCE, new_inserts)
    numbers = sorted(staged.inventory)
    for chunk in _chunks(numbers):
        for account_id, number in session.query(
            f"SELECT account_id, number FROM {ACTIVE} WHERE number IN ({_marks(len(chunk))})",
            chunk,
        ):
            touched.add((str(account_id), str(number)))
    for record in staged.inventory.values():
        for account in (record.account_id, record.returned_from):
            if account is not None:
                touched.add((account, record.number))
    if deciding_new:
        _settle_new(session, deciding_new, touched)
    _recompute(session, touched, staged.inventory)
    staged.clear()


def _settle_new(
    session: Session,
    deciding_new: dict[tuple[str, str], tuple[Any, ...]],
    touched: set[tuple[str, str]],
) -> None:
    """Write the Active Numbers rows of numbers a new order decides (issue 17).

    A new order's item decides its number when no other order of the account
    has a deciding source for it (a number seen before is decided by the
    newest, so it joins ``touched`` for :func:`_recompute`).  What it decides
    then does not depend on the inventory: "remove" removes the number, and
    "show" shows the item (a return to inventory counts only after an item
    finished, and such an item joins ``touched`` too).  So most numbers of a
    bulk order take one index probe and one upsert, instead of a ranking query,
    an inventory read, a delete and an insert each.
    """
    to_db = session.dialect.to_db_time
    alone: dict[tuple[str, str], tuple[Any, ...]] = {}
    for pair, row in deciding_new.items():
        if pair in touched or (row[5] == "show" and row[12] is not None):
            touched.add(pair)
        else:
            alone[pair] = row
    pairs = sorted(alone)
    for chunk in _chunks(pairs, 500):
        marks = ", ".join(["(?, ?, ?)"] * len(chunk))
        params = [v for pair in chunk for v in (*pair, alone[pair][0])]
        for account, number in session.query(
            f"SELECT DISTINCT s.account_id, s.number FROM (VALUES {marks}) v JOIN {SOURCES} s"
            " ON s.account_id = v.column1 AND s.number = v.column2"
            " WHERE s.order_id <> v.column3 AND s.effect <> 'none'",
            params,
        ):
            pair = (str(account), str(number))
            del alone[pair]
            touched.add(pair)
    shown: list[Sequence[Any]] = []
    removed: list[Sequence[Any]] = []
    for pair in pairs:
        found = alone.get(pair)
        if found is None:
            continue
        (order_id, item_id, account, number, _, effect, kind, number_type, status, stage,
         reason, activated, _) = found  # fmt: skip
        if effect == "remove":
            removed.append(pair)
        else:  # what ``decide_active`` shows for its deciding item
            activated_at = None if activated is None else to_db(activated)
            shown.append(
                (
                    account,
                    number,
                    stage,
                    reason,
                    order_id,
                    item_id,
                    status,
                    kind,
                    number_type,
                    activated_at,
                )
            )
    _write(session, _DELETE_ACTIVE, removed)
    _write(session, _INSERT_ACTIVE, shown)


def _source(row: Sequence[Any]) -> NumberSource:
    (order_id, item_id, number, position, effect, kind, number_type, status, stage, reason,
     activated, finalized) = row  # fmt: skip
    # Enum calls cost microseconds each and a bulk batch decides thousands of
    # numbers: stored values are looked up (anything else goes to the enum,
    # which refuses it as before).
    return NumberSource(
        order_id=str(order_id),
        item_id=str(item_id),
        number=str(number),
        position=int(position),
        effect=effect,
        kind=_KINDS.get(kind) or OrderKind(kind),
        number_type=_TYPES.get(number_type) or NumberType(number_type),
        status=_STATUSES.get(status) or ItemStatus(status),
        stage=_STAGES.get(stage) or ActivationStage(stage),
        locked_reason=reason,
        activated_at=_from_db(activated),
        finalized_at=_from_db(finalized),
    )


def _inventory(session: Session, numbers: Sequence[str]) -> dict[str, InventoryNumber]:
    from ._rows import decode_record  # the row codec imports the serializer: load it late

    out: dict[str, InventoryNumber] = {}
    for key, version, body in session.query(
        f"SELECT key, version, body FROM {_INVENTORY} WHERE key IN ({_marks(len(numbers))})",
        numbers,
    ):
        try:
            out[str(key)] = decode_record(INVENTORY, key, version, body)
        except SerializationError:
            continue  # an unreadable record decides nothing; reading it reports the row
    return out


def _recompute(
    session: Session,
    touched: set[tuple[str, str]],
    known: Mapping[str, InventoryNumber] | None = None,
) -> None:
    """Rewrite the Active Numbers rows of each (account, number) in ``touched``.

    ``known`` holds inventory records this commit has just written (issue 17:
    a bulk batch stocks thousands): they are used as they are, not read back.

    Pairs go 200 to a query (one for the deciding sources, one for the
    inventory records), whatever their accounts: a bulk insert touches
    thousands of accounts once each.
    """
    to_db = session.dialect.to_db_time
    deletes: list[Sequence[Any]] = []
    inserts: list[Sequence[Any]] = []
    for chunk in _chunks(sorted(touched)):
        deciding: dict[tuple[str, str], NumberSource] = {}
        pairs = ", ".join(["(?, ?)"] * len(chunk))
        for account, *row in session.query(
            "SELECT account_id, order_id, item_id, number, position, effect, kind, number_type,"
            " status, stage, locked_reason, activated_at, finalized_at FROM ("
            " SELECT s.*, ROW_NUMBER() OVER (PARTITION BY account_id, number"
            " ORDER BY created_at DESC, seq DESC, position DESC) AS newest"
            f" FROM (VALUES {pairs}) v JOIN {SOURCES} s"
            " ON s.account_id = v.column1 AND s.number = v.column2"
            " WHERE effect <> 'none') ranked WHERE newest = 1",
            [value for pair in chunk for value in pair],
        ):
            source = _source(row)
            deciding[(str(account), source.number)] = source
        wanted = sorted({number for _, number in chunk})
        records = {n: known[n] for n in wanted if known is not None and n in known}
        unknown = [n for n in wanted if n not in records]
        if unknown:
            records.update(_inventory(session, unknown))
        for account, number in chunk:
            active = decide_active(
                account, number, deciding.get((account, number)), records.get(number)
            )
            if active is None:
                deletes.append((account, number))
            else:
                inserts.append(
                    (
                        account,
                        number,
                        _STAGE_VALUES[active.stage],
                        active.locked_reason,
                        active.order_id,
                        active.item_id,
                        None if active.status is None else _STATUS_VALUES[active.status],
                        None if active.kind is None else _KIND_VALUES[active.kind],
                        None if active.number_type is None else _TYPE_VALUES[active.number_type],
                        None if active.activated_at is None else to_db(active.activated_at),
                    )
                )
    _write(session, _DELETE_ACTIVE, deletes)
    _write(session, _INSERT_ACTIVE, inserts)


def project_new_orders(session: Session, orders: Iterable[Order]) -> None:
    """Project orders just inserted whole (seeding, migration): every item counts."""
    staged = ViewStager()
    for order in orders:
        staged.order(order, [item.item_id for item in order.items])
    flush(session, staged, fresh=True)


def rebuild(session: Session) -> None:
    """Empty the read model and project every stored order and inventory record again
    (inside a transaction).  Migration 6 runs it; nothing else needs to: the rows
    hold no policy, so a changed ``VisibilityPolicy`` is read at query time."""
    from ._sql import SqlUnitOfWork  # _sql imports this module

    for table in (VIEW_ORDERS, VIEW_ITEMS, SOURCES, ACTIVE):
        session.execute(f"DELETE FROM {table}")
    keys = [str(k) for (k,) in session.query(f"SELECT order_id FROM {_ORDERS} ORDER BY seq")]
    for chunk in _chunks(keys):
        # The migration passes the full ``_sql.Session``; this module only declares
        # the part it uses.
        uow = SqlUnitOfWork(session)  # type: ignore[arg-type]
        loaded = []
        for key in chunk:
            try:
                loaded.append(uow.orders.get(key))
            except SerializationError:
                continue  # an unreadable order stays out of the views; reading it reports it
        project_new_orders(session, loaded)
    staged = ViewStager()
    if not session.table_columns(_INVENTORY):
        return  # a new database: the record tables come after the migrations
    numbers = [str(k) for (k,) in session.query(f"SELECT key FROM {_INVENTORY} ORDER BY key")]
    for chunk in _chunks(numbers):
        for record in _inventory(session, chunk).values():
            staged.record(record)
        flush(session, staged)


# -- queries ----------------------------------------------------------------------


def _tab_branches(
    policy: VisibilityPolicy, now: datetime, to_db: Any
) -> list[tuple[str, list[Any]]]:
    """SQL conditions (with params) under which a finished order is still on the tab."""
    out: list[tuple[str, list[Any]]] = []
    for multi, cancelled_too, grace in grace_classes(policy):
        cond = "item_count > 1" if multi else "item_count = 1"
        if not cancelled_too:
            cond += f" AND status <> '{OrderStatus.CANCELLED.value}'"
        out.append((f"({cond} AND finalized_at > ?)", [to_db(now - grace)]))
    return out


class SqlViewQueries:
    """Page queries over the read model, on one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _order_sql(
        self,
        columns: str,
        account_id: str,
        *,
        history: bool,
        now: datetime,
        policy: VisibilityPolicy,
        after: tuple[datetime, int] | None,
        limit: int,
        status: OrderStatus | None,
        search: str | None,
        created_from: datetime | None,
        created_to: datetime | None,
    ) -> tuple[str, list[Any]]:
        """The keyset query of an order page selecting ``columns`` of its rows, oldest first."""
        to_db = self._session.dialect.to_db_time
        where = ["account_id = ?"]
        params: list[Any] = [account_id]
        if after is not None:
            where.append("(created_at, seq) > (?, ?)")
            params += [to_db(after[0]), after[1]]
        if status is not None:
            where.append("status = ?")
            params.append(status.value)
        if created_from is not None:
            where.append("created_at >= ?")
            params.append(to_db(created_from))
        if created_to is not None:
            where.append("created_at < ?")
            params.append(to_db(created_to))
        if search:
            where.append(
                "((order_id >= ? AND order_id < ?) OR EXISTS (SELECT 1 FROM"
                f" {SOURCES} s WHERE s.order_id = o.order_id AND s.number >= ? AND s.number < ?))"
            )
            params += [search, search + _TOP, search, search + _TOP]
        branches = _tab_branches(policy, now, to_db)
        select = f"SELECT {columns} FROM {VIEW_ORDERS} o WHERE "
        tail = " ORDER BY created_at, seq LIMIT ?"
        base = " AND ".join(where)
        if history:
            sql = f"{select}{base} AND is_open = 0"
            extra: list[Any] = []
            for cond, values in branches:
                sql += f" AND NOT {cond}"
                extra += values
            return sql + tail, [*params, *extra, limit]
        # Open orders, and finished ones still in their grace period: two
        # index range scans merged, rather than one scan that filters.
        parts = [(f"{select}{base} AND is_open = 1{tail}", [*params, limit])]
        for cond, values in branches:
            # No ORDER BY here: the few orders finished within a grace period
            # are found by the (account_id, finalized_at) index and sorted
            # with the open ones; ordering them here would tempt a planner
            # into walking every finished order of the account in page order.
            parts.append((f"{select}{base} AND {cond}", [*params, *values]))
        if len(parts) == 1:
            return parts[0]
        sql = " UNION ALL ".join(f"SELECT * FROM ({p}) AS b{i}" for i, (p, _) in enumerate(parts))
        return (
            f"SELECT * FROM ({sql}) AS merged ORDER BY created_at, seq LIMIT ?",
            [*(v for _, vs in parts for v in vs), limit],
        )

    def summary_page(
        self,
        account_id: str,
        builder: SummaryBuilder,
        *,
        history: bool,
        now: datetime,
        policy: VisibilityPolicy,
        after: tuple[datetime, int] | None,
        limit: int,
        status: OrderStatus | None = None,
        search: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> tuple[list[tuple[OrderSummary, int]], bool]:
        """The summaries (built by ``builder``) of up to ``limit`` orders after
        ``after``, oldest first, on the Orders tab (or in Order History with
        ``history``), each with its storage sequence (the cursor's tie-breaker),
        and whether more orders follow.

        Two statements: the page's order rows, then their item rows.  Joining
        them in one would repeat each order's columns on each of its items,
        and turning those repeats into Python values costs more than the
        second round trip (see ``docs/views.md``, "How fast").
        """
        page, params = self._order_sql(
            _PAGE_COLUMNS,
            account_id,
            history=history,
            now=now,
            policy=policy,
            after=after,
            limit=limit + 1,
            status=status,
            search=search,
            created_from=created_from,
            created_to=created_to,
        )
        session = self._session
        # Planned for this account each time: PostgreSQL's plan cached for any
        # account took 3.2 ms against 0.9 ms planned afresh, for the Orders tab
        # of an account with 10,000 orders (see ``docs/performance.md``).
        orders = session.query(page, params, prepare=False)
        more = len(orders) > limit
        del orders[limit:]
        if not orders:
            return [], more
        ids = [order_id for order_id, *_ in orders]
        placed: list[Any] = []
        for _, _, created, seq, *_ in orders:
            placed += (created, seq)
        # Enum calls cost microseconds each; a page decodes hundreds of items.
        kinds, types, statuses = _KINDS, _TYPES, _STATUSES
        displays: dict[tuple[Any, Any, Any], DeliveryDisplay] = {}
        items: dict[Any, list[ItemRow]] = {order_id: [] for order_id in ids}
        current: Any = None
        shown: list[ItemRow] = []
        for (
            order_id,
            item_id,
            number,
            kind,
            number_type,
            item_status,
            d_kind,
            d_text,
            d_date,
            note,
        ) in session.query(
            # One seek per order into the account's rows in listing order (the
            # key of migration 9): the page's item rows lie together.
            f"SELECT {_PAGE_ITEMS} FROM (VALUES {', '.join(['(?, ?)'] * len(orders))}) AS p"
            f" CROSS JOIN {VIEW_ITEMS} i WHERE i.account_id = ? AND i.created_at = p.column1"
            " AND i.seq = p.column2 ORDER BY i.created_at, i.seq, i.position",
            [*placed, account_id],
            # PostgreSQL's plan for any account expects a few rows per account
            # and would walk the whole key range of one holding 100,000 items.
            prepare=False,
        ):
            if order_id != current:
                current = order_id
                shown = items[order_id]
            delivery = None
            if d_kind is not None:
                key = (d_kind, d_text, d_date)
                delivery = displays.get(key)
                if delivery is None:
                    delivery = displays[key] = DeliveryDisplay(
                        DeliveryKind(d_kind),
                        str(d_text),
                        None if d_date is None else date.fromisoformat(d_date),
                    )
            shown.append(
                (
                    item_id,
                    number,
                    kinds[kind],
                    types[number_type],
                    statuses[item_status],
                    delivery,
                    note,
                )
            )
        out: list[tuple[OrderSummary, int]] = []
        order_statuses = _ORDER_STATUSES
        for order_id, account, created, seq, order_status, count, finalized, reference in orders:
            at = _from_db(created)
            assert at is not None
            row = OrderRow(
                order_id=str(order_id),
                account_id=str(account),
                created_at=at,
                status=order_statuses[order_status],
                item_count=int(count),
                finalized_at=_from_db(finalized),
                reference=reference,
            )
            out.append((builder.summary(row, items[order_id]), int(seq)))
        return out, more

    def active_page(
        self,
        account_id: str,
        *,
        now: datetime,
        policy: VisibilityPolicy,
        after: str | None,
        limit: int,
        stage: ActivationStage | None = None,
        tag: ActivationTag | None = None,
        number_prefix: str | None = None,
    ) -> list[ActiveRow]:
        """Up to ``limit`` Active Numbers rows of the account after number ``after``."""
        to_db = self._session.dialect.to_db_time
        where: list[str] = []
        params: list[Any] = []
        if after is not None:
            where.append("number > ?")
            params.append(after)
        if number_prefix:
            where.append("number >= ? AND number < ?")
            params += [number_prefix, number_prefix + _TOP]
        staged = stage is not None or tag is not None
        if stage is not None:
            where.append("stage = ?")
            params.append(stage.value)
        post = ActivationStage.POST_ACTIVATION.value
        newly = "kind = 'port_in' AND activated_at IS NOT NULL AND activated_at > ?"
        if tag is ActivationTag.NOT_ACTIVE:
            where.append("stage = ?")
            params.append(ActivationStage.PRE_ACTIVATION.value)
        elif tag is not None:
            where.append("stage = ?")
            params.append(post)
            period = policy.newly_ported_period
            if tag is ActivationTag.NEWLY_PORTED:
                if not period:
                    return []
                where.append(newly)
                params.append(to_db(now - period))
            elif period:
                where.append(f"NOT ({newly})")
                params.append(to_db(now - period))
        if staged or self._session.dialect.name != "postgresql":
            # (account_id, stage, number) serves a stage filter and the order
            # exactly; SQLite picks the primary key for an unfiltered page.
            where.insert(0, "account_id = ?")
            params.insert(0, account_id)
            order = "number"
        else:
            # The account as a range, ordered by (account_id, number): only the
            # primary key gives that order.  With ``account_id = ?`` and ORDER BY
            # number, PostgreSQL may walk the (number) index instead, filtering
            # by account: for an account holding most of the numbers it guesses
            # the first 50 come at once, and read 28,551 rows (47 ms) when the
            # account's numbers sorted after the others'.  (SQLite would seek
            # only on the range and walk the account up to a later page's cursor.)
            where.insert(0, "account_id >= ? AND account_id <= ?")
            params[:0] = [account_id, account_id]
            order = "account_id, number"
        rows = self._session.query(
            "SELECT number, stage, locked_reason, order_id, item_id, status, kind, number_type,"
            f" activated_at FROM {ACTIVE} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?",
            [*params, limit],
        )
        out: list[ActiveRow] = []
        for number, stage_value, reason, order_id, item_id, status, kind, kind_type, at in rows:
            out.append(
                ActiveRow(
                    account_id=account_id,
                    number=str(number),
                    stage=ActivationStage(stage_value),
                    locked_reason=reason,
                    order_id=order_id,
                    item_id=item_id,
                    status=None if status is None else ItemStatus(status),
                    kind=None if kind is None else OrderKind(kind),
                    number_type=None if kind_type is None else NumberType(kind_type),
                    activated_at=_from_db(at),
                )
            )
        return out
