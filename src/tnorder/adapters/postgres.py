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

Many hosts (``docs/scaling.md``): with a ``psycopg_pool.ConnectionPool``
(install ``tnorder[postgres-pool]``) each unit of work and each outbox block
borrows a connection for its duration instead of keeping one per thread; a
pool that has no connection free within its timeout becomes a
``StorageError`` naming the pool's size.  A second connection string or pool
for reads (a read replica) serves :meth:`PostgresStorage.read_unit_of_work`,
which the read-only use cases open.

psycopg errors become :class:`~tnorder.errors.StorageError` here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        "tnorder.adapters.postgres needs psycopg 3: pip install 'tnorder[postgres]'"
    ) from exc

from ..domain.order import Order
from ..errors import StorageError, ValidationError
from ..ports import OutboxEntry
from ..relay import ParkedEvent
from . import _sql

if TYPE_CHECKING:  # the pool is an optional extra: imported only where one is given
    from psycopg_pool import ConnectionPool

__all__ = ["PostgresStorage"]

# Any constant works; it only has to be the same for every tnorder process.
_MIGRATION_LOCK = 0x746E6F72  # "tnor"


_DIALECT = _sql.POSTGRES_DIALECT


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class _PostgresSession:
    """One psycopg connection in autocommit mode; explicit write transactions."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn
        self._pipeline: psycopg.Pipeline | None = None

    @property
    def dialect(self) -> _sql.Dialect:
        return _DIALECT

    def query(
        self, sql: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[tuple[Any, ...]]:
        try:
            # ``prepare=False``: planned for these values each time, where a
            # plan made for any value would be wrong for some (a skewed account).
            cur = self._conn.execute(_pg(sql), params or None, prepare=None if prepare else False)
            if self._pipeline is not None:
                # In a pipeline the result (and whether there are rows) arrives on sync.
                self._pipeline.sync()
            return cur.fetchall() if cur.description is not None else []
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"PostgreSQL query failed: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            return self._conn.execute(_pg(sql), params or None).rowcount
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"PostgreSQL statement failed: {exc}") from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(_pg(sql), rows)
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"PostgreSQL statement failed: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self._conn.transaction():
                yield
        except psycopg.Error as exc:  # foreign error (e.g. on COMMIT): nothing was written
            raise StorageError(f"PostgreSQL transaction failed: {exc}") from exc

    @contextmanager
    def write_transaction(self) -> Iterator[None]:
        # Pipeline mode, with BEGIN and COMMIT sent as plain statements (psycopg's
        # own transaction block waits for BEGIN): BEGIN travels with the first
        # batch and COMMIT with the last, so a commit costs two round trips.
        conn = self._conn
        try:
            try:
                with conn.pipeline() as pipeline:
                    self._pipeline = pipeline
                    conn.execute("BEGIN")
                    yield
                    conn.execute("COMMIT")
            finally:
                self._pipeline = None
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    # Refused or failed half-way: nothing of it stays.
                    with suppress(psycopg.Error):
                        conn.execute("ROLLBACK")
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except psycopg.Error as exc:  # foreign error (e.g. on COMMIT): nothing was written
            raise StorageError(f"PostgreSQL transaction failed: {exc}") from exc

    def execute_batch(
        self, statements: Sequence[tuple[str, Sequence[Sequence[Any]]]], *, results: bool
    ) -> list[int]:
        try:
            cursors = []
            for sql, rows in statements:
                cur = self._conn.cursor()
                if len(rows) == 1:
                    cur.execute(_pg(sql), rows[0])
                else:
                    cur.executemany(_pg(sql), rows)
                cursors.append(cur)
            if not results:
                return []
            if self._pipeline is not None:
                self._pipeline.sync()
            return [cur.rowcount for cur in cursors]
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"PostgreSQL statement failed: {exc}") from exc

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
        # not heads while the head exists.  Streams held back by a parked
        # record are left out, so they never fill the limit.
        heads = self._session.query(
            f"SELECT o.stream FROM {_sql.OUTBOX} o WHERE NOT EXISTS ("
            f" SELECT 1 FROM {_sql.OUTBOX} p WHERE p.stream = o.stream AND p.position < o.position)"
            f" AND o.stream NOT IN ({_sql.PARKED_STREAMS})"
            " ORDER BY o.position LIMIT ? FOR UPDATE OF o SKIP LOCKED",
            (limit,),
        )
        if not heads:
            return []
        rows = self._session.query(
            f"SELECT position, stream, payload, parked_reason FROM {_sql.OUTBOX}"
            " WHERE stream = ANY(?) ORDER BY position LIMIT ?",
            ([row[0] for row in heads], limit),
        )
        return _sql.claim_rows(self._session, rows)

    def parked(self) -> list[ParkedEvent]:
        """Every parked record, oldest first."""
        return _sql.parked_rows(self._session)

    def retry_parked(self, positions: Sequence[int]) -> int:
        """Un-park these records; return how many (committed when the block ends)."""
        return _sql.retry_parked(self._session, positions)

    def drop_parked(self, positions: Sequence[int]) -> int:
        """Delete these parked records for good; return how many (committed at block end)."""
        return _sql.drop_parked(self._session, positions)

    def mark_delivered(self, positions: Sequence[int]) -> None:
        if positions:
            _sql.mark_delivered(self._session, positions)


class PostgresStorage(_sql.SqlStorage[psycopg.Connection[Any]]):
    """Storage in a PostgreSQL database.

    Args:
        conninfo: a libpq connection string or URL, e.g.
            ``"host=/var/run/postgresql dbname=app"`` or
            ``"postgresql://app@db.internal/app"``.  Tables are created in the
            connection's current schema (set ``options=-csearch_path=...`` to
            choose one); their names start with ``tnorder_``.  May be left out
            when ``pool`` is given (the pool's own is used).
        migrate: bring the schema up to date now (default).  Several processes
            may do this at once: an advisory lock serialises them.
        connect_timeout: seconds to wait for a connection.
        pool: a ``psycopg_pool.ConnectionPool`` on the primary (install
            ``tnorder[postgres-pool]``).  Each unit of work and each outbox
            block borrows one of its connections for the block and gives it
            back; see :meth:`from_pool`.  The pool is the host's: open it
            before and close it after the storage.
        read_conninfo: a connection string for reads, typically a read
            replica: :meth:`read_unit_of_work` runs on it, in read-only
            transactions (each thread keeps one connection).
        read_pool: a pool for reads instead of ``read_conninfo``.
        pool_timeout: seconds a unit of work waits for a free pooled
            connection; None (default) waits the pool's own ``timeout``.

    Without a pool each thread of each process keeps one connection.  A unit
    of work belongs to the thread that opened it.  Without a pool each
    ``outbox()`` block uses a connection of its own, opened and closed with
    the block.

    Raises:
        ValidationError: ``conninfo`` or ``read_conninfo`` is not a string, or
            neither ``conninfo`` nor ``pool`` is given.
    """

    def __init__(
        self,
        conninfo: str | None = None,
        *,
        migrate: bool = True,
        connect_timeout: int = 10,
        pool: ConnectionPool[Any] | None = None,
        read_conninfo: str | None = None,
        read_pool: ConnectionPool[Any] | None = None,
        pool_timeout: float | None = None,
    ) -> None:
        if conninfo is None and pool is not None and isinstance(pool.conninfo, str):
            conninfo = pool.conninfo
        if not isinstance(conninfo, str):
            raise ValidationError("conninfo must be a connection string", field="conninfo")
        if read_conninfo is not None and not isinstance(read_conninfo, str):
            raise ValidationError(
                "read_conninfo must be a connection string", field="read_conninfo"
            )
        if read_conninfo is not None and read_pool is not None:
            raise ValidationError(
                "give read_conninfo or read_pool, not both", field="read_conninfo"
            )
        if pool_timeout is not None and (
            isinstance(pool_timeout, bool)
            or not isinstance(pool_timeout, int | float)
            or pool_timeout <= 0
        ):
            raise ValidationError(
                f"pool_timeout must be a positive number of seconds, got {pool_timeout!r}",
                field="pool_timeout",
            )
        super().__init__()
        self.conninfo = conninfo
        self.connect_timeout = connect_timeout
        self.pool = pool
        self.read_conninfo = read_conninfo
        self.read_pool = read_pool
        self.pool_timeout = None if pool_timeout is None else float(pool_timeout)
        self._read_local = threading.local()
        if migrate:
            self.migrate()

    @classmethod
    def from_pool(
        cls,
        pool: ConnectionPool[Any],
        *,
        read_pool: ConnectionPool[Any] | None = None,
        migrate: bool = True,
        pool_timeout: float | None = None,
    ) -> PostgresStorage:
        """A storage whose units of work borrow connections from ``pool``.

        Build the pool with ``psycopg_pool.ConnectionPool(conninfo,
        min_size=..., max_size=..., timeout=..., open=True)``; the connections
        are switched to autocommit when borrowed (tnorder opens its own
        transactions).  ``read_pool`` serves :meth:`read_unit_of_work`.
        """
        return cls(pool=pool, read_pool=read_pool, migrate=migrate, pool_timeout=pool_timeout)

    # -- connections ---------------------------------------------------------

    def _open(self) -> psycopg.Connection[Any]:
        return self._connect(self.conninfo, "PostgreSQL")

    def _connect(self, conninfo: str, what: str) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(conninfo, autocommit=True, connect_timeout=self.connect_timeout)
        except psycopg.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"cannot connect to {what}: {exc}") from exc

    def _usable(self, conn: psycopg.Connection[Any]) -> bool:
        return not (conn.closed or conn.broken)

    def _session(self) -> _PostgresSession:
        return _PostgresSession(self._connection())

    @contextmanager
    def _borrowed(self, pool: ConnectionPool[Any], role: str) -> Iterator[psycopg.Connection[Any]]:
        """A connection of ``pool`` for the block, given back when it ends."""
        from psycopg_pool import PoolTimeout

        self._check_open()
        try:
            conn = pool.getconn(timeout=self.pool_timeout)
        except PoolTimeout as exc:
            # Every connection is lent out: the host has more concurrent units of
            # work than ``max_size``.  Retrying later can succeed.
            stats = pool.get_stats()
            lent = stats.get("pool_size", 0) - stats.get("pool_available", 0)
            waited = self.pool_timeout if self.pool_timeout is not None else pool.timeout
            raise StorageError(
                f"no connection free in the {role} pool {pool.name!r} within "
                f"{waited} s (max_size={pool.max_size}, lent out={lent}, "
                f"waiting={stats.get('requests_waiting', 0)}): raise max_size, or lower the "
                "number of threads using this storage"
            ) from exc
        except psycopg.Error as exc:  # a closed pool, a failed connection attempt
            raise StorageError(f"cannot borrow a connection from the {role} pool: {exc}") from exc
        try:
            if not conn.autocommit:
                # Reads run in autocommit; writes open their own transactions.
                conn.autocommit = True
            yield conn
        finally:
            # The pool rolls back anything left open, and discards a broken connection.
            pool.putconn(conn)

    def _read_connection(self, conninfo: str) -> psycopg.Connection[Any]:
        """This thread's read connection, opened (read-only) if it has none it may use."""
        self._check_open()
        pid = os.getpid()
        conn: psycopg.Connection[Any] | None = getattr(self._read_local, "conn", None)
        if conn is not None and (self._read_local.pid != pid or not self._usable(conn)):
            if self._read_local.pid == pid:
                self._forget(conn)
            conn = None  # a forked child never uses its parent's connection
        if conn is None:
            conn = self._connect(conninfo, "the PostgreSQL read replica")
            try:
                # A write sent to the read side fails loudly instead of landing
                # on a server that may be a replica-to-be or a promoted one.
                conn.execute("SET default_transaction_read_only = on")
            except psycopg.Error as exc:  # foreign error: callers only know StorageError
                conn.close()
                raise StorageError(f"cannot set up the read connection: {exc}") from exc
            self._read_local.conn, self._read_local.pid = conn, pid
            with self._registry_lock:
                self._connections.append((pid, conn))
        return conn

    @contextmanager
    def unit_of_work(self) -> Iterator[_sql.SqlUnitOfWork]:
        """Open a unit of work on the primary: a pooled connection, or this thread's."""
        if self.pool is None:
            with super().unit_of_work() as uow:
                yield uow
            return
        with self._borrowed(self.pool, "primary") as conn:
            yield _sql.SqlUnitOfWork(_PostgresSession(conn))

    @contextmanager
    def read_unit_of_work(self) -> Iterator[_sql.SqlUnitOfWork]:
        """Open a unit of work for reading, on the read replica when one is configured.

        Without ``read_conninfo`` or ``read_pool`` it is :meth:`unit_of_work`.
        On a replica the reads may lag the primary (see ``docs/scaling.md``),
        and ``commit`` of anything staged fails with ``StorageError``: the
        read connection only runs read-only transactions.
        """
        if self.read_pool is not None:
            with self._borrowed(self.read_pool, "read") as conn:
                yield _sql.SqlUnitOfWork(_PostgresSession(conn))
        elif self.read_conninfo is not None:
            yield _sql.SqlUnitOfWork(_PostgresSession(self._read_connection(self.read_conninfo)))
        else:
            with self.unit_of_work() as uow:
                yield uow

    # -- the Storage port (unit_of_work comes from SqlStorage) ---------------------

    @contextmanager
    def outbox(self) -> Iterator[_PostgresOutbox]:
        """The outbox in a transaction of its own: claims are row locks held until
        the block ends; marks commit when it ends normally, roll back otherwise."""
        self._check_open()
        if self.pool is not None:
            with self._borrowed(self.pool, "primary") as conn:
                session = _PostgresSession(conn)
                with session.transaction():
                    yield _PostgresOutbox(session)
            return
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
        lock_sql = f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"
        if self.pool is not None:  # no connection of its own kept open for it
            with self._borrowed(self.pool, "primary") as conn:
                return _sql.migrate(_PostgresSession(conn), lock_sql=lock_sql)
        return _sql.migrate(self._session(), lock_sql=lock_sql)

    def bulk_insert_orders(self, orders: Iterable[Order], *, batch_size: int = 10_000) -> int:
        """Insert many new orders fast (for seeding and benchmarks); return how many.

        Each batch is one transaction of one pipelined ``executemany``.  Orders
        are stored at version 1 with no outbox events; a duplicate id fails its
        batch with ``StorageError``.
        """
        return _sql.bulk_insert_orders(self._session(), orders, batch_size)
