"""PostgreSQL storage on psycopg 3 (install ``tnorder[postgres]``).

The same semantics as ``SqliteStorage``, safe for many processes on many
machines: a unit of work reads in autocommit mode (no transaction left idle
while a use case thinks) and applies its staged writes in one transaction
whose ``UPDATE ... WHERE version = %s`` statements refuse stale writes; rows
are locked in a fixed order so two committers never deadlock.  Relays claim
the head event of each stream with ``FOR UPDATE SKIP LOCKED`` and hold that
lock until their deliveries are marked, so relays run side by side without
delivering a stream twice at once, and a relay that dies releases its claim
with its connection.

psycopg errors become :class:`~tnorder.errors.StorageError` here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        "tnorder.adapters.postgres needs psycopg 3: pip install 'tnorder[postgres]'"
    ) from exc

from ..domain.order import Order
from ..errors import StorageError, ValidationError
from ..ports import OutboxEntry
from . import _sql

__all__ = ["PostgresStorage"]

# Connections opened by a parent process and inherited through fork(): if the
# child closed them it would end the parent's database sessions, so they are
# kept (unused) until the child exits.
_INHERITED: list[psycopg.Connection[Any]] = []

# Any constant works; it only has to be the same for every tnorder process.
_MIGRATION_LOCK = 0x746E6F72  # "tnor"


def _identity(value: datetime) -> datetime:
    return value


_DIALECT = _sql.Dialect(
    name="postgresql",
    timestamp_type="TIMESTAMPTZ",
    serial_key="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    to_db_time=_identity,
    allows_nul=False,
)


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class _PostgresSession:
    """One psycopg connection in autocommit mode; explicit write transactions."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    @property
    def dialect(self) -> _sql.Dialect:
        return _DIALECT

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cur = self._conn.execute(_pg(sql), params or None)
            return cur.fetchall() if cur.description is not None else []
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"PostgreSQL query failed: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            return self._conn.execute(_pg(sql), params or None).rowcount
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"PostgreSQL statement failed: {exc}") from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(_pg(sql), rows)
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"PostgreSQL statement failed: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self._conn.transaction():
                yield
        except psycopg.Error as exc:  # foreign error (e.g. on COMMIT): nothing was written
            raise StorageError(f"PostgreSQL transaction failed: {exc}") from exc

    def table_columns(self, table: str) -> set[str]:
        rows = self.query(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
        return {row[0] for row in rows}


class _PostgresOutbox:
    """Claims held by row locks in this block's transaction."""

    def __init__(self, session: _PostgresSession) -> None:
        self._session = session

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        if limit < 1:
            return []
        # Lock the oldest undelivered event of each stream; a stream whose head
        # another relay holds is skipped whole, because its later events are
        # not heads while the head exists.
        heads = self._session.query(
            f"SELECT o.stream FROM {_sql.OUTBOX} o WHERE NOT EXISTS ("
            f" SELECT 1 FROM {_sql.OUTBOX} p WHERE p.stream = o.stream AND p.position < o.position)"
            " ORDER BY o.position LIMIT ? FOR UPDATE OF o SKIP LOCKED",
            (limit,),
        )
        if not heads:
            return []
        rows = self._session.query(
            f"SELECT position, stream, payload FROM {_sql.OUTBOX}"
            " WHERE stream = ANY(?) ORDER BY position LIMIT ?",
            ([row[0] for row in heads], limit),
        )
        return [_sql.decode_event(*row) for row in rows]

    def mark_delivered(self, positions: Sequence[int]) -> None:
        if positions:
            _sql.mark_delivered(self._session, positions)


class PostgresStorage:
    """Storage in a PostgreSQL database.

    Args:
        conninfo: a libpq connection string or URL, e.g.
            ``"host=/var/run/postgresql dbname=app"`` or
            ``"postgresql://app@db.internal/app"``.  Tables are created in the
            connection's current schema (set ``options=-csearch_path=...`` to
            choose one); their names start with ``tnorder_``.
        migrate: bring the schema up to date now (default).  Several processes
            may do this at once: an advisory lock serialises them.
        connect_timeout: seconds to wait for a connection.

    Each thread of each process keeps one connection.  A unit of work belongs
    to the thread that opened it.  Each ``outbox()`` block uses a connection of
    its own, opened and closed with the block.
    """

    def __init__(self, conninfo: str, *, migrate: bool = True, connect_timeout: int = 10) -> None:
        if not isinstance(conninfo, str):
            raise ValidationError("conninfo must be a connection string", field="conninfo")
        self.conninfo = conninfo
        self.connect_timeout = connect_timeout
        self._local = threading.local()
        self._registry_lock = threading.Lock()
        self._connections: list[tuple[int, psycopg.Connection[Any]]] = []
        self._closed = False
        if migrate:
            self.migrate()

    # -- connections ---------------------------------------------------------

    def _open(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=self.connect_timeout
            )
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"cannot connect to PostgreSQL: {exc}") from exc

    def _session(self) -> _PostgresSession:
        if self._closed:
            raise StorageError("this PostgresStorage is closed")
        pid = os.getpid()
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid != pid:
            _INHERITED.append(conn)
            conn = None
        if conn is not None and (conn.closed or conn.broken):
            # A lost connection (server restart, network) is replaced, not reused.
            self._forget(conn)
            conn = None
        if conn is None:
            conn = self._open()
            self._local.conn, self._local.pid = conn, pid
            with self._registry_lock:
                self._connections.append((pid, conn))
        return _PostgresSession(conn)

    def _forget(self, conn: psycopg.Connection[Any]) -> None:
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

    def __enter__(self) -> PostgresStorage:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the Storage port ------------------------------------------------------

    @contextmanager
    def unit_of_work(self) -> Iterator[_sql.SqlUnitOfWork]:
        """Open a unit of work on this thread's connection."""
        yield _sql.SqlUnitOfWork(self._session())

    @contextmanager
    def outbox(self) -> Iterator[_PostgresOutbox]:
        """The outbox in a transaction of its own: claims are row locks held until
        the block ends; marks commit when it ends normally, roll back otherwise."""
        if self._closed:
            raise StorageError("this PostgresStorage is closed")
        conn = self._open()
        try:
            session = _PostgresSession(conn)
            with session.transaction():
                yield _PostgresOutbox(session)
        finally:
            conn.close()

    # -- administration ----------------------------------------------------------

    def migrate(self) -> int:
        """Apply pending migrations (safe to run from several processes); return the version."""
        return _sql.migrate(
            self._session(), lock_sql=f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"
        )

    def schema_version(self) -> int:
        """The newest migration applied to this database (0 when empty)."""
        return _sql.schema_version(self._session())

    def pending_event_count(self) -> int:
        """How many events wait in the outbox."""
        return _sql.pending_event_count(self._session())

    def bulk_insert_orders(self, orders: Iterable[Order], *, batch_size: int = 10_000) -> int:
        """Insert many new orders fast (for seeding and benchmarks); return how many.

        Each batch is one transaction of one pipelined ``executemany``.  Orders
        are stored at version 1 with no outbox events; a duplicate id fails its
        batch with ``StorageError``.
        """
        return _sql.bulk_insert_orders(self._session(), orders, batch_size)
