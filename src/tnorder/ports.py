"""The ports a host application implements (or takes from ``tnorder.adapters``).

Every port is a ``typing.Protocol``: a host can adapt a class it already has
without inheriting from tnorder, mypy checks conformance where the port is
injected, and the conformance kit in ``tnorder.testing`` checks behaviour.
Adapters translate their own errors into ``tnorder.errors`` at the boundary.

Storage is one port with a unit of work (``Storage.unit_of_work()``), because
the transactional outbox needs the state change and its events to commit
together; the repositories hang off the unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar

import attrs

from .domain.carrier import CarrierRequest
from .domain.documents import Document
from .domain.events import Event
from .domain.inventory import InventoryNumber
from .domain.order import Order

__all__ = [
    "Clock",
    "DocumentStorage",
    "Notifier",
    "OrderRepository",
    "Outbox",
    "OutboxEntry",
    "RecordRepository",
    "Storage",
    "UnitOfWork",
]

R = TypeVar("R")


class Clock(Protocol):
    """The only source of the current time."""

    def now(self) -> datetime:
        """The current time as an aware datetime in UTC."""
        ...


class Notifier(Protocol):
    """Delivers published domain events to the host (message bus, webhooks, email...).

    Delivery is at least once: the same event (same ``event_id``) may arrive
    again after a crash, so consumers drop duplicates by ``event_id``.  Raise
    ``NotificationError`` (or any exception) to have the relay retry later.
    """

    def publish(self, event: Event) -> None: ...


class DocumentStorage(Protocol):
    """Holds document bytes by content (SHA-256 hex digest); never by file name."""

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its SHA-256 hex key (idempotent)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; ``DocumentNotFound`` if none."""
        ...

    def exists(self, key: str) -> bool: ...


class OrderRepository(Protocol):
    """Orders inside one unit of work.  Versions give optimistic concurrency."""

    def add(self, order: Order) -> None:
        """Insert a new order (``version`` 0); ``AlreadyExists`` if the id is taken."""
        ...

    def get(self, order_id: str) -> Order:
        """A fresh copy of the stored order; ``OrderNotFound`` if none."""
        ...

    def save(self, order: Order) -> None:
        """Store ``order`` if the stored version still equals ``order.version``, then bump it.

        Raises ``ConcurrencyConflict`` (and writes nothing) otherwise.
        """
        ...

    def for_account(
        self, account_id: str, *, finalized_since: datetime | None = None
    ) -> list[Order]:
        """The account's orders, oldest first.

        With ``finalized_since``: only open orders and orders finalized at or
        after it (what the Orders tab can need).  Without: every order.
        """
        ...


class RecordRepository(Protocol[R]):
    """Versioned records of one kind (see ``tnorder.records.RecordSpec``)."""

    def add(self, record: R) -> None: ...

    def get(self, key: str) -> R: ...

    def save(self, record: R) -> None: ...

    def find(self, **equals: Any) -> list[R]:
        """Records whose index fields equal the given values (enums by value), by key."""
        ...


@attrs.frozen
class OutboxEntry:
    """An event waiting in the outbox.  ``position`` orders entries globally."""

    position: int
    event: Event


class Outbox(Protocol):
    """The relay's side of the outbox."""

    def claim(self, limit: int = 100) -> list[OutboxEntry]:
        """Undelivered entries, oldest first, none of whose stream has an older
        undelivered entry claimed elsewhere."""
        ...

    def mark_delivered(self, positions: Sequence[int]) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: everything done through it commits or rolls back together."""

    # Read-only properties, not plain attributes: protocol attributes are
    # invariant, and adapters expose their own repository classes.
    @property
    def orders(self) -> OrderRepository: ...

    @property
    def documents(self) -> RecordRepository[Document]: ...

    @property
    def inventory(self) -> RecordRepository[InventoryNumber]: ...

    @property
    def carrier_requests(self) -> RecordRepository[CarrierRequest]: ...

    def add_events(self, events: Sequence[Event]) -> None:
        """Write events to the outbox in this transaction."""
        ...

    def commit(self) -> None: ...


class Storage(Protocol):
    """A database: opens units of work and exposes the outbox to the relay."""

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """Open a transaction.  Leaving the block without ``commit()`` rolls back."""
        ...

    def outbox(self) -> AbstractContextManager[Outbox]: ...
