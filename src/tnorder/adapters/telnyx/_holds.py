"""Where ``TelnyxCarrier`` keeps its Telnyx holds, so a release is seen by every process.

Telnyx publishes no way to end a number reservation early: its API has
``POST /number_reservations``, ``GET /number_reservations[/{id}]`` and
``POST /number_reservations/{id}/actions/extend``, and nothing that deletes
one (``team-telnyx/telnyx-python``, ``resources/number_reservations``).  A
released hold therefore stays live at Telnyx until ``expired_at``, and only
the hold book knows it was given back.  A number whose live hold is marked
released is taken back by the next ``reserve`` of that number, by whichever
adapter shares the book.

* :class:`MemoryHoldBook` (the default) serves the adapters of one process.
* :class:`SqliteHoldBook` is a file every process on one host opens, so a
  hold released in one process can be taken back in another.  It is its own
  small file, not a tnorder storage (no schema version, no migration).

A host spread over several machines passes its own :class:`HoldBook`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Protocol

import attrs

from ._sqlite_file import micros, moment, transaction

__all__ = ["BookedHold", "HoldBook", "MemoryHoldBook", "SqliteHoldBook"]


@attrs.frozen
class BookedHold:
    """One Telnyx hold: its reservation (``group``), the number, and whether it was released."""

    reservation_id: str
    group: str
    number: str
    expires_at: datetime
    released: bool = False


class HoldBook(Protocol):
    """The holds this account made at Telnyx and which of them were released.

    Every method is safe to call from several threads (and, for a shared
    book, several processes); ``take_back`` is the one that must be atomic.
    """

    def add(self, hold: BookedHold) -> None:
        """Record a hold Telnyx just made (not released)."""
        ...

    def holds_of(self, number: str, *, now: datetime) -> list[BookedHold]:
        """The holds of ``number`` that have not expired by ``now`` (expired ones are dropped)."""
        ...

    def released_numbers(self, *, now: datetime) -> frozenset[str]:
        """Numbers whose only live holds are released: free to offer and take back."""
        ...

    def release(self, reservation_ids: Sequence[str]) -> None:
        """Mark holds released; unknown ids are ignored."""
        ...

    def take_back(self, reservation_id: str, *, expires_at: datetime) -> bool:
        """Mark a released hold held again (with Telnyx's current expiry).

        True only for the one caller that found it released: two processes
        taking back the same hold cannot both get it.
        """
        ...

    def drop(self, reservation_ids: Sequence[str]) -> None:
        """Forget holds (consumed by an order, or gone at Telnyx)."""
        ...


class MemoryHoldBook:
    """An in-process :class:`HoldBook` (the adapters of one process; forgotten on restart)."""

    def __init__(self) -> None:
        self._holds: dict[str, BookedHold] = {}
        self._lock = threading.Lock()

    def add(self, hold: BookedHold) -> None:
        with self._lock:
            self._holds[hold.reservation_id] = hold

    def holds_of(self, number: str, *, now: datetime) -> list[BookedHold]:
        with self._lock:
            for old in [k for k, h in self._holds.items() if h.expires_at <= now]:
                del self._holds[old]
            return [h for h in self._holds.values() if h.number == number]

    def released_numbers(self, *, now: datetime) -> frozenset[str]:
        with self._lock:
            live = [h for h in self._holds.values() if h.expires_at > now]
        return _released(live)

    def release(self, reservation_ids: Sequence[str]) -> None:
        with self._lock:
            for reservation_id in reservation_ids:
                hold = self._holds.get(reservation_id)
                if hold is not None:
                    self._holds[reservation_id] = attrs.evolve(hold, released=True)

    def take_back(self, reservation_id: str, *, expires_at: datetime) -> bool:
        with self._lock:
            hold = self._holds.get(reservation_id)
            if hold is None or not hold.released:
                return False
            self._holds[reservation_id] = attrs.evolve(hold, released=False, expires_at=expires_at)
            return True

    def drop(self, reservation_ids: Sequence[str]) -> None:
        with self._lock:
            for reservation_id in reservation_ids:
                self._holds.pop(reservation_id, None)


def _released(live: Sequence[BookedHold]) -> frozenset[str]:
    held = {h.number for h in live if not h.released}
    return frozenset(h.number for h in live if h.released and h.number not in held)


class SqliteHoldBook:
    """A :class:`HoldBook` in an SQLite file shared by the processes of one host.

    Args:
        path: the file (created with its table if missing).  Give every
            process of the host the same path, and a different path per
            Telnyx account.
        timeout: seconds to wait for another process's write.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self._path = str(path)
        self._timeout = timeout
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS telnyx_holds ("
                " reservation_id TEXT PRIMARY KEY,"
                " reservation_group TEXT NOT NULL,"
                " number TEXT NOT NULL,"
                " expires_at INTEGER NOT NULL,"
                " released INTEGER NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS telnyx_holds_number ON telnyx_holds (number)")

    def __repr__(self) -> str:
        return f"SqliteHoldBook({self._path!r})"

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._path, self._timeout)

    def add(self, hold: BookedHold) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO telnyx_holds VALUES (?, ?, ?, ?, ?)",
                (
                    hold.reservation_id,
                    hold.group,
                    hold.number,
                    micros(hold.expires_at),
                    int(hold.released),
                ),
            )

    def holds_of(self, number: str, *, now: datetime) -> list[BookedHold]:
        with self._connect() as db:
            db.execute("DELETE FROM telnyx_holds WHERE expires_at <= ?", (micros(now),))
            rows = db.execute(
                "SELECT reservation_id, reservation_group, number, expires_at, released"
                " FROM telnyx_holds WHERE number = ? ORDER BY expires_at, reservation_id",
                (number,),
            ).fetchall()
        return [
            BookedHold(str(r[0]), str(r[1]), str(r[2]), moment(int(r[3])), bool(r[4])) for r in rows
        ]

    def released_numbers(self, *, now: datetime) -> frozenset[str]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT number, released FROM telnyx_holds WHERE expires_at > ?", (micros(now),)
            ).fetchall()
        return _released([BookedHold("", "", str(r[0]), now, bool(r[1])) for r in rows])

    def release(self, reservation_ids: Sequence[str]) -> None:
        with self._connect() as db:
            db.executemany(
                "UPDATE telnyx_holds SET released = 1 WHERE reservation_id = ?",
                [(i,) for i in reservation_ids],
            )

    def take_back(self, reservation_id: str, *, expires_at: datetime) -> bool:
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE telnyx_holds SET released = 0, expires_at = ?"
                " WHERE reservation_id = ? AND released = 1",
                (micros(expires_at), reservation_id),
            )
            return cursor.rowcount == 1

    def drop(self, reservation_ids: Sequence[str]) -> None:
        with self._connect() as db:
            db.executemany(
                "DELETE FROM telnyx_holds WHERE reservation_id = ?",
                [(i,) for i in reservation_ids],
            )
