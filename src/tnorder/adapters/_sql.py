"""Shared machinery of the SQL storages (SQLite and PostgreSQL).  Private.

Import ``tnorder.adapters.sqlite`` or ``tnorder.adapters.postgres`` instead.
This module holds what both databases do the same way: the schema and its
migrations, the unit of work that stages writes and applies them in one short
transaction with version checks, the repositories, and the decoding of stored
rows into objects (``SerializationError`` naming the row, never half an
object).  What differs (connections, error translation, timestamps, the
outbox claim) lives in each adapter behind :class:`Session`.

SQL here is written with ``?`` placeholders; the PostgreSQL session rewrites
them to ``%s``.  No statement contains a literal ``?`` or ``%``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

import attrs

from ..domain._checks import require_aware
from ..domain.carrier_request import CarrierRequest
from ..domain.claims import NumberClaim
from ..domain.documents import Document
from ..domain.events import Event
from ..domain.inputs import check_text
from ..domain.inventory import InventoryNumber
from ..domain.order import HistoryEntry, Order
from ..errors import (
    AlreadyExists,
    ConcurrencyConflict,
    NotFound,
    OrderNotFound,
    SerializationError,
    StorageError,
    ValidationError,
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
from ..serialization import dumps
from ._rows import (
    ItemRow,
    LazyItems,
    OrderRows,
    RawItem,
    assemble_order,
    check_find_fields,
    check_key_page,
    check_page,
    check_version,
    decode_entry,
    decode_event,
    decode_header,
    decode_order,
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
    summarize_rows,
)

# views: the dashboards' read model, written in the commit's transaction.
from ._views_sql import (
    SqlViewQueries,
    ViewStager,
    fill_after_reshape,
    project_new_orders,
    v6_statements,
    v7_statements,
    v8_statements,
    v9_statements,
    v10_statements,
)
from ._views_sql import flush as flush_views

__all__ = [
    "HISTORY",
    "ITEMS",
    "LATEST_SCHEMA",
    "MIGRATIONS_TABLE",
    "ORDERS",
    "OUTBOX",
    "PARKED_STREAMS",
    "POSTGRES_DIALECT",
    "SEQUENCES",
    "Dialect",
    "Session",
    "SqlStorage",
    "SqlUnitOfWork",
    "apply_rows",
    "bulk_insert_orders",
    "check_find_fields",
    "claim_rows",
    "decode_event",
    "decode_order",
    "decode_record",
    "drop_parked",
    "encode_event",
    "index_param",
    "insert_events",
    "mark_delivered",
    "migrate",
    "next_sequence",
    "next_version",
    "order_row",
    "park",
    "parked_rows",
    "pending_event_count",
    "record_not_found",
    "record_table",
    "require_text",
    "retry_parked",
    "schema_steps",
    "schema_version",
]

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound="_Connection")

ORDERS = "tnorder_orders"
ITEMS = "tnorder_order_items"
HISTORY = "tnorder_order_history"
OUTBOX = "tnorder_outbox"
MIGRATIONS_TABLE = "tnorder_schema_migrations"
SEQUENCES = "tnorder_sequences"
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


# -- the database seen through one connection ---------------------------------


@attrs.frozen
class Dialect:
    """What differs in the SQL text and values between databases.

    Attributes:
        name: ``"sqlite"`` or ``"postgresql"``.
        timestamp_type: the column type of timestamps.
        serial_key: the column definition of the outbox's ordering key.
        to_db_time: turns an aware datetime into that column's value.
        allows_nul: whether text values may contain NUL characters.
    """

    name: str
    timestamp_type: str
    serial_key: str
    to_db_time: Callable[[datetime], Any]
    allows_nul: bool


def _identity(value: datetime) -> datetime:
    return value


# Here rather than in ``postgres.py`` so that ``tnorder schema --dialect postgres``
# prints the DDL without psycopg installed.
POSTGRES_DIALECT = Dialect(
    name="postgresql",
    timestamp_type="TIMESTAMPTZ",
    serial_key="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    to_db_time=_identity,
    allows_nul=False,
)


class Session(Protocol):
    """One connection, used by one thread.  Foreign errors become ``StorageError``."""

    @property
    def dialect(self) -> Dialect: ...

    def query(
        self, sql: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[tuple[Any, ...]]:
        """Run a statement and return every row.

        ``prepare=False`` asks a server that caches plans to plan this
        statement for its values each time (SQLite plans per statement anyway).
        """
        ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and return the number of rows it changed."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: commits when the block ends, rolls back on an exception."""
        ...

    def table_columns(self, table: str) -> set[str]:
        """The column names of ``table`` (empty if it does not exist)."""
        ...

    def write_transaction(self) -> AbstractContextManager[None]:
        """The unit of work's commit transaction: like :meth:`transaction`, but its
        statements may be sent to the server together (see :meth:`execute_batch`)."""
        ...

    def execute_batch(
        self, statements: Sequence[tuple[str, Sequence[Sequence[Any]]]], *, results: bool
    ) -> list[int]:
        """Run each ``(sql, rows)`` once per parameter row, in order, inside
        :meth:`write_transaction`; with ``results``, wait for the server and
        return each statement's changed-row count (else an empty list: errors
        then surface when the transaction ends)."""
        ...


def _storable(session: Session, value: str, field: str) -> str:
    check_text(value, field)
    # PostgreSQL cannot store NUL in text; say so instead of failing in the driver.
    if not session.dialect.allows_nul and "\x00" in value:
        raise ValidationError(f"{field} must not contain a NUL character", field=field)
    return value


def _findable(session: Session, value: str) -> bool:
    """False when ``value`` can never have been stored (so the lookup finds nothing)."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no driver can send it
            return False
    return session.dialect.allows_nul or "\x00" not in value


# -- schema ------------------------------------------------------------------------


def record_table(spec: RecordSpec[Any]) -> str:
    """The table holding records of kind ``spec``."""
    if not _IDENTIFIER.match(spec.name):
        raise StorageError(f"record kind {spec.name!r} is not a safe SQL table name")
    return f"tnorder_{spec.name}"


# Cached: every staged record asks for each of its index columns (a bulk batch
# stocks thousands of numbers), and the answer depends on the name alone.
@functools.lru_cache(maxsize=256)
def _index_column(field: str) -> str:
    if not _IDENTIFIER.match(field):
        raise StorageError(f"index field {field!r} is not a safe SQL column name")
    return f"idx_{field}"


@attrs.frozen
class _Migration:
    version: int
    name: str
    statements: Callable[[Dialect], list[str]]
    # Data work after the statements (a backfill), in the same transaction.
    after: Callable[[Session], None] | None = None
    # What ``after`` amounts to on an empty database, as SQL: the schema script
    # (``tnorder schema``) runs these instead, so it builds what ``migrate`` builds.
    seed: tuple[str, ...] = ()


def _v1(d: Dialect) -> list[str]:
    return [
        f"CREATE TABLE {ORDERS} ("
        " order_id TEXT PRIMARY KEY,"
        " version INTEGER NOT NULL,"
        " account_id TEXT NOT NULL,"
        f" created_at {d.timestamp_type} NOT NULL,"
        f" finalized_at {d.timestamp_type},"
        " body TEXT NOT NULL)",
        # One index serves both dashboard queries: every order of an account,
        # and its open orders (NULL) plus those finalized since a time (range).
        f"CREATE INDEX {ORDERS}_account_finalized ON {ORDERS} (account_id, finalized_at)",
        f"CREATE TABLE {OUTBOX} ("
        f" position {d.serial_key},"
        " stream TEXT NOT NULL,"
        " event_id TEXT NOT NULL,"
        " payload TEXT NOT NULL)",
        f"CREATE INDEX {OUTBOX}_stream ON {OUTBOX} (stream, position)",
    ]


def _v2(_: Dialect) -> list[str]:
    return [
        # The storage-assigned sequence breaks ties between rows with the same
        # ``created_at`` (a fixed clock, a coarse clock): every adapter returns
        # them in the order they were first committed, never by a random id.
        f"ALTER TABLE {ORDERS} ADD COLUMN seq BIGINT",
        f"CREATE TABLE {SEQUENCES} (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    ]


def _v2_backfill(session: Session) -> None:
    # Orders written by 0.1 get sequence numbers in the order 0.1 showed them.
    rows = session.query(f"SELECT order_id FROM {ORDERS} ORDER BY created_at, order_id")
    for position, (order_id,) in enumerate(rows, start=1):
        session.execute(f"UPDATE {ORDERS} SET seq = ? WHERE order_id = ?", (position, order_id))
    session.execute(f"INSERT INTO {SEQUENCES} (name, value) VALUES (?, ?)", (ORDERS, len(rows)))


def _v3_outbox_parking(d: Dialect) -> list[str]:
    # Self-contained: it touches only the outbox, so it may run before or after
    # any other step.  Numbered 3 so that it never shares a number with the
    # concurrently added ordering-sequence step.  A 0.1 database gets the column
    # (NULL: nothing parked) the first time a newer tnorder opens it.
    return [
        f"ALTER TABLE {OUTBOX} ADD COLUMN parked_reason TEXT",
        # Parked rows are rare; this partial index finds their streams at once.
        f"CREATE INDEX {OUTBOX}_parked ON {OUTBOX} (stream) WHERE parked_reason IS NOT NULL",
    ]


def _v4_order_rows(d: Dialect) -> list[str]:
    # The order header stays in ``tnorder_orders`` (its ``body`` becomes the
    # header without items); items and history get tables of their own.
    return [
        f"CREATE TABLE {ITEMS} ("
        " order_id TEXT NOT NULL,"
        " item_id TEXT NOT NULL,"
        " position INTEGER NOT NULL,"
        " status TEXT NOT NULL,"
        " history_len INTEGER NOT NULL,"
        " body TEXT NOT NULL,"
        " last_entry TEXT,"
        " PRIMARY KEY (order_id, item_id))",
        # Loading an order reads its items in their order.
        f"CREATE INDEX {ITEMS}_position ON {ITEMS} (order_id, position)",
        f"CREATE TABLE {HISTORY} ("
        " order_id TEXT NOT NULL,"
        " item_id TEXT NOT NULL,"
        " pos INTEGER NOT NULL,"
        " body TEXT NOT NULL,"
        " PRIMARY KEY (order_id, item_id, pos))",
    ]


def _v4_backfill(session: Session) -> None:
    # Every whole-order document becomes its rows.  A row that cannot be
    # decoded is left exactly as it was: reading it reports the order as
    # before (SerializationError), and nothing stored is lost.
    keys = [row[0] for row in session.query(f"SELECT order_id FROM {ORDERS} ORDER BY order_id")]
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        rows = session.query(
            f"SELECT order_id, version, body FROM {ORDERS}"
            f" WHERE order_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        for key, version, body in rows:
            try:
                order = decode_order(key, version, body)
            except SerializationError:
                continue
            write_order_rows(session, key, rows_of_new_order(order), header=True)


def _v5_partial_loads(d: Dialect) -> list[str]:
    # Item rows say which order version wrote them, so a reader holding the
    # header of an older version knows a row read later is not its row (0:
    # written before, by a version every reader since the upgrade has seen).
    return [f"ALTER TABLE {ITEMS} ADD COLUMN written_version INTEGER NOT NULL DEFAULT 0"]


def _v5_backfill(session: Session) -> None:
    # Every header gets its item summary (status counts, latest final time)
    # from its item rows.  A header or item row that cannot be decoded is left
    # as it was: the order then reads all its items when asked, as before.
    keys = [row[0] for row in session.query(f"SELECT order_id FROM {ORDERS} ORDER BY order_id")]
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        marks = ", ".join("?" * len(chunk))
        headers = session.query(
            f"SELECT order_id, version, body FROM {ORDERS} WHERE order_id IN ({marks})", chunk
        )
        items: dict[str, list[tuple[Any, Any]]] = {}
        for order_id, status, last in session.query(
            f"SELECT order_id, status, last_entry FROM {ITEMS} WHERE order_id IN ({marks})",
            chunk,
        ):
            items.setdefault(order_id, []).append((status, last))
        for key, version, body in headers:
            try:
                summary = summarize_rows(key, items.get(key, []))
                _, header = decode_header(key, version, body)
            except SerializationError:
                continue
            if summary is None:
                continue  # a schema 3 row the migration 4 backfill could not read
            header.statuses, header.final_at = summary
            session.execute(
                f"UPDATE {ORDERS} SET body = ? WHERE order_id = ?", (dumps(header), key)
            )


MIGRATIONS: tuple[_Migration, ...] = (
    _Migration(1, "orders and outbox", _v1),
    _Migration(
        2,
        "storage-assigned sequence",
        _v2,
        _v2_backfill,
        seed=(f"INSERT INTO {SEQUENCES} (name, value) VALUES ('{ORDERS}', 0)",),
    ),
    _Migration(3, "outbox parking of undecodable events", _v3_outbox_parking),
    _Migration(4, "orders as header, item and history rows", _v4_order_rows, _v4_backfill),
    _Migration(5, "order headers summarise their items", _v5_partial_loads, _v5_backfill),
    # views: migration 6, the dashboards' read model.  Its rows were projected
    # here until migrations 7 and 9 changed their shape: projecting them now
    # writes the newest shape, so the last reshaping (9) does it.
    _Migration(6, "dashboard read model", v6_statements),
    _Migration(7, "dashboard rows kept together per account", v7_statements),
    _Migration(8, "Active Numbers rows kept together per account", v8_statements),
    _Migration(9, "item rows kept in listing order", v9_statements, fill_after_reshape),
    _Migration(10, "finished orders on the tab found in one index", v10_statements),
)
LATEST_SCHEMA = max(m.version for m in MIGRATIONS)


def _migrations_table_sql() -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
        " version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )


def _record_table_statements(spec: RecordSpec[Any], present: set[str]) -> list[str]:
    """What brings ``spec``'s table up to date, given the columns it has now."""
    table = record_table(spec)
    statements = [
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " key TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL)"
    ]
    if "seq" not in present:
        statements.append(f"ALTER TABLE {table} ADD COLUMN seq BIGINT")
    for field in spec.indexes:
        column = _index_column(field)
        if column not in present:
            statements.append(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        statements.append(f"CREATE INDEX IF NOT EXISTS {table}_{column} ON {table} ({column})")
    return statements


def _sql_literal(value: int | str) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def schema_steps(dialect: Dialect) -> list[tuple[str, list[str]]]:
    """The DDL :func:`migrate` runs on an empty database, step by step.

    Each step is ``(title, statements)``: the migrations table, each numbered
    migration followed by the row that records it, then the record tables.
    Running them in order (``tnorder schema`` prints them) leaves the same
    schema as ``migrate``, which then finds nothing left to do.
    """
    steps: list[tuple[str, list[str]]] = [("migrations table", [_migrations_table_sql()])]
    for migration in MIGRATIONS:
        record = (
            f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES "
            f"({_sql_literal(migration.version)}, {_sql_literal(migration.name)})"
        )
        steps.append(
            (
                f"migration {migration.version}: {migration.name}",
                [*migration.statements(dialect), *migration.seed, record],
            )
        )
    for spec in RECORD_SPECS:
        table = record_table(spec)
        sequence = f"INSERT INTO {SEQUENCES} (name, value) VALUES ('{table}', 0)"
        steps.append(
            (f"record table: {spec.name}", [*_record_table_statements(spec, set()), sequence])
        )
    return steps


def migrate(session: Session, *, lock_sql: str | None = None) -> int:
    """Bring the schema up to date in one transaction; return the schema version.

    Numbered migrations are applied once each and recorded in
    ``tnorder_schema_migrations``.  Then the record tables follow the record
    specs: a new kind gets its table, a new index field gets its column (filled
    from the stored records) and index.

    Args:
        lock_sql: a statement that serialises concurrent migrators (PostgreSQL
            advisory lock); SQLite's ``BEGIN IMMEDIATE`` already does.

    Raises:
        StorageError: the database was migrated by a newer tnorder.
    """
    with session.transaction():
        if lock_sql:
            session.query(lock_sql)
        session.execute(_migrations_table_sql())
        applied = {row[0] for row in session.query(f"SELECT version FROM {MIGRATIONS_TABLE}")}
        newest = max(applied, default=0)
        if newest > LATEST_SCHEMA:
            raise StorageError(
                f"database schema version {newest} is newer than this tnorder knows "
                f"({LATEST_SCHEMA}); upgrade tnorder"
            )
        for migration in sorted(MIGRATIONS, key=lambda m: m.version):
            if migration.version in applied:
                continue
            for statement in migration.statements(session.dialect):
                session.execute(statement)
            if migration.after is not None:
                migration.after(session)
            session.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES (?, ?)",
                (migration.version, migration.name),
            )
        for spec in RECORD_SPECS:
            _sync_record_table(session, spec)
    return LATEST_SCHEMA


def _sync_record_table(session: Session, spec: RecordSpec[Any]) -> None:
    table = record_table(spec)
    present = session.table_columns(table)
    for statement in _record_table_statements(spec, present):
        session.execute(statement)
    if "seq" not in present:
        # Tables written before the sequence existed get one in key order.
        keys = session.query(f"SELECT key FROM {table} ORDER BY key")
        for position, (key,) in enumerate(keys, start=1):
            session.execute(f"UPDATE {table} SET seq = ? WHERE key = ?", (position, key))
        session.execute(
            f"INSERT INTO {SEQUENCES} (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (table, len(keys)),
        )
    added = [f for f in spec.indexes if present and _index_column(f) not in present]
    if added:
        _backfill(session, spec, table, added)


def _backfill(session: Session, spec: RecordSpec[Any], table: str, fields: list[str]) -> None:
    sets = ", ".join(f"{_index_column(f)} = ?" for f in fields)
    for key, version, body in session.query(f"SELECT key, version, body FROM {table}"):
        try:
            values = spec.index_values(decode_record(spec, key, version, body))
        except SerializationError:
            continue  # unreadable rows stay unindexed; reading them reports the row.
        params = [index_param(values[f]) for f in fields]
        session.execute(f"UPDATE {table} SET {sets} WHERE key = ?", (*params, key))


def next_sequence(session: Session, table: str, count: int = 1) -> int:
    """Reserve ``count`` sequence numbers of ``table``; return the first (in a transaction).

    A counter row rather than ``MAX(seq) + 1``: its row lock serialises two
    writers on PostgreSQL, so two commits never get the same number.
    """
    rows = session.query(
        f"UPDATE {SEQUENCES} SET value = value + ? WHERE name = ? RETURNING value", (count, table)
    )
    if not rows:
        session.execute(f"INSERT INTO {SEQUENCES} (name, value) VALUES (?, ?)", (table, count))
        return 1
    return int(rows[0][0]) - count + 1


def schema_version(session: Session) -> int:
    """The newest applied migration (0 for an empty database)."""
    if not session.table_columns(MIGRATIONS_TABLE):
        return 0
    rows = session.query(f"SELECT MAX(version) FROM {MIGRATIONS_TABLE}")
    return int(rows[0][0] or 0)


# -- the unit of work ------------------------------------------------------------


@attrs.define
class _Write:
    """A staged row: ``expected`` is the stored version to replace (None: insert).

    For an order, ``body`` is the header row and ``items``/``history`` hold the
    item rows and history entries staged by every ``save`` of this unit of work.
    """

    table: str
    key_column: str
    key: str
    expected: int | None
    version: int
    body: str
    columns: dict[str, Any]
    not_found: Callable[[str], NotFound]
    items: dict[str, ItemRow] | None = None
    history: list[tuple[str, int, str]] | None = None
    #: Indexed columns that hold what this unit of work read: the update leaves
    #: them out, so their index pages are not rewritten on every event.
    unchanged: frozenset[str] = frozenset()


class _Repository:
    def __init__(self, uow: SqlUnitOfWork, table: str, key_column: str, kind: str) -> None:
        self._uow = uow
        self._session = uow._session
        self._table = table
        self._key_column = key_column
        self._kind = kind
        self._select_row = f"SELECT version, body FROM {table} WHERE {key_column} = ?"

    def _staged(self, key: str) -> _Write | None:
        return self._uow._writes.get((self._table, key))

    def _staged_rows(self) -> list[_Write]:
        return [w for (table, _), w in self._uow._writes.items() if table == self._table]

    def _stored_version(self, key: str) -> int | None:
        if not _findable(self._session, key):
            return None
        rows = self._session.query(
            f"SELECT version FROM {self._table} WHERE {self._key_column} = ?", (key,)
        )
        return None if not rows else check_version(rows[0][0], f"{self._kind} {key!r}")

    def _row(self, key: str) -> tuple[Any, Any] | None:
        staged = self._staged(key)
        if staged is not None:
            return staged.version, staged.body
        if not _findable(self._session, key):
            return None
        rows = self._session.query(self._select_row, (key,))
        if not rows:
            return None
        version, body = rows[0]
        self._remember(key, version)
        return version, body

    def _remember(self, key: str, version: Any) -> None:
        if type(version) is int and version >= 1:
            # Remembered so that saving what this unit of work loaded needs no re-read.
            self._uow._loaded[(self._table, key)] = version

    def _check_add(self, key: str) -> None:
        _storable(self._session, key, self._key_column)
        if self._staged(key) is not None or self._stored_version(key) is not None:
            raise AlreadyExists(key, f"{self._kind} {key!r} already exists")

    def _stage_add(
        self, key: str, obj: Any, columns: dict[str, Any], not_found: Callable[[str], NotFound]
    ) -> None:
        self._check_add(key)
        obj.version = 1
        self._uow._writes[(self._table, key)] = _Write(
            self._table, self._key_column, key, None, 1, dumps(obj), columns, not_found
        )

    def _current(
        self, key: str, obj: Any, not_found: Callable[[str], NotFound]
    ) -> tuple[int, int | None, _Write | None]:
        """``(stored version to save over, version the commit expects, staged write)``."""
        staged = self._staged(key)
        if staged is not None:
            current: int | None = staged.version
            expected = staged.expected
        elif obj.version == self._uow._loaded.get((self._table, key)):
            # Loaded by this unit of work at the version it still holds: the
            # commit's ``UPDATE ... WHERE version = ?`` is the conflict check,
            # so asking for the stored version now would only repeat it early.
            current = expected = obj.version
        else:
            current = self._stored_version(key)
            expected = current
        if current is None:
            raise not_found(key)
        return current, expected, staged

    def _stage_save(
        self, key: str, obj: Any, columns: dict[str, Any], not_found: Callable[[str], NotFound]
    ) -> None:
        current, expected, _ = self._current(key, obj, not_found)
        body = next_version(self._kind, key, obj, current)
        self._uow._writes[(self._table, key)] = _Write(
            self._table, self._key_column, key, expected, current + 1, body, columns, not_found
        )


def _seq_key(seq: Any, key: str) -> tuple[int, int, str]:
    """Committed rows by their sequence; rows this unit of work adds come after, by key."""
    return (0, int(seq), "") if seq is not None else (1, 0, key)


_SELECT_HEADER = f"SELECT version, body FROM {ORDERS} WHERE order_id = ?"
_ASK: Any = object()
#: The indexed columns of an order's header row, as ``SqlOrderRepository._columns`` names them.
_ORDER_COLUMNS = ("account_id", "created_at", "finalized_at")
_SELECT_ITEM = (
    f"SELECT position, history_len, body, last_entry, written_version FROM {ITEMS}"
    " WHERE order_id = ? AND item_id = ?"
)
_SELECT_ITEMS = (
    f"SELECT item_id, position, history_len, body, last_entry, written_version FROM {ITEMS}"
    " WHERE order_id = ? ORDER BY position"
)


_SELECT_ORDER_ALL = (
    "SELECT o.version, o.body, i.item_id, i.position, i.history_len, i.body, i.last_entry,"
    f" i.written_version FROM {ORDERS} o LEFT JOIN {ITEMS} i ON i.order_id = o.order_id"
    " WHERE o.order_id = ?"
)


@functools.lru_cache(maxsize=16)
def _select_order_with(count: int) -> str:
    """The header and ``count`` named item rows of one order, in one query."""
    marks = ", ".join("?" * count)
    return (
        "SELECT o.version, o.body, i.item_id, i.position, i.history_len, i.body, i.last_entry,"
        f" i.written_version FROM {ORDERS} o LEFT JOIN {ITEMS} i"
        f" ON i.order_id = o.order_id AND i.item_id IN ({marks})"
        " WHERE o.order_id = ?"
    )


_SELECT_HISTORY = (
    f"SELECT pos, body FROM {HISTORY} WHERE order_id = ? AND item_id = ? AND pos < ? ORDER BY pos"
)


class _StoredOrderReads:
    """The late reads of one loaded order: an item row, every item row, an item's
    history, each merged with what this unit of work staged for the order.

    It holds the session and the staged writes alone, not the unit of work, so a
    loaded order kept after its unit of work ends keeps little else alive.
    """

    __slots__ = ("_order_id", "_session", "_writes")

    def __init__(
        self, session: Session, writes: dict[tuple[str, str], _Write], order_id: str
    ) -> None:
        self._session = session
        self._writes = writes
        self._order_id = order_id

    def _staged(self) -> _Write | None:
        return self._writes.get((ORDERS, self._order_id))

    def item(self, item_id: str) -> RawItem | None:
        write = self._staged()
        if write is not None and write.items and item_id in write.items:
            r = write.items[item_id]
            return (r.position, r.history_len, r.body, r.last, 0)
        if write is not None and write.expected is None:
            return None  # added by this unit of work: nothing stored yet
        if not _findable(self._session, item_id):
            return None
        rows = self._session.query(_SELECT_ITEM, (self._order_id, item_id))
        return tuple(rows[0]) if rows else None

    def items(self) -> list[tuple[Any, Any, Any, Any, Any, Any]]:
        write = self._staged()
        rows: dict[Any, tuple[Any, Any, Any, Any, Any, Any]] = {}
        if write is None or write.expected is not None:
            rows = {r[0]: r for r in self._session.query(_SELECT_ITEMS, (self._order_id,))}
        if write is not None:
            for r in (write.items or {}).values():
                rows[r.item_id] = (r.item_id, r.position, r.history_len, r.body, r.last, 0)
        return sorted(rows.values(), key=lambda r: r[1])

    def history(self, item_id: str, count: int) -> list[Any]:
        rows: Any = self._session.query(_SELECT_HISTORY, (self._order_id, item_id, count))
        staged = self._staged()
        if staged is not None and staged.history:
            merged = dict(rows)
            merged.update((pos, body) for i, pos, body in staged.history if i == item_id)
            rows = sorted(merged.items())
        return history_bodies(rows, count)


class SqlOrderRepository(_Repository):
    """``OrderRepository`` over the order rows: a header row in ``tnorder_orders``,
    item rows in ``tnorder_order_items``, history rows in ``tnorder_order_history``.

    ``get`` reads the header and item rows in one query; an item's history is
    read when first asked for (``LineItem.history``), or a page at a time with
    :meth:`history`.  ``save`` stages the header, the changed item rows and the
    appended history rows.
    """

    def __init__(self, uow: SqlUnitOfWork) -> None:
        super().__init__(uow, ORDERS, "order_id", "order")

    def _columns(self, order: Order, finalized: Any = _ASK) -> dict[str, Any]:
        to_db = self._session.dialect.to_db_time
        if finalized is _ASK:
            finalized = order.finalized_at
        return {
            "account_id": _storable(self._session, order.account_id, "account_id"),
            "created_at": to_db(order.created_at),
            "finalized_at": None if finalized is None else to_db(finalized),
        }

    def _loader(self, order_id: str) -> Callable[[str, int], list[Any]]:
        return _StoredOrderReads(self._session, self._uow._writes, order_id).history

    def _partial(
        self,
        key: str,
        version: Any,
        header: Any,
        prefetched: dict[str, RawItem] | None = None,
        *,
        complete: bool = False,
    ) -> Order:
        reads = _StoredOrderReads(self._session, self._uow._writes, key)
        return partial_order(
            key,
            version,
            header,
            reads.item,
            reads.items,
            reads.history,
            prefetched,
            complete=complete,
        )

    def _assemble_staged(self, write: _Write) -> Order:
        return self._partial(write.key, write.version, write.body)

    def add(self, order: Order) -> None:
        key = require_text(order.order_id, "order_id")
        columns = self._columns(order)
        self._check_add(key)
        rows = rows_of_new_order(order)
        self._uow._views.new_order(order)  # views
        order.version = 1
        self._uow._writes[(ORDERS, key)] = _Write(
            ORDERS,
            "order_id",
            key,
            None,
            1,
            rows.header,
            columns,
            OrderNotFound,
            {r.item_id: r for r in rows.items},
            rows.history,
        )

    #: ``get`` takes ``items=``: the service names the items a use case touches.
    prefetches_items = True

    def get(self, order_id: str, *, items: Sequence[str] = (), all_items: bool = False) -> Order:
        """The order ``order_id``, its items read when touched.

        ``items`` names items the caller will touch: their rows are read in
        the same query as the header (one round trip instead of one more per
        item).  Unknown ids are ignored here (``Order.item`` names them).
        ``all_items`` reads every item row with the header instead (a use case
        that touches them all, such as cancelling the order).
        """
        key = require_text(order_id, "order_id")
        staged = self._staged(key)
        if staged is not None:
            return self._assemble_staged(staged)
        if not _findable(self._session, key):
            raise OrderNotFound(key)
        wanted = [i for i in items if isinstance(i, str) and _findable(self._session, i)]
        if all_items:
            rows = self._session.query(_SELECT_ORDER_ALL, (key,))
        elif wanted:
            rows = self._session.query(_select_order_with(len(wanted)), (*wanted, key))
        else:
            rows = self._session.query(_SELECT_HEADER, (key,))
        if not rows:
            raise OrderNotFound(key)
        version, header = rows[0][0], rows[0][1]
        self._remember(key, version)
        prefetched = {
            r[2]: (r[3], r[4], r[5], r[6], r[7]) for r in rows if len(r) > 2 and r[2] is not None
        }
        order = self._partial(key, version, header, prefetched, complete=all_items)
        lazy = order.items
        if isinstance(lazy, LazyItems):
            self._uow._loaded_columns[(ORDERS, key)] = (
                order.account_id,
                order.created_at,
                lazy.stored_finalized_at(),
            )
        return order

    def save(self, order: Order) -> None:
        key = require_text(order.order_id, "order_id")
        finalized = order.finalized_at
        columns = self._columns(order, finalized)
        current, expected, staged = self._current(key, order, OrderNotFound)
        # Checked before anything is encoded, so a refused save changes nothing.
        held_version("order", key, order, current)
        snapshot = order._stored
        try:
            rows: OrderRows = order_rows(order)
        except Exception:
            order._stored = snapshot
            raise
        self._uow._views.order(order, [r.item_id for r in rows.items])  # views
        order.version = current + 1
        items = dict(staged.items or {}) if staged is not None else {}
        items.update((r.item_id, r) for r in rows.items)
        history = [*(staged.history or [])] if staged is not None else []
        history.extend(rows.history)
        loaded = self._uow._loaded_columns.get((ORDERS, key))
        if staged is not None:
            unchanged = staged.unchanged
        elif loaded is not None and expected == self._uow._loaded.get((ORDERS, key)):
            now = (order.account_id, order.created_at, finalized)
            unchanged = frozenset(
                n for n, was, is_ in zip(_ORDER_COLUMNS, loaded, now, strict=True) if was == is_
            )
        else:
            unchanged = frozenset()
        self._uow._writes[(ORDERS, key)] = _Write(
            ORDERS,
            "order_id",
            key,
            expected,
            current + 1,
            rows.header,
            columns,
            OrderNotFound,
            items,
            history,
            unchanged,
        )

    def history(
        self, order_id: str, item_id: str, *, start: int = 0, limit: int = 100
    ) -> list[HistoryEntry]:
        """A page of one item's stored history, oldest first: entries ``start`` to
        ``start + limit - 1`` (fewer at the end), without loading the order.

        Raises:
            OrderNotFound: no order has this id.
            ItemNotFound: the order has no such item.
            ValidationError: ``start`` or ``limit`` is not a non-negative integer.
        """
        key = require_text(order_id, "order_id")
        require_text(item_id, "item_id")
        check_page(start, limit)
        if self._staged(key) is not None or not _findable(self._session, key):
            return page_history(self.get(key), item_id, start, limit)
        found = self._session.query(
            f"SELECT history_len FROM {ITEMS} WHERE order_id = ? AND item_id = ?", (key, item_id)
        )
        if not found:
            return page_history(self.get(key), item_id, start, limit)  # names what is missing
        end = min(int(found[0][0]), start + limit)
        rows = self._session.query(
            f"SELECT body FROM {HISTORY} WHERE order_id = ? AND item_id = ?"
            " AND pos >= ? AND pos < ? ORDER BY pos",
            (key, item_id, start, end),
        )
        record = f"order {key!r}"
        return [decode_entry(body, record) for (body,) in rows]

    def for_account(
        self, account_id: str, *, finalized_since: datetime | None = None
    ) -> list[Order]:
        require_text(account_id, "account_id")
        if finalized_since is not None:
            require_aware(finalized_since, field="finalized_since")
        headers: list[tuple[Any, ...]] = []
        items: dict[str, list[tuple[Any, Any, Any]]] = {}
        if _findable(self._session, account_id):
            select = f"SELECT order_id, version, body, seq FROM {ORDERS} WHERE account_id = ?"
            if finalized_since is None:
                headers = self._session.query(select, (account_id,))
            else:
                # Two index range scans beat one OR that a planner may not split.
                headers = self._session.query(
                    f"{select} AND finalized_at IS NULL UNION ALL {select} AND finalized_at >= ?",
                    (account_id, account_id, self._session.dialect.to_db_time(finalized_since)),
                )
            if headers:
                for order_id, count, body, last in self._session.query(
                    f"SELECT i.order_id, i.history_len, i.body, i.last_entry FROM {ITEMS} i"
                    f" JOIN {ORDERS} o ON o.order_id = i.order_id"
                    " WHERE o.account_id = ? ORDER BY i.order_id, i.position",
                    (account_id,),
                ):
                    items.setdefault(order_id, []).append((count, body, last))
        found: dict[str, tuple[Order, Any]] = {}
        for key, version, body, seq in headers:
            found[key] = (
                assemble_order(key, version, body, items.get(key, []), self._loader(key)),
                seq,
            )
        for write in self._staged_rows():
            stored = found.pop(write.key, None)
            order = self._assemble_staged(write)
            fin = order.finalized_at
            if order.account_id == account_id and (
                finalized_since is None or fin is None or fin >= finalized_since
            ):
                found[write.key] = (order, stored[1] if stored is not None else None)
        keyed = [(order, _seq_key(seq, key)) for key, (order, seq) in found.items()]
        keyed.sort(key=lambda pair: (pair[0].created_at, pair[1]))
        return [order for order, _ in keyed]


class SqlRecordRepository(_Repository, Generic[R]):
    """``RecordRepository`` over one record kind's table."""

    def __init__(self, uow: SqlUnitOfWork, spec: RecordSpec[R]) -> None:
        super().__init__(uow, record_table(spec), "key", spec.name)
        self._spec = spec
        self._absent: set[str] = set()  # issue 17: keys get_many found not stored
        # (field, column) per index: named once, not once per record written.
        self._index_columns = tuple((field, _index_column(field)) for field in spec.indexes)
        # One bound method for every write staged (a bulk order stages 10,000).
        self._missing: Callable[[str], NotFound] = self._not_found

    def _columns(self, record: R) -> dict[str, Any]:
        out: dict[str, Any] = {}
        values = self._spec.index_values(record)
        for field, column in self._index_columns:
            text = index_param(values[field])
            out[column] = None if text is None else _storable(self._session, text, field)
        return out

    def _not_found(self, key: str) -> NotFound:
        return record_not_found(self._spec, key)

    def add(self, record: R) -> None:
        key = require_text(self._spec.key_of(record), self._spec.key)
        self._stage_add(key, record, self._columns(record), self._missing)
        self._uow._views.record(record)  # views

    def get(self, key: str) -> R:
        require_text(key, self._spec.key)
        row = self._row(key)
        if row is None:
            raise self._not_found(key)
        return decode_record(self._spec, key, row[0], row[1])

    def save(self, record: R) -> None:
        key = require_text(self._spec.key_of(record), self._spec.key)
        self._stage_save(key, record, self._columns(record), self._not_found)
        self._uow._views.record(record)  # views

    # -- issue 17 (bulk orders): one query per 500 keys instead of one per key --

    def get_many(self, keys: Iterable[str]) -> dict[str, R]:
        """The records of ``keys`` that exist (staged ones included), by key.

        Keys found absent are remembered, so adding one of them needs no second
        look; a record another writer adds meanwhile still fails the commit
        with ``AlreadyExists``.
        """
        found: dict[str, R] = {}
        wanted: list[str] = []
        for key in keys:
            require_text(key, self._spec.key)
            staged = self._staged(key)
            if staged is not None:
                found[key] = decode_record(self._spec, key, staged.version, staged.body)
            elif _findable(self._session, key):
                wanted.append(key)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._session.query(
                f"SELECT key, version, body FROM {self._table}"
                f" WHERE key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for key, version, body in rows:
                self._remember(key, version)
                found[key] = decode_record(self._spec, key, version, body)
        self._absent.update(k for k in wanted if k not in found)
        return found

    def _check_add(self, key: str) -> None:
        if key in self._absent and self._staged(key) is None:
            _storable(self._session, key, self._key_column)
            return
        super()._check_add(key)

    def find(self, **equals: Any) -> list[R]:
        check_find_fields(self._spec, equals)
        wanted = {_index_column(f): index_param(v) for f, v in equals.items()}
        findable = all(v is None or _findable(self._session, v) for v in wanted.values())
        rows: list[tuple[Any, ...]] = []
        if findable:
            where = [f"{col} IS NULL" if v is None else f"{col} = ?" for col, v in wanted.items()]
            params = [v for v in wanted.values() if v is not None]
            sql = f"SELECT key, version, body, seq FROM {self._table}"
            rows = self._session.query(
                f"{sql} WHERE {' AND '.join(where)}" if where else sql, params
            )
        found = {key: (version, body, seq) for key, version, body, seq in rows}
        for write in self._staged_rows():
            stored = found.pop(write.key, None)
            if all(write.columns.get(col) == v for col, v in wanted.items()):
                seq = stored[2] if stored is not None else None
                found[write.key] = (write.version, write.body, seq)
        ordered = sorted(found.items(), key=lambda kv: _seq_key(kv[1][2], kv[0]))
        return [
            decode_record(self._spec, key, version, body) for key, (version, body, _) in ordered
        ]

    # -- issue 14: a page of records by key, for paginated listings (inventory) --

    def find_page(self, *, after: str | None = None, limit: int, **equals: Any) -> list[R]:
        """Up to ``limit`` records whose index fields equal ``equals``, by key, after ``after``.

        A keyset page: one query reads and decodes only the page's rows, however
        deep it is.  Keys compare by code point on both databases (PostgreSQL
        with the "C" collation, not the server's locale), as in Python.  Staged
        writes count, as in ``find``: the query reads one extra row per staged
        write, which may take a stored row's place.
        """
        check_find_fields(self._spec, equals)
        check_key_page(after, limit)
        if after is not None and not _findable(self._session, after):
            raise ValidationError(f"after {after!r} cannot be a stored key", field="after")
        wanted = {_index_column(f): index_param(v) for f, v in equals.items()}
        staged = self._staged_rows()
        found: dict[str, tuple[Any, Any]] = {}
        if all(v is None or _findable(self._session, v) for v in wanted.values()):
            key = 'key COLLATE "C"' if self._session.dialect.name == "postgresql" else "key"
            where = [f"{col} IS NULL" if v is None else f"{col} = ?" for col, v in wanted.items()]
            params: list[Any] = [v for v in wanted.values() if v is not None]
            if after is not None:
                where.append(f"{key} > ?")
                params.append(after)
            sql = f"SELECT key, version, body FROM {self._table}"
            if where:
                sql += f" WHERE {' AND '.join(where)}"
            params.append(limit + len(staged))
            for row_key, version, body in self._session.query(
                f"{sql} ORDER BY {key} LIMIT ?", params
            ):
                self._remember(row_key, version)
                found[row_key] = (version, body)
        for write in staged:
            found.pop(write.key, None)
            if (after is None or write.key > after) and all(
                write.columns.get(col) == v for col, v in wanted.items()
            ):
                found[write.key] = (write.version, write.body)
        return [
            decode_record(self._spec, row_key, *found[row_key]) for row_key in sorted(found)[:limit]
        ]


class SqlUnitOfWork:
    """A ``UnitOfWork`` on one session: reads go straight to the database
    (never blocking writers), writes are staged and applied by :meth:`commit`."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._writes: dict[tuple[str, str], _Write] = {}
        # (table, key) -> the stored version this unit of work read.
        self._loaded: dict[tuple[str, str], int] = {}
        # (table, key) -> an order's (account, created, finalized) as read.
        self._loaded_columns: dict[tuple[str, str], tuple[Any, Any, Any]] = {}
        self._events: list[tuple[str, str, str]] = []
        self._views = ViewStager()  # views

    # Repositories are built on first use: most units of work touch one or two.

    @functools.cached_property
    def views(self) -> SqlViewQueries:  # views
        return SqlViewQueries(self._session)

    @functools.cached_property
    def orders(self) -> SqlOrderRepository:
        return SqlOrderRepository(self)

    @functools.cached_property
    def documents(self) -> SqlRecordRepository[Document]:
        return SqlRecordRepository(self, DOCUMENTS)

    @functools.cached_property
    def inventory(self) -> SqlRecordRepository[InventoryNumber]:
        return SqlRecordRepository(self, INVENTORY)

    @functools.cached_property
    def carrier_requests(self) -> SqlRecordRepository[CarrierRequest]:
        return SqlRecordRepository(self, CARRIER_REQUESTS)

    @functools.cached_property
    def number_claims(self) -> SqlRecordRepository[NumberClaim]:
        return SqlRecordRepository(self, NUMBER_CLAIMS)

    def add_events(self, events: Sequence[Event]) -> None:
        append = self._events.append
        # An order's events share its stream (a bulk batch records 30,000 on
        # one): each distinct stream object is checked once.
        checked: str | None = None
        for event in events:
            stream = event.stream
            if stream is not checked:
                _storable(self._session, stream, "stream")
                checked = stream
            append((stream, event.event_id, encode_event(event)))

    def commit(self) -> None:
        """Apply the staged writes in one transaction, in two steps sent as two batches.

        First every version-checked row (inserts that must not exist, updates
        ``WHERE version = ?``), whose counts decide whether the commit goes on;
        then what follows from them (item rows, history rows, outbox rows) and
        the commit itself.  On PostgreSQL each step is one round trip.
        """
        if not self._writes and not self._events:
            return
        session = self._session
        # A fixed lock order (table, key) keeps two committing writers from deadlocking.
        writes = [self._writes[k] for k in sorted(self._writes)]
        with session.write_transaction():
            checked: list[tuple[str, list[tuple[Any, ...]]]] = []
            # The writes each statement of ``checked`` carries, in the same order.
            owners: list[list[_Write]] = []
            # issue 17 (hosts): one reservation per table, not one query per new
            # record (a 10,000-number order adds 10,000 claims); the same numbers.
            inserts: dict[str, int] = {}
            for write in writes:
                if write.expected is None:
                    inserts[write.table] = inserts.get(write.table, 0) + 1
            next_seq = {t: next_sequence(session, t, n) for t, n in inserts.items()}
            for write in writes:
                columns = write.columns
                if write.expected is not None and write.unchanged:
                    columns = {n: v for n, v in columns.items() if n not in write.unchanged}
                names = tuple(columns)
                values = columns.values()
                if write.expected is None:
                    seq = next_seq[write.table]
                    next_seq[write.table] = seq + 1
                    sql = _insert_sql(write.table, write.key_column, names)
                    params: tuple[Any, ...] = (write.key, write.version, seq, *values, write.body)
                    # issue 17: inserts of one table go as one statement over many
                    # rows (a bulk order's 10,000 claims), not one statement each.
                    if checked and checked[-1][0] == sql:
                        checked[-1][1].append(params)
                        owners[-1].append(write)
                        continue
                else:
                    sql = _update_sql(write.table, write.key_column, names)
                    params = (write.version, *values, write.body, write.key, write.expected)
                checked.append((sql, [params]))
                owners.append([write])
            counts = session.execute_batch(checked, results=True)
            for (_, rows), group, changed in zip(checked, owners, counts, strict=True):
                if changed != len(group):
                    if len(group) == 1:
                        _refuse(session, group[0])
                    _refuse_inserts(session, group, rows)
            rest: list[tuple[str, Sequence[Sequence[Any]]]] = []
            for write in writes:
                rest.extend(
                    _order_row_statements(
                        session, write.key, write.items, write.history, write.version
                    )
                )
            if self._events:
                rest.append((_INSERT_EVENT, self._events))
            if rest:
                apply_rows(session, rest)
            flush_views(session, self._views)  # views
        self._writes.clear()
        self._events.clear()


def apply_rows(session: Session, statements: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
    """The commit's second batch: item, history and outbox rows (results not awaited)."""
    session.execute_batch(statements, results=False)


def _refuse(session: Session, write: _Write) -> None:
    if write.expected is None:
        raise AlreadyExists(write.key, f"{write.key!r} already exists in {write.table}")
    rows = session.query(
        f"SELECT version FROM {write.table} WHERE {write.key_column} = ?", (write.key,)
    )
    if not rows:
        raise write.not_found(write.key)
    raise ConcurrencyConflict(write.key, expected_version=write.expected, actual_version=rows[0][0])


def _refuse_inserts(session: Session, writes: list[_Write], rows: list[tuple[Any, ...]]) -> None:
    """``AlreadyExists`` for the first of ``writes`` (inserts of one table, sent as
    one statement with ``rows``) whose row was already stored: its stored row is
    not the one this commit numbered (``rows[i][2]`` is the sequence given)."""
    table, column = writes[0].table, writes[0].key_column
    ours = {row[0]: row[2] for row in rows}
    stored: dict[Any, Any] = {}
    keys = list(ours)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stored.update(
            session.query(
                f"SELECT {column}, seq FROM {table}"
                f" WHERE {column} IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
        )
    for write in writes:
        if stored.get(write.key) != ours[write.key]:
            raise AlreadyExists(write.key, f"{write.key!r} already exists in {write.table}")
    raise StorageError(f"{table}: fewer rows inserted than sent, yet every row is ours")


# An item keeps its position for life: the update leaves ``position`` (indexed)
# alone, so the position index page is not rewritten on every event.
_UPSERT_ITEM = (
    f"INSERT INTO {ITEMS} (order_id, item_id, position, status, history_len, body, last_entry,"
    " written_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id, item_id)"
    " DO UPDATE SET status = excluded.status,"
    " history_len = excluded.history_len, body = excluded.body,"
    " last_entry = excluded.last_entry, written_version = excluded.written_version"
)
# What migration 4 wrote, before migration 5 added ``written_version``.
_UPSERT_ITEM_V4 = (
    f"INSERT INTO {ITEMS} (order_id, item_id, position, status, history_len, body, last_entry)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id, item_id) DO UPDATE SET"
    " position = excluded.position, status = excluded.status,"
    " history_len = excluded.history_len, body = excluded.body,"
    " last_entry = excluded.last_entry"
)
_INSERT_ENTRY = f"INSERT INTO {HISTORY} (order_id, item_id, pos, body) VALUES (?, ?, ?, ?)"
_INSERT_EVENT = f"INSERT INTO {OUTBOX} (stream, event_id, payload) VALUES (?, ?, ?)"


def _order_row_statements(
    session: Session,
    order_id: str,
    items: dict[str, ItemRow] | None,
    history: list[tuple[str, int, str]] | None,
    version: int | None,
) -> list[tuple[str, Sequence[Sequence[Any]]]]:
    """Item upserts and history inserts; ``version`` stamps the item rows (None:
    the schema 4 columns only, for the migration 4 backfill)."""
    out: list[tuple[str, Sequence[Sequence[Any]]]] = []
    if items:
        stamp: tuple[int, ...] = () if version is None else (version,)
        out.append(
            (
                _UPSERT_ITEM if version is not None else _UPSERT_ITEM_V4,
                [
                    (
                        order_id,
                        _storable(session, r.item_id, "item_id"),
                        r.position,
                        r.status,
                        r.history_len,
                        r.body,
                        r.last,
                        *stamp,
                    )
                    for r in items.values()
                ],
            )
        )
    if history:
        out.append((_INSERT_ENTRY, [(order_id, i, pos, body) for i, pos, body in history]))
    return out


def write_order_rows(session: Session, order_id: str, rows: OrderRows, *, header: bool) -> None:
    """Write ``rows`` of a stored order directly (inside a transaction): item and
    history rows, and with ``header`` its header body.  For migrations."""
    if header:
        session.execute(f"UPDATE {ORDERS} SET body = ? WHERE order_id = ?", (rows.header, order_id))
    items = {r.item_id: r for r in rows.items}
    for sql, params in _order_row_statements(session, order_id, items, rows.history, None):
        session.executemany(sql, params)


@functools.cache
def _insert_sql(table: str, key_column: str, names: tuple[str, ...]) -> str:
    columns = ", ".join([key_column, "version", "seq", *names, "body"])
    marks = ", ".join("?" * (len(names) + 4))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({key_column}) DO NOTHING"


@functools.cache
def _update_sql(table: str, key_column: str, names: tuple[str, ...]) -> str:
    sets = ", ".join(f"{n} = ?" for n in ["version", *names, "body"])
    return f"UPDATE {table} SET {sets} WHERE {key_column} = ? AND version = ?"


def insert_events(session: Session, events: Sequence[tuple[str, str, str]]) -> None:
    """Append ``(stream, event_id, payload)`` rows to the outbox (inside a transaction)."""
    session.executemany(_INSERT_EVENT, events)


# -- the storage: one connection per thread -------------------------------------


class _Connection(Protocol):
    def close(self) -> None: ...


# Connections opened by a parent process and inherited through fork(): closing
# them in the child would release the parent's locks or end its database
# sessions, so they are kept (unused) until the child exits.
_INHERITED: list[_Connection] = []


class SqlStorage(Generic[C]):
    """What both SQL storages do the same way around their connections.

    Each thread of each process keeps one connection, opened on first use; a
    unit of work runs on its thread's connection.  A subclass opens
    connections (:meth:`_open`), says whether one can still be used
    (:meth:`_usable`) and wraps one in its :class:`Session` (:meth:`_session`).
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._registry_lock = threading.Lock()
        self._connections: list[tuple[int, C]] = []
        self._closed = False

    def _open(self) -> C:
        raise NotImplementedError

    def _usable(self, conn: C) -> bool:
        """False for a connection that must be replaced (e.g. the server dropped it)."""
        return True

    def _session(self) -> Session:
        raise NotImplementedError

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError(f"this {type(self).__name__} is closed")

    def _connection(self) -> C:
        """This thread's connection, opened if it has none (or none it may use)."""
        self._check_open()
        pid = os.getpid()
        conn: C | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid != pid:
            _INHERITED.append(conn)
            conn = None
        if conn is not None and not self._usable(conn):
            # A lost connection (server restart, network) is replaced, not reused.
            self._forget(conn)
            conn = None
        if conn is None:
            conn = self._open()
            self._local.conn, self._local.pid = conn, pid
            with self._registry_lock:
                self._connections.append((pid, conn))
        return conn

    def _forget(self, conn: C) -> None:
        with self._registry_lock:
            self._connections = [(p, c) for p, c in self._connections if c is not conn]
        conn.close()

    def close(self) -> None:
        """Close every connection this process opened.  Call once, at shutdown."""
        self._closed = True
        pid = os.getpid()
        with self._registry_lock:
            mine = [c for p, c in self._connections if p == pid]
            self._connections = [(p, c) for p, c in self._connections if p != pid]
        for conn in mine:
            conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlUnitOfWork]:
        """Open a unit of work on this thread's connection."""
        yield SqlUnitOfWork(self._session())

    def schema_version(self) -> int:
        """The newest migration applied to this database (0 when empty)."""
        return schema_version(self._session())

    def pending_event_count(self) -> int:
        """How many events wait in the outbox."""
        return pending_event_count(self._session())


# -- outbox and helpers ---------------------------------------------------------


def mark_delivered(session: Session, positions: Sequence[int]) -> None:
    """Delete delivered outbox rows (the caller holds a transaction or wants autocommit)."""
    unique = sorted({int(p) for p in positions})
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        session.execute(
            f"DELETE FROM {OUTBOX} WHERE position IN ({', '.join('?' * len(chunk))})", chunk
        )


# Streams whose oldest waiting record is parked: nothing of theirs is claimed.
PARKED_STREAMS = f"SELECT stream FROM {OUTBOX} WHERE parked_reason IS NOT NULL"


def claim_rows(session: Session, rows: Sequence[Sequence[Any]]) -> list[OutboxEntry]:
    """Decode claimed ``(position, stream, payload, parked_reason)`` rows, oldest first.

    A row that cannot be decoded is parked (its reason stored in
    ``parked_reason``) instead of failing the claim, and the rest of its stream
    is left for after an operator's retry, so per-stream order holds and the
    other streams go on.  Rows already parked stop their stream the same way.
    """
    out: list[OutboxEntry] = []
    stopped: set[Any] = set()
    for position, stream, payload, parked in rows:
        if stream in stopped:
            continue
        if parked is not None:
            stopped.add(stream)
            continue
        try:
            out.append(decode_event(position, stream, payload))
        except SerializationError as exc:
            stopped.add(stream)
            park(session, position, str(exc))
            # An operator must act (retry or drop it): its stream waits until then.
            logging.getLogger("tnorder.relay").warning(
                "parked outbox record %s of stream %s: %s", position, stream, exc
            )
    return out


def park(session: Session, position: Any, reason: str) -> None:
    """Mark one outbox row parked with ``reason`` (NUL-free, so every database stores it)."""
    session.execute(
        f"UPDATE {OUTBOX} SET parked_reason = ? WHERE position = ?",
        (reason.replace("\x00", "\\x00")[:2000] or "undecodable", position),
    )


def parked_rows(session: Session) -> list[Any]:
    """Every parked outbox row as a ``ParkedEvent``, oldest first."""
    from ..relay import ParkedEvent  # the relay imports the ports; keep import time light

    rows = session.query(
        f"SELECT position, stream, event_id, parked_reason, payload FROM {OUTBOX}"
        " WHERE parked_reason IS NOT NULL ORDER BY position"
    )
    return [
        ParkedEvent(int(p), str(stream), None if eid is None else str(eid), str(why), str(body))
        for p, stream, eid, why, body in rows
    ]


def _in_chunks(session: Session, sql: str, positions: Sequence[int]) -> int:
    unique = sorted({int(p) for p in positions})
    changed = 0
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        changed += session.execute(sql.format(marks=", ".join("?" * len(chunk))), chunk)
    return changed


def retry_parked(session: Session, positions: Sequence[int]) -> int:
    """Un-park rows (the next claim decodes them again); return how many changed."""
    return _in_chunks(
        session,
        f"UPDATE {OUTBOX} SET parked_reason = NULL"
        " WHERE parked_reason IS NOT NULL AND position IN ({marks})",
        positions,
    )


def drop_parked(session: Session, positions: Sequence[int]) -> int:
    """Delete parked rows for good; return how many."""
    return _in_chunks(
        session,
        f"DELETE FROM {OUTBOX} WHERE parked_reason IS NOT NULL AND position IN ({{marks}})",
        positions,
    )


def pending_event_count(session: Session) -> int:
    """How many events wait in the outbox."""
    return int(session.query(f"SELECT COUNT(*) FROM {OUTBOX}")[0][0])


def order_row(session: Session, order: Order, header: str) -> tuple[Any, ...]:
    """The ``tnorder_orders`` row of ``order`` at its current version, with ``header``."""
    to_db = session.dialect.to_db_time
    finalized = order.finalized_at
    return (
        _storable(session, order.order_id, "order_id"),
        order.version,
        _storable(session, order.account_id, "account_id"),
        to_db(order.created_at),
        None if finalized is None else to_db(finalized),
        header,
    )


def bulk_insert_orders(session: Session, orders: Iterable[Order], batch_size: int) -> int:
    """Insert new orders in batches of one transaction each; return how many.

    Every order is stored at version 1 (and its ``version`` set to 1).  No
    events are written to the outbox and pending events are left on the
    orders: this is for seeding and benchmarks, not for use cases.
    """
    if batch_size < 1:
        raise ValidationError("batch_size must be at least 1", field="batch_size")
    sql = (
        f"INSERT INTO {ORDERS} (order_id, version, account_id, created_at, finalized_at, body, "
        "seq) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    total = 0
    for batch in _batches(orders, batch_size):
        headers = []
        items: list[Sequence[Any]] = []
        entries: list[Sequence[Any]] = []
        for order in batch:
            order.version = 1
            rows = rows_of_new_order(order)
            headers.append(order_row(session, order, rows.header))
            key = order.order_id
            for sql_rows in _order_row_statements(
                session, key, {r.item_id: r for r in rows.items}, rows.history, 1
            ):
                (items if sql_rows[0] == _UPSERT_ITEM else entries).extend(sql_rows[1])
        with session.transaction():
            first = next_sequence(session, ORDERS, len(headers))
            session.executemany(sql, [(*row, first + i) for i, row in enumerate(headers)])
            session.executemany(_UPSERT_ITEM, items)
            if entries:
                session.executemany(_INSERT_ENTRY, entries)
            project_new_orders(session, batch)  # views
        total += len(headers)
    return total


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
