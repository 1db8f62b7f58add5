"""SQLite storage: the embedded default, on the standard library's ``sqlite3``.

One database file holds orders, records and the outbox.  The file runs in WAL
mode (readers never block the writer), every connection has a busy timeout,
and each thread of each process gets its own connection.  A unit of work
reads without a transaction and applies its staged writes in one short
``BEGIN IMMEDIATE`` transaction with version checks, so no update is lost
between threads or processes.  Only one relay delivers the outbox at a time:
relays take an exclusive lock on ``<database>-relay.lock`` that the operating
system releases if the relay dies.

sqlite3 errors become :class:`~tnorder.errors.StorageError` here.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from ..domain.inputs import check_text
from ..domain.order import Order
from ..errors import StorageError, ValidationError
from ..ports import OutboxEntry
from ..relay import ParkedEvent
from . import _sql

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: relays are only excluded within a process
    fcntl = None  # type: ignore[assignment]

__all__ = ["SqliteStorage"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(value: datetime) -> int:
    # Integer microseconds since the epoch (UTC): compact, and sorts like time.
    return (value - _EPOCH) // _MICROSECOND


_DIALECT = _sql.Dialect(
    name="sqlite",
    timestamp_type="INTEGER",
    serial_key="INTEGER PRIMARY KEY AUTOINCREMENT",
    to_db_time=_micros,
    allows_nul=True,
)

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]

# A plain ``INSERT ... VALUES (?, ..., ?)`` with an optional clause after it
# (``ON CONFLICT ...``) that binds no parameter of its own.
_PLAIN_INSERT = re.compile(r"\A(INSERT INTO \w+ \([\w, ]+\) VALUES )(\((?:\?, )*\?\))([^?]*)\Z")
# Parameters one multi-row statement binds at most: SQLite before 3.32 allows
# 999, and past a few hundred a longer statement is no faster (measured).
_MAX_PARAMETERS = 999
# Fewer rows than this go through ``executemany`` as they are.
_MULTI_ROW_FROM = 8


# ``None`` is bound as NULL through an adapter, because sqlite3 otherwise asks
# its protocol object for ``__adapt__`` for each NULL parameter, which formats
# and throws away an AttributeError (about 0.45 us each; a bulk commit binds
# 70,000 NULLs, 4 % of placing 10,000 items in instructions).  The adapter
# gives None back, which binds as NULL as before; an empty dict's ``get`` does
# that in C, where a Python function would cost a frame per parameter.
_NONE_IS_NULL: dict[object, None] = {}


def _adapt_none_directly() -> None:
    # sqlite3's adapters are one registry per process: an identity adapter
    # changes nothing for anyone else, and one a host registered is kept.
    if (type(None), sqlite3.PrepareProtocol) not in sqlite3.adapters:
        sqlite3.register_adapter(type(None), _NONE_IS_NULL.get)


@functools.lru_cache(maxsize=64)
def _multi_row(sql: str) -> tuple[str, str, str, int] | None:
    """``(head, row group, tail, parameters per row)`` of a plain insert, else None."""
    match = _PLAIN_INSERT.match(sql)
    if match is None:
        return None
    head, group, tail = match.groups()
    return head, group, tail, group.count("?")


@functools.lru_cache(maxsize=256)
def _multi_row_sql(head: str, group: str, tail: str, rows: int) -> str:
    return f"{head}{', '.join([group] * rows)}{tail}"


def _check_mib(name: str, value: object, top: int) -> None:
    if type(value) is not int or not 1 <= value <= top:
        raise ValidationError(
            f"{name} must be a whole number of MiB from 1 to {top}, got {value!r}", field=name
        )


class _SqliteSession:
    """One sqlite3 connection in autocommit mode; explicit write transactions."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @property
    def dialect(self) -> _sql.Dialect:
        return _DIALECT

    def query(
        self, sql: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except sqlite3.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"SQLite query failed: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            return self._conn.execute(sql, params).rowcount
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except sqlite3.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"SQLite statement failed: {exc}") from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._executemany(sql, rows)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """``executemany``, returning the rows changed in all (sqlite3 sums them)."""
        try:
            shape = _multi_row(sql) if len(rows) >= _MULTI_ROW_FROM else None
            if shape is not None:
                head, group, tail, width = shape
                if all(len(row) == width for row in rows):
                    return self._insert_rows(head, group, tail, width, rows)
            return self._conn.executemany(sql, rows).rowcount
        except UnicodeEncodeError as exc:  # a lone surrogate the entry checks missed
            raise ValidationError(f"text the database cannot encode: {exc}") from exc
        except OverflowError as exc:  # an integer past 64 bits the entry checks missed
            raise ValidationError(f"a number the database cannot hold: {exc}") from exc
        except sqlite3.IntegrityError as exc:  # e.g. a duplicate key in a bulk insert
            raise StorageError(f"SQLite refused the rows: {exc}") from exc
        except sqlite3.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"SQLite statement failed: {exc}") from exc

    def _insert_rows(
        self, head: str, group: str, tail: str, width: int, rows: Sequence[Sequence[Any]]
    ) -> int:
        # issue 17: a bulk commit inserts 10,000 rows into each of several
        # tables; one statement of many rows does each row's work in SQLite's
        # VM without a step, reset and re-entry per row (placing 10,000 items:
        # inserts 0.46 s -> 0.33 s).  The statement stays atomic, and the
        # transaction around it is all or nothing anyway; the count of changed
        # rows is SQLite's, as ``executemany`` sums it.
        per = max(1, _MAX_PARAMETERS // width)
        execute = self._conn.execute
        changed = 0
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            statement = _multi_row_sql(head, group, tail, len(chunk))
            changed += execute(statement, list(itertools.chain.from_iterable(chunk))).rowcount
        return changed

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front (waiting up to the busy
        # timeout) instead of failing half-way when a reader upgrades.
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:  # foreign error: the transaction did not happen
            self._rollback()
            raise StorageError(f"SQLite commit failed: {exc}") from exc

    def write_transaction(self) -> AbstractContextManager[None]:
        # In-process database: there are no round trips to save.
        return self.transaction()

    def execute_batch(
        self, statements: Sequence[tuple[str, Sequence[Sequence[Any]]]], *, results: bool
    ) -> list[int]:
        counts = []
        for sql, rows in statements:
            if len(rows) == 1:
                counts.append(self.execute(sql, rows[0]))
            else:
                counts.append(self._executemany(sql, rows))
        return counts if results else []

    def _rollback(self) -> None:
        # SQLite may already have rolled back by itself (e.g. on SQLITE_FULL).
        with suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")

    def table_columns(self, table: str) -> set[str]:
        return {row[1] for row in self.query(f"PRAGMA table_info({table})")}


class _RelayLock:
    """An exclusive, non-blocking lock that dies with its holder."""

    _in_process = threading.Lock()

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd: int | None = None
        self._thread_lock = False

    def acquire(self) -> bool:
        if fcntl is None:  # pragma: no cover - Windows
            self._thread_lock = self._in_process.acquire(blocking=False)
            return self._thread_lock
        try:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:  # e.g. the lock file's name is too long for the filesystem
            raise StorageError(f"cannot open the relay lock {self._path!r}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None
        if self._thread_lock:  # pragma: no cover - Windows
            self._in_process.release()
            self._thread_lock = False


class _SqliteOutbox:
    """The outbox while this relay holds the relay lock (else nothing to claim)."""

    def __init__(self, session: _SqliteSession, held: bool) -> None:
        self._session = session
        self._held = held

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        if not self._held or limit < 1:
            return []
        # Streams held back by a parked record are left out in SQL, so a long
        # parked stream cannot fill the limit and starve the others.
        rows = self._session.query(
            f"SELECT position, stream, payload, parked_reason FROM {_sql.OUTBOX}"
            f" WHERE stream NOT IN ({_sql.PARKED_STREAMS}) ORDER BY position LIMIT ?",
            (limit,),
        )
        return _sql.claim_rows(self._session, rows)

    def parked(self) -> list[ParkedEvent]:
        """Every parked record, oldest first."""
        return _sql.parked_rows(self._session)

    def retry_parked(self, positions: Sequence[int]) -> int:
        """Un-park these records; return how many."""
        self._require_held()
        with self._session.transaction():
            return _sql.retry_parked(self._session, positions)

    def drop_parked(self, positions: Sequence[int]) -> int:
        """Delete these parked records for good; return how many."""
        self._require_held()
        with self._session.transaction():
            return _sql.drop_parked(self._session, positions)

    def _require_held(self) -> None:
        if not self._held:
            raise StorageError("another relay holds the outbox; try again when it is done")

    def mark_delivered(self, positions: Sequence[int]) -> None:
        if not self._held:
            raise StorageError("this outbox holds no claim")
        if positions:
            with self._session.transaction():
                _sql.mark_delivered(self._session, positions)


class SqliteStorage(_sql.SqlStorage[sqlite3.Connection]):
    """Storage in one SQLite database file.

    Args:
        path: the database file (created if missing).  ``":memory:"`` is
            refused: each connection would see its own empty database; use
            ``MemoryStorage`` instead.
        timeout: seconds a writer waits for the write lock before
            ``StorageError`` ("database is locked").
        synchronous: SQLite's ``synchronous`` pragma.  ``"FULL"`` (default)
            makes every commit durable on power loss; ``"NORMAL"`` is faster
            and may lose the last commits on power loss (never consistency).
        migrate: bring the schema up to date now (default).  With False, call
            :meth:`migrate` before use.
        cache_mib: the page cache of each connection, in MiB (SQLite's
            ``cache_size``; 1 to 65,536, default 64).  SQLite's own default,
            2 MiB, is smaller than the pages a bulk call dirties: it then
            spills them before the commit and reads index pages again.
            Memory is taken as pages are read, up to this much per
            connection (one per thread).
        checkpoint_mib: how big the write-ahead log may grow, in MiB, before
            the commit that passes it copies the log into the database file
            (SQLite's ``wal_autocheckpoint``; 1 to 1,024, default 64).
            SQLite's own default, 4 MiB, is smaller than one bulk commit (a
            10,000-number order writes 18 MB), so every such commit would
            also wait for that copy and its sync (about 0.1 s); with 64 MiB
            the copy comes every few bulk commits, of each page once.  The
            log file keeps its largest size on disk.  Durability does not
            depend on it: a commit is durable once its log is synced.

    Safe for many threads (one connection each) and processes (file locks).
    A unit of work belongs to the thread that opened it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 10.0,
        synchronous: Synchronous = "FULL",
        migrate: bool = True,
        cache_mib: int = 64,
        checkpoint_mib: int = 64,
    ) -> None:
        text = os.fspath(path)
        if not text or text == ":memory:" or text.startswith("file:"):
            raise ValidationError(
                "SqliteStorage needs a database file path; use MemoryStorage for memory",
                field="path",
            )
        if "\x00" in text:
            raise ValidationError("the database path must not contain NUL", field="path")
        check_text(text, "path")
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValidationError(f"unknown synchronous mode {synchronous!r}", field="synchronous")
        if not timeout >= 0:
            raise ValidationError("timeout must be zero or more seconds", field="timeout")
        _check_mib("cache_mib", cache_mib, 65_536)
        _check_mib("checkpoint_mib", checkpoint_mib, 1024)
        super().__init__()
        self.path = Path(text)
        self.timeout = timeout
        self.synchronous = synchronous
        self.cache_mib = cache_mib
        self.checkpoint_mib = checkpoint_mib
        if migrate:
            self.migrate()

    # -- connections ---------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        _adapt_none_directly()
        try:
            conn = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:  # foreign error: callers only know StorageError
            raise StorageError(f"cannot open SQLite database {str(self.path)!r}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StorageError(
                    f"SQLite database {str(self.path)!r} cannot use WAL mode (got {mode!r})"
                )
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            # Negative: a size in KiB rather than a number of pages.
            conn.execute(f"PRAGMA cache_size = -{self.cache_mib * 1024}")
            # Counted in pages of this database (4 KiB unless it was made otherwise).
            page = int(conn.execute("PRAGMA page_size").fetchone()[0])
            pages = max(1, self.checkpoint_mib * 1024 * 1024 // page)
            conn.execute(f"PRAGMA wal_autocheckpoint = {pages}")
        except sqlite3.Error as exc:  # foreign error: callers only know StorageError
            conn.close()
            raise StorageError(f"cannot set up SQLite database {str(self.path)!r}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _session(self) -> _SqliteSession:
        return _SqliteSession(self._connection())

    # -- the Storage port (unit_of_work comes from SqlStorage) ---------------------

    @contextmanager
    def outbox(self) -> Iterator[_SqliteOutbox]:
        """The outbox, if no other relay holds it (else ``claim`` returns nothing)."""
        session = self._session()
        lock = _RelayLock(f"{self.path}-relay.lock")
        held = lock.acquire()
        try:
            yield _SqliteOutbox(session, held)
        finally:
            lock.release()

    # -- administration ----------------------------------------------------------

    def migrate(self) -> int:
        """Apply pending migrations (safe to run from several processes); return the version."""
        return _sql.migrate(self._session())

    def bulk_insert_orders(self, orders: Iterable[Order], *, batch_size: int = 10_000) -> int:
        """Insert many new orders fast (for seeding and benchmarks); return how many.

        Each batch is one transaction of one prepared statement, which is
        about as fast as SQLite inserts go (a million orders take a minute or
        two, mostly JSON encoding).  Orders are stored at version 1 with no
        outbox events; a duplicate id fails its batch with ``StorageError``.
        """
        return _sql.bulk_insert_orders(self._session(), orders, batch_size)
