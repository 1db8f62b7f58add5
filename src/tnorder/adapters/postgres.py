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

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
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
from ..relay import ParkedEvent
from . import _sql

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

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cur = self._conn.execute(_pg(sql), params or None)
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
        super().__init__()
        self.conninfo = conninfo
        self.connect_timeout = connect_timeout
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

    def _usable(self, conn: psycopg.Connection[Any]) -> bool:
        return not (conn.closed or conn.broken)

    def _session(self) -> _PostgresSession:
        return _PostgresSession(self._connection())

    # -- the Storage port (unit_of_work comes from SqlStorage) ---------------------

    @contextmanager
    def outbox(self) -> Iterator[_PostgresOutbox]:
        """The outbox in a transaction of its own: claims are row locks held until
        the block ends; marks commit when it ends normally, roll back otherwise."""
        self._check_open()
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

    def bulk_insert_orders(self, orders: Iterable[Order], *, batch_size: int = 10_000) -> int:
        """Insert many new orders fast (for seeding and benchmarks); return how many.

        Each batch is one transaction of one pipelined ``executemany``.  Orders
        are stored at version 1 with no outbox events; a duplicate id fails its
        batch with ``StorageError``.
        """
        return _sql.bulk_insert_orders(self._session(), orders, batch_size)
