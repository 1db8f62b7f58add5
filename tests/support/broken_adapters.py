"""Deliberately broken adapters: each has one flaw a host could plausibly ship.

They wrap the reference adapters and break exactly one promise, so a failing
contract test can only be failing because of that flaw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.document_storage import FilesystemDocumentStorage, MemoryDocumentStorage
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierOrderRef,
    CarrierSubmission,
    CarrierUpdate,
    Reservation,
)
from tnorder.domain.events import Event
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.order import Order
from tnorder.errors import CarrierError, DocumentNotFound
from tnorder.ports import OutboxEntry


class _Orders:
    """An order repository that forwards to the real one."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def add(self, order: Order) -> None:
        self.inner.add(order)

    def get(self, order_id: str) -> Order:
        return self.inner.get(order_id)  # type: ignore[no-any-return]

    def save(self, order: Order) -> None:
        self.inner.save(order)

    def for_account(self, account_id: str, *, finalized_since: datetime | None = None) -> Any:
        return self.inner.for_account(account_id, finalized_since=finalized_since)

    def history(self, order_id: str, item_id: str, *, start: int = 0, limit: int = 100) -> Any:
        return self.inner.history(order_id, item_id, start=start, limit=limit)


class _LastWriterWins(_Orders):
    def save(self, order: Order) -> None:
        # The flaw: the version the caller loaded is ignored, so a stale copy
        # overwrites newer changes (a lost update) instead of conflicting.
        order.version = self.inner.get(order.order_id).version
        self.inner.save(order)


class _DropsSaves(_Orders):
    def save(self, order: Order) -> None:
        # The flaw: saves of existing orders are acknowledged and never written.
        order.version += 1


class _WrappedStorage:
    """A MemoryStorage seen through a flawed unit of work or outbox."""

    def __init__(self) -> None:
        self.inner = MemoryStorage()

    def wrap_orders(self, orders: Any) -> Any:
        return orders

    @contextmanager
    def unit_of_work(self) -> Iterator[Any]:
        with self.inner.unit_of_work() as uow:
            uow.orders = self.wrap_orders(uow.orders)
            yield uow

    @contextmanager
    def outbox(self) -> Iterator[Any]:
        with self.inner.outbox() as box:
            yield box

    def close(self) -> None:
        self.inner.close()


class VersionBlindStorage(_WrappedStorage):
    """Loses updates: a stale save silently overwrites the newer order."""

    def wrap_orders(self, orders: Any) -> Any:
        return _LastWriterWins(orders)


class ForgetfulStorage(_WrappedStorage):
    """Loses updates: saves after the first add are never written."""

    def wrap_orders(self, orders: Any) -> Any:
        return _DropsSaves(orders)


class AutocommitStorage(_WrappedStorage):
    """Writes what a unit of work staged even when it was left without commit."""

    @contextmanager
    def unit_of_work(self) -> Iterator[Any]:
        with self.inner.unit_of_work() as uow:
            try:
                yield uow
            finally:
                # The flaw: "commit on close", exceptions and all.
                uow.commit()


class _AtMostOnceBox:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        entries: list[OutboxEntry] = self.inner.claim(limit)
        # The flaw: entries are deleted when handed out, so a relay that crashes
        # (or a notifier that fails) before publishing loses them.
        self.inner.mark_delivered([e.position for e in entries])
        return entries

    def mark_delivered(self, positions: Sequence[int]) -> None:
        pass


class AtMostOnceStorage(_WrappedStorage):
    """Delivers events at most once: claiming an event deletes it."""

    @contextmanager
    def outbox(self) -> Iterator[Any]:
        with self.inner.outbox() as box:
            yield _AtMostOnceBox(box)


class _NewestFirstBox(_AtMostOnceBox):
    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        # The flaw: the outbox is read newest first.
        entries: list[OutboxEntry] = self.inner.claim(limit)
        return entries[::-1]

    def mark_delivered(self, positions: Sequence[int]) -> None:
        self.inner.mark_delivered(positions)


class NewestFirstStorage(_WrappedStorage):
    """Hands out outbox entries newest first."""

    @contextmanager
    def outbox(self) -> Iterator[Any]:
        with self.inner.outbox() as box:
            yield _NewestFirstBox(box)


class DroppingNotifier(RecordingNotifier):
    """Acknowledges every event but delivers only every other one."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def publish(self, event: Event) -> None:
        self.calls += 1
        if self.calls % 2:
            super().publish(event)


class NaiveClock:
    """Returns local wall-clock time without a zone (the classic mistake)."""

    def now(self) -> datetime:
        return datetime(2026, 1, 5, 9, 30)


class BackwardsClock:
    """Goes back a second on every read (a clock reset by NTP, every time)."""

    def __init__(self) -> None:
        self.clock = FixedClock(datetime.fromisoformat("2026-01-05T09:30:00+00:00"))
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return self.clock.now() - timedelta(seconds=self.reads)


class DriftingClock(FixedClock):
    """Moves a microsecond further than asked."""

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        return super().advance(step + timedelta(microseconds=1))


# -- carriers ------------------------------------------------------------------------


class NeverReleasingCarrier(SimulatedCarrier):
    """Acknowledges ``release`` but gives nothing back: held numbers stay blocked."""

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        # The flaw: the call succeeds and every hold is kept.
        self.calls.append("release")


class LeakyCarrier(SimulatedCarrier):
    """When the carrier cannot be reached, lets the transport's TimeoutError out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.down: set[str] = set()

    def fail_next(
        self, operation: str, error: CarrierError | None = None, *, times: int = 1
    ) -> None:
        self.down.add(operation)

    def _reach(self, operation: str) -> None:
        if operation in self.down:
            self.down.discard(operation)
            # The flaw: a foreign exception instead of CarrierUnavailable.
            raise TimeoutError(f"{operation}: read timed out")

    def search(
        self, account: CarrierAccount, criteria: LookupCriteria, *, now: datetime
    ) -> list[AvailableNumber]:
        self._reach("search")
        return super().search(account, criteria, now=now)

    def reserve(
        self, account: CarrierAccount, numbers: Sequence[str], *, now: datetime
    ) -> list[Reservation]:
        self._reach("reserve")
        return super().reserve(account, numbers, now=now)

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        self._reach("release")
        super().release(account, reservation_ids)

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        self._reach("submit")
        return super().submit(account, submission, now=now)

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        self._reach("status")
        return super().status(account, ref, now=now)


class HomeGrownWordsCarrier(SimulatedCarrier):
    """Reports finished orders as ``DONE``, a word its own status tables do not have."""

    def _renamed(self, update: CarrierUpdate) -> CarrierUpdate:
        # The flaw: the adapter invents a word instead of the carrier's own.
        return attrs.evolve(update, status="DONE") if update.status == "COMPLETE" else update

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        return self._renamed(super().submit(account, submission, now=now))

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        return self._renamed(super().status(account, ref, now=now))


class GreedySearchCarrier(SimulatedCarrier):
    """Returns one number more than the lookup asked for."""

    def search(
        self, account: CarrierAccount, criteria: LookupCriteria, *, now: datetime
    ) -> list[AvailableNumber]:
        found = super().search(account, criteria, now=now)
        # The flaw: "quantity" read as "at least".
        extra = super().search(account, attrs.evolve(criteria, quantity=50), now=now)
        return found + [n for n in extra if n not in found][:1]


# -- document storage ------------------------------------------------------------------


class TextModeDocumentStorage:
    """Keeps documents as text: bytes that are not UTF-8 come back changed."""

    def __init__(self) -> None:
        self.checker = MemoryDocumentStorage()
        self.texts: dict[str, str] = {}

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        # The flaw: content decoded as text, undecodable bytes replaced.
        self.texts[key] = bytes(data).decode("utf-8", errors="replace")
        return key

    def get(self, key: str) -> bytes:
        self.checker.exists(key)  # the key rules are kept
        if key not in self.texts:
            raise DocumentNotFound(key)
        return self.texts[key].encode("utf-8")

    def exists(self, key: str) -> bool:
        self.checker.exists(key)
        return key in self.texts


class TrustingFilesystemDocumentStorage(FilesystemDocumentStorage):
    """Returns whatever the file holds, without checking it still matches its key."""

    def get(self, key: str) -> bytes:
        self.exists(key)  # the key rules are kept
        path = Path(self.root) / key[:2] / key
        if not path.is_file():
            raise DocumentNotFound(key)
        # The flaw: a tampered or rotted file is handed out as the document.
        return path.read_bytes()


class UndeletingDocumentStorage(MemoryDocumentStorage):
    """Says it deleted content, and keeps it."""

    def delete(self, key: str) -> None:
        # The flaw: the key is checked, the content stays.
        self.exists(key)
