"""Deliberately broken adapters: each has one flaw a host could plausibly ship.

They wrap the reference adapters and break exactly one promise, so a failing
contract test can only be failing because of that flaw.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.domain.events import Event
from tnorder.domain.order import Order
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
