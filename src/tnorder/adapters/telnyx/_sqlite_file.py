"""One short SQLite transaction on a small file the processes of one host share.

Used by :class:`~._holds.SqliteHoldBook` and
:class:`~._webhooks.SqliteReplayGuard`.  These files are the adapter's own,
not a tnorder storage: no schema version, no migration.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from ...errors import StorageError

__all__ = ["micros", "moment", "transaction"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    """An aware datetime as UTC microseconds (integers compare exactly in SQL)."""
    return (at - _EPOCH) // timedelta(microseconds=1)


def moment(value: int) -> datetime:
    """The inverse of :func:`micros`."""
    return _EPOCH + timedelta(microseconds=value)


@contextmanager
def transaction(path: str, timeout: float) -> Iterator[sqlite3.Connection]:
    """A write transaction taken at once (``BEGIN IMMEDIATE``), committed on success.

    One connection per call: safe across threads and processes, and the file
    is never held open between calls.

    Raises:
        StorageError: the file cannot be opened, is locked past ``timeout``, or
            is not an SQLite file.
    """
    try:
        db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open the Telnyx adapter's file {path!r}: {exc}") from exc
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        # sqlite3's errors are not ours; the host only knows TnorderError.
        raise StorageError(f"the Telnyx adapter's file {path!r} failed: {exc}") from exc
    finally:
        db.close()
