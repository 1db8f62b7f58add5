"""Use cases: the front door a host application calls.

Each use case reads the clock once, opens one unit of work, loads what it
needs, applies domain rules, saves, and writes the recorded domain events to
the outbox in the same transaction.  ``relay_events`` later delivers the
outbox to the notifier (at least once, in order per stream).

A use case that loses an optimistic-concurrency race is run again from a
fresh load, up to ``max_attempts`` times: that is safe because each use case
is a function of what it loads and its arguments, and a rerun re-checks every
rule against the newer state.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from .domain.events import Actor
from .domain.machine import Trigger
from .domain.order import NewItem, Order
from .errors import ConcurrencyConflict, NotificationError, ValidationError
from .ports import Clock, Notifier, Storage, UnitOfWork

__all__ = ["OrderService"]

T = TypeVar("T")


def _default_order_id() -> str:
    return "ORD-" + uuid.uuid4().hex[:10].upper()


class OrderService:
    """The application service.

    Args:
        storage: the database (``tnorder.adapters.sqlite.SqliteStorage``, ...).
        clock: the only source of ``now``.
        notifier: receives events from :meth:`relay_events`.
        max_attempts: how often a use case runs before a ``ConcurrencyConflict`` escapes.
        order_ids: makes new order numbers (default ``ORD-`` + 10 hex digits).
    """

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Clock,
        notifier: Notifier | None = None,
        max_attempts: int = 5,
        order_ids: Callable[[], str] = _default_order_id,
        # -- constructor extensions: keyword-only parameters added by each area --
    ) -> None:
        if max_attempts < 1:
            raise ValidationError("max_attempts must be at least 1", field="max_attempts")
        self.storage = storage
        self.clock = clock
        self.notifier = notifier
        self.max_attempts = max_attempts
        self._order_ids = order_ids
        # -- constructor extensions: attribute assignments --

    # -- the runner -----------------------------------------------------------

    def run(self, use_case: Callable[[UnitOfWork, datetime], T]) -> T:
        """Run ``use_case(uow, now)`` in one unit of work, retrying on conflicts.

        The use case must only change state through ``uow`` (it may be run
        again from scratch).  ``now`` is read once per attempt.
        """
        for attempt in range(1, self.max_attempts + 1):
            now = self.clock.now()
            try:
                with self.storage.unit_of_work() as uow:
                    result = use_case(uow, now)
                    uow.commit()
                    return result
            except ConcurrencyConflict:
                if attempt == self.max_attempts:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def save_order(uow: UnitOfWork, order: Order) -> None:
        """Save ``order`` and put its recorded events in the outbox."""
        uow.orders.save(order)
        uow.add_events(order.pull_events())

    # -- orders ---------------------------------------------------------------

    def place_order(
        self,
        account_id: str,
        items: Sequence[NewItem],
        *,
        actor: Actor,
        order_id: str | None = None,
    ) -> Order:
        """Place an order; every item starts in Order Submitted."""
        new_id = order_id or self._order_ids()

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = Order.place(new_id, account_id, items, actor=actor, at=now)
            events = order.pull_events()
            uow.orders.add(order)
            uow.add_events(events)
            return order

        return self.run(use_case)

    def get_order(self, order_id: str) -> Order:
        with self.storage.unit_of_work() as uow:
            return uow.orders.get(order_id)

    def fire(
        self,
        order_id: str,
        item_id: str,
        trigger: Trigger | str,
        *,
        actor: Actor,
        note: str | None = None,
        committed_date: date | None = None,
    ) -> Order:
        """Send one event to one line item and save the order."""

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = uow.orders.get(order_id)
            order.fire(
                item_id, trigger, actor=actor, at=now, note=note, committed_date=committed_date
            )
            self.save_order(uow, order)
            return order

        return self.run(use_case)

    def cancel_order(self, order_id: str, *, actor: Actor, note: str | None = None) -> Order:
        """Cancel every open item of an order.  Only account managers may cancel:
        anyone else gets ``PermissionDenied`` telling them to contact theirs."""

        def use_case(uow: UnitOfWork, now: datetime) -> Order:
            order = uow.orders.get(order_id)
            order.cancel(actor=actor, at=now, note=note)
            self.save_order(uow, order)
            return order

        return self.run(use_case)

    # -- events ---------------------------------------------------------------

    def relay_events(self, limit: int = 100) -> int:
        """Deliver outbox events to the notifier, oldest first; return how many.

        An event is marked delivered only after ``publish`` returned.  If
        ``publish`` fails, the events delivered before it are marked, the rest
        stay in the outbox, and ``NotificationError`` is raised.
        """
        if self.notifier is None:
            raise ValidationError("relay_events needs a notifier", field="notifier")
        delivered: list[int] = []
        with self.storage.outbox() as box:
            try:
                for entry in box.claim(limit):
                    try:
                        self.notifier.publish(entry.event)
                    except Exception as exc:
                        raise NotificationError(
                            f"delivering {entry.event.event_id} failed: {exc}"
                        ) from exc
                    delivered.append(entry.position)
            finally:
                if delivered:
                    box.mark_delivered(delivered)
        return len(delivered)

    # -- views: Orders tab, Order History, Active Numbers (issue 3) --------------

    # -- documents and compliance (issue 4) -----------------------------------

    # -- carrier ordering workflows (issue 5) ---------------------------------
